// SPDX-License-Identifier: GPL-2.0
/*
 * The ipclab module brings up each IPC mechanism in order and tears them
 * down in reverse, so a failure half-way leaves nothing registered.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "ipclab.h"

/* In bring-up order; torn down in reverse. One line per mechanism file. */
static const struct {
	const char *name;
	int (*init)(void);
	void (*exit)(void);
} mechanisms[] = {
	{ "chardev", ipclab_chardev_init, ipclab_chardev_exit },
	{ "signal", ipclab_signal_init, ipclab_signal_exit },
	{ "shm", ipclab_shm_init, ipclab_shm_exit },
	{ "netlink", ipclab_netlink_init, ipclab_netlink_exit },
	{ "umh", ipclab_umh_init, ipclab_umh_exit },
	{ "procfs", ipclab_procfs_init, ipclab_procfs_exit },
	{ "sysfs", ipclab_sysfs_init, ipclab_sysfs_exit },
	{ "uevent", ipclab_uevent_init, ipclab_uevent_exit },
	{ "eventfd", ipclab_eventfd_init, ipclab_eventfd_exit },
	{ "debugfs", ipclab_debugfs_init, ipclab_debugfs_exit },
	{ "fault", ipclab_fault_init, ipclab_fault_exit },
};

static int __init ipclab_init(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(mechanisms); i++) {
		ret = mechanisms[i].init();
		if (ret) {
			pr_err("%s: init failed: %d\n", mechanisms[i].name, ret);
			goto undo;
		}
	}
	return 0;

undo:
	while (i--)
		mechanisms[i].exit();
	return ret;
}

static void __exit ipclab_exit(void)
{
	int i = ARRAY_SIZE(mechanisms);

	while (i--)
		mechanisms[i].exit();
}

module_init(ipclab_init);
module_exit(ipclab_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipclab: kernel <-> user-space IPC mechanisms for a test lab");
MODULE_AUTHOR("ipclab");
