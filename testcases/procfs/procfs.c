// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises /proc/ipclab (live statistics, a seq_file) and /proc/ipclab_ctl
 * (a validated writable entry) from user space; exits 0 pass, 1 fail, 4 skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipclab_uapi.h"

#define TIMEOUT_S	20
#define MAX_LONG	4096

#include "labtest.h"

struct stats {
	unsigned long long value, writes, rejected, ctl_reads;
};

/* Parses /proc/ipclab; every line must be there. */
static void get_stats(struct stats *s)
{
	char buf[512];

	if (read_file(IPCLAB_PROCFS_STATS_PATH, buf, sizeof(buf)) < 0) {
		if (errno == ENOENT) {
			printf("SKIP: %s missing (is ipclab.ko loaded?)\n",
			       IPCLAB_PROCFS_STATS_PATH);
			exit(KSFT_SKIP);
		}
		die("read " IPCLAB_PROCFS_STATS_PATH);
	}
	if (sscanf(buf, "value: %llu\nwrites: %llu\nrejected: %llu\n"
		   "ctl_reads: %llu\n", &s->value, &s->writes, &s->rejected,
		   &s->ctl_reads) != 4) {
		fail("%s: unexpected format: \"%s\"", IPCLAB_PROCFS_STATS_PATH,
		     buf);
		exit(KSFT_FAIL);
	}
}

/* One write() of @len bytes to the ctl file: its return, errno kept. */
static long ctl_write(const char *buf, size_t len)
{
	int fd = open(IPCLAB_PROCFS_CTL_PATH, O_WRONLY | O_CLOEXEC);
	long ret;
	int err;

	if (fd < 0)
		die("open " IPCLAB_PROCFS_CTL_PATH);
	ret = write(fd, buf, len);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

static unsigned long long ctl_read(void)
{
	char buf[64], *end;
	unsigned long long v;

	if (read_file(IPCLAB_PROCFS_CTL_PATH, buf, sizeof(buf)) < 0)
		die("read " IPCLAB_PROCFS_CTL_PATH);
	v = strtoull(buf, &end, 10);
	if (end == buf || strcmp(end, "\n"))
		fail("%s: got \"%s\", expected a number and a newline",
		     IPCLAB_PROCFS_CTL_PATH, buf);
	return v;
}

static void ctl_set(unsigned long long v)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%llu\n", v);

	if (ctl_write(buf, len) != len)
		fail("write %llu: %s", v, errname(errno));
}

/* set V: write V, read it back from both files. */
static void cmd_set(char **argv)
{
	unsigned long long v = arg_num(argv[0], 0, 0xffffffffULL, "V");
	struct stats before, after;

	get_stats(&before);
	ctl_set(v);
	printf("ctl: %llu\n", ctl_read());
	get_stats(&after);
	printf("stats value: %llu\n", after.value);
	printf("writes: +%llu\n", after.writes - before.writes);
	printf("ctl_reads: +%llu\n", after.ctl_reads - before.ctl_reads);
	ctl_set(0);	/* the default state for the next test */
}

/* stats K BASE: K writes of BASE, BASE+1, ...; the counters follow. */
static void cmd_stats(char **argv)
{
	unsigned long long k = arg_num(argv[0], 1, 1000, "K");
	unsigned long long base = arg_num(argv[1], 0, 1000000000, "BASE");
	struct stats before, after;
	unsigned long long i;

	get_stats(&before);
	for (i = 0; i < k; i++)
		ctl_set(base + i);
	get_stats(&after);
	printf("value: %llu\n", after.value);
	printf("writes: +%llu\n", after.writes - before.writes);
	printf("rejected: +%llu\n", after.rejected - before.rejected);
	ctl_set(0);
}

/* bad V LEN: bad writes are EINVAL and change nothing but "rejected". */
static void cmd_bad(char **argv)
{
	unsigned long long v = arg_num(argv[0], 1, 0xffffffffULL, "V");
	size_t len = arg_num(argv[1], IPCLAB_PROCFS_CTL_MAX + 1, MAX_LONG,
			     "LEN");
	static const char *const bad[] = {
		"abc", "12x", "-1", "4294967296", " 7", "0x10", "\n",
	};
	static char digits[MAX_LONG];
	struct stats before, after;
	char what[64];
	size_t i;

	ctl_set(v);
	get_stats(&before);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(what, sizeof(what), "write \"%s\"",
			 bad[i][0] == '\n' ? "\\n" : bad[i]);
		expect_err(what, ctl_write(bad[i], strlen(bad[i])), EINVAL);
	}
	expect_err("write of 0 bytes", ctl_write("", 0), EINVAL);
	memset(digits, '1', len);
	snprintf(what, sizeof(what), "write of %zu digits", len);
	expect_err(what, ctl_write(digits, len), EINVAL);
	get_stats(&after);
	printf("value after: %llu\n", ctl_read());
	printf("rejected: +%llu\n", after.rejected - before.rejected);
	printf("writes: +%llu\n", after.writes - before.writes);
	ctl_set(0);
}

static const struct command commands[] = {
	{ "set", "V", 1, cmd_set },
	{ "stats", "K BASE", 2, cmd_stats },
	{ "bad", "V LEN", 2, cmd_bad },
};

int main(int argc, char **argv)
{
	labtest_start();
	return run_command("procfs", commands, ARRAY_SIZE(commands), argc,
			   argv);
}
