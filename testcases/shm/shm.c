// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises /dev/ipclab-shm from user space: pages shared with the driver
 * through mmap, both directions and their lifetime (args.c: bounds and bad
 * arguments; race.c: the weaknesses of shared memory and their remedies).
 */
#define _GNU_SOURCE	/* usleep() */
#include <sys/syscall.h>

#include "shm.h"

LAB_PROGRAM(.timeout_s = 50, .lost = "wakeup");

#define SETTLE_MS	2000	/* how long counters may take to settle */
#define FNV_EMPTY	0xcbf29ce484222325ULL
#define dev_fill(fd, o, l, s) \
	dev_ioctl(fd, IPCLAB_IOC_SHM_FILL, FILL(o, l, s, 0))

/*
 * FAILs unless @len bytes at @p are the driver's stream from @seed
 * (ipclab_uapi.h, IPCLAB_IOC_SHM_FILL: rnd_fill()), or zeroes if @seed is 0.
 */
static void expect_stream(const char *what, const unsigned char *p,
			  size_t len, __u32 seed)
{
	size_t i = rnd_mismatch(p, len, seed);

	if (i < len)
		fail("%s: byte %zu is 0x%02x", what, i, p[i]);
}

/* The driver's checksum (ipclab_uapi.h, IPCLAB_IOC_SHM_CHECKSUM). */
static __u64 fnv1a(const void *p, size_t len)
{
	const unsigned char *b = p;
	__u64 sum = FNV_EMPTY;

	while (len--)
		sum = (sum ^ *b++) * 0x100000001b3ULL;
	return sum;
}

struct ipclab_shm_info dev_info(int fd)
{
	struct ipclab_shm_info info;

	memset(&info, 0xa5, sizeof(info));	/* what it leaves out shows */
	dev_ioctl(fd, IPCLAB_IOC_SHM_INFO, &info);
	return info;
}

/* A buffer of @size bytes for @fd, mapped whole. */
static unsigned char *sized_map(int fd, size_t size)
{
	dev_ioctl(fd, IPCLAB_IOC_SHM_SET_SIZE, &(__u32){ size });
	return map_shared(fd, size, 0);
}

static __u64 dev_checksum(int fd, __u64 offset, __u64 length)
{
	struct ipclab_shm_checksum c = { offset, length, 0 };

	dev_ioctl(fd, IPCLAB_IOC_SHM_CHECKSUM, &c);
	return c.sum;
}

static const struct ipclab_shm_info none;	/* absolute counts */

/*
 * FAILs unless the module's buffers/mappings/producers, less @base's, are
 * @want ("+1/+2/+1"); waits up to SETTLE_MS if @settle (a release the
 * kernel defers to the end of a system call is an event, not a sleep).
 */
static void expect_counts(int fd, const struct ipclab_shm_info *base,
			  const char *what, int settle, const char *want)
{
	long long end = now_ms() + SETTLE_MS;
	struct ipclab_shm_info i;
	char got[80];

	do {
		i = dev_info(fd);
		snprintf(got, sizeof(got), "%+lld/%+lld/%+lld",
			 (long long)(i.buffers - base->buffers),
			 (long long)(i.all_mappings - base->all_mappings),
			 (long long)(i.producers - base->producers));
	} while (settle && strcmp(got, want) && now_ms() < end &&
		 !usleep(1000));
	if (!what)	/* only waited */
		return;
	printf("%s: %s buffers/mappings/producers\n", what, got);
	if (strcmp(got, want))
		fail("%s: got %s, expected %s", what, got, want);
}

void expect_fresh(int fd, const char *what)
{
	struct ipclab_shm_info i = dev_info(fd);

	printf("%s: size %u, mappings %u, mode %u, pad0 %u\n", what, i.size,
	       i.mappings, i.mode, i.pad0);
	if (i.size != IPCLAB_SHM_DEFAULT_SIZE || i.mappings || i.mode ||
	    i.pad0)
		fail("%s: got size %u, mappings %u, mode %u, pad0 %u, expected %u, 0, 0, 0",
		     what, i.size, i.mappings, i.mode, i.pad0,
		     IPCLAB_SHM_DEFAULT_SIZE);
}

/* FAILs unless the producer moves v[0] within SETTLE_MS. */
static void expect_moves(const char *what, struct ipclab_shm_record *rec)
{
	long long end = now_ms() + SETTLE_MS;
	__u64 from = LOAD(rec->v[0]);

	while (LOAD(rec->v[0]) == from)
		if (now_ms() > end) {
			fail("%s: v[0] stayed %llu", what, from);
			return;
		}
	printf("%s: still writing\n", what);
}

/* zeroed PAGES: a new buffer holds no stale kernel data. */
LAB_CASE(zeroed, "PAGES", 1)
{
	size_t size = arg_num(argv[0], 1, IPCLAB_SHM_MAX_SIZE / 4096,
			      "PAGES") * PAGE;
	int fd = open_dev(IPCLAB_SHM_PATH, 0);
	unsigned char *map = sized_map(fd, size);

	expect_eq("size", dev_info(fd).size, size);
	/* vmalloc_user() zeroes. */
	expect_stream("zeroed", map, size, 0);
}

/* fill PAGES SEED OFFSET LENGTH: the driver writes, we read the mapping. */
LAB_CASE(fill, "PAGES SEED OFFSET LENGTH", 4)
{
	size_t pages = arg_num(argv[0], 1, IPCLAB_SHM_MAX_SIZE / 4096,
			       "PAGES");
	__u32 seed = arg_num(argv[1], 1, 0xffffffffUL, "SEED");
	size_t size = pages * PAGE, i;
	size_t off = arg_num(argv[2], 0, size, "OFFSET");
	size_t len = arg_num(argv[3], 0, size - off, "LENGTH");
	int fd = open_dev(IPCLAB_SHM_PATH, 0);
	unsigned char *map = sized_map(fd, size);

	/* One ioctl; the data arrives through the pages, not a copy. */
	dev_fill(fd, off, len, seed);
	printf("kernel wrote: %zu bytes at %zu\nhead:", len, off);
	for (i = 0; i < len && i < 8; i++)
		printf(" %02x", map[off + i]);
	printf("\n");
	expect_stream("through the mapping", map + off, len, seed);
	expect_stream("before the range", map, off, 0);
	expect_stream("after the range", map + off + len, size - off - len, 0);

	/* A second fill shows up in the same mapping: nothing to re-read. */
	seed = ~seed ? ~seed : 1;
	dev_fill(fd, off, len, seed);
	expect_stream("refill in place", map + off, len, seed);
}

/* checksum WORD OFFSET: we write the mapping, the driver reads it. */
LAB_CASE(checksum, "WORD OFFSET", 2)
{
	const char *word = argv[0];
	size_t len = arg_word(word, 4096), size = IPCLAB_SHM_DEFAULT_SIZE;
	size_t off = arg_num(argv[1], 0, size - len, "OFFSET");
	int fd = open_dev(IPCLAB_SHM_PATH, 0);
	unsigned char *map = map_shared(fd, size, 0);
	__u64 k;

	memcpy(map + off, word, len);
	k = dev_checksum(fd, off, len);
	printf("kernel fnv1a: 0x%016llx\n", k);
	printf("user fnv1a: 0x%016llx\n", fnv1a(word, len));
	expect_eq("kernel checksum of the word", k, fnv1a(word, len));
}

/* checksum-buffer SEED OFFSET: the driver reads every page, at once. */
LAB_CASE(checksum_buffer, "SEED OFFSET", 2)
{
	__u32 seed = arg_num(argv[0], 1, 0xffffffffUL, "SEED");
	size_t size = IPCLAB_SHM_DEFAULT_SIZE;
	size_t off = arg_num(argv[1], 0, size - 1, "OFFSET");
	int fd = open_dev(IPCLAB_SHM_PATH, 0);
	unsigned char *map = map_shared(fd, size, 0);
	__u64 k;

	rnd_fill(map, size, &seed);
	k = dev_checksum(fd, 0, size);
	expect_eq("kernel checksum of the whole buffer", k, fnv1a(map, size));
	/* One store, no system call: the kernel sees it at once. */
	map[off] ^= 0xff;
	if (dev_checksum(fd, 0, size) == k)
		fail("after flipping byte %zu: the kernel saw no change", off);
	expect_eq("kernel checksum after the flip", dev_checksum(fd, 0, size),
		  fnv1a(map, size));
	expect_eq("empty range", dev_checksum(fd, size, 0), FNV_EMPTY);
}

/* views PAGES K WORD: two mappings and a fork()ed one share pages. */
LAB_CASE(views, "PAGES K WORD", 3)
{
	size_t pages = arg_num(argv[0], 2, 1024, "PAGES");
	size_t k = arg_num(argv[1], 1, pages - 1, "K"), i;
	size_t len = arg_word(argv[2], PAGE - 1), size = pages * PAGE;
	size_t end = (k + 1) * PAGE - len;	/* b's first page ends there */
	int fd = open_dev(IPCLAB_SHM_PATH, 0);
	unsigned char *a, *b;

	a = sized_map(fd, size);
	b = map_shared(fd, size - k * PAGE, k * PAGE);
	expect_eq("mappings", dev_info(fd).mappings, 2);
	memcpy(a + k * PAGE + 1, argv[2], len);
	printf("b sees a's write: %.*s\n", (int)len, (char *)b + 1);
	if (memcmp(b + 1, argv[2], len))
		fail("b at 1 does not hold what a wrote at page %zu + 1", k);

	/* The child writes the word reversed at the end of b's first page. */
	if (xfork() == 0) {
		for (i = 0; i < len; i++)
			b[PAGE - len + i] = argv[2][len - 1 - i];
		child_exit();
	}
	reap(-1, "writing child");
	printf("child's write seen by the parent: %.*s\n", (int)len,
	       (char *)a + end);
	expect_eq("kernel checksum of the child's write",
		  dev_checksum(fd, end, len), fnv1a(a + end, len));
	expect_eq("mappings after the child exited", dev_info(fd).mappings, 2);
	munmap(b, size - k * PAGE);
	munmap(a, size);
	expect_eq("mappings after munmap", dev_info(fd).mappings, 0);
}

/* info: FAILs unless all is as every test leaves it. */
LAB_CASE(info, "", 0)
{
	int fd = open_dev(IPCLAB_SHM_PATH, 0);

	(void)argv;
	expect_fresh(fd, "this file");
	/* One buffer (this file's), no mapping, no producer. */
	expect_counts(fd, &none, "module", 0, "+1/+0/+0");
}

/*
 * SEED START: a file of its own mapped, its pages after the first filled
 * from SEED, a RAW producer counting from START in the first; then closed.
 * Where the lifetime cases start; @base: the counts before, with @ctl's.
 */
static unsigned char *closed_mapping(char **argv, int ctl,
				     const struct ipclab_shm_info *base,
				     __u32 *seed)
{
	__u64 start = arg_num(argv[1], 0, 1ULL << 40, "START");
	int fd = open_dev(IPCLAB_SHM_PATH, 0);
	unsigned char *map = map_shared(fd, IPCLAB_SHM_DEFAULT_SIZE, 0);

	*seed = arg_num(argv[0], 1, 0xffffffffUL, "SEED");
	dev_fill(fd, PAGE, IPCLAB_SHM_DEFAULT_SIZE - PAGE, *seed);
	dev_start(fd, IPCLAB_SHM_MODE_RAW, 4, start, 0, 0);
	expect_counts(ctl, base, "mapped, producer running", 0, "+1/+1/+1");
	close(fd);
	return map;
}

/* outlives-close SEED START: the pages and the producer outlive close(fd). */
LAB_CASE(outlives_close, "SEED START", 2)
{
	size_t size = IPCLAB_SHM_DEFAULT_SIZE;
	int ctl = open_dev(IPCLAB_SHM_PATH, 0);
	struct ipclab_shm_info base = dev_info(ctl);
	__u32 seed;
	unsigned char *map = closed_mapping(argv, ctl, &base, &seed);

	expect_counts(ctl, &base, "after close(fd)", 0, "+1/+1/+1");
	expect_stream("after close(fd)", map + PAGE, size - PAGE, seed);
	expect_moves("producer after close(fd)", (void *)map);
	munmap(map, size);
	expect_counts(ctl, &base, "after munmap", 1, "+0/+0/+0");
}

/* lifetime SEED START: the pages outlive the parent's map; the last frees. */
LAB_CASE(lifetime, "SEED START", 2)
{
	size_t size = IPCLAB_SHM_DEFAULT_SIZE;
	int ctl = open_dev(IPCLAB_SHM_PATH, 0);
	struct ipclab_shm_info base = dev_info(ctl);
	__u32 seed;
	unsigned char *map = closed_mapping(argv, ctl, &base, &seed);

	if (xfork() == 0) {
		/* Wait for the parent's munmap, then use the pages alone. */
		expect_counts(ctl, &base, NULL, 1, "+1/+1/+1");
		expect_stream("child, after the parent's munmap", map + PAGE,
			      size - PAGE, seed);
		expect_moves("child: producer", (void *)map);
		memset(map + PAGE, 0, size - PAGE);
		expect_stream("child: the pages took a write", map + PAGE,
			      size - PAGE, 0);
		child_exit();
	}
	expect_counts(ctl, &base, "after fork", 1, "+1/+2/+1");
	munmap(map, size);
	expect_counts(ctl, &base, "after the parent's munmap", 1, "+1/+1/+1");
	reap(-1, "child holding the last mapping");
	/* The last VMA went with the child: release() stopped and freed. */
	expect_counts(ctl, &base, "after the child exited", 1, "+0/+0/+0");
}

/* unload START: the mapping pins the module. */
LAB_CASE(unload, "START", 1)
{
	__u64 start = arg_num(argv[0], 0, 1ULL << 40, "START");
	size_t size = IPCLAB_SHM_DEFAULT_SIZE;
	int fd = open_dev(IPCLAB_SHM_PATH, 0);
	struct ipclab_shm_record *rec = map_shared(fd, size, 0);

	dev_start(fd, IPCLAB_SHM_MODE_SEQ, 8, start, 0, 0);
	close(fd);
	/* What rmmod does: O_NONBLOCK, fail if the module is in use. */
	expect_err("delete_module while mapped (fd closed)",
		   syscall(SYS_delete_module, "ipclab", O_NONBLOCK), EAGAIN);
	expect_moves("producer after the failed unload", rec);
	if (LOAD(rec->v[0]) <= start)
		fail("v[0]: got %llu, expected more than %llu",
		     LOAD(rec->v[0]), start);
	munmap(rec, size);
	expect_counts(open_dev(IPCLAB_SHM_PATH, 0), &none,
		      "after munmap (this check's own fd is the 1 buffer)", 1,
		      "+1/+0/+0");
}

/* isolation N SEED: N processes at once, each with its own buffer. */
LAB_CASE(isolation, "N SEED", 2)
{
	int n = arg_num(argv[0], 2, 16, "N"), i, round, fd;
	__u32 seed = arg_num(argv[1], 1, 0xffffffffUL, "SEED"), s;
	int ctl = open_dev(IPCLAB_SHM_PATH, 0);
	struct ipclab_shm_info base = dev_info(ctl);
	unsigned char *map;
	char what[32];
	size_t size;

	for (i = 0; i < n; i++) {
		if (xfork())
			continue;
		/* Both directions, 20 times, on a buffer of its own. */
		phase = "isolation child";
		snprintf(what, sizeof(what), "child %d", i);
		size = (1 + i % 4) * 4 * PAGE;
		fd = open_dev(IPCLAB_SHM_PATH, 0);
		map = sized_map(fd, size);
		for (round = 0; round < 20 && !failed; round++) {
			s = seed + i + round ? seed + i + round : 1;
			dev_fill(fd, 0, size, s);
			expect_stream(what, map, size, s);
			s = ~s | 1;
			rnd_fill(map, size, &s);
			if (dev_checksum(fd, 0, size) != fnv1a(map, size))
				fail("%s: kernel checksum differs", what);
		}
		child_exit();
	}
	for (i = 0; i < n; i++)
		reap(-1, "child");
	printf("children: %d, each saw only its own buffer: %s\n", n,
	       failed ? "no" : "yes");
	expect_counts(ctl, &base, "after they exited", 1, "+0/+0/+0");
}
