// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises the device file /dev/ipclab from user space, one subcommand per
 * property of the bounded FIFO (partial transfers, blocking, O_NONBLOCK, poll,
 * ioctls, bad pointers, concurrency); exits 0 pass, 1 fail, 4 skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ipclab_uapi.h"

#define TIMEOUT_S	20	/* every blocking call ends by then */
#define BLOCK_WAIT_MS	5000	/* how long to wait for a task to sleep */
#define MAX_WORD	4096
#define MAX_PROCS	16
#define LABTEST_LOST	"wakeup"	/* named by the timeout message */

#include "labtest.h"

/* A transfer that must move exactly @want bytes (errno as expect_err()). */
static void expect_count(const char *what, long ret, long want)
{
	int err = errno;

	if (ret < 0)
		fail("%s: got %s, expected %ld bytes", what, errname(err), want);
	else if (ret != want)
		fail("%s %s: got %ld, expected %ld", ret < want ? "short" : "long",
		     what, ret, want);
}

static void fill_random(unsigned char *buf, size_t len, __u32 *state)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = rnd_next(state) >> 24;
}

/* ---- the device ---- */

static int dev_open(int flags)
{
	return open_dev(IPCLAB_CHARDEV_PATH, flags);
}

static void dev_set_capacity(int fd, __u32 capacity)
{
	if (ioctl(fd, IPCLAB_IOC_SET_CAPACITY, &capacity) < 0)
		die("ioctl IPCLAB_IOC_SET_CAPACITY");
}

static __u32 dev_capacity(int fd)
{
	__u32 capacity = 0;

	if (ioctl(fd, IPCLAB_IOC_GET_CAPACITY, &capacity) < 0)
		die("ioctl IPCLAB_IOC_GET_CAPACITY");
	return capacity;
}

static void dev_stats(int fd, struct ipclab_chardev_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	if (ioctl(fd, IPCLAB_IOC_GET_STATS, st) < 0)
		die("ioctl IPCLAB_IOC_GET_STATS");
}

static __u32 dev_used(int fd)
{
	struct ipclab_chardev_stats st;

	dev_stats(fd, &st);
	return st.used;
}

/* Every test starts from an empty buffer of the default capacity. */
static void dev_reset(int fd)
{
	if (ioctl(fd, IPCLAB_IOC_CLEAR) < 0)
		die("ioctl IPCLAB_IOC_CLEAR");
	dev_set_capacity(fd, IPCLAB_CHARDEV_DEFAULT_CAPACITY);
}

/* Fill the buffer (from empty) with @len bytes; FAIL unless all fit. */
static void dev_fill(int fd, size_t len)
{
	unsigned char *buf = malloc(len);
	ssize_t n;

	if (!buf)
		die("malloc");
	memset(buf, '.', len);
	n = write(fd, buf, len);
	expect_count("write to fill", n, len);
	printf("filled: %zd of %zu\n", n, len);
	free(buf);
}

/* ---- watching another task sleep ---- */

/*
 * Wait until @pid sleeps (state S in /proc/PID/stat) inside system call
 * @nr (/proc/PID/syscall, when the kernel has it), so the caller knows the
 * task really blocked in the driver before it acts.
 */
static int wait_blocked(pid_t pid, long nr, const char *who)
{
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };
	char path[64], buf[512], state = '?';
	struct timespec now, end;
	long cur = -1;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += BLOCK_WAIT_MS / 1000;
	for (;;) {
		char *p;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (read_file(path, buf, sizeof(buf)) < 0)
			die(path);
		p = strrchr(buf, ')');
		state = p && p[1] ? p[2] : '?';

		/* "NR args...", "-1 ..." outside a syscall, or "running" */
		snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
		if (read_file(path, buf, sizeof(buf)) < 0) {
			cur = nr;	/* no /proc/PID/syscall: trust state */
		} else {
			cur = strtol(buf, &p, 10);
			if (p == buf)
				cur = -2;
		}

		if (state == 'S' && cur == nr)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec > end.tv_nsec))
			break;
		nanosleep(&ms, NULL);
	}
	fail("%s never blocked: got state %c in syscall %ld, expected S in %ld (waited %d ms)",
	     who, state, cur, nr, BLOCK_WAIT_MS);
	return -1;
}

static void print_word(const char *what, const char *buf, ssize_t n,
		       const char *word)
{
	size_t len = strlen(word);
	int err = errno;

	if (n < 0) {
		printf("%s: %s\n", what, errname(err));
		fail("%s: got %s, expected \"%s\"", what, errname(err), word);
		return;
	}
	printf("%s: %.*s\n", what, (int)n, buf);
	if ((size_t)n != len || memcmp(buf, word, len))
		fail("%s: got \"%.*s\" (%zd bytes), expected \"%s\" (%zu bytes)",
		     what, (int)n, buf, n, word, len);
}

/* ---- subcommands ---- */

/* write-read WORD: what one write stores, one read returns. */
static void cmd_write_read(char **argv)
{
	const char *word = argv[0];
	size_t len = arg_word(word);
	char buf[MAX_WORD + 1];
	ssize_t n;
	int fd;

	fd = dev_open(0);
	dev_reset(fd);
	n = write(fd, word, len);
	expect_count("write", n, len);
	printf("wrote: %zd of %zu\n", n, len);

	phase = "read";
	n = read(fd, buf, sizeof(buf));
	print_word("read", buf, n, word);
	close(fd);
}

/* partial-write CAP SIZE CHUNK: a write larger than the room stores CAP. */
static void cmd_partial_write(char **argv)
{
	__u32 cap = arg_num(argv[0], 2, IPCLAB_CHARDEV_MAX_CAPACITY, "CAP");
	size_t size = arg_num(argv[1], 1, 16 << 20, "SIZE");
	size_t chunk = arg_num(argv[2], 1, 1 << 20, "CHUNK");
	unsigned char *data, *back;
	size_t want, got = 0;
	int fd, nb, reads = 0;
	__u32 seed = rnd_seed(size, 0);
	ssize_t n;

	data = malloc(size);
	back = malloc(size + chunk);
	if (!data || !back)
		die("malloc");
	fill_random(data, size, &seed);

	fd = dev_open(0);
	nb = dev_open(O_NONBLOCK);
	dev_reset(fd);
	dev_set_capacity(fd, cap);
	cap = dev_capacity(fd);
	printf("capacity: %u\n", cap);
	if (size <= cap) {
		fail("usage: SIZE (%zu) must exceed the capacity (%u)", size,
		     cap);
		exit(KSFT_FAIL);
	}

	want = cap;
	n = write(fd, data, size);
	expect_count("write", n, want);
	printf("wrote: %zd of %zu\n", n, size);

	n = write(nb, data, 1);
	expect_err("write when full", n, EAGAIN);

	/* Each read returns min(CHUNK, what is left), leaving the rest. */
	for (;;) {
		size_t left = want - got;

		n = read(nb, back + got, chunk);
		if (n < 0 && errno == EAGAIN && !left)
			break;
		reads++;
		expect_count("read", n, left < chunk ? left : chunk);
		if (n <= 0)
			break;
		got += n;
		expect_eq("bytes left after a read", dev_used(fd), want - got);
	}
	printf("read back: %zu bytes in %d reads\n", got, reads);
	if (got == want && !memcmp(data, back, want)) {
		printf("content: ok\n");
	} else {
		printf("content: differs\n");
		fail("content: the bytes read back differ from the first %zu written",
		     want);
	}
	close(nb);
	close(fd);
	free(back);
	free(data);
}

/* partial-read WORD N: reads of N bytes return pieces that reassemble. */
static void cmd_partial_read(char **argv)
{
	const char *word = argv[0];
	size_t len = arg_word(word);
	size_t chunk = arg_num(argv[1], 1, MAX_WORD, "N");
	char buf[MAX_WORD + 1], sizes_buf[6 * MAX_WORD];
	size_t got = 0, sizes = 0;
	int fd, reads = 0;
	ssize_t n;

	sizes_buf[0] = '\0';
	fd = dev_open(O_NONBLOCK);
	dev_reset(fd);
	n = write(fd, word, len);
	expect_count("write", n, len);

	/* Each read returns min(N, what is left): "read sizes: 5 5 5 2" */
	while (got < len) {
		size_t left = len - got;

		n = read(fd, buf + got, chunk);
		expect_count("read", n, left < chunk ? left : chunk);
		if (n <= 0)
			break;
		sizes += snprintf(sizes_buf + sizes,
				  sizeof(sizes_buf) - sizes, " %zd", n);
		got += n;
		reads++;
	}
	printf("read sizes:%s\n", sizes_buf);
	n = read(fd, buf, 1);
	expect_err("read when drained", n, EAGAIN);
	printf("reads: %d\n", reads);
	print_word("reassembled", buf, got, word);
	close(fd);
}

/* block-read WORD: a read on an empty buffer sleeps until a write. */
static void cmd_block_read(char **argv)
{
	const char *word = argv[0];
	size_t len = arg_word(word);
	char buf[MAX_WORD + 1];
	pid_t parent = getpid(), child;
	ssize_t n;
	int fd;

	fd = dev_open(0);
	dev_reset(fd);

	child = xfork();
	if (child == 0) {
		int wfd = dev_open(0);

		phase = "child waiting for the reader to block";
		if (wait_blocked(parent, SYS_read, "reader"))
			child_exit();
		printf("child: reader is asleep in read(), writing\n");
		n = write(wfd, word, len);
		expect_count("child write", n, len);
		child_exit();
	}

	phase = "blocking read";
	n = read(fd, buf, sizeof(buf));
	print_word("read", buf, n, word);
	reap(child, "writer child");
	if (!failed)
		printf("blocked: yes, read() slept until the write\n");
	close(fd);
}

/* block-write CAP WORD: a write to a full buffer sleeps until a read. */
static void cmd_block_write(char **argv)
{
	__u32 cap = arg_num(argv[0], 1, IPCLAB_CHARDEV_MAX_CAPACITY, "CAP");
	const char *word = argv[1];
	size_t len = arg_word(word);
	char buf[MAX_WORD + 1];
	pid_t parent = getpid(), child;
	ssize_t n;
	int fd;

	fd = dev_open(0);
	dev_reset(fd);
	dev_set_capacity(fd, cap);
	cap = dev_capacity(fd);
	if (len > cap) {
		fail("usage: WORD (%zu bytes) must fit in CAP (%u)", len, cap);
		exit(KSFT_FAIL);
	}
	dev_fill(fd, cap);

	child = xfork();
	if (child == 0) {
		int rfd = dev_open(0);
		char *back = malloc(cap);
		__u32 i;

		if (!back)
			die("malloc");
		phase = "child waiting for the writer to block";
		if (wait_blocked(parent, SYS_write, "writer"))
			child_exit();
		printf("child: writer is asleep in write(), reading\n");
		n = read(rfd, back, cap);
		expect_count("child read", n, cap);
		for (i = 0; n > 0 && i < (__u32)n; i++)
			if (back[i] != '.') {
				fail("child read: byte %u is %d, expected '.'",
				     i, back[i]);
				break;
			}
		child_exit();
	}

	phase = "blocking write";
	n = write(fd, word, len);
	expect_count("blocked write", n, len);
	printf("wrote: %zd of %zu\n", n, len);
	reap(child, "reader child");

	n = read(fd, buf, sizeof(buf));
	print_word("read", buf, n, word);
	if (!failed)
		printf("blocked: yes, write() slept until the read\n");
	close(fd);
}

/* nonblock-empty: O_NONBLOCK turns "wait for data" into EAGAIN. */
static void cmd_nonblock_empty(char **argv)
{
	char buf[16];
	ssize_t n;
	int fd, fd2;

	(void)argv;
	fd = dev_open(O_NONBLOCK);
	dev_reset(fd);
	n = read(fd, buf, sizeof(buf));
	expect_err("read on empty (open O_NONBLOCK)", n, EAGAIN);

	fd2 = dev_open(0);
	if (fcntl(fd2, F_SETFL, O_NONBLOCK) < 0)
		die("fcntl F_SETFL");
	n = read(fd2, buf, sizeof(buf));
	expect_err("read on empty (fcntl O_NONBLOCK)", n, EAGAIN);

	n = read(fd, buf, 0);
	expect_count("read of 0 bytes", n, 0);
	printf("read of 0 bytes: %zd\n", n);
	close(fd2);
	close(fd);
}

/* nonblock-full CAP: O_NONBLOCK turns "wait for room" into EAGAIN. */
static void cmd_nonblock_full(char **argv)
{
	__u32 cap = arg_num(argv[0], 1, IPCLAB_CHARDEV_MAX_CAPACITY, "CAP");
	char buf[2];
	ssize_t n;
	int fd;

	fd = dev_open(O_NONBLOCK);
	dev_reset(fd);
	dev_set_capacity(fd, cap);
	cap = dev_capacity(fd);
	dev_fill(fd, cap);

	n = write(fd, buf, 1);
	expect_err("write when full", n, EAGAIN);

	n = read(fd, buf, 1);
	expect_count("read of 1 byte", n, 1);
	n = write(fd, "xy", 2);
	expect_count("write into 1 free byte", n, 1);
	printf("wrote after reading 1: %zd of 2\n", n);
	printf("used: %u\n", dev_used(fd));
	expect_eq("used", dev_used(fd), cap);
	close(fd);
}

/* "POLLIN POLLRDNORM ..." in @buf, or "none". */
static const char *evnames(short ev, char *buf, size_t size)
{
	static const struct { short bit; const char *name; } names[] = {
		{ POLLIN, "POLLIN" }, { POLLRDNORM, "POLLRDNORM" },
		{ POLLOUT, "POLLOUT" }, { POLLWRNORM, "POLLWRNORM" },
		{ POLLPRI, "POLLPRI" }, { POLLERR, "POLLERR" },
		{ POLLHUP, "POLLHUP" }, { POLLNVAL, "POLLNVAL" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names) && len < size; i++) {
		if (!(ev & names[i].bit))
			continue;
		len += snprintf(buf + len, size - len, "%s%s", len ? " " : "",
				names[i].name);
		ev &= ~names[i].bit;
	}
	if (ev && len < size)
		snprintf(buf + len, size - len, "%s0x%x", len ? " " : "", ev);
	return buf[0] ? buf : "none";
}

#define POLL_ALL	(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM)

/* poll(2) on @fd for @events with @timeout ms; prints "WHAT: EVENTS". */
static void expect_poll(const char *what, int fd, short events, int timeout,
			short want)
{
	struct pollfd p = { .fd = fd, .events = events };
	char got[128], exp[128];
	int ret;

	phase = what;
	ret = poll(&p, 1, timeout);
	if (ret < 0)
		die("poll");
	evnames(want, exp, sizeof(exp));
	printf("%s: %s\n", what,
	       ret ? evnames(p.revents, got, sizeof(got)) : "timed out");
	if (ret && p.revents != want)
		fail("%s: got %s, expected %s", what, got, exp);
	if (!ret && want)
		fail("%s: timed out after %d ms, expected %s", what, timeout,
		     exp);
}

static void expect_select(const char *what, int fd, int rd, int wr)
{
	struct timeval tv = { 0, 0 };
	fd_set rfds, wfds;
	int r, w;

	FD_ZERO(&rfds);
	FD_ZERO(&wfds);
	FD_SET(fd, &rfds);
	FD_SET(fd, &wfds);
	if (select(fd + 1, &rfds, &wfds, NULL, &tv) < 0)
		die("select");
	r = FD_ISSET(fd, &rfds);
	w = FD_ISSET(fd, &wfds);
	printf("%s: %sreadable, %swritable\n", what, r ? "" : "not ",
	       w ? "" : "not ");
	if (!r != !rd || !w != !wr)
		fail("%s: expected %sreadable, %swritable", what,
		     rd ? "" : "not ", wr ? "" : "not ");
}

/* poll CAP WORD: readiness follows the buffer; writes/reads wake pollers. */
static void cmd_poll(char **argv)
{
	__u32 cap = arg_num(argv[0], 2, IPCLAB_CHARDEV_MAX_CAPACITY, "CAP");
	const char *word = argv[1];
	size_t len = arg_word(word);
	pid_t parent = getpid(), child;
	char c;
	int fd;

	fd = dev_open(O_NONBLOCK);
	dev_reset(fd);
	dev_set_capacity(fd, cap);
	cap = dev_capacity(fd);
	if (len >= cap) {
		fail("usage: WORD (%zu bytes) must be shorter than CAP (%u)",
		     len, cap);
		exit(KSFT_FAIL);
	}

	expect_poll("empty", fd, POLL_ALL, 0, POLLOUT | POLLWRNORM);
	expect_poll("empty, POLLIN only, 50 ms", fd, POLLIN, 50, 0);
	expect_select("select empty", fd, 0, 1);

	expect_count("write", write(fd, word, len), len);
	expect_poll("after write", fd, POLL_ALL, 0, POLL_ALL);
	expect_select("select after write", fd, 1, 1);

	dev_fill(fd, cap - len);
	expect_poll("full", fd, POLL_ALL, 0, POLLIN | POLLRDNORM);
	expect_select("select full", fd, 1, 0);

	/* A sleeping poller is woken by the read that makes room. */
	child = xfork();
	if (child == 0) {
		int rfd = dev_open(O_NONBLOCK);

		if (wait_blocked(parent, SYS_poll, "poller for POLLOUT"))
			child_exit();
		expect_count("child read", read(rfd, &c, 1), 1);
		child_exit();
	}
	expect_poll("woken by a read", fd, POLLOUT | POLLWRNORM,
		    TIMEOUT_S * 1000, POLLOUT | POLLWRNORM);
	reap(child, "reader child");

	/* ... and a poller waiting on an empty buffer by a write. */
	if (ioctl(fd, IPCLAB_IOC_CLEAR) < 0)
		die("ioctl IPCLAB_IOC_CLEAR");
	child = xfork();
	if (child == 0) {
		int wfd = dev_open(O_NONBLOCK);

		if (wait_blocked(parent, SYS_poll, "poller for POLLIN"))
			child_exit();
		expect_count("child write", write(wfd, word, len), len);
		child_exit();
	}
	expect_poll("woken by a write", fd, POLLIN | POLLRDNORM,
		    TIMEOUT_S * 1000, POLLIN | POLLRDNORM);
	reap(child, "writer child");
	close(fd);
}

static __u32 roundup_pow2(__u32 v)
{
	__u32 r = 1;

	while (r < v)
		r <<= 1;
	return r;
}

static void try_set(int fd, __u32 value, const char *what, int want_err)
{
	char label[64];
	int ret;

	snprintf(label, sizeof(label), "set %s", what);
	ret = ioctl(fd, IPCLAB_IOC_SET_CAPACITY, &value);
	if (!want_err && ret == 0)
		printf("%s: ok\n", label);
	else if (!want_err)
		expect_count(label, ret, 0);
	else
		expect_err(label, ret, want_err);
}

/* capacity N: set/get round up to a power of two, bounds, EBUSY. */
static void cmd_capacity(char **argv)
{
	__u32 req = arg_num(argv[0], 1, IPCLAB_CHARDEV_MAX_CAPACITY, "N");
	__u32 max = IPCLAB_CHARDEV_MAX_CAPACITY;
	char label[32];
	__u32 cap;
	int fd;

	fd = dev_open(O_NONBLOCK);
	dev_reset(fd);
	printf("default: %u\n", dev_capacity(fd));
	expect_eq("default capacity", dev_capacity(fd),
		  IPCLAB_CHARDEV_DEFAULT_CAPACITY);

	snprintf(label, sizeof(label), "%u", req);
	try_set(fd, req, label, 0);
	cap = dev_capacity(fd);
	printf("capacity: %u -> %u\n", req, cap);
	expect_eq("capacity", cap, roundup_pow2(req));

	try_set(fd, 0, "0", EINVAL);
	snprintf(label, sizeof(label), "%u", max + 1);
	try_set(fd, max + 1, label, EINVAL);
	try_set(fd, 0xffffffffu, "4294967295", EINVAL);
	printf("after EINVAL: %u\n", dev_capacity(fd));
	expect_eq("capacity after EINVAL", dev_capacity(fd), cap);

	snprintf(label, sizeof(label), "%u", max);
	try_set(fd, max, label, 0);
	expect_eq("capacity", dev_capacity(fd), max);

	try_set(fd, 1, "1", 0);
	printf("capacity: 1 -> %u\n", dev_capacity(fd));
	expect_eq("capacity", dev_capacity(fd), 1);
	printf("write of 2 into capacity 1: %zd\n", write(fd, "ab", 2));
	expect_eq("used", dev_used(fd), 1);

	try_set(fd, req, "while not empty", EBUSY);
	printf("after EBUSY: %u\n", dev_capacity(fd));
	expect_eq("capacity after EBUSY", dev_capacity(fd), 1);
	dev_reset(fd);
	close(fd);
}

/* clear WORD: CLEAR discards the data and wakes a blocked writer. */
static void cmd_clear(char **argv)
{
	const char *word = argv[0];
	size_t len = arg_word(word);
	char buf[MAX_WORD + 1];
	pid_t parent = getpid(), child;
	ssize_t n;
	int fd, nb;

	fd = dev_open(0);
	nb = dev_open(O_NONBLOCK);
	dev_reset(fd);
	expect_count("write", write(fd, word, len), len);
	printf("before clear: used %u\n", dev_used(fd));
	expect_eq("used before clear", dev_used(fd), len);
	if (ioctl(fd, IPCLAB_IOC_CLEAR) < 0)
		die("ioctl IPCLAB_IOC_CLEAR");
	printf("after clear: used %u\n", dev_used(fd));
	expect_eq("used after clear", dev_used(fd), 0);
	n = read(nb, buf, sizeof(buf));
	expect_err("read after clear", n, EAGAIN);

	dev_fill(fd, dev_capacity(fd));
	child = xfork();
	if (child == 0) {
		int cfd = dev_open(O_NONBLOCK);

		if (wait_blocked(parent, SYS_write, "writer"))
			child_exit();
		if (ioctl(cfd, IPCLAB_IOC_CLEAR) < 0)
			die("child: ioctl IPCLAB_IOC_CLEAR");
		child_exit();
	}
	phase = "write blocked on a full buffer, waiting for CLEAR";
	n = write(fd, word, len);
	expect_count("write after clear", n, len);
	printf("blocked writer woken by clear: wrote %zd of %zu\n", n, len);
	reap(child, "clearing child");
	n = read(nb, buf, sizeof(buf));
	print_word("read", buf, n, word);
	close(nb);
	close(fd);
}

/* stats WORD NFDS: the counters move by exactly what the test did. */
static void cmd_stats(char **argv)
{
	const char *word = argv[0];
	size_t len = arg_word(word), half = len / 2;
	int nfds = arg_num(argv[1], 1, 64, "NFDS");
	struct ipclab_chardev_stats s0, s1;
	char buf[MAX_WORD + 1];
	int fd, i, fds[64], dupfd;

	if (len < 2) {
		fail("usage: WORD must have at least 2 characters");
		exit(KSFT_FAIL);
	}
	fd = dev_open(O_NONBLOCK);
	dev_reset(fd);
	dev_stats(fd, &s0);
	expect_count("write", write(fd, word, len), len);
	expect_count("read", read(fd, buf, half), half);
	expect_count("read", read(fd, buf + half, sizeof(buf)),
		     len - half);
	expect_err("read on empty", read(fd, buf, 1), EAGAIN);
	dev_stats(fd, &s1);

	printf("delta: bytes_written=%llu writes=%llu bytes_read=%llu reads=%llu\n",
	       s1.bytes_written - s0.bytes_written, s1.writes - s0.writes,
	       s1.bytes_read - s0.bytes_read, s1.reads - s0.reads);
	expect_eq("bytes_written", s1.bytes_written - s0.bytes_written, len);
	expect_eq("writes", s1.writes - s0.writes, 1);
	expect_eq("bytes_read", s1.bytes_read - s0.bytes_read, len);
	expect_eq("reads", s1.reads - s0.reads, 2);
	printf("used: %u capacity: %u pad0: %u\n", s1.used, s1.capacity,
	       s1.pad0);
	expect_eq("used", s1.used, 0);
	expect_eq("capacity", s1.capacity, IPCLAB_CHARDEV_DEFAULT_CAPACITY);
	expect_eq("pad0", s1.pad0, 0);

	printf("openers at start: %u\n", s1.openers);
	for (i = 0; i < nfds; i++)
		fds[i] = dev_open(0);
	dev_stats(fd, &s0);
	printf("openers with %d more: %u\n", nfds, s0.openers);
	expect_eq("openers", s0.openers, s1.openers + nfds);
	/* dup() shares the open file: no open(), no new opener */
	dupfd = dup(fds[0]);
	if (dupfd < 0)
		die("dup");
	dev_stats(fd, &s0);
	printf("openers after dup: %u\n", s0.openers);
	expect_eq("openers after dup", s0.openers, s1.openers + nfds);
	close(dupfd);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	dev_stats(fd, &s0);
	printf("openers after close: %u\n", s0.openers);
	expect_eq("openers after close", s0.openers, s1.openers);
	close(fd);
}

/* bad-ioctl: commands the driver does not know fail with ENOTTY. */
static void cmd_bad_ioctl(char **argv)
{
	__u64 big = 0;
	int fd;

	(void)argv;
	fd = dev_open(0);
	dev_reset(fd);
	expect_err("unknown number", ioctl(fd, _IO(IPCLAB_IOC_MAGIC, 0xfe)), ENOTTY);
	expect_err("foreign magic", ioctl(fd, _IO('x', 0x01)), ENOTTY);
	expect_err("wrong size", ioctl(fd, _IOR(IPCLAB_IOC_MAGIC, 0x00, __u64),
				       &big), ENOTTY);
	printf("isatty: %s\n", isatty(fd) ? "yes" : "no");
	if (isatty(fd))
		fail("isatty: got yes, expected no");
	printf("capacity still: %u\n", dev_capacity(fd));
	close(fd);
}

/* efault WORD: a bad user pointer is an EFAULT, never an oops. */
static void cmd_efault(char **argv)
{
	const char *word = argv[0];
	size_t len = arg_word(word);
	void *bad = (void *)8;	/* never mapped: the first page is reserved */
	char buf[MAX_WORD + 1];
	int fd;

	fd = dev_open(O_NONBLOCK);
	dev_reset(fd);
	expect_err("write from bad pointer", write(fd, bad, len),
		   EFAULT);
	printf("used after bad write: %u\n", dev_used(fd));
	expect_eq("used after bad write", dev_used(fd), 0);

	expect_count("write", write(fd, word, len), len);
	expect_err("read into bad pointer", read(fd, bad, len), EFAULT);
	printf("used after bad read: %u\n", dev_used(fd));
	expect_eq("used after bad read", dev_used(fd), len);

	expect_err("GET_CAPACITY into bad pointer",
		   ioctl(fd, IPCLAB_IOC_GET_CAPACITY, bad), EFAULT);
	expect_err("SET_CAPACITY from bad pointer",
		   ioctl(fd, IPCLAB_IOC_SET_CAPACITY, bad), EFAULT);
	expect_err("GET_STATS into bad pointer",
		   ioctl(fd, IPCLAB_IOC_GET_STATS, bad), EFAULT);

	print_word("read", buf, read(fd, buf, sizeof(buf)), word);
	close(fd);
}

/* lseek: a stream has no position. */
static void cmd_lseek(char **argv)
{
	char c = 'x';
	int fd;

	(void)argv;
	fd = dev_open(O_NONBLOCK);
	dev_reset(fd);
	expect_err("lseek SEEK_SET", lseek(fd, 0, SEEK_SET), ESPIPE);
	expect_err("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR), ESPIPE);
	expect_err("pwrite", pwrite(fd, &c, 1, 0), ESPIPE);
	expect_err("pread", pread(fd, &c, 1, 0), ESPIPE);
	printf("used: %u\n", dev_used(fd));
	expect_eq("used", dev_used(fd), 0);
	close(fd);
}

/* openers N WORD: N opens share one buffer. */
static void cmd_openers(char **argv)
{
	int n = arg_num(argv[0], 2, 64, "N");
	const char *word = argv[1];
	size_t len = arg_word(word);
	struct ipclab_chardev_stats st;
	char buf[MAX_WORD + 1], label[64];
	int fd, i, fds[64];
	__u32 base;

	fd = dev_open(0);
	dev_reset(fd);
	dev_stats(fd, &st);
	base = st.openers;
	for (i = 0; i < n; i++)
		fds[i] = dev_open(O_NONBLOCK);
	dev_stats(fd, &st);
	printf("openers: %u more\n", st.openers - base);
	expect_eq("new openers", st.openers - base, n);

	expect_count("write through fd 1", write(fds[0], word, len),
		     len);
	printf("wrote through fd 1 of %d\n", n);
	snprintf(label, sizeof(label), "read through fd %d of %d", n, n);
	print_word(label, buf, read(fds[n - 1], buf, sizeof(buf)), word);
	for (i = 1; i < n - 1; i++)
		expect_err("read through another fd", read(fds[i], buf, 1), EAGAIN);

	for (i = 0; i < n; i++)
		close(fds[i]);
	dev_stats(fd, &st);
	printf("openers after close: %u more\n", st.openers - base);
	expect_eq("openers after close", st.openers, base);
	close(fd);
}

static int *handled;	/* shared with the child: did the handler run? */

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_store_n(handled, 1, __ATOMIC_RELEASE);
}

static void set_usr1(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction");
}

/* interrupt WORD: a signal ends the sleep in read (-ERESTARTSYS). */
static void cmd_interrupt(char **argv)
{
	const char *word = argv[0];
	size_t len = arg_word(word);
	char buf[MAX_WORD + 1];
	pid_t parent = getpid(), child;
	ssize_t n;
	int fd;

	handled = mmap(NULL, sizeof(*handled), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (handled == MAP_FAILED)
		die("mmap");
	fd = dev_open(0);
	dev_reset(fd);

	/* Without SA_RESTART the interrupted read fails with EINTR. */
	set_usr1(0);
	child = xfork();
	if (child == 0) {
		if (wait_blocked(parent, SYS_read, "reader"))
			child_exit();
		kill(parent, SIGUSR1);
		child_exit();
	}
	phase = "read waiting for SIGUSR1";
	n = read(fd, buf, sizeof(buf));
	expect_err("read without SA_RESTART", n, EINTR);
	reap(child, "signalling child");

	/* With SA_RESTART the kernel restarts it after the handler. */
	__atomic_store_n(handled, 0, __ATOMIC_RELEASE);
	set_usr1(SA_RESTART);
	child = xfork();
	if (child == 0) {
		int wfd = dev_open(0);

		if (wait_blocked(parent, SYS_read, "reader"))
			child_exit();
		kill(parent, SIGUSR1);
		while (!__atomic_load_n(handled, __ATOMIC_ACQUIRE))
			sched_yield();
		if (wait_blocked(parent, SYS_read, "restarted reader"))
			child_exit();
		expect_count("child write", write(wfd, word, len), len);
		child_exit();
	}
	phase = "read restarted after SIGUSR1";
	n = read(fd, buf, sizeof(buf));
	printf("handler ran: %s\n",
	       __atomic_load_n(handled, __ATOMIC_ACQUIRE) ? "yes" : "no");
	if (!__atomic_load_n(handled, __ATOMIC_ACQUIRE))
		fail("handler ran: got no, expected yes");
	print_word("read with SA_RESTART", buf, n, word);
	reap(child, "signalling child");
	close(fd);
}

struct tally {
	__u64 hist[256];	/* how often each byte value went through */
	__u64 bytes;
	__u64 order_bad;	/* 1 + offset of the first byte out of order */
	__u32 role;		/* 'w' or 'r' */
	__u32 pad;
};

struct shared {
	__u64 total_read;
	__s32 stop[2];		/* pipe: readable once everything is read */
};

static void send_tally(int tfd, struct tally *t)
{
	/* Under PIPE_BUF, so one atomic write among all children. */
	if (write(tfd, t, sizeof(*t)) != (ssize_t)sizeof(*t))
		die("write tally");
}

static void concurrent_writer(int tfd, size_t share, unsigned long seed,
			      unsigned int idx)
{
	__u32 data = rnd_seed(seed, 2 * idx);
	__u32 size = rnd_seed(seed, 2 * idx + 1);
	unsigned char buf[3000];
	struct tally t = { .role = 'w' };
	int fd = dev_open(0);

	phase = "concurrent writer";
	while (share) {
		size_t k = 1 + rnd_next(&size) % sizeof(buf), off = 0;

		if (k > share)
			k = share;
		fill_random(buf, k, &data);
		while (off < k) {
			ssize_t n = write(fd, buf + off, k - off);

			if (n <= 0) {
				fail("writer %u: write returned %zd (%s)",
				     idx, n, n ? errname(errno) : "0");
				child_exit();
			}
			for (; n > 0; n--, off++)
				t.hist[buf[off]]++;
		}
		t.bytes += k;
		share -= k;
	}
	send_tally(tfd, &t);
	child_exit();
}

static void concurrent_reader(int tfd, struct shared *sh, __u64 total,
			      unsigned long seed, unsigned int idx, int check)
{
	__u32 size = rnd_seed(seed, 1000 + idx);
	__u32 order = rnd_seed(seed, 0);
	struct tally t = { .role = 'r' };
	unsigned char buf[4096];
	struct pollfd p[2];
	int fd = dev_open(O_NONBLOCK);

	phase = "concurrent reader";
	p[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = sh->stop[0], .events = POLLIN };
	for (;;) {
		ssize_t n, i;

		/* No timeout: a lost wakeup is caught by alarm() as FAIL. */
		if (poll(p, 2, -1) < 0)
			die("reader poll");
		n = read(fd, buf, 1 + rnd_next(&size) % sizeof(buf));
		if (n < 0 && errno == EAGAIN) {
			if (p[1].revents)
				break;
			continue;
		}
		if (n <= 0) {
			fail("reader %u: read returned %zd (%s)", idx, n,
			     n ? errname(errno) : "0");
			child_exit();
		}
		for (i = 0; i < n; i++) {
			t.hist[buf[i]]++;
			if (check && !t.order_bad &&
			    buf[i] != (unsigned char)(rnd_next(&order) >> 24))
				t.order_bad = t.bytes + i + 1;
		}
		t.bytes += n;
		if (__atomic_add_fetch(&sh->total_read, n, __ATOMIC_ACQ_REL) ==
		    total && write(sh->stop[1], "x", 1) != 1)
			die("write stop pipe");
	}
	send_tally(tfd, &t);
	child_exit();
}

/*
 * concurrent WRITERS READERS BYTES SEED: every byte written by the writers
 * is read exactly once (per-value histograms and totals agree).
 */
static void cmd_concurrent(char **argv)
{
	int nw = arg_num(argv[0], 1, MAX_PROCS, "WRITERS");
	int nr = arg_num(argv[1], 1, MAX_PROCS, "READERS");
	__u64 total = arg_num(argv[2], 1, 64 << 20, "BYTES");
	unsigned long seed = arg_num(argv[3], 0, 0xffffffffUL, "SEED");
	struct ipclab_chardev_stats s0, s1;
	struct tally w = { 0 }, r = { 0 }, t;
	pid_t pids[2 * MAX_PROCS];
	int tally_pipe[2], fd, i, v, got = 0;
	__u64 order_bad = 0;
	struct shared *sh;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	if (pipe(sh->stop) < 0 || pipe(tally_pipe) < 0)
		die("pipe");
	fd = dev_open(0);
	dev_reset(fd);
	dev_stats(fd, &s0);

	for (i = 0; i < nw + nr; i++) {
		pids[i] = xfork();
		if (pids[i] == 0 && i < nw)
			concurrent_writer(tally_pipe[1],
					  total / nw + (i < (int)(total % nw)),
					  seed, i);
		if (pids[i] == 0)
			concurrent_reader(tally_pipe[1], sh, total, seed,
					  i - nw, nw == 1 && nr == 1);
	}
	close(tally_pipe[1]);

	phase = "collecting tallies from writers and readers";
	while (read(tally_pipe[0], &t, sizeof(t)) == (ssize_t)sizeof(t)) {
		struct tally *sum = t.role == 'w' ? &w : &r;

		for (v = 0; v < 256; v++)
			sum->hist[v] += t.hist[v];
		sum->bytes += t.bytes;
		if (t.order_bad)
			order_bad = t.order_bad;
		got++;
	}
	for (i = 0; i < nw + nr; i++)
		reap(pids[i], i < nw ? "writer" : "reader");
	expect_eq("tallies received", got, nw + nr);

	printf("writers: %d wrote %llu bytes\n", nw, w.bytes);
	expect_eq("bytes written", w.bytes, total);
	printf("readers: %d read %llu bytes\n", nr, r.bytes);
	expect_eq("bytes read", r.bytes, total);
	for (v = 0; v < 256; v++)
		if (w.hist[v] != r.hist[v])
			break;
	if (v == 256) {
		printf("histogram: all 256 byte values match\n");
	} else {
		printf("histogram: byte value %d differs\n", v);
		fail("histogram: byte value %d read %llu times, written %llu times",
		     v, r.hist[v], w.hist[v]);
	}
	if (nw == 1 && nr == 1) {
		if (order_bad)
			fail("order: byte %llu read out of order",
			     order_bad - 1);
		else
			printf("order: preserved\n");
	}

	dev_stats(fd, &s1);
	printf("stats: +%llu written, +%llu read, %u left\n",
	       s1.bytes_written - s0.bytes_written,
	       s1.bytes_read - s0.bytes_read, s1.used);
	expect_eq("stats bytes_written", s1.bytes_written - s0.bytes_written,
		  total);
	expect_eq("stats bytes_read", s1.bytes_read - s0.bytes_read, total);
	expect_eq("stats used", s1.used, 0);
	close(fd);
}

static const struct command commands[] = {
	{ "write-read", "WORD", 1, cmd_write_read },
	{ "partial-write", "CAP SIZE CHUNK", 3, cmd_partial_write },
	{ "partial-read", "WORD N", 2, cmd_partial_read },
	{ "block-read", "WORD", 1, cmd_block_read },
	{ "block-write", "CAP WORD", 2, cmd_block_write },
	{ "nonblock-empty", "", 0, cmd_nonblock_empty },
	{ "nonblock-full", "CAP", 1, cmd_nonblock_full },
	{ "poll", "CAP WORD", 2, cmd_poll },
	{ "capacity", "N", 1, cmd_capacity },
	{ "clear", "WORD", 1, cmd_clear },
	{ "stats", "WORD NFDS", 2, cmd_stats },
	{ "bad-ioctl", "", 0, cmd_bad_ioctl },
	{ "efault", "WORD", 1, cmd_efault },
	{ "lseek", "", 0, cmd_lseek },
	{ "openers", "N WORD", 2, cmd_openers },
	{ "interrupt", "WORD", 1, cmd_interrupt },
	{ "concurrent", "WRITERS READERS BYTES SEED", 4, cmd_concurrent },
};

int main(int argc, char **argv)
{
	labtest_start();

	return run_command("chardev", commands, ARRAY_SIZE(commands), argc,
			   argv);
}
