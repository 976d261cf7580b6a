/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module's files share: each mechanism's init/exit pair.
 */
#ifndef _IPCLAB_H
#define _IPCLAB_H

#include "compat.h"

/*
 * Every mechanism file X.c hands main.c its pair: int ipclab_X_init(void),
 * 0 or a negative errno with nothing left registered, and
 * void ipclab_X_exit(void). module/Kbuild declares them from the file
 * names, with the list IPCLAB_MECHANISMS.
 */
#include "ipclab_mechanisms.h"

#endif /* _IPCLAB_H */
