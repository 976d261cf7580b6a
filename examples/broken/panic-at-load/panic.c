// SPDX-License-Identifier: GPL-2.0
/* A broken module: it panics the kernel while loading. */
#include <linux/module.h>
#include <linux/panic.h>

static int __init broken_init(void)
{
	panic("ipclab example: panic at load");
	return 0;
}
module_init(broken_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipclab example of a broken module: panic at load");
