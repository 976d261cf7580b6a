// SPDX-License-Identifier: GPL-2.0
/* /dev/ipclab-shm's bounds and bad arguments: the right errno, no oops. */
#define _GNU_SOURCE	/* mremap() */
#include <poll.h>

#include "shm.h"

static long try_map(int fd, size_t len, off_t off, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -1;
	munmap(p, len);
	return 0;
}

/* bounds PAGES: mappings outside the buffer fail with EINVAL. */
LAB_CASE(bounds, "PAGES", 1)
{
	size_t pages = arg_num(argv[0], 2, 1024, "PAGES");
	size_t size = pages * PAGE, i;
	int fd = open_dev(IPCLAB_SHM_PATH, 0);
	const struct {
		const char *fmt;	/* the check, with @n */
		size_t n, len;
		off_t off;
		int err;
	} t[] = {
		{ "map %zu pages at 0", pages, size, 0, 0 },
		{ "map %zu pages at 0", pages + 1, size + PAGE, 0, EINVAL },
		{ "map 1 page at page %zu", pages, PAGE, size, EINVAL },
		{ "map 2 pages at page %zu", pages - 1, 2 * PAGE, size - PAGE,
		  EINVAL },
		{ "map 1 page at page %zu", pages - 1, PAGE, size - PAGE, 0 },
		{ "map 1 byte at 0", 0, 1, 0, 0 },
		{ "map at an offset inside a page", 0, PAGE, 1, EINVAL },
		{ "map at page 2^40", 0, PAGE, (off_t)1 << 52, EINVAL },
	};
	char what[64];

	dev_ioctl(fd, IPCLAB_IOC_SHM_SET_SIZE, &(__u32){ size });
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		snprintf(what, sizeof(what), t[i].fmt, t[i].n);
		expect_ret(what, try_map(fd, t[i].len, t[i].off,
					 PROT_READ | PROT_WRITE, MAP_SHARED),
			   t[i].err);
	}
	expect_eq("mappings left", dev_info(fd).mappings, 0);
}

/* map-flags: only shared mappings, as the open allows, and none grows. */
LAB_CASE(map_flags, "", 0)
{
	size_t size = IPCLAB_SHM_DEFAULT_SIZE;
	int fd = open_dev(IPCLAB_SHM_PATH, 0), rw = PROT_READ | PROT_WRITE;
	int ro = must(open(IPCLAB_SHM_PATH, O_RDONLY | O_CLOEXEC),
		      "open O_RDONLY");
	void *p, *q;

	(void)argv;
	expect_err("map MAP_PRIVATE", try_map(fd, PAGE, 0, rw, MAP_PRIVATE),
		   EINVAL);
	expect_ok("read-only open, PROT_READ",
		  try_map(ro, PAGE, 0, PROT_READ, MAP_SHARED));
	expect_err("read-only open, PROT_WRITE",
		   try_map(ro, PAGE, 0, rw, MAP_SHARED), EACCES);

	/* A mapping cannot grow past what the driver inserted. */
	p = map_shared(fd, size - PAGE, 0);
	q = mremap(p, size - PAGE, size, 0);
	expect_err("mremap to grow", q == MAP_FAILED ? -1 : 0, EFAULT);
	q = mremap(p, size - PAGE, PAGE, 0);
	expect_ok("mremap to shrink", q == MAP_FAILED ? -1 : 0);
	if (q != MAP_FAILED)
		munmap(q, PAGE);
	expect_eq("mappings left", dev_info(fd).mappings, 0);
}

struct call {
	const char *what;
	unsigned long req;
	void *arg;
	int err;		/* 0: must succeed */
};

static void calls(int fd, const struct call *c, size_t n)
{
	for (; n; n--, c++)
		expect_ret(c->what, ioctl(fd, c->req, c->arg), c->err);
}

#define PROD(m, w, c, i)	PRODUCER(m, w, 0, c, i)
#define SIZE(v)			(&(__u32){ v })

/* bad-args: ioctls and read() with bad arguments fail, never oops. */
LAB_CASE(bad_args, "", 0)
{
	void *bad = (void *)8;	/* never mapped: the first page is reserved */
	const __u32 raw = IPCLAB_SHM_MODE_RAW, ntf = IPCLAB_SHM_MODE_NOTIFY;
	const unsigned long set = IPCLAB_IOC_SHM_SET_SIZE;
	const unsigned long start = IPCLAB_IOC_SHM_START;
	const unsigned long fill = IPCLAB_IOC_SHM_FILL;
	const unsigned long sum = IPCLAB_IOC_SHM_CHECKSUM;
	__u32 size = IPCLAB_SHM_DEFAULT_SIZE, v;
	const struct call idle[] = {
		{ "unknown ioctl", _IO(IPCLAB_IOC_MAGIC, 0xfe), NULL, ENOTTY },
		{ "wrong size", _IOR(IPCLAB_IOC_MAGIC, 0x30, __u32), &v,
		  ENOTTY },
		{ "fill past the end", fill, FILL(size, 1, 1, 0), EINVAL },
		{ "fill with a wrapping range", fill, FILL(~0ULL, 2, 1, 0),
		  EINVAL },
		{ "fill with seed 0", fill, FILL(0, 2, 0, 0), EINVAL },
		{ "fill with pad0 set", fill, FILL(0, 2, 1, 1), EINVAL },
		{ "checksum past the end", sum,
		  &(struct ipclab_shm_checksum){ 1, size, 0 }, EINVAL },
		{ "set size 0", set, SIZE(0), EINVAL },
		{ "set size of a page + 1", set, SIZE(PAGE + 1), EINVAL },
		{ "set size past the maximum", set,
		  SIZE(IPCLAB_SHM_MAX_SIZE + PAGE), EINVAL },
	}, producer[] = {
		{ "start mode 0", start, PROD(0, 1, 0, 0), EINVAL },
		{ "start with too many words", start,
		  PROD(raw, IPCLAB_SHM_MAX_WORDS + 1, 0, 0), EINVAL },
		{ "start RAW with a count", start, PROD(raw, 1, 1, 0), EINVAL },
		{ "start NOTIFY without an interval", start,
		  PROD(ntf, 1, 1, 0), EINVAL },
		{ "stop with no producer", IPCLAB_IOC_SHM_STOP, NULL, 0 },
		/* One publication, so that read() has something to return. */
		{ "start NOTIFY, 1 publication", start, PROD(ntf, 1, 1, 1), 0 },
		{ "start twice", start, PROD(ntf, 1, 1, 1), EBUSY },
		{ "set size while a producer runs", set, SIZE(2 * PAGE),
		  EBUSY },
	}, faults[] = {
		{ "info into a bad pointer", IPCLAB_IOC_SHM_INFO, bad, EFAULT },
		{ "fill from a bad pointer", fill, bad, EFAULT },
		{ "checksum with a bad pointer", sum, bad, EFAULT },
		{ "start from a bad pointer", start, bad, EFAULT },
		{ "set size from a bad pointer", set, bad, EFAULT },
	};
	int fd = open_dev(IPCLAB_SHM_PATH, O_NONBLOCK);
	struct pollfd p = { fd, POLLIN, 0 };
	void *map;
	__u64 gen;

	(void)argv;
	calls(fd, idle, ARRAY_SIZE(idle));
	map = map_shared(fd, PAGE, 0);
	expect_err("set size while mapped", ioctl(fd, set, SIZE(2 * PAGE)),
		   EBUSY);
	munmap(map, PAGE);
	calls(fd, producer, ARRAY_SIZE(producer));
	expect_err("read of 4 bytes", read(fd, &v, sizeof(v)), EINVAL);
	phase = "poll for the one publication";
	if (poll(&p, 1, lab_program.timeout_s * 1000) != 1)
		fail("poll: no publication within %u s", lab_program.timeout_s);
	expect_err("read into a bad pointer", read(fd, bad, 8), EFAULT);
	expect_err("read when nothing is new", read(fd, &gen, sizeof(gen)),
		   EAGAIN);
	expect_err("lseek", lseek(fd, 0, SEEK_SET), ESPIPE);
	calls(fd, faults, ARRAY_SIZE(faults));
	dev_ioctl(fd, IPCLAB_IOC_SHM_STOP, NULL);
	expect_fresh(fd, "after all that");
}

