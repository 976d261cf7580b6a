// SPDX-License-Identifier: GPL-2.0
/*
 * Hands the driver an eventfd through an ioctl and watches the counter the
 * driver signals (read, poll, epoll, EFD_SEMAPHORE).
 */
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "ipclab_uapi.h"

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 30, .lost = "eventfd signal");

#define WAIT_MS		20000	/* bound on each wait for the counter */
#define DEV		IPCLAB_EVENTFD_PATH

static long set_fd(int dev, __s32 fd)
{
	return ioctl(dev, IPCLAB_EVENTFD_IOC_SET, &fd);
}

static long signal_n(int dev, __u32 n)
{
	return ioctl(dev, IPCLAB_EVENTFD_IOC_SIGNAL, &n);
}

/* A new eventfd (@flags), attached to @dev. */
static int new_attached(int dev, int flags)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | flags);

	if (efd < 0 || set_fd(dev, efd) < 0)
		die("eventfd, ioctl SET");
	return efd;
}

static void get_stats(int dev, struct ipclab_eventfd_stats *s)
{
	must(ioctl(dev, IPCLAB_EVENTFD_IOC_STATS, s), "ioctl STATS");
}

/* One read() of the counter: its value, or 0 with errno set. */
static __u64 counter_read(int efd)
{
	__u64 v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static int readable(int efd, int ms)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };

	return poll(&pfd, 1, ms);
}

/*
 * ioctl-signal N (signal is libc's): the ioctl adds N at once; one read()
 * returns N and resets.
 */
LAB_CASE(ioctl_signal, "N", 1)
{
	__u32 n = arg_num(argv[0], 1, IPCLAB_EVENTFD_MAX_COUNT, "N");
	struct ipclab_eventfd_stats s0, s1;
	int dev = open_dev(DEV, 0), efd;
	__u64 v;

	get_stats(dev, &s0);
	efd = new_attached(dev, 0);
	expect_eq("poll before", readable(efd, 0), 0);
	must(signal_n(dev, n), "ioctl SIGNAL");
	expect_eq("poll after", readable(efd, 0), 1);
	printf("read: %llu\n", (unsigned long long)counter_read(efd));
	expect_err("read again", read(efd, &v, sizeof(v)), EAGAIN);
	get_stats(dev, &s1);
	printf("signals: +%llu\n",
	       (unsigned long long)(s1.signals - s0.signals));
}

/* Starts the driver's timer (DELAY_MS COUNT, into @t): the time it did. */
static long long start_timer(int dev, char **argv,
			     struct ipclab_eventfd_timer *t)
{
	long long t0;

	t->delay_ms = arg_num(argv[0], 1, 5000, "DELAY");
	t->count = arg_num(argv[1], 1, IPCLAB_EVENTFD_MAX_COUNT, "COUNT");
	t0 = now_ms();
	must(ioctl(dev, IPCLAB_EVENTFD_IOC_TIMER, t), "ioctl TIMER");
	return t0;
}

/* timer DELAY COUNT: a work item signals later; epoll wakes, not before. */
LAB_CASE(timer, "DELAY_MS COUNT", 2)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int dev = open_dev(DEV, 0), efd = new_attached(dev, 0), ep;
	struct ipclab_eventfd_timer t;
	long long t0, dt;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) < 0)
		die("epoll");
	t0 = start_timer(dev, argv, &t);
	phase = "epoll_wait() for the timer";
	if (epoll_wait(ep, &ev, 1, WAIT_MS) != 1) {
		fail("no wakeup within %d ms", WAIT_MS);
		return;
	}
	dt = now_ms() - t0;
	printf("# woken after %lld ms (delay %u ms)\n", dt, t.delay_ms);
	if (dt + 20 < t.delay_ms)
		fail("woken after %lld ms, expected >= %u", dt, t.delay_ms);
}

/* timer-count DELAY COUNT: the work item adds all of COUNT. */
LAB_CASE(timer_count, "DELAY_MS COUNT", 2)
{
	int dev = open_dev(DEV, 0), efd = new_attached(dev, 0);
	struct ipclab_eventfd_timer t;
	unsigned long long sum = 0;

	start_timer(dev, argv, &t);
	/*
	 * The work item adds 1 at a time (all 6.12's eventfd_signal() can
	 * do): the first read may see part of the count, so read on.
	 */
	phase = "poll() for the count";
	while (sum < t.count && readable(efd, WAIT_MS) == 1)
		sum += counter_read(efd);
	printf("read in total: %llu\n", sum);
}

/* semaphore N: EFD_SEMAPHORE hands out N wakeups of 1, then EAGAIN. */
LAB_CASE(semaphore, "N", 1)
{
	__u32 n = arg_num(argv[0], 1, 1000, "N"), i, ones = 0;
	int dev = open_dev(DEV, 0), efd = new_attached(dev, EFD_SEMAPHORE);
	__u64 v;

	must(signal_n(dev, n), "ioctl SIGNAL");
	for (i = 0; i < n; i++)
		ones += counter_read(efd) == 1;
	printf("reads of 1: %u\n", ones);
	expect_err("read after them", read(efd, &v, sizeof(v)), EAGAIN);
}

/* errors BADFD: EBADF, EINVAL, ENOENT, ENOTTY; no oops. */
LAB_CASE(errors, "BADFD", 1)
{
	__s32 badfd = arg_num(argv[0], 100, 1000, "BADFD");
	struct ipclab_eventfd_timer t = { .delay_ms = 10, .count = 1 };
	int dev = open_dev(DEV, 0), pipefd[2];

	if (pipe(pipefd) < 0)
		die("pipe");
	close(badfd);
	expect_err("SET closed fd", set_fd(dev, badfd), EBADF);
	expect_err("SET -2", set_fd(dev, -2), EBADF);
	expect_err("SET a pipe", set_fd(dev, pipefd[0]), EINVAL);
	expect_err("SET the device", set_fd(dev, dev), EINVAL);
	expect_err("SIGNAL unattached", signal_n(dev, 1), ENOENT);
	expect_err("TIMER unattached",
		   ioctl(dev, IPCLAB_EVENTFD_IOC_TIMER, &t), ENOENT);
	new_attached(dev, 0);
	expect_err("SIGNAL 0", signal_n(dev, 0), EINVAL);
	t.delay_ms = 0;
	expect_err("TIMER 0 ms", ioctl(dev, IPCLAB_EVENTFD_IOC_TIMER, &t),
		   EINVAL);
	expect_err("unknown ioctl", ioctl(dev, _IO(IPCLAB_IOC_MAGIC, 0xf0)),
		   ENOTTY);
}

/* FAILs unless the driver holds @want more eventfds than at @s0. */
static void expect_held(int dev, const struct ipclab_eventfd_stats *s0,
			const char *when, __u32 want)
{
	struct ipclab_eventfd_stats s;

	get_stats(dev, &s);
	expect_eq(when, s.held - s0->held, want);
}

/*
 * release N: the driver's reference keeps the counter alive after user
 * space closed its fd, and closing the device drops it (held goes back).
 */
LAB_CASE(release, "N", 1)
{
	__u32 n = arg_num(argv[0], 1, 1000, "N");
	int dev = open_dev(DEV, 0), efd, dup_fd;
	struct ipclab_eventfd_stats s0;

	get_stats(dev, &s0);
	efd = new_attached(dev, 0);
	/* A second fd on the same eventfd, to see the counter after close. */
	dup_fd = must(dup(efd), "dup");
	close(efd);
	expect_held(dev, &s0, "held after SET", 1);
	must(signal_n(dev, n), "SIGNAL after the first fd closed");
	if (readable(dup_fd, WAIT_MS) != 1)
		fail("the eventfd did not become readable");
	printf("read: %llu\n", (unsigned long long)counter_read(dup_fd));
	must(set_fd(dev, -1), "ioctl SET -1");
	expect_held(dev, &s0, "held after SET -1", 0);
	expect_err("SIGNAL after SET -1", signal_n(dev, n), ENOENT);
	must(set_fd(dev, dup_fd), "ioctl SET");
	close(dev);
	expect_held(open_dev(DEV, 0), &s0, "held after closing the device", 0);
}
