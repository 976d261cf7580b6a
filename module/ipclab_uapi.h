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

/* ---- signal (0x20-0x2f): signals from the driver, /dev/ipclab-signal ---- */

/*
 * A process opens /dev/ipclab-signal and registers (REGISTER) a signal
 * number and a 64-bit value. The driver keeps a counted reference to the
 * process (its struct pid, never a raw pid number) for as long as that open
 * file is registered. A trigger -- TRIGGER from any process, any write() to
 * the device, or the kernel timer armed with TIMER -- sends every registered
 * process its signal with
 *	si_signo = the registered number	si_code = SI_QUEUE
 *	si_value = the registered value (all 64 bits in sival_ptr; sival_int
 *		   is its low 32 bits on little-endian machines)
 *	si_pid = 0, si_uid = 0 (the kernel sent it, not a process)
 * directed at the process's main thread (the thread-group leader).
 *
 * Signal numbers are the kernel's (1..64, SIGRTMIN = 32): C libraries keep
 * a few real-time signals for themselves and their SIGRTMIN is 34 (glibc)
 * or 35 (musl), so pass absolute numbers. Standard signals (1..31)
 * coalesce: while one is pending, more of the same are dropped. Real-time
 * signals (32..64) queue, up to RLIMIT_SIGPENDING of the receiver's user.
 *
 * A registration ends with UNREGISTER or the close of the file; a process
 * that is gone (and reaped) is found at the next trigger and its
 * registration dropped (stats.stale), so a recycled pid number is never
 * signalled.
 *
 * fasync: fcntl(F_SETOWN, pid), fcntl(F_SETSIG, signo) and
 * fcntl(F_SETFL, O_ASYNC) on the device make every trigger also send the
 * F_SETSIG signal (default SIGIO) with si_code = POLL_IN, si_band =
 * POLLIN | POLLRDNORM and si_fd = that file descriptor; the kernel's file
 * owner holds the pid, the driver keeps none.
 */
#define IPCLAB_SIGNAL_PATH		"/dev/ipclab-signal"

#define IPCLAB_SIGNAL_MAX_BURST		1024U	/* TRIGGER count limit */
#define IPCLAB_SIGNAL_MAX_DELAY_MS	60000U	/* TIMER delay limit */

struct ipclab_signal_reg {
	__u32 signo;	/* 1..64, not SIGKILL (9) or SIGSTOP (19) */
	__u32 flags;	/* must be 0 */
	__u64 value;	/* delivered in si_value */
};

struct ipclab_signal_stats {
	__u64 sent;		/* signals queued for registered processes */
	__u64 overflows;	/* real-time signals refused (queue full) */
	__u64 stale;		/* registrations dropped: process gone */
	__u64 triggers;		/* triggers (ioctl, write, timer) since load */
	__u64 misses;		/* triggers that found nobody to signal */
	__u32 registered;	/* registrations now */
	__u32 nasync;		/* open files with O_ASYNC now */
};

/*
 * Register the calling process for this open file. EINVAL: bad signo or
 * flags; EBUSY: this file is already registered (UNREGISTER first).
 */
#define IPCLAB_SIGNAL_IOC_REGISTER	_IOW(IPCLAB_IOC_MAGIC, 0x20, \
					     struct ipclab_signal_reg)
/* Drop this file's registration; ENOENT if it has none. */
#define IPCLAB_SIGNAL_IOC_UNREGISTER	_IO(IPCLAB_IOC_MAGIC, 0x21)
/*
 * Send N (1..IPCLAB_SIGNAL_MAX_BURST, else EINVAL) signals to every
 * recipient. Returns the number of recipients (registered processes plus
 * O_ASYNC files); ESRCH if there is none; EAGAIN if a real-time signal did
 * not fit in a receiver's queue (the signals before it were sent).
 * A write() of any bytes is a trigger with N = 1 and fails the same way.
 */
#define IPCLAB_SIGNAL_IOC_TRIGGER	_IOW(IPCLAB_IOC_MAGIC, 0x22, __u32)
/*
 * Arm (or re-arm) this file's one-shot kernel timer: after the given
 * 1..IPCLAB_SIGNAL_MAX_DELAY_MS milliseconds (else EINVAL) the driver
 * triggers by itself, as TRIGGER with N = 1. Closing the file disarms it.
 */
#define IPCLAB_SIGNAL_IOC_TIMER		_IOW(IPCLAB_IOC_MAGIC, 0x23, __u32)
/* Counters since load and the state now. */
#define IPCLAB_SIGNAL_IOC_GET_STATS	_IOR(IPCLAB_IOC_MAGIC, 0x24, \
					     struct ipclab_signal_stats)

/* ---- shm (0x20-0x2f) ---- */

/* ---- netlink (0x30-0x3f) ---- */

/* ---- umh (0x40-0x4f) ---- */

#endif /* _IPCLAB_UAPI_H */
