// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises /dev/ipclab-shm from user space: pages shared with the driver
 * through mmap (both directions, bounds, lifetime), then the weaknesses of
 * shared memory and their remedies (torn reads vs a sequence counter,
 * busy-polling vs poll()); one subcommand per case, exits 0/1/4.
 */
#define _GNU_SOURCE	/* mremap() */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ipclab_uapi.h"

#define TIMEOUT_S	50	/* every blocking call ends by then */
#define RACE_S		20	/* the longest torn keeps trying */
#define SEQ_S		35	/* the longest seqcount keeps trying */
#define SETTLE_MS	2000	/* how long counters may take to settle */
#define POLL_BOUND_MS	2000	/* poll() must wake within this */
#define MAX_WORD	4096
#define MAX_PROCS	16
#define MAX_EVENTS	1000
#define LABTEST_LOST	"wakeup"	/* named by the timeout message */

#include "labtest.h"

static size_t page;			/* sysconf(_SC_PAGESIZE) */

/* A call that must succeed: prints "WHAT: ok". */
static void expect_ok(const char *what, long ret)
{
	int err = errno;

	if (ret < 0) {
		printf("%s: %s\n", what, errname(err));
		fail("%s: got %s, expected success", what, errname(err));
		return;
	}
	printf("%s: ok\n", what);
}

/* The driver's generator (ipclab_uapi.h, IPCLAB_IOC_SHM_FILL). */
static unsigned char xorshift_byte(__u32 *state)
{
	return rnd_next(state) >> 24;
}

static void fill_xorshift(unsigned char *p, size_t len, __u32 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = xorshift_byte(&seed);
}

/* Offset of the first byte that differs from the stream, or -1. */
static long check_xorshift(const unsigned char *p, size_t len, __u32 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != xorshift_byte(&seed))
			return i;
	return -1;
}

/* A seed the generator accepts (xorshift32 stays at 0 forever). */
static __u32 nonzero(__u32 seed)
{
	return seed ? seed : 1;
}

/* The driver's checksum (ipclab_uapi.h, IPCLAB_IOC_SHM_CHECKSUM). */
static __u64 fnv1a(const unsigned char *p, size_t len)
{
	__u64 sum = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++)
		sum = (sum ^ p[i]) * 0x100000001b3ULL;
	return sum;
}

static long first_nonzero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return i;
	return -1;
}

static __u64 now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Is the deadline @end past? Reads the clock only every 1024th @count:
 * with the lab's jiffies clocksource clock_gettime() is a system call.
 */
static int past(__u64 end, unsigned long count)
{
	return !(count % 1024) && now_ns(CLOCK_MONOTONIC) > end;
}

/* ---- the device ---- */

static int dev_open(int flags)
{
	return open_dev(IPCLAB_SHM_PATH, flags);
}

static void dev_info(int fd, struct ipclab_shm_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	if (ioctl(fd, IPCLAB_IOC_SHM_INFO, info) < 0)
		die("ioctl IPCLAB_IOC_SHM_INFO");
}

static void dev_set_size(int fd, __u32 size)
{
	if (ioctl(fd, IPCLAB_IOC_SHM_SET_SIZE, &size) < 0)
		die("ioctl IPCLAB_IOC_SHM_SET_SIZE");
}

static void dev_fill(int fd, __u64 offset, __u64 length, __u32 seed)
{
	struct ipclab_shm_fill fill = {
		.offset = offset, .length = length, .seed = seed,
	};

	if (ioctl(fd, IPCLAB_IOC_SHM_FILL, &fill) < 0)
		die("ioctl IPCLAB_IOC_SHM_FILL");
}

static __u64 dev_checksum(int fd, __u64 offset, __u64 length)
{
	struct ipclab_shm_checksum c = { .offset = offset, .length = length };

	if (ioctl(fd, IPCLAB_IOC_SHM_CHECKSUM, &c) < 0)
		die("ioctl IPCLAB_IOC_SHM_CHECKSUM");
	return c.sum;
}

static void dev_start(int fd, __u32 mode, __u32 words, __u64 start,
		      __u32 count, __u32 interval_ms)
{
	struct ipclab_shm_producer p = {
		.mode = mode, .words = words, .start = start,
		.count = count, .interval_ms = interval_ms,
	};

	if (ioctl(fd, IPCLAB_IOC_SHM_START, &p) < 0)
		die("ioctl IPCLAB_IOC_SHM_START");
}

static void dev_stop(int fd)
{
	if (ioctl(fd, IPCLAB_IOC_SHM_STOP) < 0)
		die("ioctl IPCLAB_IOC_SHM_STOP");
}

static void *dev_map(int fd, size_t len, size_t offset)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       offset);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* Module-wide counters relative to a baseline. */
struct counts {
	long long buffers, mappings, producers;
};

static struct counts dev_counts(int fd, const struct counts *base)
{
	struct ipclab_shm_info info;
	struct counts c;

	dev_info(fd, &info);
	c.buffers = info.buffers - (base ? base->buffers : 0);
	c.mappings = info.all_mappings - (base ? base->mappings : 0);
	c.producers = info.producers - (base ? base->producers : 0);
	return c;
}

/*
 * Wait (bounded) until the counters read @want: a release that the kernel
 * defers to the end of a system call is an event, not a sleep.
 */
static struct counts wait_counts(int fd, const struct counts *base,
				 long long buffers, long long mappings,
				 long long producers)
{
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };
	__u64 end = now_ns(CLOCK_MONOTONIC) + SETTLE_MS * 1000000ULL;
	struct counts c;

	for (;;) {
		c = dev_counts(fd, base);
		if ((c.buffers == buffers && c.mappings == mappings &&
		     c.producers == producers) ||
		    now_ns(CLOCK_MONOTONIC) > end)
			return c;
		nanosleep(&ms, NULL);
	}
}

static void print_counts(const char *what, const struct counts *c,
			 long long buffers, long long mappings,
			 long long producers)
{
	printf("%s: %+lld buffers, %+lld mappings, %+lld producers\n", what,
	       c->buffers, c->mappings, c->producers);
	if (c->buffers != buffers || c->mappings != mappings ||
	    c->producers != producers)
		fail("%s: got %+lld/%+lld/%+lld, expected %+lld/%+lld/%+lld",
		     what, c->buffers, c->mappings, c->producers, buffers,
		     mappings, producers);
}

/* ---- kernel -> user, user -> kernel ---- */

/* fill PAGES SEED OFFSET LENGTH: the driver writes, we read the mapping. */
static void cmd_fill(char **argv)
{
	size_t pages = arg_num(argv[0], 1, IPCLAB_SHM_MAX_SIZE / 4096,
			       "PAGES");
	__u32 seed = arg_num(argv[1], 1, 0xffffffffUL, "SEED");
	size_t size = pages * page;
	size_t off = arg_num(argv[2], 0, size, "OFFSET");
	size_t len = arg_num(argv[3], 0, size - off, "LENGTH");
	struct ipclab_shm_info info;
	unsigned char *map;
	long bad;
	size_t i;
	int fd;

	fd = dev_open(0);
	dev_set_size(fd, size);
	dev_info(fd, &info);
	printf("size: %u\n", info.size);
	expect_eq("size", info.size, size);
	map = dev_map(fd, size, 0);

	/* vmalloc_user() zeroes: no stale kernel data reaches us. */
	bad = first_nonzero(map, size);
	if (bad < 0)
		printf("zeroed: %zu bytes\n", size);
	else
		fail("zeroed: byte %ld is %u, expected 0", bad, map[bad]);

	/* One ioctl; the data arrives through the pages, not a copy. */
	dev_fill(fd, off, len, seed);
	printf("kernel wrote: %zu bytes at %zu\n", len, off);
	printf("head:");
	for (i = 0; i < len && i < 8; i++)
		printf(" %02x", map[off + i]);
	printf("\n");
	bad = check_xorshift(map + off, len, seed);
	if (bad < 0)
		printf("verified through the mapping: %zu bytes\n", len);
	else
		fail("verify: byte %zu differs from the generator",
		     off + bad);
	if (first_nonzero(map, off) < 0 &&
	    first_nonzero(map + off + len, size - off - len) < 0)
		printf("untouched: %zu bytes still zero\n", size - len);
	else
		fail("untouched: a byte outside [%zu, %zu) is not zero", off,
		     off + len);

	/* A second fill shows up in the same mapping: nothing to re-read. */
	seed = nonzero(~seed);
	dev_fill(fd, off, len, seed);
	bad = check_xorshift(map + off, len, seed);
	if (bad < 0)
		printf("refill seen in place: yes\n");
	else
		fail("refill: byte %zu differs from the generator", off + bad);
	munmap(map, size);
	close(fd);
}

/* checksum WORD OFFSET SEED: we write the mapping, the driver reads it. */
static void cmd_checksum(char **argv)
{
	const char *word = argv[0];
	size_t len = arg_word(word);
	size_t off = arg_num(argv[1], 0, IPCLAB_SHM_DEFAULT_SIZE - len,
			     "OFFSET");
	__u32 seed = arg_num(argv[2], 1, 0xffffffffUL, "SEED");
	size_t size = IPCLAB_SHM_DEFAULT_SIZE;
	unsigned char *map;
	__u64 k, u;
	int fd;

	fd = dev_open(0);
	map = dev_map(fd, size, 0);

	memcpy(map + off, word, len);
	k = dev_checksum(fd, off, len);
	u = fnv1a((const unsigned char *)word, len);
	printf("kernel fnv1a: 0x%016llx\n", (unsigned long long)k);
	printf("user fnv1a: 0x%016llx\n", (unsigned long long)u);
	expect_eq("kernel checksum of the word", k, u);

	fill_xorshift(map, size, seed);
	k = dev_checksum(fd, 0, size);
	u = fnv1a(map, size);
	if (k == u)
		printf("whole buffer (%zu bytes): kernel and user agree\n",
		       size);
	else
		fail("whole buffer: kernel 0x%016llx, user 0x%016llx",
		     (unsigned long long)k, (unsigned long long)u);

	/* One store, no system call: the kernel sees it at once. */
	map[off] ^= 0xff;
	u = dev_checksum(fd, 0, size);
	printf("after flipping byte %zu: %s\n", off,
	       u != k && u == fnv1a(map, size) ? "kernel sees the change" :
	       "no change");
	if (u == k || u != fnv1a(map, size))
		fail("after flipping byte %zu: kernel 0x%016llx, user 0x%016llx",
		     off, (unsigned long long)u,
		     (unsigned long long)fnv1a(map, size));

	expect_eq("empty range", dev_checksum(fd, size, 0),
		  0xcbf29ce484222325ULL);
	printf("empty range: 0x%016llx\n",
	       (unsigned long long)dev_checksum(fd, size, 0));
	munmap(map, size);
	close(fd);
}

/* views PAGES K WORD: two mappings and a fork()ed one share pages. */
static void cmd_views(char **argv)
{
	size_t pages = arg_num(argv[0], 2, 1024, "PAGES");
	size_t k = arg_num(argv[1], 1, pages - 1, "K");
	const char *word = argv[2];
	size_t len = arg_word(word), size = pages * page, end;
	struct ipclab_shm_info info;
	unsigned char *a, *b;
	pid_t child;
	int fd;

	if (len >= page) {
		fail("usage: WORD must be shorter than a page");
		exit(KSFT_FAIL);
	}
	fd = dev_open(0);
	dev_set_size(fd, size);
	a = dev_map(fd, size, 0);
	b = dev_map(fd, (pages - k) * page, k * page);
	dev_info(fd, &info);
	printf("mappings: %u\n", info.mappings);
	expect_eq("mappings", info.mappings, 2);

	memcpy(a + k * page + 1, word, len);
	printf("b sees a's write: %.*s\n", (int)len, (char *)b + 1);
	if (memcmp(b + 1, word, len))
		fail("b at 1 does not hold what a wrote at page %zu + 1", k);

	/* The child writes the word reversed at the end of b's first page. */
	child = xfork();
	if (child == 0) {
		size_t i;

		for (i = 0; i < len; i++)
			b[page - len + i] = word[len - 1 - i];
		child_exit();
	}
	reap(child, "writing child");
	end = (k + 1) * page - len;	/* the same byte, seen through a */
	printf("child's write seen by the parent: %.*s\n", (int)len,
	       (char *)a + end);
	printf("kernel sees it: %s\n",
	       dev_checksum(fd, end, len) == fnv1a(a + end, len) ? "yes" :
	       "no");
	dev_info(fd, &info);
	printf("mappings after the child exited: %u\n", info.mappings);
	expect_eq("mappings after the child exited", info.mappings, 2);
	munmap(b, (pages - k) * page);
	munmap(a, size);
	dev_info(fd, &info);
	printf("mappings after munmap: %u\n", info.mappings);
	expect_eq("mappings after munmap", info.mappings, 0);
	close(fd);
}

/* ---- bounds and bad arguments ---- */

static long try_map(int fd, size_t len, off_t off, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -1;
	munmap(p, len);
	return 0;
}

/* bounds PAGES: mappings outside the buffer fail with EINVAL. */
static void cmd_bounds(char **argv)
{
	size_t pages = arg_num(argv[0], 2, 1024, "PAGES");
	size_t size = pages * page;
	int rw = PROT_READ | PROT_WRITE;
	struct ipclab_shm_info info;
	char what[128];
	void *p, *q;
	int fd, ro;

	fd = dev_open(0);
	dev_set_size(fd, size);

	snprintf(what, sizeof(what), "map %zu pages at 0", pages);
	expect_ok(what, try_map(fd, size, 0, rw, MAP_SHARED));
	snprintf(what, sizeof(what), "map %zu pages at 0", pages + 1);
	expect_err(what, try_map(fd, size + page, 0, rw, MAP_SHARED), EINVAL);
	snprintf(what, sizeof(what), "map 1 page at page %zu", pages);
	expect_err(what, try_map(fd, page, size, rw, MAP_SHARED), EINVAL);
	snprintf(what, sizeof(what), "map 2 pages at page %zu", pages - 1);
	expect_err(what, try_map(fd, 2 * page, size - page, rw, MAP_SHARED),
		   EINVAL);
	snprintf(what, sizeof(what), "map 1 page at page %zu", pages - 1);
	expect_ok(what, try_map(fd, page, size - page, rw, MAP_SHARED));
	expect_ok("map 1 byte at 0", try_map(fd, 1, 0, rw, MAP_SHARED));
	expect_err("map at an offset inside a page",
		   try_map(fd, page, 1, rw, MAP_SHARED), EINVAL);
	expect_err("map at page 2^40",
		   try_map(fd, page, (off_t)1 << 52, rw, MAP_SHARED), EINVAL);
	expect_err("map MAP_PRIVATE",
		   try_map(fd, page, 0, rw, MAP_PRIVATE), EINVAL);

	ro = open(IPCLAB_SHM_PATH, O_RDONLY | O_CLOEXEC);
	if (ro < 0)
		die("open O_RDONLY");
	expect_ok("read-only open, PROT_READ",
		  try_map(ro, page, 0, PROT_READ, MAP_SHARED));
	expect_err("read-only open, PROT_WRITE",
		   try_map(ro, page, 0, rw, MAP_SHARED), EACCES);
	close(ro);

	/* A mapping cannot grow past what the driver inserted. */
	p = dev_map(fd, size - page, 0);
	q = mremap(p, size - page, size, 0);
	expect_err("mremap to grow", q == MAP_FAILED ? -1 : 0, EFAULT);
	q = mremap(p, size - page, page, 0);
	expect_ok("mremap to shrink", q == MAP_FAILED ? -1 : 0);
	if (q != MAP_FAILED)
		munmap(q, page);

	dev_info(fd, &info);
	printf("mappings left: %u\n", info.mappings);
	expect_eq("mappings left", info.mappings, 0);
	close(fd);
}

/* bad-args: ioctls and read() with bad arguments fail, never oops. */
static void cmd_bad_args(char **argv)
{
	struct ipclab_shm_producer prod = { .mode = IPCLAB_SHM_MODE_RAW,
					    .words = 1 };
	struct ipclab_shm_fill fill = { .length = 1, .seed = 1 };
	struct ipclab_shm_checksum csum = { 0 };
	void *bad = (void *)8;	/* never mapped: the first page is reserved */
	size_t size = IPCLAB_SHM_DEFAULT_SIZE;
	struct ipclab_shm_info info;
	struct pollfd pfd;
	__u32 v;
	__u64 gen;
	void *map;
	int fd;

	(void)argv;
	fd = dev_open(O_NONBLOCK);
	expect_err("unknown ioctl", ioctl(fd, _IO(IPCLAB_IOC_MAGIC, 0xfe)),
		   ENOTTY);
	expect_err("wrong size", ioctl(fd, _IOR(IPCLAB_IOC_MAGIC, 0x30,
						__u32), &v), ENOTTY);

	fill.offset = size;
	expect_err("fill past the end", ioctl(fd, IPCLAB_IOC_SHM_FILL, &fill),
		   EINVAL);
	fill.offset = ~0ULL;
	fill.length = 2;
	expect_err("fill with a wrapping range",
		   ioctl(fd, IPCLAB_IOC_SHM_FILL, &fill), EINVAL);
	fill.offset = 0;
	fill.seed = 0;
	expect_err("fill with seed 0", ioctl(fd, IPCLAB_IOC_SHM_FILL, &fill),
		   EINVAL);
	fill.seed = 1;
	fill.pad0 = 1;
	expect_err("fill with pad0 set", ioctl(fd, IPCLAB_IOC_SHM_FILL, &fill),
		   EINVAL);
	csum.offset = 1;
	csum.length = size;
	expect_err("checksum past the end",
		   ioctl(fd, IPCLAB_IOC_SHM_CHECKSUM, &csum), EINVAL);

	v = 0;
	expect_err("set size 0", ioctl(fd, IPCLAB_IOC_SHM_SET_SIZE, &v),
		   EINVAL);
	v = page + 1;
	expect_err("set size of a page + 1",
		   ioctl(fd, IPCLAB_IOC_SHM_SET_SIZE, &v), EINVAL);
	v = IPCLAB_SHM_MAX_SIZE + page;
	expect_err("set size past the maximum",
		   ioctl(fd, IPCLAB_IOC_SHM_SET_SIZE, &v), EINVAL);
	map = dev_map(fd, page, 0);
	v = 2 * page;
	expect_err("set size while mapped",
		   ioctl(fd, IPCLAB_IOC_SHM_SET_SIZE, &v), EBUSY);
	munmap(map, page);

	prod.mode = 0;
	expect_err("start mode 0", ioctl(fd, IPCLAB_IOC_SHM_START, &prod),
		   EINVAL);
	prod.mode = IPCLAB_SHM_MODE_RAW;
	prod.words = IPCLAB_SHM_MAX_WORDS + 1;
	expect_err("start with too many words",
		   ioctl(fd, IPCLAB_IOC_SHM_START, &prod), EINVAL);
	prod.words = 1;
	prod.count = 1;
	expect_err("start RAW with a count",
		   ioctl(fd, IPCLAB_IOC_SHM_START, &prod), EINVAL);
	prod.mode = IPCLAB_SHM_MODE_NOTIFY;
	expect_err("start NOTIFY without an interval",
		   ioctl(fd, IPCLAB_IOC_SHM_START, &prod), EINVAL);
	expect_ok("stop with no producer", ioctl(fd, IPCLAB_IOC_SHM_STOP));

	/* One publication, so that read() has something to return. */
	prod.interval_ms = 1;
	expect_ok("start NOTIFY, 1 publication",
		  ioctl(fd, IPCLAB_IOC_SHM_START, &prod));
	expect_err("start twice", ioctl(fd, IPCLAB_IOC_SHM_START, &prod),
		   EBUSY);
	v = 2 * page;
	expect_err("set size while a producer runs",
		   ioctl(fd, IPCLAB_IOC_SHM_SET_SIZE, &v), EBUSY);
	expect_err("read of 4 bytes", read(fd, &v, sizeof(v)), EINVAL);
	phase = "poll for the one publication";
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, TIMEOUT_S * 1000) != 1)
		fail("poll: no publication within %d s", TIMEOUT_S);
	expect_err("read into a bad pointer", read(fd, bad, 8), EFAULT);
	expect_err("read when nothing is new", read(fd, &gen, sizeof(gen)),
		   EAGAIN);
	expect_err("lseek", lseek(fd, 0, SEEK_SET), ESPIPE);

	expect_err("info into a bad pointer",
		   ioctl(fd, IPCLAB_IOC_SHM_INFO, bad), EFAULT);
	expect_err("fill from a bad pointer",
		   ioctl(fd, IPCLAB_IOC_SHM_FILL, bad), EFAULT);
	expect_err("checksum with a bad pointer",
		   ioctl(fd, IPCLAB_IOC_SHM_CHECKSUM, bad), EFAULT);
	expect_err("start from a bad pointer",
		   ioctl(fd, IPCLAB_IOC_SHM_START, bad), EFAULT);
	expect_err("set size from a bad pointer",
		   ioctl(fd, IPCLAB_IOC_SHM_SET_SIZE, bad), EFAULT);
	dev_stop(fd);

	dev_info(fd, &info);
	printf("after all that: size %u, mappings %u, mode %u, pad0 %u\n",
	       info.size, info.mappings, info.mode, info.pad0);
	close(fd);
}

/* info: this file and the module-wide counters (the default state). */
static void cmd_info(char **argv)
{
	struct ipclab_shm_info info;
	int fd;

	(void)argv;
	fd = dev_open(0);
	dev_info(fd, &info);
	printf("size: %u mappings: %u mode: %u pad0: %u\n", info.size,
	       info.mappings, info.mode, info.pad0);
	printf("buffers: %llu mappings: %llu producers: %llu\n",
	       (unsigned long long)info.buffers,
	       (unsigned long long)info.all_mappings,
	       (unsigned long long)info.producers);
	close(fd);
}

/* ---- lifetime ---- */

static __u64 load_v0(const struct ipclab_shm_record *rec)
{
	return __atomic_load_n(&rec->v[0], __ATOMIC_RELAXED);
}

/* Wait (bounded) until the producer moves v[0] past @from. */
static int moves(const struct ipclab_shm_record *rec, __u64 from)
{
	__u64 end = now_ns(CLOCK_MONOTONIC) + SETTLE_MS * 1000000ULL;

	while (load_v0(rec) == from)
		if (now_ns(CLOCK_MONOTONIC) > end)
			return 0;
	return 1;
}

/* lifetime SEED START: the pages outlive close(fd) and the parent's map. */
static void cmd_lifetime(char **argv)
{
	__u32 seed = arg_num(argv[0], 1, 0xffffffffUL, "SEED");
	__u64 start = arg_num(argv[1], 0, 1UL << 40, "START");
	size_t size = IPCLAB_SHM_DEFAULT_SIZE;
	struct ipclab_shm_record *rec;
	struct counts base, c;
	unsigned char *map;
	pid_t child;
	int ctl, fd;
	long bad;

	ctl = dev_open(0);
	base = dev_counts(ctl, NULL);
	/* ctl's own buffer is in the baseline. */

	fd = dev_open(0);
	map = dev_map(fd, size, 0);
	rec = (struct ipclab_shm_record *)map;
	dev_fill(fd, page, size - page, seed);
	dev_start(fd, IPCLAB_SHM_MODE_RAW, 4, start, 0, 0);
	c = dev_counts(ctl, &base);
	print_counts("mapped, producer running", &c, 1, 1, 1);

	close(fd);
	c = dev_counts(ctl, &base);
	print_counts("after close(fd)", &c, 1, 1, 1);
	bad = check_xorshift(map + page, size - page, seed);
	if (bad < 0)
		printf("after close(fd): %zu bytes intact\n", size - page);
	else
		fail("after close(fd): byte %zu differs", page + bad);
	printf("producer after close(fd): %s\n",
	       moves(rec, load_v0(rec)) ? "still writing" : "stopped");

	child = xfork();
	if (child == 0) {
		/* Wait for the parent's munmap, then use the pages alone. */
		c = wait_counts(ctl, &base, 1, 1, 1);
		bad = check_xorshift(map + page, size - page, seed);
		printf("child, after the parent's munmap: %s, producer %s\n",
		       bad < 0 ? "data intact" : "data differs",
		       moves(rec, load_v0(rec)) ? "still writing" : "stopped");
		if (bad >= 0)
			fail("child: byte %zu differs", page + bad);
		memset(map + page, 0, size - page);
		if (first_nonzero(map + page, size - page) >= 0)
			fail("child: the pages did not take a write");
		child_exit();
	}
	c = wait_counts(ctl, &base, 1, 2, 1);
	print_counts("after fork", &c, 1, 2, 1);
	munmap(map, size);
	c = wait_counts(ctl, &base, 1, 1, 1);
	print_counts("after the parent's munmap", &c, 1, 1, 1);
	reap(child, "child holding the last mapping");
	/* The last VMA went with the child: release() stopped and freed. */
	c = wait_counts(ctl, &base, 0, 0, 0);
	print_counts("after the child exited", &c, 0, 0, 0);
	close(ctl);
}

/* unload-while-mapped START: the mapping pins the module. */
static void cmd_unload(char **argv)
{
	__u64 start = arg_num(argv[0], 0, 1UL << 40, "START");
	size_t size = IPCLAB_SHM_DEFAULT_SIZE;
	struct ipclab_shm_record *rec;
	unsigned char *map;
	struct counts c;
	int fd, ctl;

	fd = dev_open(0);
	map = dev_map(fd, size, 0);
	rec = (struct ipclab_shm_record *)map;
	dev_start(fd, IPCLAB_SHM_MODE_SEQ, 8, start, 0, 0);
	close(fd);

	/* What rmmod does: O_NONBLOCK, fail if the module is in use. */
	expect_err("delete_module while mapped (fd closed)",
		   syscall(SYS_delete_module, "ipclab", O_NONBLOCK), EAGAIN);
	printf("producer after the failed unload: %s\n",
	       moves(rec, load_v0(rec)) ? "still writing" : "stopped");
	if (load_v0(rec) <= start)
		fail("v[0]: got %llu, expected more than %llu",
		     (unsigned long long)load_v0(rec),
		     (unsigned long long)start);
	munmap(map, size);

	ctl = dev_open(0);
	c = wait_counts(ctl, NULL, 1, 0, 0);
	print_counts("after munmap (this check's own fd is the 1 buffer)",
		     &c, 1, 0, 0);
	close(ctl);
}

/* ---- weakness: torn reads; remedy: a sequence counter ---- */

static int arg_words(const char *s)
{
	return arg_num(s, 2, IPCLAB_SHM_MAX_WORDS, "WORDS");
}

/*
 * A race needs two CPUs: stay on this one; IPCLAB_IOC_SHM_START keeps the
 * producer off it, so reader and writer really run at the same time.
 */
static void pin_here(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	int cpu;

	if (cpus < 2) {
		printf("SKIP: %ld CPU online, the race needs 2\n", cpus);
		exit(KSFT_SKIP);
	}
	cpu = sched_getcpu();
	if (cpu < 0)
		die("sched_getcpu");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity");
	printf("reader pinned to one of %ld CPUs\n", cpus);
}

/*
 * torn WORDS START MINREADS: read the record with no protocol while the
 * kernel rewrites it; some reads mix two updates.
 */
static void cmd_torn(char **argv)
{
	unsigned int words = arg_words(argv[0]);
	__u64 start = arg_num(argv[1], 0, 1UL << 40, "START");
	unsigned long min = arg_num(argv[2], 1, 100000000, "MINREADS");
	__u64 end = now_ns(CLOCK_MONOTONIC) + RACE_S * 1000000000ULL;
	__u64 v[IPCLAB_SHM_MAX_WORDS], ex[IPCLAB_SHM_MAX_WORDS];
	unsigned long reads = 0, torn = 0, out = 0;
	struct ipclab_shm_info info;
	struct ipclab_shm_record *rec;
	unsigned int i, j, exw = 0;
	__u64 hi = 0;
	int fd;

	fd = dev_open(0);
	rec = dev_map(fd, page, 0);
	pin_here();
	dev_start(fd, IPCLAB_SHM_MODE_RAW, words, start, 0, 0);
	printf("record: %u words, %s, counting from %llu\n", rec->words,
	       rec->mode == IPCLAB_SHM_MODE_RAW ? "RAW" : "?",
	       (unsigned long long)start);

	phase = "reading the record without a protocol";
	while (reads < min || (!torn && !past(end, reads))) {
		int mixed = 0;

		for (i = 0; i < words; i++)
			v[i] = __atomic_load_n(&rec->v[i], __ATOMIC_RELAXED);
		for (i = 0; i < words; i++) {
			if (v[i] != v[0])
				mixed = 1;
			if (v[i] < start)
				out++;
			if (v[i] > hi)
				hi = v[i];
		}
		if (mixed && !torn++) {
			memcpy(ex, v, sizeof(v));
			exw = words;
		}
		reads++;
	}
	/* Stopped between updates: updates is then the last one written. */
	dev_stop(fd);
	dev_info(fd, &info);

	printf("reads: %lu, torn: %lu\n", reads, torn);
	if (torn) {
		/* As runs of equal words: "v[0..17]=start+9 v[18..41]=..." */
		printf("torn reads: yes, e.g.");
		for (i = 0; i < exw; i = j) {
			for (j = i + 1; j < exw && ex[j] == ex[i]; j++)
				;
			printf(" v[%u..%u]=start+%llu", i, j - 1,
			       (unsigned long long)(ex[i] - start));
		}
		printf("\n");
	} else {
		printf("torn reads: none\n");
		fail("torn reads: got 0 in %lu reads over %d s, expected some",
		     reads, RACE_S);
	}
	if (out || hi > start + info.updates || !info.updates)
		fail("values: got %lu below %llu or a maximum %llu past the %llu updates",
		     out, (unsigned long long)start, (unsigned long long)hi,
		     (unsigned long long)info.updates);
	else
		printf("values: all from the producer\n");
	close(fd);
}

/*
 * seqcount WORDS START READS: the same race through the sequence counter:
 * retries, but never a torn copy, and the values only grow.
 */
static void cmd_seqcount(char **argv)
{
	unsigned int words = arg_words(argv[0]);
	__u64 start = arg_num(argv[1], 0, 1UL << 40, "START");
	unsigned long want = arg_num(argv[2], 1, 100000000, "READS");
	__u64 end = now_ns(CLOCK_MONOTONIC) + SEQ_S * 1000000000ULL;
	unsigned long reads = 0, torn = 0, retries = 0, backwards = 0;
	__u64 v[IPCLAB_SHM_MAX_WORDS], last = start, s1, s2;
	struct ipclab_shm_record *rec;
	unsigned int i;
	int fd;

	fd = dev_open(0);
	rec = dev_map(fd, page, 0);
	pin_here();
	dev_start(fd, IPCLAB_SHM_MODE_SEQ, words, start, 0, 0);
	printf("record: %u words, %s, counting from %llu\n", rec->words,
	       rec->mode == IPCLAB_SHM_MODE_SEQ ? "SEQ" : "?",
	       (unsigned long long)start);

	phase = "reading the record through the sequence counter";
	while ((reads < want || !retries) && !past(end, reads + retries)) {
		/* Pairs with the kernel's smp_store_release() of seq. */
		s1 = __atomic_load_n(&rec->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1) {
			retries++;	/* the kernel is writing */
			continue;
		}
		for (i = 0; i < words; i++)
			v[i] = __atomic_load_n(&rec->v[i], __ATOMIC_RELAXED);
		/* Keeps the v[] loads before the second load of seq. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&rec->seq, __ATOMIC_RELAXED);
		if (s1 != s2) {
			retries++;	/* it wrote meanwhile: try again */
			continue;
		}
		for (i = 1; i < words; i++)
			if (v[i] != v[0])
				break;
		if (i < words)
			torn++;
		if (v[0] < last)
			backwards++;
		last = v[0];
		reads++;
	}
	dev_stop(fd);

	printf("consistent copies: %lu\n", reads);
	if (reads < want)
		fail("consistent copies: got %lu in %d s, expected %lu", reads,
		     SEQ_S, want);
	printf("torn: %lu\n", torn);
	expect_eq("torn copies", torn, 0);
	printf("retries: %lu\n", retries);
	printf("the protocol caught concurrent writes: %s\n",
	       retries ? "yes" : "no");
	if (!retries)
		fail("retries: got 0 in %lu reads, expected some: did the producer run?",
		     reads);
	printf("values went backwards: %lu times\n", backwards);
	expect_eq("values went backwards", backwards, 0);
	if (last > start)
		printf("values advanced: yes\n");
	else
		fail("values advanced: got %llu, expected more than %llu",
		     (unsigned long long)last, (unsigned long long)start);
	close(fd);
}

/* ---- weakness: polling only; remedy: poll() ---- */

/*
 * The smallest step CLOCK_MONOTONIC takes here: the latencies are only
 * that precise (under TCG the lab kernel often falls back to the jiffies
 * clocksource: 4 ms steps).
 */
static __u64 clock_step(void)
{
	__u64 t0 = now_ns(CLOCK_MONOTONIC), t1 = t0;
	long i;

	for (i = 0; i < 10000000 && t1 == t0; i++)
		t1 = now_ns(CLOCK_MONOTONIC);
	return t1 - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

struct watch {
	const char *how;
	__u64 lat[MAX_EVENTS];	/* publication -> noticed, ns */
	unsigned long events, wakeups, spins, bad_payload, out_of_order;
	__u64 wall, cpu;
};

/* After noticing publication @gen: check it, acknowledge it. */
static void take(struct watch *w, int fd, struct ipclab_shm_record *rec,
		 __u64 start, unsigned int words, __u64 gen, __u64 seen_ns)
{
	__u64 got;
	unsigned int i;

	if (w->events < MAX_EVENTS)
		w->lat[w->events] = seen_ns - rec->stamp_ns;
	if (gen != w->events + 1)
		w->out_of_order++;
	for (i = 0; i < words; i++)
		if (rec->v[i] != start + gen)
			w->bad_payload++;
	w->events++;
	/* read() marks it seen; the kernel then may publish the next. */
	if (read(fd, &got, sizeof(got)) != sizeof(got))
		die("read generation");
	if (got != gen)
		fail("%s: read() returned generation %llu, the mapping said %llu",
		     w->how, (unsigned long long)got, (unsigned long long)gen);
}

static void report(struct watch *w, unsigned long count)
{
	__u64 n = w->events < MAX_EVENTS ? w->events : MAX_EVENTS;

	printf("%s: %lu of %lu publications%s\n", w->how, w->events, count,
	       w->out_of_order ? ", out of order" : ", in order");
	expect_eq("publications noticed", w->events, count);
	expect_eq("publications out of order", w->out_of_order, 0);
	printf("payloads: %s\n", w->bad_payload ? "wrong" : "all start+gen");
	expect_eq("wrong payload words", w->bad_payload, 0);
	qsort(w->lat, n, sizeof(w->lat[0]), cmp_u64);
	printf("%s latency: median %llu us, max %llu us (clock step %llu ns)\n",
	       w->how, (unsigned long long)(n ? w->lat[n / 2] / 1000 : 0),
	       (unsigned long long)(n ? w->lat[n - 1] / 1000 : 0),
	       (unsigned long long)clock_step());
	printf("%s cpu: %llu ms of %llu ms wall (%llu%%)\n", w->how,
	       (unsigned long long)(w->cpu / 1000000),
	       (unsigned long long)(w->wall / 1000000),
	       (unsigned long long)(w->wall ? 100 * w->cpu / w->wall : 0));
}

static struct ipclab_shm_record *watch_setup(int *fd, unsigned long count,
					     char **argv, unsigned int *words,
					     __u64 *start, __u32 *interval)
{
	struct ipclab_shm_record *rec;

	*words = arg_num(argv[0], 1, IPCLAB_SHM_MAX_WORDS, "WORDS");
	*start = arg_num(argv[1], 0, 1UL << 40, "START");
	*interval = arg_num(argv[3], 1, 1000, "INTERVAL_MS");
	if (count * *interval > (TIMEOUT_S - 10) * 1000UL) {
		fail("usage: COUNT * INTERVAL_MS must be under %d s",
		     TIMEOUT_S - 10);
		exit(KSFT_FAIL);
	}
	*fd = dev_open(0);
	rec = dev_map(*fd, page, 0);
	return rec;
}

/* busy-poll WORDS START COUNT INTERVAL_MS: spin on gen in the mapping. */
static void cmd_busy_poll(char **argv)
{
	unsigned long count = arg_num(argv[2], 1, MAX_EVENTS, "COUNT");
	static struct watch w = { .how = "busy-poll" };
	struct ipclab_shm_record *rec;
	__u64 start, last = 0, gen, t0, c0, end;
	unsigned int words;
	__u32 interval;
	int fd;

	rec = watch_setup(&fd, count, argv, &words, &start, &interval);
	end = now_ns(CLOCK_MONOTONIC) + (TIMEOUT_S - 5) * 1000000000ULL;
	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	dev_start(fd, IPCLAB_SHM_MODE_NOTIFY, words, start, count, interval);

	phase = "busy-polling gen in the mapping";
	while (w.events < count) {
		/* Pairs with the kernel's smp_store_release() of gen. */
		gen = __atomic_load_n(&rec->gen, __ATOMIC_ACQUIRE);
		if (gen == last) {
			if (!(++w.spins & 0xfff) &&
			    now_ns(CLOCK_MONOTONIC) > end) {
				fail("busy-poll: publication %llu never came",
				     (unsigned long long)last + 1);
				break;
			}
			continue;
		}
		take(&w, fd, rec, start, words, gen, now_ns(CLOCK_MONOTONIC));
		last = gen;
	}
	w.wall = now_ns(CLOCK_MONOTONIC) - t0;
	w.cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
	dev_stop(fd);

	report(&w, count);
	printf("spins: %lu (%lu per publication)\n", w.spins,
	       w.spins / (w.events ? w.events : 1));
	/* The cost of "only polling": a CPU kept busy asking "new yet?". */
	printf("burns a CPU while waiting: %s\n",
	       2 * w.cpu > w.wall ? "yes" : "no");
	if (2 * w.cpu <= w.wall)
		fail("busy-poll cpu: got %llu ms of %llu ms, expected over half",
		     (unsigned long long)(w.cpu / 1000000),
		     (unsigned long long)(w.wall / 1000000));
	close(fd);
}

/* poll WORDS START COUNT INTERVAL_MS: sleep in poll() until published. */
static void cmd_poll(char **argv)
{
	unsigned long count = arg_num(argv[2], 1, MAX_EVENTS, "COUNT");
	static struct watch w = { .how = "poll" };
	struct ipclab_shm_record *rec;
	__u64 start, gen, t0, c0, max;
	struct pollfd p;
	unsigned int words;
	short revents = 0;
	__u32 interval;
	int fd, ret;

	rec = watch_setup(&fd, count, argv, &words, &start, &interval);
	p = (struct pollfd){ .fd = fd,
			     .events = POLLIN | POLLRDNORM | POLLPRI };
	ret = poll(&p, 1, 0);
	printf("before any publication: %s\n", ret ? "readable" : "not readable");
	if (ret)
		fail("poll before any publication: got 0x%x, expected nothing",
		     p.revents);
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		die("fcntl");
	expect_err("read (O_NONBLOCK) before any publication",
		   read(fd, &gen, sizeof(gen)), EAGAIN);
	if (fcntl(fd, F_SETFL, 0) < 0)
		die("fcntl");

	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	dev_start(fd, IPCLAB_SHM_MODE_NOTIFY, words, start, count, interval);
	phase = "sleeping in poll() for the next publication";
	while (w.events < count) {
		ret = poll(&p, 1, 10 * POLL_BOUND_MS);
		if (ret < 0)
			die("poll");
		if (!ret) {
			fail("poll: no publication %lu within %d ms",
			     w.events + 1, 10 * POLL_BOUND_MS);
			break;
		}
		w.wakeups++;
		revents |= p.revents;
		gen = __atomic_load_n(&rec->gen, __ATOMIC_ACQUIRE);
		take(&w, fd, rec, start, words, gen, now_ns(CLOCK_MONOTONIC));
	}
	w.wall = now_ns(CLOCK_MONOTONIC) - t0;
	w.cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;

	printf("revents: %s%s%s\n", revents & POLLIN ? "POLLIN" : "",
	       revents & POLLRDNORM ? " POLLRDNORM" : "",
	       revents & POLLPRI ? " POLLPRI" : "");
	report(&w, count);
	printf("wakeups: %lu for %lu publications\n", w.wakeups, count);
	expect_eq("poll() returns", w.wakeups, count);
	max = w.events ? w.lat[(w.events < MAX_EVENTS ? w.events :
				MAX_EVENTS) - 1] : 0;
	printf("woken within %d ms: %s\n", POLL_BOUND_MS,
	       max < POLL_BOUND_MS * 1000000ULL ? "yes" : "no");
	if (max >= POLL_BOUND_MS * 1000000ULL)
		fail("poll latency: got %llu ms, expected under %d ms",
		     (unsigned long long)(max / 1000000), POLL_BOUND_MS);
	/*
	 * Without a TSC the lab kernel charges CPU time in whole ticks: the
	 * bound is loose, "wakeups" above is the exact proof of no spinning.
	 */
	printf("sleeps while waiting: %s\n",
	       2 * w.cpu < w.wall ? "yes" : "no");
	if (2 * w.cpu >= w.wall)
		fail("poll cpu: got %llu ms of %llu ms, expected under half",
		     (unsigned long long)(w.cpu / 1000000),
		     (unsigned long long)(w.wall / 1000000));

	ret = poll(&p, 1, 50);
	printf("after the last publication, 50 ms: %s\n",
	       ret ? "readable" : "timed out");
	if (ret)
		fail("poll after the last publication: got 0x%x, expected a timeout",
		     p.revents);
	dev_stop(fd);
	close(fd);
}

/* ---- many processes ---- */

/* isolation N SEED: N processes at once, each with its own buffer. */
static void cmd_isolation(char **argv)
{
	int n = arg_num(argv[0], 2, MAX_PROCS, "N");
	__u32 seed = arg_num(argv[1], 1, 0xffffffffUL, "SEED");
	pid_t pids[MAX_PROCS];
	struct counts base, c;
	int ctl, i;

	ctl = dev_open(0);
	base = dev_counts(ctl, NULL);
	for (i = 0; i < n; i++) {
		pids[i] = xfork();
		if (pids[i] == 0) {
			size_t size = (1 + i % 4) * 4 * page;
			__u32 s = seed + i;
			unsigned char *map;
			int fd = dev_open(0), round;
			long bad;

			phase = "isolation child";
			dev_set_size(fd, size);
			map = dev_map(fd, size, 0);
			for (round = 0; round < 20; round++) {
				dev_fill(fd, 0, size, nonzero(s + round));
				bad = check_xorshift(map, size,
						     nonzero(s + round));
				if (bad >= 0) {
					fail("child %d: byte %ld is not its own",
					     i, bad);
					break;
				}
				fill_xorshift(map, size, ~(s + round) | 1);
				if (dev_checksum(fd, 0, size) !=
				    fnv1a(map, size)) {
					fail("child %d: kernel checksum differs",
					     i);
					break;
				}
			}
			child_exit();
		}
	}
	for (i = 0; i < n; i++)
		reap(pids[i], "child");
	printf("children: %d, each saw only its own buffer: %s\n", n,
	       failed ? "no" : "yes");
	c = wait_counts(ctl, &base, 0, 0, 0);
	print_counts("after they exited", &c, 0, 0, 0);
	close(ctl);
}

static const struct command commands[] = {
	{ "fill", "PAGES SEED OFFSET LENGTH", 4, cmd_fill },
	{ "checksum", "WORD OFFSET SEED", 3, cmd_checksum },
	{ "views", "PAGES K WORD", 3, cmd_views },
	{ "bounds", "PAGES", 1, cmd_bounds },
	{ "bad-args", "", 0, cmd_bad_args },
	{ "info", "", 0, cmd_info },
	{ "lifetime", "SEED START", 2, cmd_lifetime },
	{ "unload", "START", 1, cmd_unload },
	{ "torn", "WORDS START MINREADS", 3, cmd_torn },
	{ "seqcount", "WORDS START READS", 3, cmd_seqcount },
	{ "busy-poll", "WORDS START COUNT INTERVAL_MS", 4, cmd_busy_poll },
	{ "poll", "WORDS START COUNT INTERVAL_MS", 4, cmd_poll },
	{ "isolation", "N SEED", 2, cmd_isolation },
};

int main(int argc, char **argv)
{
	labtest_start();
	page = sysconf(_SC_PAGESIZE);

	return run_command("shm", commands, ARRAY_SIZE(commands), argc, argv);
}
