// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises /proc/ipclab (live statistics, a seq_file) and /proc/ipclab_ctl
 * (a validated writable entry) from user space.
 */
#include "ipclab_uapi.h"

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 20);

#define MAX_LONG	4096

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
LAB_CASE(set, "V", 1)
{
	unsigned long long v = arg_num(argv[0], 0, 0xffffffffULL, "V");
	struct stats before, after;

	get_stats(&before);
	ctl_set(v);
	printf("ctl: %llu\n", ctl_read());
	get_stats(&after);
	printf("stats value: %llu\n", after.value);
	expect_eq("writes", after.writes - before.writes, 1);
	expect_eq("ctl_reads", after.ctl_reads - before.ctl_reads, 1);
	ctl_set(0);	/* the default state for the next test */
}

/* stats K BASE: K writes of BASE, BASE+1, ...; the counters follow. */
LAB_CASE(stats, "K BASE", 2)
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
	expect_eq("rejected", after.rejected - before.rejected, 0);
	ctl_set(0);
}

/* bad V LEN: bad writes are EINVAL and change nothing but "rejected". */
LAB_CASE(bad, "V LEN", 2)
{
	unsigned long long v = arg_num(argv[0], 1, 0xffffffffULL, "V");
	size_t len = arg_num(argv[1], IPCLAB_PROCFS_CTL_MAX + 1, MAX_LONG,
			     "LEN");
	static const char *const bad[] = {
		"abc", "12x", "-1", "4294967296", " 7", "0x10", "\n", "",
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
	memset(digits, '1', len);
	expect_err("write of LEN digits", ctl_write(digits, len), EINVAL);
	get_stats(&after);
	printf("value after: %llu\n", ctl_read());
	expect_eq("rejected", after.rejected - before.rejected,
		  ARRAY_SIZE(bad) + 1);
	expect_eq("writes", after.writes - before.writes, 0);
	ctl_set(0);
}
