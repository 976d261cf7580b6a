// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises the attributes of /sys/class/misc/ipclab-sysfs: a validated
 * read/write value, and an attribute the driver changes and announces with
 * sysfs_notify(), waited for with poll(POLLPRI).
 */
#include <poll.h>

#include "ipclab_uapi.h"

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 30, .lost = "sysfs_notify");

#define NOTIFY_WAIT_MS	20000	/* poll() bound for a notification */
#define ATTR(name)	IPCLAB_SYSFS_DIR "/" name

/* One write() to the attribute: its return, errno kept. */
static long attr_write(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	long ret;
	int err;

	if (fd < 0 && errno == ENOENT) {
		printf("SKIP: %s missing (is ipclab.ko loaded?)\n", path);
		exit(KSFT_SKIP);
	}
	if (fd < 0)
		die(path);
	ret = write(fd, buf, len);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

static void attr_set(const char *path, unsigned long long v)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%llu\n", v);

	if (attr_write(path, buf, len) != len)
		fail("write %llu to %s: %s", v, path, errname(errno));
}

/* Reads a number from the start of @fd's file. */
static unsigned long long fd_num(int fd, const char *path)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		die(path);
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

static unsigned long long attr_get(const char *path)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) < 0)
		die(path);
	return strtoull(buf, NULL, 10);
}

/* value-rw V: write V, read it back. */
LAB_CASE(value_rw, "V", 1)
{
	attr_set(ATTR("value"), arg_num(argv[0], 0, IPCLAB_SYSFS_VALUE_MAX,
					"V"));
	printf("value: %llu\n", attr_get(ATTR("value")));
	attr_set(ATTR("value"), 0);
}

/* bad V LEN: bad input is EINVAL and leaves value alone. */
LAB_CASE(bad, "V LEN", 2)
{
	unsigned long long v = arg_num(argv[0], 1, IPCLAB_SYSFS_VALUE_MAX, "V");
	size_t len = arg_num(argv[1], IPCLAB_SYSFS_INPUT_MAX + 1, 4000, "LEN");
	static const char *const bad[] = { "abc", "12x", "-1", "1000000001" };
	static char digits[4096];
	char what[64];
	size_t i;

	attr_set(ATTR("value"), v);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(what, sizeof(what), "write \"%s\"", bad[i]);
		expect_err(what, attr_write(ATTR("value"), bad[i],
					    strlen(bad[i])), EINVAL);
	}
	memset(digits, '1', len);
	expect_err("write of LEN digits",
		   attr_write(ATTR("value"), digits, len), EINVAL);
	expect_err("notify_ms 0", attr_write(ATTR("notify_ms"), "0", 1),
		   EINVAL);
	expect_err("notify_ms 60001",
		   attr_write(ATTR("notify_ms"), "60001", 5), EINVAL);
	printf("value after: %llu\n", attr_get(ATTR("value")));
	attr_set(ATTR("value"), 0);
}

/* FAILs if @fd has an event pending (@when). */
static void expect_no_event(struct pollfd *pfd, const char *when)
{
	if (poll(pfd, 1, 0) != 0)
		fail("poll %s: an event (revents %#x)", when, pfd->revents);
}

/*
 * notify V D: arm a notification D ms away and sleep in poll() until
 * sysfs_notify() wakes us; then latched holds V.
 */
LAB_CASE(notify, "V DELAY_MS", 2)
{
	unsigned long long v = arg_num(argv[0], 1, IPCLAB_SYSFS_VALUE_MAX, "V");
	long long d = arg_num(argv[1], 1, 5000, "D"), t0, dt;
	struct pollfd pfd = { .events = POLLPRI | POLLERR };
	unsigned long long gen0;

	attr_set(ATTR("value"), v);
	pfd.fd = open(ATTR("latched"), O_RDONLY | O_CLOEXEC);
	if (pfd.fd < 0)
		die(ATTR("latched"));
	/* A read first: poll() reports events after the last read. */
	if (fd_num(pfd.fd, ATTR("latched")) == v)
		fail("latched holds V before the notification");
	gen0 = attr_get(ATTR("generation"));
	expect_no_event(&pfd, "before arming");
	t0 = now_ms();
	attr_set(ATTR("notify_ms"), d);
	phase = "poll() for POLLPRI on latched";
	if (poll(&pfd, 1, NOTIFY_WAIT_MS) != 1) {
		fail("no notification within %d ms", NOTIFY_WAIT_MS);
		return;
	}
	dt = now_ms() - t0;
	printf("# woken after %lld ms (delay %lld ms)\n", dt, d);
	if (!(pfd.revents & POLLPRI))
		fail("woken without POLLPRI (revents %#x)", pfd.revents);
	if (dt + 20 < d)
		fail("woken after %lld ms, expected >= %lld", dt, d);
	/* Seek to 0 and read again: the new value. */
	printf("latched: %llu\n", fd_num(pfd.fd, ATTR("latched")));
	expect_eq("generation", attr_get(ATTR("generation")), gen0 + 1);
	expect_no_event(&pfd, "after the read");
	attr_set(ATTR("value"), 0);
}
