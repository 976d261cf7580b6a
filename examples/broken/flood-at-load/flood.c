// SPDX-License-Identifier: GPL-2.0
/* A broken module: it floods the console while loading. */
#include <linux/module.h>
#include <linux/sched.h>

static int __init broken_init(void)
{
	unsigned long i;

	for (i = 0; i < 100000000UL; i++) {
		pr_info("ipclab example: flood line %lu\n", i);
		cond_resched();
	}
	return 0;
}
module_init(broken_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipclab example of a broken module: console flood at load");
