/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The init/exit pair each mechanism file hands to main.c.
 */
#ifndef _IPCLAB_H
#define _IPCLAB_H

#include "compat.h"

/* chardev.c: the device file /dev/ipclab */
int ipclab_chardev_init(void);
void ipclab_chardev_exit(void);

/* signal.c: signals from the driver, /dev/ipclab-signal */
int ipclab_signal_init(void);
void ipclab_signal_exit(void);

/* shm.c: shared memory through mmap of /dev/ipclab-shm */
int ipclab_shm_init(void);
void ipclab_shm_exit(void);

/* netlink.c: the generic netlink family "ipclab" */
int ipclab_netlink_init(void);
void ipclab_netlink_exit(void);

/* umh.c: /dev/ipclab-umh, call_usermodehelper */
int ipclab_umh_init(void);
void ipclab_umh_exit(void);

/* procfs.c: /proc/ipclab (statistics) and /proc/ipclab_ctl */
int ipclab_procfs_init(void);
void ipclab_procfs_exit(void);

/* sysfs.c: attributes of /dev/ipclab-sysfs, sysfs_notify */
int ipclab_sysfs_init(void);
void ipclab_sysfs_exit(void);

/* uevent.c: KOBJ_CHANGE uevents of /dev/ipclab-uevent */
int ipclab_uevent_init(void);
void ipclab_uevent_exit(void);

/* eventfd.c: /dev/ipclab-eventfd signals a user-space eventfd */
int ipclab_eventfd_init(void);
void ipclab_eventfd_exit(void);

/* debugfs.c: /sys/kernel/debug/ipclab/ */
int ipclab_debugfs_init(void);
void ipclab_debugfs_exit(void);

/* fault.c: fault injection for the lab's own tests (fault_inject=1) */
int ipclab_fault_init(void);
void ipclab_fault_exit(void);

#endif /* _IPCLAB_H */
