// SPDX-License-Identifier: GPL-2.0
/* A broken module: its init never returns (it waits for nothing, forever). */
#include <linux/module.h>
#include <linux/completion.h>

static DECLARE_COMPLETION(never);

static int __init broken_init(void)
{
	wait_for_completion(&never);
	return 0;
}
module_init(broken_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipclab example of a broken module: hangs at load");
