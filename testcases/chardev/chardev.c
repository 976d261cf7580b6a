// SPDX-License-Identifier: GPL-2.0
/*
 * /opt/ipclab/chardev: the device file /dev/ipclab, a bounded FIFO, one
 * case per property. This file: the device's helpers and the transfers
 * (partial, O_NONBLOCK); wake.c: sleeping in the driver and waking; ioctl.c:
 * ioctls, bad pointers and openers; concurrent.c: many processes at once.
 */
#include "chardev.h"

LAB_PROGRAM(.timeout_s = 20, .lost = "wakeup");

__u32 dev_capacity(int fd)
{
	__u32 cap = 0;

	dev_ioctl(fd, IPCLAB_IOC_GET_CAPACITY, &cap);
	return cap;
}

/*
 * A new open file; each case starts with an empty buffer of capacity *@cap
 * (NULL: the default), and *@cap becomes the capacity the driver chose.
 */
int dev_new(int flags, __u32 *cap)
{
	__u32 want = cap ? *cap : DEFAULT_CAP;
	int fd = open_dev(DEV, flags);

	dev_ioctl(fd, IPCLAB_IOC_CLEAR, NULL);
	dev_ioctl(fd, IPCLAB_IOC_SET_CAPACITY, &want);
	if (cap)
		*cap = dev_capacity(fd);
	if (cap && !(want & (want - 1)))	/* a power of two stays */
		expect_eq("capacity", *cap, want);
	return fd;
}

struct ipclab_chardev_stats dev_stats(int fd)
{
	struct ipclab_chardev_stats st;

	memset(&st, 0xa5, sizeof(st));	/* a field the driver forgets shows */
	dev_ioctl(fd, IPCLAB_IOC_GET_STATS, &st);
	return st;
}

/* Fills the empty buffer with @len dots: "filled: N of LEN"; the dots. */
const char *dev_fill(int fd, size_t len)
{
	static char dots[MAX_CAP];

	memset(dots, '.', len);
	expect_write("filled", fd, dots, len, len);
	return dots;
}

/* A transfer that must move exactly @want bytes (errno as expect_err()). */
void expect_count(const char *what, long ret, long want)
{
	int err = errno;

	if (ret < 0)
		fail("%s: got %s, expected %ld bytes", what, errname(err), want);
	else if (ret != want)
		fail("%s: got %ld bytes, expected %ld", what, ret, want);
}

/* A write of @len bytes that must store @want: "WHAT: N of LEN". */
void expect_write(const char *what, int fd, const void *buf, size_t len,
		  size_t want)
{
	ssize_t n = write(fd, buf, len);

	if (n >= 0)	/* else errno stays for expect_count() */
		printf("%s: %zd of %zu\n", what, n, len);
	expect_count(what, n, want);
}

/* "WHAT: GOT" for the host to match; FAILs unless @want. */
void print_eq(const char *what, unsigned long long got,
	      unsigned long long want)
{
	printf("%s: %llu\n", what, got);
	expect_eq(what, got, want);
}

/* write-read WORD: what one write stores, one read returns. */
LAB_CASE(write_read, "WORD", 1)
{
	size_t len = arg_word(argv[0], MAX_WORD);
	int fd = dev_new(0, NULL);
	char buf[MAX_WORD + 1];

	expect_write("wrote", fd, argv[0], len, len);
	phase = "read";
	print_word("read", buf, read(fd, buf, sizeof(buf)), argv[0]);
}

/*
 * Reads @len bytes into @buf in reads of @chunk: each must return
 * min(@chunk, what is left) and leave the rest; then the buffer is empty.
 * Returns how many bytes came.
 */
static size_t read_chunks(int fd, char *buf, size_t len, size_t chunk)
{
	size_t got;
	ssize_t n;
	int reads = 0;

	for (got = 0; got < len; got += n, reads++) {
		n = read(fd, buf + got, chunk);
		expect_count("read", n, len - got < chunk ? len - got : chunk);
		if (n <= 0)
			return got;
		expect_eq("bytes left after a read", dev_stats(fd).used,
			  len - got - n);
	}
	printf("read back: %zu bytes in %d reads\n", got, reads);
	expect_err("read when drained", read(fd, buf + len, 1), EAGAIN);
	return got;
}

/* partial-write CAP SIZE CHUNK: a write larger than the room stores CAP. */
LAB_CASE(partial_write, "CAP SIZE CHUNK", 3)
{
	__u32 cap = arg_num(argv[0], 2, MAX_CAP, "CAP");
	size_t size = arg_num(argv[1], cap + 1, 16 << 20, "SIZE");
	size_t chunk = arg_num(argv[2], 1, 1 << 20, "CHUNK");
	unsigned char *data = malloc(size), *back = malloc(size + chunk);
	int fd = dev_new(0, &cap), nb = open_dev(DEV, O_NONBLOCK);
	__u32 seed = rnd_seed(size, 0);

	if (!data || !back)
		die("malloc");
	printf("capacity: %u\n", cap);
	rnd_fill(data, size, &seed);
	expect_write("wrote", fd, data, size, cap);
	expect_err("write when full", write(nb, data, 1), EAGAIN);
	if (read_chunks(nb, (char *)back, cap, chunk) != cap ||
	    memcmp(data, back, cap))
		fail("content: the bytes read back differ from the first %u written",
		     cap);
}

/* partial-read WORD N: reads of N bytes return pieces that reassemble. */
LAB_CASE(partial_read, "WORD N", 2)
{
	size_t len = arg_word(argv[0], MAX_WORD);
	size_t chunk = arg_num(argv[1], 1, MAX_WORD, "N");
	int fd = dev_new(O_NONBLOCK, NULL);
	char buf[2 * MAX_WORD];

	expect_count("write", write(fd, argv[0], len), len);
	print_word("reassembled", buf, read_chunks(fd, buf, len, chunk),
		   argv[0]);
}

/* nonblock-empty: O_NONBLOCK turns "wait for data" into EAGAIN. */
LAB_CASE(nonblock_empty, "", 0)
{
	int fd = dev_new(O_NONBLOCK, NULL), fd2 = open_dev(DEV, 0);
	char buf[16];

	(void)argv;
	expect_err("read on empty (open O_NONBLOCK)",
		   read(fd, buf, sizeof(buf)), EAGAIN);
	must(fcntl(fd2, F_SETFL, O_NONBLOCK), "fcntl F_SETFL");
	expect_err("read on empty (fcntl O_NONBLOCK)",
		   read(fd2, buf, sizeof(buf)), EAGAIN);
	expect_count("read of 0 bytes", read(fd, buf, 0), 0);
}

/* nonblock-full CAP: O_NONBLOCK turns "wait for room" into EAGAIN. */
LAB_CASE(nonblock_full, "CAP", 1)
{
	__u32 cap = arg_num(argv[0], 1, MAX_CAP, "CAP");
	int fd = dev_new(O_NONBLOCK, &cap);
	char c;

	dev_fill(fd, cap);
	expect_err("write when full", write(fd, "x", 1), EAGAIN);
	expect_count("read of 1 byte", read(fd, &c, 1), 1);
	expect_write("wrote after reading 1", fd, "xy", 2, 1);
	print_eq("used", dev_stats(fd).used, cap);
}
