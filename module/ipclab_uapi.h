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
 *	0x00-0x0f chardev	0x20-0x2f signal	0x30-0x3f shm
 *	0x40-0x4f netlink	0x50-0x5f umh		0x60-0x6f eventfd
 *	0x70-0x7f procfs, sysfs, uevent, debugfs (none used yet)
 *	0x80-0xef later ones
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

/*
 * ---- shm: shared memory through mmap of /dev/ipclab-shm (0x30-0x3f) ----
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

/* ---- netlink: generic netlink, no ioctl (0x40-0x4f unused) ---- */

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

/* ---- umh: the user-mode helper, call_usermodehelper (0x50-0x5f) ---- */

/*
 * /dev/ipclab-umh (mode 0666) lets a process ask the kernel to start a
 * program, the way the kernel itself starts modprobe or a hotplug helper:
 * the helper is a new process, a child of a kernel worker, running as root
 * with the kernel's credentials, no open files (no stdin/stdout/stderr), cwd
 * "/", and only the argv and envp the driver hands it. What comes back is
 * one number: the errno of the exec, or the helper's wait status.
 *
 * Paths: only absolute paths under IPCLAB_UMH_DIR with no "." or ".."
 * component are run; any other path fails with EPERM before anything runs.
 * (The lab's own kernel is stricter still: no program it starts runs but
 * the umh tests' helper, /opt/ipclab/umh; rootfs/gate/ipclab_gate.c.)
 *
 * argv: argv[0] is the path; argv[1..argc] are the @argc NUL-terminated
 * words packed one after another at the start of @argv.
 * envp: "HOME=/" and IPCLAB_UMH_ENV_PATH (set by the driver, first), then the
 * @envc packed NUL-terminated words of @envp, each of the form NAME=value.
 */
#define IPCLAB_UMH_DEV_PATH		"/dev/ipclab-umh"
#define IPCLAB_UMH_DIR			"/opt/ipclab/"
#define IPCLAB_UMH_ENV_HOME		"HOME=/"
#define IPCLAB_UMH_ENV_PATH		"PATH=/sbin:/bin:/usr/sbin:/usr/bin"
#define IPCLAB_UMH_PATH_MAX		128	/* bytes, with the NUL */
#define IPCLAB_UMH_WORDS_MAX		512	/* bytes of packed words */
#define IPCLAB_UMH_MAX_ARGS		16	/* argc and envc: 0 .. 16 */

/* @wait: when the ioctl returns (the kernel's UMH_* values). */
#define IPCLAB_UMH_NO_WAIT	0	/* at once; no exec error comes back */
#define IPCLAB_UMH_WAIT_EXEC	1	/* after the exec, the helper runs on */
#define IPCLAB_UMH_WAIT_PROC	2	/* after the helper exited */
/*
 * OR'ed into WAIT_EXEC or WAIT_PROC: the caller's wait ends on SIGKILL
 * (EINTR; the helper runs on). Without it the caller sleeps uninterruptibly
 * (state D) for as long as the helper takes, and even SIGKILL must wait.
 */
#define IPCLAB_UMH_KILLABLE	4

struct ipclab_umh_run {
	char path[IPCLAB_UMH_PATH_MAX];		/* in: NUL-terminated */
	char argv[IPCLAB_UMH_WORDS_MAX];	/* in: @argc packed words */
	char envp[IPCLAB_UMH_WORDS_MAX];	/* in: @envc packed words */
	__u32 argc;		/* in: 0 .. IPCLAB_UMH_MAX_ARGS */
	__u32 envc;		/* in: 0 .. IPCLAB_UMH_MAX_ARGS */
	__u32 wait;		/* in: IPCLAB_UMH_NO_WAIT, or _WAIT_EXEC or
				 * _WAIT_PROC, optionally | _KILLABLE
				 */
	__s32 pid;		/* out: the helper's pid, 0 if not known */
	__s32 wait_status;	/* out: WAIT_PROC: the raw wait status, else 0 */
	__s32 exit_code;	/* out: WAIT_PROC: WEXITSTATUS or -1 if
				 * signalled; other modes: -1 (not known)
				 */
	__s32 term_signal;	/* out: WAIT_PROC: WTERMSIG, else 0 */
	__u32 pad0;		/* in: must be 0 (EINVAL) */
};

/*
 * Run a helper. 0 once @wait is satisfied, with the out fields filled in.
 * Errors: EPERM path not allowed; EINVAL malformed struct (unterminated path,
 * argc/envc out of range, words overrunning their buffer, env word without
 * '=', unknown @wait, pad0 != 0); EFAULT bad pointer; EINTR killed while
 * waiting with _KILLABLE; and for WAIT_EXEC and WAIT_PROC the exec's own
 * errno: ENOENT no such file, EACCES not executable, ENOEXEC not a program.
 * NO_WAIT reports no exec error: the result goes to the kernel log only
 * ("umh: queued helper PID: wait status N" or "...: error -ERRNO").
 * A helper's exit status is never an errno: with WAIT_PROC exit(3) gives
 * wait_status 768 and exit_code 3.
 */
#define IPCLAB_IOC_UMH_RUN	_IOWR(IPCLAB_IOC_MAGIC, 0x50, \
				      struct ipclab_umh_run)

/* ---- procfs: /proc/ipclab and /proc/ipclab_ctl (no ioctls) ---- */

/*
 * /proc/ipclab (0444) is a seq_file of live statistics, one "name: value"
 * line each, in this order:
 *	value: V	the number last accepted by /proc/ipclab_ctl (0 at load)
 *	writes: N	writes to /proc/ipclab_ctl accepted since load
 *	rejected: N	writes to /proc/ipclab_ctl refused with EINVAL
 *	ctl_reads: N	reads of /proc/ipclab_ctl since load (each read())
 * /proc/ipclab_ctl (0644: root writes): a read returns "V\n"; a write of
 * a decimal number 0..4294967295 in one write() (an optional trailing
 * newline) sets V. EINVAL: empty, not a number, out of range, or longer than
 * IPCLAB_PROCFS_CTL_MAX bytes; V is then unchanged.
 */
#define IPCLAB_PROCFS_STATS_PATH	"/proc/ipclab"
#define IPCLAB_PROCFS_CTL_PATH		"/proc/ipclab_ctl"
#define IPCLAB_PROCFS_CTL_MAX		32

/* ---- sysfs: attributes of the misc device ipclab-sysfs (no ioctls) ---- */

/*
 * The misc device /dev/ipclab-sysfs carries attributes in
 * /sys/class/misc/ipclab-sysfs/ (one text value per file):
 *	value (0644)	a decimal 0..IPCLAB_SYSFS_VALUE_MAX; anything else,
 *			or more than IPCLAB_SYSFS_INPUT_MAX bytes: EINVAL
 *	notify_ms (0200) write D (1..IPCLAB_SYSFS_DELAY_MAX_MS, else EINVAL):
 *			D ms later a kernel work item copies value to latched,
 *			adds 1 to generation and calls sysfs_notify() on
 *			latched (a new write re-arms the pending one)
 *	latched (0444)	the value copied by the last notification (0 at load)
 *	generation (0444) notifications since load
 * Waiting for latched: open it, read it, then poll() for POLLPRI | POLLERR
 * (POLLIN is always set on sysfs files); on wakeup lseek to 0 and read.
 */
#define IPCLAB_SYSFS_DIR		"/sys/class/misc/ipclab-sysfs"
#define IPCLAB_SYSFS_VALUE_MAX		1000000000U
#define IPCLAB_SYSFS_INPUT_MAX		32
#define IPCLAB_SYSFS_DELAY_MAX_MS	60000U

/* ---- uevent: KOBJ_CHANGE uevents of /dev/ipclab-uevent (no ioctls) ---- */

/*
 * A write() of a word to /dev/ipclab-uevent (0666) makes the driver emit a
 * uevent on the misc device: ACTION=change,
 * DEVPATH=/devices/virtual/misc/ipclab-uevent, SUBSYSTEM=misc (plus the
 * device's MAJOR, MINOR, DEVNAME and the kernel's SEQNUM) and
 *	IPCLAB_WORD=<the word>		IPCLAB_SEQ=<1, 2, ... since load>
 * Listeners receive it on a NETLINK_KOBJECT_UEVENT socket bound to group 1
 * ("change@DEVPATH", then the NUL-separated KEY=value strings). The word is
 * 1..IPCLAB_UEVENT_WORD_MAX characters of [A-Za-z0-9_-], one trailing
 * newline allowed; else EINVAL and no uevent. write() returns its count.
 */
#define IPCLAB_UEVENT_PATH		"/dev/ipclab-uevent"
#define IPCLAB_UEVENT_DEVPATH		"/devices/virtual/misc/ipclab-uevent"
#define IPCLAB_UEVENT_WORD_MAX		64

/* ---- eventfd: the driver signals an eventfd (0x60-0x6f) ---- */

/*
 * Each open file of /dev/ipclab-eventfd (0666) can hold one eventfd, handed
 * over with SET; the driver keeps a reference to its counter (not the fd)
 * until SET -1, another SET, or the close of the device file. SIGNAL adds N
 * to the counter at once; TIMER adds count later, from a kernel work item.
 * The eventfd's reader sees the sum (read() returns and resets it; with
 * EFD_SEMAPHORE each read() returns 1 and subtracts 1), and poll/epoll
 * report it readable while it is not 0.
 */
#define IPCLAB_EVENTFD_PATH		"/dev/ipclab-eventfd"
#define IPCLAB_EVENTFD_MAX_COUNT	100000U
#define IPCLAB_EVENTFD_MAX_DELAY_MS	60000U

struct ipclab_eventfd_timer {
	__u32 delay_ms;		/* 1..IPCLAB_EVENTFD_MAX_DELAY_MS */
	__u32 count;		/* 1..IPCLAB_EVENTFD_MAX_COUNT */
};

struct ipclab_eventfd_stats {
	__u64 signals;		/* counts added since load (ioctl + timer) */
	__u32 held;		/* eventfd references the driver holds now */
	__u32 pending;		/* timers armed, not yet fired */
};

/*
 * Attach the eventfd @fd (a __s32) to this open file, replacing any other;
 * -1 detaches. EBADF: not an open fd; EINVAL: not an eventfd.
 */
#define IPCLAB_EVENTFD_IOC_SET		_IOW(IPCLAB_IOC_MAGIC, 0x60, __s32)
/* Add N (1..IPCLAB_EVENTFD_MAX_COUNT, else EINVAL); ENOENT: none attached. */
#define IPCLAB_EVENTFD_IOC_SIGNAL	_IOW(IPCLAB_IOC_MAGIC, 0x61, __u32)
/*
 * Arm (or re-arm) this file's one-shot timer: after delay_ms a work item
 * adds count to the eventfd attached then, 1 at a time (a reader woken by
 * the first may see part of it). EINVAL: out of range; ENOENT: none
 * attached. Closing the file cancels it. (SIGNAL returns after all N.)
 */
#define IPCLAB_EVENTFD_IOC_TIMER	_IOW(IPCLAB_IOC_MAGIC, 0x62, \
					     struct ipclab_eventfd_timer)
/* Module-wide counters. */
#define IPCLAB_EVENTFD_IOC_STATS	_IOR(IPCLAB_IOC_MAGIC, 0x63, \
					     struct ipclab_eventfd_stats)

/* ---- debugfs: /sys/kernel/debug/ipclab/ (no ioctls, no ABI) ---- */

/*
 * Debug only: debugfs is not a stable ABI (this section documents what the
 * lab's tests read; a real driver promises nothing here). The directory
 * holds
 *	value (0644)	a u32 (debugfs_create_u32): decimal in, decimal out
 *	pokes (0444)	a u64 (debugfs_create_u64): writes to poke since load
 *	poke (0200)	any write of 1..IPCLAB_DEBUGFS_WORD_MAX bytes adds 1
 *			to pokes and keeps the text (one trailing newline
 *			dropped) as the last word; longer: EINVAL
 *	state (0444)	a seq_file: "value: V", "pokes: N", "last: WORD"
 */
#define IPCLAB_DEBUGFS_DIR		"/sys/kernel/debug/ipclab"
#define IPCLAB_DEBUGFS_WORD_MAX		64

/* ---- configfs: objects user space makes with mkdir (no ioctls) ---- */

/*
 * The configfs subsystem "ipclab", in configfs (mounted at /sys/kernel/config
 * with "mount -t configfs none /sys/kernel/config"): mkdir of
 * IPCLAB_CONFIGFS_DIR/NAME creates an item, rmdir destroys it. NAME is
 * 1..IPCLAB_CONFIGFS_NAME_MAX characters of [a-z0-9_-], else EINVAL; at
 * most IPCLAB_CONFIGFS_MAX_ITEMS items exist at once, one more is ENOSPC.
 * The directory holds
 *	items (0444)	the number of items now
 * and each item directory
 *	word (0644)	a read gives the word and "\n" (only "\n" before the
 *			first write); a write() sets it: 1..capacity bytes of
 *			printable ASCII (0x20-0x7e), one trailing newline
 *			dropped; else EINVAL and the word is unchanged
 *	capacity (0644)	the longest word accepted, a decimal
 *			1..IPCLAB_CONFIGFS_WORD_MAX (IPCLAB_CONFIGFS_WORD_MAX at
 *			mkdir); not a number or out of range: EINVAL; less
 *			than the current word's length: EBUSY
 *	writes (0444)	words accepted since mkdir
 *	checksum (0444)	"0x%08x\n": the 32-bit FNV-1a hash of the word's
 *			bytes (h = 0x811c9dc5; per byte h ^= b,
 *			h *= 0x01000193), 0x811c9dc5 for no word
 *	hold (0644)	"1\n" while the kernel holds the item, else "0\n":
 *			writing 1 (kstrtobool: 1/y/on) holds it, 0 lets go;
 *			while held, rmdir is EBUSY; anything else is EINVAL
 * Every item pins the module: rmmod fails (EAGAIN, "in use") until each one
 * is removed. rmmod removes IPCLAB_CONFIGFS_DIR; insmod makes it again,
 * with no items.
 */
#define IPCLAB_CONFIGFS_DIR		"/sys/kernel/config/ipclab"
#define IPCLAB_CONFIGFS_NAME_MAX	32
#define IPCLAB_CONFIGFS_MAX_ITEMS	8
#define IPCLAB_CONFIGFS_WORD_MAX	64

#endif /* _IPCLAB_UAPI_H */
