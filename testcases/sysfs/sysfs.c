// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises the attributes of /sys/class/misc/ipclab-sysfs: a validated
 * read/write value, and an attribute the driver changes and announces with
 * sysfs_notify(), waited for with poll(POLLPRI); exits 0 pass, 1 fail, 4 skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipclab_uapi.h"

#define TIMEOUT_S	30
#define LABTEST_LOST	"sysfs_notify"
#define NOTIFY_WAIT_MS	20000	/* poll() bound for a notification */

#include "labtest.h"

#define ATTR(name)	IPCLAB_SYSFS_DIR "/" name

static long attr_write(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	long ret;
	int err;

	if (fd < 0) {
		if (errno == ENOENT) {
			printf("SKIP: %s missing (is ipclab.ko loaded?)\n",
			       path);
			exit(KSFT_SKIP);
		}
		die(path);
	}
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
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned long long v;

	if (fd < 0)
		die(path);
	v = fd_num(fd, path);
	close(fd);
	return v;
}

/* value-rw V: write V, read it back. */
static void cmd_value_rw(char **argv)
{
	unsigned long long v = arg_num(argv[0], 0, IPCLAB_SYSFS_VALUE_MAX, "V");

	attr_set(ATTR("value"), v);
	printf("value: %llu\n", attr_get(ATTR("value")));
	attr_set(ATTR("value"), 0);
}

/* bad V LEN: bad input is EINVAL and leaves value alone. */
static void cmd_bad(char **argv)
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
	snprintf(what, sizeof(what), "write of %zu digits", len);
	expect_err(what, attr_write(ATTR("value"), digits, len), EINVAL);
	expect_err("notify_ms 0", attr_write(ATTR("notify_ms"), "0", 1),
		   EINVAL);
	expect_err("notify_ms 60001",
		   attr_write(ATTR("notify_ms"), "60001", 5), EINVAL);
	printf("value after: %llu\n", attr_get(ATTR("value")));
	attr_set(ATTR("value"), 0);
}

/*
 * notify V D: arm a notification D ms away and sleep in poll() until
 * sysfs_notify() wakes us; then latched holds V.
 */
static void cmd_notify(char **argv)
{
	unsigned long long v = arg_num(argv[0], 1, IPCLAB_SYSFS_VALUE_MAX, "V");
	unsigned long long d = arg_num(argv[1], 1, 5000, "D");
	struct pollfd pfd;
	unsigned long long gen0, gen1;
	long long t0, dt;
	int ret;

	attr_set(ATTR("value"), v);
	pfd.fd = open(ATTR("latched"), O_RDONLY | O_CLOEXEC);
	if (pfd.fd < 0)
		die(ATTR("latched"));
	pfd.events = POLLPRI | POLLERR;
	/* A read first: poll() reports events after the last read. */
	printf("latched before: %s\n",
	       fd_num(pfd.fd, ATTR("latched")) == v ? "V" : "other");
	gen0 = attr_get(ATTR("generation"));

	ret = poll(&pfd, 1, 0);
	printf("poll before arming: %s\n",
	       ret == 0 ? "nothing" : "an event");
	t0 = now_ms();
	attr_set(ATTR("notify_ms"), d);
	phase = "poll() for POLLPRI on latched";
	ret = poll(&pfd, 1, NOTIFY_WAIT_MS);
	dt = now_ms() - t0;
	if (ret < 0)
		die("poll");
	if (ret == 0) {
		fail("no notification within %d ms", NOTIFY_WAIT_MS);
		return;
	}
	printf("# woken after %lld ms (delay %llu ms)\n", dt, d);
	printf("woken: %s\n", pfd.revents & POLLPRI ? "POLLPRI" : "no POLLPRI");
	printf("waited at least the delay: %s\n",
	       dt + 20 >= (long long)d ? "yes" : "no");
	if (dt + 20 < (long long)d)
		fail("woken after %lld ms, expected >= %llu", dt, d);
	/* Seek to 0 and read again: the new value. */
	printf("latched: %llu\n", fd_num(pfd.fd, ATTR("latched")));
	gen1 = attr_get(ATTR("generation"));
	printf("generation: +%llu\n", gen1 - gen0);
	ret = poll(&pfd, 1, 0);
	printf("poll after the read: %s\n",
	       ret == 0 ? "nothing" : "an event");
	close(pfd.fd);
	attr_set(ATTR("value"), 0);
}

static const struct command commands[] = {
	{ "value-rw", "V", 1, cmd_value_rw },
	{ "bad", "V LEN", 2, cmd_bad },
	{ "notify", "V DELAY_MS", 2, cmd_notify },
};

int main(int argc, char **argv)
{
	labtest_start();
	return run_command("sysfs", commands, ARRAY_SIZE(commands), argc, argv);
}
