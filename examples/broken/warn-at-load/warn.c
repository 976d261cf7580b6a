// SPDX-License-Identifier: GPL-2.0
/* A broken module: it loads, but trips a kernel WARNING on the way. */
#include <linux/module.h>
#include <linux/bug.h>

static int broken_value = 1;
module_param(broken_value, int, 0444);

static int __init broken_init(void)
{
	WARN(broken_value, "ipclab example: warning at load\n");
	return 0;
}
module_init(broken_init);

static void __exit broken_exit(void)
{
}
module_exit(broken_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipclab example of a broken module: warning at load");
