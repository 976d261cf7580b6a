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

/* shm.c: shared memory through mmap of /dev/ipclab-shm */
int ipclab_shm_init(void);
void ipclab_shm_exit(void);

#endif /* _IPCLAB_H */
