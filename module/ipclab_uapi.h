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

/*
 * ---- shm: shared memory through mmap of /dev/ipclab-shm (0x30-0x3f) ----
 *
 * (The lead assigned shm the numbers 0x30-0x3f; the table above still says
 * 0x20-0x2f.)
 *
 * Every open() of /dev/ipclab-shm gets its own zeroed buffer of
 * IPCLAB_SHM_DEFAULT_SIZE bytes. mmap(fd, len, ..., MAP_SHARED, off) maps
 * pages of that buffer: the same pages the driver reads and writes, so data
 * crosses with no system call and no copy. Rules of the mapping:
 *  - MAP_SHARED only (MAP_PRIVATE: EINVAL);
 *  - off is a multiple of the page size, and off + len (len rounded up to
 *    whole pages) must not pass the end of the buffer, else EINVAL;
 *  - a mapping cannot grow: mremap() to a larger size fails with EFAULT;
 *  - the pages outlive every mapping: close(fd) while mapped is fine, and
 *    the buffer is freed when the last mapping and the fd are both gone
 *    (a mapping also keeps the module loaded: rmmod fails while mapped).
 * Two mappings of one fd, or a mapping inherited over fork(), share pages.
 *
 * The classic weaknesses of shared memory, and the remedies shown here:
 *  - no protection against concurrent access: a producer in the kernel
 *    rewrites struct ipclab_shm_record (offset 0 of the buffer) at a
 *    high rate. In IPCLAB_SHM_MODE_RAW a reader can see some of v[] from one
 *    update and some from the next (a torn read). In IPCLAB_SHM_MODE_SEQ
 *    the kernel makes seq odd, writes v[], then stores seq + 1 with release
 *    semantics; a reader loads seq with acquire semantics, retries while it
 *    is odd, copies v[], then loads seq again (after an acquire fence) and
 *    retries if it changed. Every copy that survives is consistent.
 *  - new data only detected by polling: in IPCLAB_SHM_MODE_NOTIFY the
 *    kernel publishes a record now and then (gen = 1, 2, ...) and wakes
 *    poll(): the fd is readable (POLLIN | POLLRDNORM | POLLPRI) while this
 *    open file has a generation it has not read. read() of 8 bytes returns
 *    that generation as a __u64 and marks it seen (O_NONBLOCK: EAGAIN when
 *    there is none; fewer than 8 bytes: EINVAL). A busy-polling reader can
 *    instead spin on gen in the mapping.
 */
#define IPCLAB_SHM_PATH			"/dev/ipclab-shm"

/* Buffer sizes are whole pages: default 64 KiB, at most 4 MiB. */
#define IPCLAB_SHM_DEFAULT_SIZE		(64U * 1024U)
#define IPCLAB_SHM_MAX_SIZE		(4U * 1024U * 1024U)

/* Words in the record's v[]: every word holds the same counter value. */
#define IPCLAB_SHM_MAX_WORDS		64U

/* Producer modes (struct ipclab_shm_producer.mode). */
#define IPCLAB_SHM_MODE_RAW		1U	/* v[] rewritten, no protocol */
#define IPCLAB_SHM_MODE_SEQ		2U	/* v[] rewritten inside seq */
#define IPCLAB_SHM_MODE_NOTIFY		3U	/* count publications, poll */

/* RAW and SEQ stop by themselves after this many seconds. */
#define IPCLAB_SHM_PRODUCER_MAX_S	60U
/* NOTIFY stops when a publication is not read() within this many seconds. */
#define IPCLAB_SHM_ACK_TIMEOUT_S	30U

/*
 * At offset 0 of the buffer while a producer runs (it is re-initialised by
 * IPCLAB_IOC_SHM_START). The kernel never reads it back: what user space
 * writes here cannot mislead the driver. v[] holds start + k after RAW/SEQ
 * update k, start + gen in NOTIFY; NOTIFY stores gen last, with release
 * semantics, so a reader that loads gen with acquire sees v[] and stamp_ns.
 */
struct ipclab_shm_record {
	__u64 seq;		/* SEQ: odd while v[] is being written */
	__u64 gen;		/* NOTIFY: last publication (1, 2, ...) */
	__u64 stamp_ns;		/* NOTIFY: CLOCK_MONOTONIC at publication */
	__u32 mode;		/* IPCLAB_SHM_MODE_* of the producer */
	__u32 words;		/* entries of v[] in use */
	__u64 v[IPCLAB_SHM_MAX_WORDS];	/* copies of one counter */
};

/*
 * IPCLAB_IOC_SHM_START: run a producer (a kernel thread) on this open file.
 * RAW, SEQ: update k (k = 1, 2, ...) stores start + k in v[0..words-1],
 * then pauses about 50 ns per word (a window for readers), until
 * IPCLAB_IOC_SHM_STOP, the last close of the file, or
 * IPCLAB_SHM_PRODUCER_MAX_S; count and interval_ms must be 0. The thread
 * avoids the CPU the ioctl ran on, so a reader pinned there (see
 * sched_setaffinity) really races it.
 * NOTIFY: count publications; before each one the kernel sleeps interval_ms
 * (1..1000), then stores v[] = start + gen, stamp_ns, gen, and wakes
 * poll() and read(). It publishes gen + 1 only after a read() on this open
 * file returned gen, so no publication is ever lost.
 * EINVAL: bad mode, words not 1..IPCLAB_SHM_MAX_WORDS, bad count/interval.
 * EBUSY: a producer was already started (IPCLAB_IOC_SHM_STOP first).
 */
struct ipclab_shm_producer {
	__u32 mode;		/* IPCLAB_SHM_MODE_* */
	__u32 words;		/* 1..IPCLAB_SHM_MAX_WORDS */
	__u64 start;		/* counter base value */
	__u32 count;		/* NOTIFY: publications, 1..1000000 */
	__u32 interval_ms;	/* NOTIFY: pause before each, 1..1000 */
};

/*
 * IPCLAB_IOC_SHM_FILL (kernel -> user): the driver writes length bytes at
 * offset of the buffer from xorshift32, state = seed (not 0):
 *	state ^= state << 13; state ^= state >> 17; state ^= state << 5;
 *	byte = state >> 24;	(one step per byte, in order)
 * EINVAL: seed 0, pad0 not 0, or offset + length past the buffer's end.
 */
struct ipclab_shm_fill {
	__u64 offset;
	__u64 length;
	__u32 seed;
	__u32 pad0;		/* must be 0 */
};

/*
 * IPCLAB_IOC_SHM_CHECKSUM (user -> kernel): the driver reads length bytes
 * at offset and returns their 64-bit FNV-1a hash in sum:
 *	sum = 0xcbf29ce484222325; for each byte: sum ^= byte;
 *	sum *= 0x100000001b3 (mod 2^64)
 * EINVAL: offset + length past the buffer's end.
 */
struct ipclab_shm_checksum {
	__u64 offset;		/* in */
	__u64 length;		/* in */
	__u64 sum;		/* out */
};

/* IPCLAB_IOC_SHM_INFO: this open file, then module-wide counters. */
struct ipclab_shm_info {
	__u32 size;		/* this file's buffer, bytes */
	__u32 mappings;		/* VMAs mapping it right now */
	__u32 mode;		/* producer started: IPCLAB_SHM_MODE_*, or 0 */
	__u32 pad0;		/* always 0 */
	__u64 updates;		/* RAW/SEQ updates, NOTIFY publications */
	__u64 gen;		/* last publication on this file */
	__u64 seen;		/* last generation read() returned */
	__u64 buffers;		/* module-wide: buffers not yet freed */
	__u64 all_mappings;	/* module-wide: VMAs right now */
	__u64 producers;	/* module-wide: producers started, not stopped */
};

/* This file's buffer and counters, and the module-wide counters. */
#define IPCLAB_IOC_SHM_INFO	_IOR(IPCLAB_IOC_MAGIC, 0x30, \
				     struct ipclab_shm_info)
/*
 * Replace this file's buffer by a zeroed one of the given size: a multiple
 * of the page size, 1 page .. IPCLAB_SHM_MAX_SIZE, else EINVAL; EBUSY while
 * the buffer is mapped or a producer was started.
 */
#define IPCLAB_IOC_SHM_SET_SIZE	_IOW(IPCLAB_IOC_MAGIC, 0x31, __u32)
#define IPCLAB_IOC_SHM_FILL	_IOW(IPCLAB_IOC_MAGIC, 0x32, \
				     struct ipclab_shm_fill)
#define IPCLAB_IOC_SHM_CHECKSUM	_IOWR(IPCLAB_IOC_MAGIC, 0x33, \
				      struct ipclab_shm_checksum)
#define IPCLAB_IOC_SHM_START	_IOW(IPCLAB_IOC_MAGIC, 0x34, \
				     struct ipclab_shm_producer)
/* Stop and reap this file's producer; 0 also when none was started. */
#define IPCLAB_IOC_SHM_STOP	_IO(IPCLAB_IOC_MAGIC, 0x35)

/* ---- netlink (0x30-0x3f) ---- */

/* ---- umh (0x40-0x4f) ---- */

#endif /* _IPCLAB_UAPI_H */
