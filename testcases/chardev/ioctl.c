// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls (capacity, counters, unknown commands), bad user pointers, no
 * file position, and openers sharing one buffer.
 */
#include "chardev.h"

/* SET_CAPACITY @v must fail with @err (0: succeed); then GET says @want. */
static void set_cap(int fd, __u32 v, int err, __u32 want)
{
	char what[48];

	snprintf(what, sizeof(what), "set %u", v);
	expect_ret(what, ioctl(fd, IPCLAB_IOC_SET_CAPACITY, &(__u32){ v }),
		   err);
	if (!err)
		printf("capacity: %u -> %u\n", v, dev_capacity(fd));
	snprintf(what, sizeof(what), "capacity after set %u", v);
	expect_eq(what, dev_capacity(fd), want);
}

/* capacity N: set/get round up to a power of two, bounds, EBUSY. */
LAB_CASE(capacity, "N", 1)
{
	__u32 req = arg_num(argv[0], 1, MAX_CAP, "N"), cap = 1;
	int fd = dev_new(O_NONBLOCK, NULL);

	while (cap < req)
		cap <<= 1;
	expect_eq("default capacity", dev_capacity(fd), DEFAULT_CAP);
	set_cap(fd, req, 0, cap);
	set_cap(fd, 0, EINVAL, cap);
	set_cap(fd, MAX_CAP + 1, EINVAL, cap);
	set_cap(fd, 0xffffffffu, EINVAL, cap);
	set_cap(fd, MAX_CAP, 0, MAX_CAP);
	set_cap(fd, 1, 0, 1);
	expect_count("write of 2 into capacity 1", write(fd, "ab", 2), 1);
	expect_eq("used", dev_stats(fd).used, 1);
	set_cap(fd, req, EBUSY, 1);	/* not empty */
	close(dev_new(0, NULL));	/* the default again (shell-io's echo) */
}

/*
 * stats WORD: the counters move by exactly what the test did (openers:
 * the openers case).
 */
LAB_CASE(stats, "WORD", 1)
{
	size_t len = arg_word(argv[0], MAX_WORD), half = len / 2;
	int fd = dev_new(O_NONBLOCK, NULL);
	struct ipclab_chardev_stats s0 = dev_stats(fd), s1;
	char buf[MAX_WORD + 1];

	if (len < 2) {
		fail("usage: WORD must have at least 2 characters");
		exit(KSFT_FAIL);
	}
	expect_count("write", write(fd, argv[0], len), len);
	expect_count("read", read(fd, buf, half), half);
	expect_count("read", read(fd, buf + half, sizeof(buf)), len - half);
	expect_err("read on empty", read(fd, buf, 1), EAGAIN);
	s1 = dev_stats(fd);
	print_eq("bytes_written", s1.bytes_written - s0.bytes_written, len);
	print_eq("writes", s1.writes - s0.writes, 1);
	print_eq("bytes_read", s1.bytes_read - s0.bytes_read, len);
	print_eq("reads", s1.reads - s0.reads, 2);
	expect_eq("used", s1.used, 0);
	expect_eq("capacity", s1.capacity, DEFAULT_CAP);
	expect_eq("pad0", s1.pad0, 0);
}

/* bad-ioctl: commands the driver does not know fail with ENOTTY. */
LAB_CASE(bad_ioctl, "", 0)
{
	int fd = dev_new(0, NULL);
	__u64 big = 0;

	(void)argv;
	expect_err("unknown number", ioctl(fd, _IO(IPCLAB_IOC_MAGIC, 0xfe)),
		   ENOTTY);
	expect_err("foreign magic", ioctl(fd, _IO('x', 0x01)), ENOTTY);
	expect_err("wrong size",
		   ioctl(fd, _IOR(IPCLAB_IOC_MAGIC, 0x00, __u64), &big), ENOTTY);
	if (isatty(fd))
		fail("isatty: got yes, expected no");
	print_eq("capacity still", dev_capacity(fd), DEFAULT_CAP);
}

/* efault WORD: a bad user pointer is an EFAULT, never an oops. */
LAB_CASE(efault, "WORD", 1)
{
	size_t len = arg_word(argv[0], MAX_WORD);
	void *bad = (void *)8;	/* never mapped: the first page is reserved */
	int fd = dev_new(O_NONBLOCK, NULL);
	char buf[MAX_WORD + 1];

	expect_err("write from bad pointer", write(fd, bad, len), EFAULT);
	print_eq("used after bad write", dev_stats(fd).used, 0);
	expect_count("write", write(fd, argv[0], len), len);
	expect_err("read into bad pointer", read(fd, bad, len), EFAULT);
	print_eq("used after bad read", dev_stats(fd).used, len);
	expect_err("GET_CAPACITY into bad pointer",
		   ioctl(fd, IPCLAB_IOC_GET_CAPACITY, bad), EFAULT);
	expect_err("SET_CAPACITY from bad pointer",
		   ioctl(fd, IPCLAB_IOC_SET_CAPACITY, bad), EFAULT);
	expect_err("GET_STATS into bad pointer",
		   ioctl(fd, IPCLAB_IOC_GET_STATS, bad), EFAULT);
	print_word("read", buf, read(fd, buf, sizeof(buf)), argv[0]);
}

/* lseek: a stream has no position. */
LAB_CASE(lseek, "", 0)
{
	int fd = dev_new(O_NONBLOCK, NULL);
	char c = 'x';

	(void)argv;
	expect_err("lseek SEEK_SET", lseek(fd, 0, SEEK_SET), ESPIPE);
	expect_err("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR), ESPIPE);
	expect_err("pwrite", pwrite(fd, &c, 1, 0), ESPIPE);
	expect_err("pread", pread(fd, &c, 1, 0), ESPIPE);
	expect_eq("used", dev_stats(fd).used, 0);
}

/* openers N WORD: N opens share one buffer and count as N openers. */
LAB_CASE(openers, "N WORD", 2)
{
	int i, n = arg_num(argv[0], 2, 64, "N"), fds[64], dupfd;
	size_t len = arg_word(argv[1], MAX_WORD);
	int fd = dev_new(0, NULL);
	__u32 base = dev_stats(fd).openers;
	char buf[MAX_WORD + 1], what[64];

	print_eq("openers at start", base, 1);
	for (i = 0; i < n; i++)
		fds[i] = open_dev(DEV, O_NONBLOCK);
	print_eq("new openers", dev_stats(fd).openers - base, n);
	/* dup() shares the open file: no open(), no new opener */
	dupfd = must(dup(fds[0]), "dup");
	print_eq("new openers after dup", dev_stats(fd).openers - base, n);
	close(dupfd);
	expect_count("write through fd 1", write(fds[0], argv[1], len), len);
	snprintf(what, sizeof(what), "read through fd %d of %d", n, n);
	print_word(what, buf, read(fds[n - 1], buf, sizeof(buf)), argv[1]);
	for (i = 1; i < n - 1; i++)
		expect_err("read through another fd", read(fds[i], buf, 1),
			   EAGAIN);
	for (i = 0; i < n; i++)
		close(fds[i]);
	expect_eq("openers after close", dev_stats(fd).openers, base);
}
