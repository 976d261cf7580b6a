// SPDX-License-Identifier: GPL-2.0
/*
 * The ipclab module brings up each IPC mechanism in order and tears them
 * down in reverse, so a failure half-way leaves nothing registered.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "ipclab.h"

static int __init ipclab_init(void)
{
	int ret;

	ret = ipclab_chardev_init();
	if (ret)
		return ret;

	/*
	 * The next mechanism goes here:
	 *	ret = ipclab_<mech>_init();
	 *	if (ret)
	 *		goto undo_chardev;
	 * with labels below the final return that undo, in reverse order,
	 * everything initialised before the failing step.
	 */
	return 0;
}

static void __exit ipclab_exit(void)
{
	ipclab_chardev_exit();
}

module_init(ipclab_init);
module_exit(ipclab_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipclab: kernel <-> user-space IPC mechanisms for a test lab");
MODULE_AUTHOR("ipclab");
