// SPDX-License-Identifier: GPL-2.0
/*
 * Sleeping in the driver and being woken: blocking read and write, poll
 * and select, CLEAR, and a signal (-ERESTARTSYS).
 */
#include <poll.h>
#include <sched.h>
#include <sys/select.h>

#include "chardev.h"

/*
 * Once this task sleeps in system call @nr, a child moves @len bytes
 * through a new open file: writes @data, or (@rd) reads them and compares;
 * then it exits. The parent gets its pid.
 */
static pid_t child_io(long nr, const char *who, const char *data,
		      size_t len, int rd)
{
	static char back[MAX_CAP];
	pid_t child = fork_blocked(nr, who);
	ssize_t n;
	int fd;

	if (child)
		return child;
	fd = open_dev(DEV, O_NONBLOCK);
	n = rd ? read(fd, back, len) : write(fd, data, len);
	expect_count(rd ? "child read" : "child write", n, len);
	if (rd && n > 0 && memcmp(back, data, n))
		fail("child read: not the first %zd bytes written", n);
	child_exit();
}

/* block-read WORD: a read on an empty buffer sleeps until a write. */
LAB_CASE(block_read, "WORD", 1)
{
	size_t len = arg_word(argv[0], MAX_WORD);
	int fd = dev_new(0, NULL);
	char buf[MAX_WORD + 1];
	pid_t child = child_io(SYS_read, "reader", argv[0], len, 0);

	phase = "blocking read";
	print_word("read", buf, read(fd, buf, sizeof(buf)), argv[0]);
	reap(child, "writer child");
}

/* block-write CAP WORD: a write to a full buffer sleeps until a read. */
LAB_CASE(block_write, "CAP WORD", 2)
{
	__u32 cap = arg_num(argv[0], 1, MAX_CAP, "CAP");
	size_t len = arg_word(argv[1], cap < MAX_WORD ? cap : MAX_WORD);
	int fd = dev_new(0, &cap);
	char buf[MAX_WORD + 1];
	const char *dots = dev_fill(fd, cap);
	pid_t child = child_io(SYS_write, "writer", dots, cap, 1);

	phase = "blocking write";
	expect_write("wrote", fd, argv[1], len, len);
	reap(child, "reader child");
	print_word("read", buf, read(fd, buf, sizeof(buf)), argv[1]);
}

#define POLL_ALL	(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM)

/* "POLLIN POLLRDNORM ...": the bits in asm-generic/poll.h's order. */
static const char *evnames(short ev, char *buf)
{
	static const char *const names[16] = {
		"POLLIN", "POLLPRI", "POLLOUT", "POLLERR", "POLLHUP",
		"POLLNVAL", "POLLRDNORM", "POLLRDBAND", "POLLWRNORM",
		"POLLWRBAND", "POLLMSG", "0x800", "POLLREMOVE", "POLLRDHUP",
		"0x4000", "0x8000",
	};
	int i, len = 0;

	for (i = 0; i < 16; i++)
		if (ev & 1 << i)
			len += sprintf(buf + len, " %s", names[i]);
	return len ? buf + 1 : "no event";
}

/* poll(2) on @fd for @events, @ms at most: the events must be @want. */
static void expect_poll(const char *what, int fd, short events, int ms,
			short want)
{
	struct pollfd p = { .fd = fd, .events = events };
	char got[256], exp[256];

	phase = what;
	must(poll(&p, 1, ms), "poll");
	printf("%s: %s\n", what, evnames(p.revents, got));
	if (p.revents != want)
		fail("%s: got %s (waited %d ms at most), expected %s", what,
		     got, ms, evnames(want, exp));
}

/* Not waiting, poll and select both say @want (of POLL_ALL). */
static void expect_ready(const char *what, int fd, short want)
{
	struct timeval tv = { 0, 0 };
	fd_set r, w;

	expect_poll(what, fd, POLL_ALL, 0, want);
	FD_ZERO(&r);
	FD_SET(fd, &r);
	w = r;
	must(select(fd + 1, &r, &w, NULL, &tv), "select");
	if (!FD_ISSET(fd, &r) != !(want & POLLIN) ||
	    !FD_ISSET(fd, &w) != !(want & POLLOUT))
		fail("select %s: got readable %d, writable %d, expected %d, %d",
		     what, !!FD_ISSET(fd, &r), !!FD_ISSET(fd, &w),
		     !!(want & POLLIN), !!(want & POLLOUT));
}

/* poll CAP WORD: readiness follows the buffer; writes/reads wake pollers. */
LAB_CASE(poll, "CAP WORD", 2)
{
	__u32 cap = arg_num(argv[0], 2, MAX_CAP, "CAP");
	size_t len = arg_word(argv[1], cap <= MAX_WORD ? cap - 1 : MAX_WORD);
	int fd = dev_new(O_NONBLOCK, &cap), ms = lab_program.timeout_s * 1000;
	pid_t child;

	expect_ready("empty", fd, POLLOUT | POLLWRNORM);
	expect_poll("empty, POLLIN only, 50 ms", fd, POLLIN, 50, 0);
	expect_count("write", write(fd, argv[1], len), len);
	expect_ready("after write", fd, POLL_ALL);
	dev_fill(fd, cap - len);
	expect_ready("full", fd, POLLIN | POLLRDNORM);

	/* A sleeping poller is woken by the read that makes room... */
	child = child_io(SYS_poll, "poller for POLLOUT", argv[1], 1, 1);
	expect_poll("woken by a read", fd, POLLOUT | POLLWRNORM, ms,
		    POLLOUT | POLLWRNORM);
	reap(child, "reader child");

	/* ... and a poller waiting on an empty buffer by a write. */
	dev_ioctl(fd, IPCLAB_IOC_CLEAR, NULL);
	child = child_io(SYS_poll, "poller for POLLIN", argv[1], len, 0);
	expect_poll("woken by a write", fd, POLLIN | POLLRDNORM, ms,
		    POLLIN | POLLRDNORM);
	reap(child, "writer child");
}

/* clear WORD: CLEAR discards the data and wakes a blocked writer. */
LAB_CASE(clear, "WORD", 1)
{
	size_t len = arg_word(argv[0], MAX_WORD);
	int fd = dev_new(0, NULL), nb = open_dev(DEV, O_NONBLOCK);
	char buf[MAX_WORD + 1];
	pid_t child;

	expect_count("write", write(fd, argv[0], len), len);
	print_eq("used before clear", dev_stats(fd).used, len);
	dev_ioctl(fd, IPCLAB_IOC_CLEAR, NULL);
	print_eq("used after clear", dev_stats(fd).used, 0);
	expect_err("read after clear", read(nb, buf, sizeof(buf)), EAGAIN);
	expect_eq("capacity after clear", dev_capacity(fd), DEFAULT_CAP);
	dev_fill(fd, dev_capacity(fd));

	child = fork_blocked(SYS_write, "writer");
	if (!child) {
		dev_ioctl(open_dev(DEV, O_NONBLOCK), IPCLAB_IOC_CLEAR, NULL);
		child_exit();
	}
	phase = "write blocked on a full buffer, waiting for CLEAR";
	expect_write("wrote after clear", fd, argv[0], len, len);
	reap(child, "clearing child");
	print_word("read", buf, read(nb, buf, sizeof(buf)), argv[0]);
}

static int *handled;	/* shared with the children: did the handler run? */

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_store_n(handled, 1, __ATOMIC_RELEASE);
}

/* The next SIGUSR1 runs on_usr1() with @flags; the children ask when. */
static pid_t usr1_when_blocked(int flags)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = flags };
	pid_t child;

	__atomic_store_n(handled, 0, __ATOMIC_RELEASE);
	sigemptyset(&sa.sa_mask);
	must(sigaction(SIGUSR1, &sa, NULL), "sigaction");
	child = fork_blocked(SYS_read, "reader");
	if (!child)
		kill(getppid(), SIGUSR1);
	return child;
}

/* interrupt WORD: a signal ends the sleep in read (-ERESTARTSYS). */
LAB_CASE(interrupt, "WORD", 1)
{
	size_t len = arg_word(argv[0], MAX_WORD);
	int fd = dev_new(0, NULL);
	char buf[MAX_WORD + 1];
	pid_t child;

	handled = map_anon(sizeof(*handled));
	/* Without SA_RESTART the interrupted read fails with EINTR. */
	child = usr1_when_blocked(0);
	if (!child)
		child_exit();
	phase = "read waiting for SIGUSR1";
	expect_err("read without SA_RESTART", read(fd, buf, sizeof(buf)),
		   EINTR);
	reap(child, "signalling child");

	/* With SA_RESTART the kernel restarts it after the handler. */
	child = usr1_when_blocked(SA_RESTART);
	if (!child) {
		while (!__atomic_load_n(handled, __ATOMIC_ACQUIRE))
			sched_yield();
		if (!wait_blocked(getppid(), SYS_read, "restarted reader"))
			expect_count("child write",
				     write(open_dev(DEV, 0), argv[0], len),
				     len);
		child_exit();
	}
	phase = "read restarted after SIGUSR1";
	print_word("read with SA_RESTART", buf, read(fd, buf, sizeof(buf)),
		   argv[0]);
	if (!__atomic_load_n(handled, __ATOMIC_ACQUIRE))
		fail("handler ran: got no, expected yes");
	reap(child, "signalling child");
}
