/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The ABI between the ipclab module and user space: the only header both
 * sides include (fixed-width types, no padding, ioctl numbers).
 */
#ifndef _IPCLAB_UAPI_H
#define _IPCLAB_UAPI_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * All ipclab ioctls share one magic; each mechanism owns a block of numbers:
 *	0x00-0x0f chardev	0x10-0x1f signal	0x20-0x2f shm
 *	0x30-0x3f netlink	0x40-0x4f umh		0x50-0xef later ones
 *	0xf0-0xff never assigned: tests use them as "unknown ioctl"
 */
#define IPCLAB_IOC_MAGIC		'i'

/* ---- chardev: the device file /dev/ipclab ---- */

/*
 * /dev/ipclab is a bounded FIFO of bytes shared by every opener, like a pipe:
 * read and write transfer min(count, available) bytes, block when empty/full
 * (or fail with EAGAIN under O_NONBLOCK), poll reports readable/writable, and
 * lseek fails with ESPIPE.
 */
#define IPCLAB_CHARDEV_PATH		"/dev/ipclab"

/* The capacity is rounded up to a power of two, 1 byte .. 1 MiB. */
#define IPCLAB_CHARDEV_DEFAULT_CAPACITY	4096U
#define IPCLAB_CHARDEV_MAX_CAPACITY	(1024U * 1024U)

struct ipclab_chardev_stats {
	__u64 bytes_read;	/* bytes returned by read() since load */
	__u64 bytes_written;	/* bytes accepted by write() since load */
	__u64 reads;		/* read() calls that returned data */
	__u64 writes;		/* write() calls that stored data */
	__u32 openers;		/* open file descriptions right now */
	__u32 used;		/* bytes in the buffer right now */
	__u32 capacity;		/* buffer size in bytes */
	__u32 pad0;		/* always 0 */
};

/* Buffer size in bytes. */
#define IPCLAB_IOC_GET_CAPACITY	_IOR(IPCLAB_IOC_MAGIC, 0x00, __u32)
/* New size, 1 .. 1 MiB else EINVAL; EBUSY while the buffer holds data. */
#define IPCLAB_IOC_SET_CAPACITY	_IOW(IPCLAB_IOC_MAGIC, 0x01, __u32)
/* Discard the buffered data and wake blocked writers. */
#define IPCLAB_IOC_CLEAR	_IO(IPCLAB_IOC_MAGIC, 0x02)
/* Counters and the current state of the buffer. */
#define IPCLAB_IOC_GET_STATS	_IOR(IPCLAB_IOC_MAGIC, 0x03, \
				     struct ipclab_chardev_stats)

/* ---- signal (0x10-0x1f) ---- */

/* ---- shm (0x20-0x2f) ---- */

/* ---- netlink (0x30-0x3f) ---- */

/* ---- umh (0x40-0x4f) ---- */

#endif /* _IPCLAB_UAPI_H */
