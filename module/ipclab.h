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

/* fault.c: fault injection for the lab's own tests (fault_inject=1) */
int ipclab_fault_init(void);
void ipclab_fault_exit(void);

#endif /* _IPCLAB_H */
