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

/*
 * The generic netlink family "ipclab": a socket, not a file. User space opens
 * socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC), asks the controller
 * ("nlctrl", CTRL_CMD_GETFAMILY) for the family id and the id of the
 * multicast group "events" (both are assigned at registration and change
 * across reloads), then sends requests: struct nlmsghdr (nlmsg_type = the
 * family id, NLM_F_REQUEST, optionally NLM_F_ACK), struct genlmsghdr (cmd,
 * version = IPCLAB_NL_VERSION, reserved = 0) and attributes (struct nlattr).
 * Replies come back with the same nlmsg_seq and the same command number;
 * failures as NLMSG_ERROR with a negative errno (with NETLINK_EXT_ACK set, an
 * error message and the missing attribute's type ride along).
 *
 * Every command validates strictly: an attribute the command does not list,
 * a wrong length, a non-zero genlmsghdr.reserved or stray nlmsg_flags give
 * EINVAL; a size outside the documented range ERANGE; a missing attribute
 * EINVAL (extack NLMSGERR_ATTR_MISS_TYPE names it); an unknown command
 * EOPNOTSUPP; an unknown family id ENOENT. Replies and ACKs are queued on
 * the requester's socket before its sendmsg() returns; events have
 * nlmsg_seq 0 and may arrive between them. No ioctl numbers: 0x30-0x3f
 * stay unused.
 */
#define IPCLAB_NL_FAMILY_NAME		"ipclab"
#define IPCLAB_NL_VERSION		1
#define IPCLAB_NL_MCGRP_EVENTS		"events"

/* ECHO's payload: 1 .. this many bytes (larger: ERANGE). */
#define IPCLAB_NL_PAYLOAD_MAX		64000
/*
 * PUBLISH's word: 1 .. this many characters plus the NUL; no NUL within
 * the first IPCLAB_NL_WORD_MAX + 1 bytes (too long, or unterminated): EINVAL.
 */
#define IPCLAB_NL_WORD_MAX		255
/* PUBLISH's delay: 0 .. this many milliseconds (larger: ERANGE). */
#define IPCLAB_NL_DELAY_MAX_MS		10000

enum ipclab_nl_cmd {
	IPCLAB_NL_CMD_UNSPEC,
	/*
	 * Request: PAYLOAD. Reply (ECHO): PAYLOAD, the same bytes. Empty
	 * payload: EINVAL.
	 */
	IPCLAB_NL_CMD_ECHO,
	/*
	 * Request: no attributes. Reply (STATS): ECHOES, ECHO_BYTES, EVENTS,
	 * UNHEARD, OVERRUNS, each a u64 counted since the module was loaded.
	 */
	IPCLAB_NL_CMD_STATS,
	/*
	 * Request: WORD, optional DELAY_MS. No reply (ask for NLM_F_ACK): the
	 * module sends an EVENT to the group "events", at once or, with
	 * DELAY_MS, later from a kernel timer, after the ACK. Only one delayed
	 * event may be pending (EBUSY). No subscriber is not an error.
	 */
	IPCLAB_NL_CMD_PUBLISH,
	/*
	 * Kernel to the group "events" only (as a request: EOPNOTSUPP): WORD
	 * and SEQ, the event's number (1, 2, ... since load, no gaps at the
	 * sender; a gap at a receiver means events were lost on the way).
	 */
	IPCLAB_NL_CMD_EVENT,
	__IPCLAB_NL_CMD_MAX
};

#define IPCLAB_NL_CMD_MAX	(__IPCLAB_NL_CMD_MAX - 1)

enum ipclab_nl_attr {
	IPCLAB_NL_A_UNSPEC,
	IPCLAB_NL_A_PAYLOAD,	/* binary, 1..IPCLAB_NL_PAYLOAD_MAX bytes */
	IPCLAB_NL_A_WORD,	/* NUL-terminated string */
	IPCLAB_NL_A_DELAY_MS,	/* __u32, 0..IPCLAB_NL_DELAY_MAX_MS */
	IPCLAB_NL_A_SEQ,	/* __u64: an event's number */
	IPCLAB_NL_A_ECHOES,	/* __u64: ECHO replies delivered */
	IPCLAB_NL_A_ECHO_BYTES,	/* __u64: payload bytes echoed */
	IPCLAB_NL_A_EVENTS,	/* __u64: events sent (= the last SEQ) */
	/*
	 * __u64: events that reached no subscriber (none had joined, or the
	 * buffer of every one was full). The sender never learns more by
	 * default: multicast is fire and forget.
	 */
	IPCLAB_NL_A_UNHEARD,
	/*
	 * __u64: events that a subscriber which set the socket option
	 * NETLINK_BROADCAST_ERROR could not take (its receive buffer was full).
	 */
	IPCLAB_NL_A_OVERRUNS,
	IPCLAB_NL_A_PAD,	/* padding that aligns the u64 attributes */
	__IPCLAB_NL_A_MAX
};

#define IPCLAB_NL_A_MAX		(__IPCLAB_NL_A_MAX - 1)

/* ---- umh (0x40-0x4f) ---- */

#endif /* _IPCLAB_UAPI_H */
