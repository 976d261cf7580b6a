// SPDX-License-Identifier: GPL-2.0
/*
 * Hands the driver an eventfd through an ioctl and watches the counter the
 * driver signals (read, poll, epoll, EFD_SEMAPHORE); exits 0 pass, 1 fail,
 * 4 skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "ipclab_uapi.h"

#define TIMEOUT_S	30
#define LABTEST_LOST	"eventfd signal"
#define WAIT_MS		20000	/* bound on each wait for the counter */

#include "labtest.h"

static int dev_open(void)
{
	return open_dev(IPCLAB_EVENTFD_PATH, 0);
}

static int new_eventfd(int flags)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | flags);

	if (efd < 0)
		die("eventfd");
	return efd;
}

static void attach(int dev, __s32 efd)
{
	if (ioctl(dev, IPCLAB_EVENTFD_IOC_SET, &efd) < 0)
		die("ioctl IPCLAB_EVENTFD_IOC_SET");
}

static void stats(int dev, struct ipclab_eventfd_stats *s)
{
	if (ioctl(dev, IPCLAB_EVENTFD_IOC_STATS, s) < 0)
		die("ioctl IPCLAB_EVENTFD_IOC_STATS");
}

/* One read() of the counter: its value, or 0 with errno set. */
static __u64 counter_read(int efd)
{
	__u64 v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* signal N: the ioctl adds N at once; one read() returns N and resets. */
static void cmd_signal(char **argv)
{
	__u32 n = arg_num(argv[0], 1, IPCLAB_EVENTFD_MAX_COUNT, "N");
	int dev = dev_open(), efd = new_eventfd(0);
	struct ipclab_eventfd_stats s0, s1;
	struct pollfd pfd = { .fd = efd, .events = POLLIN };

	stats(dev, &s0);
	attach(dev, efd);
	printf("poll before: %d\n", poll(&pfd, 1, 0));
	if (ioctl(dev, IPCLAB_EVENTFD_IOC_SIGNAL, &n) < 0)
		die("ioctl IPCLAB_EVENTFD_IOC_SIGNAL");
	printf("poll after: %d\n", poll(&pfd, 1, 0));
	printf("read: %llu\n", (unsigned long long)counter_read(efd));
	expect_err("read again", read(efd, &s1, 8), EAGAIN);
	stats(dev, &s1);
	printf("signals: +%llu\n",
	       (unsigned long long)(s1.signals - s0.signals));
	close(dev);
	close(efd);
}

/* timer DELAY COUNT: a work item adds COUNT later; epoll wakes up. */
static void cmd_timer(char **argv)
{
	struct ipclab_eventfd_timer t = {
		.delay_ms = arg_num(argv[0], 1, 5000, "DELAY"),
		.count = arg_num(argv[1], 1, IPCLAB_EVENTFD_MAX_COUNT, "COUNT"),
	};
	int dev = dev_open(), efd = new_eventfd(0), ep;
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned long long sum;
	long long t0, dt;
	unsigned int reads;
	int ret;

	attach(dev, efd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) < 0)
		die("epoll");
	t0 = now_ms();
	if (ioctl(dev, IPCLAB_EVENTFD_IOC_TIMER, &t) < 0)
		die("ioctl IPCLAB_EVENTFD_IOC_TIMER");
	phase = "epoll_wait() for the timer";
	ret = epoll_wait(ep, &ev, 1, WAIT_MS);
	dt = now_ms() - t0;
	if (ret < 0)
		die("epoll_wait");
	if (ret == 0) {
		fail("no wakeup within %d ms", WAIT_MS);
		return;
	}
	printf("epoll: readable\n");
	printf("# woken after %lld ms (delay %u ms)\n", dt, t.delay_ms);
	printf("waited at least the delay: %s\n",
	       dt + 20 >= t.delay_ms ? "yes" : "no");
	if (dt + 20 < t.delay_ms)
		fail("woken after %lld ms, expected >= %u", dt, t.delay_ms);
	/*
	 * The work item adds 1 at a time (all 6.12's eventfd_signal() can
	 * do): the first read may see part of the count, so read on.
	 */
	for (sum = 0, reads = 0; sum < t.count; reads++) {
		struct pollfd pfd = { .fd = efd, .events = POLLIN };

		phase = "poll() for the rest of the count";
		if (poll(&pfd, 1, WAIT_MS) != 1) {
			fail("counter stuck at %llu of %u", sum, t.count);
			break;
		}
		sum += counter_read(efd);
	}
	printf("read in total: %llu\n", sum);
	printf("# in %u read(s)\n", reads);
	close(ep);
	close(dev);
	close(efd);
}

/* semaphore N: EFD_SEMAPHORE hands out N wakeups of 1, then EAGAIN. */
static void cmd_semaphore(char **argv)
{
	__u32 n = arg_num(argv[0], 1, 1000, "N");
	int dev = dev_open(), efd = new_eventfd(EFD_SEMAPHORE);
	__u32 i, ones = 0;
	__u64 v;

	attach(dev, efd);
	if (ioctl(dev, IPCLAB_EVENTFD_IOC_SIGNAL, &n) < 0)
		die("ioctl IPCLAB_EVENTFD_IOC_SIGNAL");
	for (i = 0; i < n; i++)
		ones += counter_read(efd) == 1;
	printf("reads of 1: %u\n", ones);
	expect_err("read after them", read(efd, &v, sizeof(v)), EAGAIN);
	close(dev);
	close(efd);
}

/* errors: EBADF, EINVAL, ENOENT, ENOTTY; no oops. */
static void cmd_errors(char **argv)
{
	__s32 badfd = arg_num(argv[0], 100, 1000, "BADFD");
	int dev = dev_open(), pipefd[2];
	struct ipclab_eventfd_timer t = { .delay_ms = 10, .count = 1 };
	__u32 n = 1, zero = 0;
	__s32 fd;

	if (pipe(pipefd) < 0)
		die("pipe");
	close(badfd);
	expect_err("SET closed fd", ioctl(dev, IPCLAB_EVENTFD_IOC_SET, &badfd),
		   EBADF);
	fd = -2;
	expect_err("SET -2", ioctl(dev, IPCLAB_EVENTFD_IOC_SET, &fd), EBADF);
	fd = pipefd[0];
	expect_err("SET a pipe", ioctl(dev, IPCLAB_EVENTFD_IOC_SET, &fd),
		   EINVAL);
	fd = dev;
	expect_err("SET the device", ioctl(dev, IPCLAB_EVENTFD_IOC_SET, &fd),
		   EINVAL);
	expect_err("SIGNAL unattached",
		   ioctl(dev, IPCLAB_EVENTFD_IOC_SIGNAL, &n), ENOENT);
	expect_err("TIMER unattached",
		   ioctl(dev, IPCLAB_EVENTFD_IOC_TIMER, &t), ENOENT);
	fd = new_eventfd(0);
	attach(dev, fd);
	expect_err("SIGNAL 0", ioctl(dev, IPCLAB_EVENTFD_IOC_SIGNAL, &zero),
		   EINVAL);
	t.delay_ms = 0;
	expect_err("TIMER 0 ms", ioctl(dev, IPCLAB_EVENTFD_IOC_TIMER, &t),
		   EINVAL);
	expect_err("unknown ioctl", ioctl(dev, _IO(IPCLAB_IOC_MAGIC, 0xf0)),
		   ENOTTY);
	close(dev);
	close(fd);
}

/*
 * release N: the driver's reference keeps the counter alive after user
 * space closed its fd, and closing the device drops it (held goes back).
 */
static void cmd_release(char **argv)
{
	__u32 n = arg_num(argv[0], 1, 1000, "N");
	int dev = dev_open(), efd = new_eventfd(0), other, dup_fd;
	struct ipclab_eventfd_stats s0, s1;
	struct pollfd pfd;

	stats(dev, &s0);
	attach(dev, efd);
	/* A second fd on the same eventfd, to see the counter after close. */
	dup_fd = dup(efd);
	if (dup_fd < 0)
		die("dup");
	close(efd);
	stats(dev, &s1);
	printf("held after SET: +%d\n", (int)(s1.held - s0.held));
	if (ioctl(dev, IPCLAB_EVENTFD_IOC_SIGNAL, &n) < 0)
		die("SIGNAL after the first fd closed");
	pfd.fd = dup_fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, WAIT_MS) != 1)
		fail("the eventfd did not become readable");
	printf("read: %llu\n", (unsigned long long)counter_read(dup_fd));
	attach(dev, -1);
	stats(dev, &s1);
	printf("held after SET -1: %+d\n", (int)(s1.held - s0.held));
	expect_err("SIGNAL after SET -1",
		   ioctl(dev, IPCLAB_EVENTFD_IOC_SIGNAL, &n), ENOENT);
	attach(dev, dup_fd);
	close(dev);
	other = dev_open();
	stats(other, &s1);
	printf("held after closing the device: %+d\n",
	       (int)(s1.held - s0.held));
	close(other);
	close(dup_fd);
}

static const struct command commands[] = {
	{ "signal", "N", 1, cmd_signal },
	{ "timer", "DELAY_MS COUNT", 2, cmd_timer },
	{ "semaphore", "N", 1, cmd_semaphore },
	{ "errors", "BADFD", 1, cmd_errors },
	{ "release", "N", 1, cmd_release },
};

int main(int argc, char **argv)
{
	labtest_start();
	return run_command("eventfd", commands, ARRAY_SIZE(commands), argc,
			   argv);
}
