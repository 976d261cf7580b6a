// SPDX-License-Identifier: GPL-2.0
/*
 * concurrent WRITERS READERS BYTES SEED: many processes at once. Every byte
 * the writers write is read exactly once (the histograms of byte values and
 * the totals agree); with one writer and one reader, in the order written.
 * It prints the counters' deltas (GET_STATS), which the host checks.
 */
#include <poll.h>

#include "chardev.h"

#define MAX_PROCS	16

struct tally {
	__u64 hist[256];	/* how often each byte value went through */
	__u64 bytes;
	__u64 order_bad;	/* 1 + offset of the first byte out of order */
};

static struct {			/* shared by all the processes */
	__u64 total_read;
	int stop[2];		/* pipe: readable once everything is read */
	struct tally t[2 * MAX_PROCS];	/* one per child */
} *sh;

static noreturn void concurrent_writer(struct tally *t, size_t share,
				       unsigned long seed, unsigned int idx)
{
	__u32 data = rnd_seed(seed, 2 * idx), size = rnd_seed(seed, 2 * idx + 1);
	int fd = open_dev(DEV, 0);
	unsigned char buf[3000];

	phase = "concurrent writer";
	while (share) {
		size_t k = 1 + rnd_next(&size) % sizeof(buf), off = 0;

		if (k > share)
			k = share;
		rnd_fill(buf, k, &data);
		while (off < k) {
			ssize_t n = write(fd, buf + off, k - off);

			if (n <= 0) {
				fail("writer %u: write returned %zd (%s)",
				     idx, n, n ? errname(errno) : "0");
				child_exit();
			}
			for (; n > 0; n--, off++)
				t->hist[buf[off]]++;
		}
		t->bytes += k;
		share -= k;
	}
	child_exit();
}

static noreturn void concurrent_reader(struct tally *t, __u64 total,
				       unsigned long seed, unsigned int idx,
				       int check)
{
	__u32 size = rnd_seed(seed, 1000 + idx), order = rnd_seed(seed, 0);
	int fd = open_dev(DEV, O_NONBLOCK);
	struct pollfd p[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = sh->stop[0], .events = POLLIN },
	};
	unsigned char buf[4096];
	ssize_t n, i;

	phase = "concurrent reader";
	for (;;) {
		/* No timeout: a lost wakeup is caught by alarm() as FAIL. */
		must(poll(p, 2, -1), "reader poll");
		n = read(fd, buf, 1 + rnd_next(&size) % sizeof(buf));
		if (n < 0 && errno == EAGAIN && p[1].revents)
			child_exit();
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0) {
			fail("reader %u: read returned %zd (%s)", idx, n,
			     n ? errname(errno) : "0");
			child_exit();
		}
		for (i = 0; i < n; i++) {
			t->hist[buf[i]]++;
			/* writer 0's stream, the only one when @check */
			if (check && !t->order_bad &&
			    buf[i] != (unsigned char)(rnd_next(&order) >> 24))
				t->order_bad = t->bytes + i + 1;
		}
		t->bytes += n;
		if (__atomic_add_fetch(&sh->total_read, n, __ATOMIC_ACQ_REL) ==
		    total && write(sh->stop[1], "x", 1) != 1)
			die("write stop pipe");
	}
}

LAB_CASE(concurrent, "WRITERS READERS BYTES SEED", 4)
{
	int nw = arg_num(argv[0], 1, MAX_PROCS, "WRITERS");
	int nr = arg_num(argv[1], 1, MAX_PROCS, "READERS");
	__u64 total = arg_num(argv[2], 1, 64 << 20, "BYTES");
	unsigned long seed = arg_num(argv[3], 0, 0xffffffffUL, "SEED");
	int fd = dev_new(0, NULL), i, v;
	struct ipclab_chardev_stats s0 = dev_stats(fd), s1;
	struct tally w = { 0 }, r = { 0 };
	pid_t pids[2 * MAX_PROCS];

	sh = map_anon(sizeof(*sh));
	must(pipe(sh->stop), "pipe");
	for (i = 0; i < nw + nr; i++) {
		pids[i] = xfork();
		if (pids[i] == 0 && i < nw)
			concurrent_writer(&sh->t[i], total / nw +
					  (i < (int)(total % nw)), seed, i);
		if (pids[i] == 0)
			concurrent_reader(&sh->t[i], total, seed, i - nw,
					  nw == 1 && nr == 1);
	}
	for (i = 0; i < nw + nr; i++) {
		struct tally *sum = i < nw ? &w : &r;

		reap(pids[i], i < nw ? "writer" : "reader");
		for (v = 0; v < 256; v++)
			sum->hist[v] += sh->t[i].hist[v];
		sum->bytes += sh->t[i].bytes;
		if (sh->t[i].order_bad)
			fail("order: byte %llu read out of order",
			     sh->t[i].order_bad - 1);
	}
	printf("writers: %d wrote %llu bytes\n", nw, w.bytes);
	expect_eq("bytes written", w.bytes, total);
	printf("readers: %d read %llu bytes\n", nr, r.bytes);
	expect_eq("bytes read", r.bytes, total);
	for (v = 0; v < 256 && w.hist[v] == r.hist[v]; v++)
		;
	if (v < 256)
		fail("histogram: byte value %d read %llu times, written %llu times",
		     v, r.hist[v], w.hist[v]);

	/* The counters are chardev/concurrent-stats' property: the host's. */
	s1 = dev_stats(fd);
	printf("stats: +%llu written, +%llu read, %u left\n",
	       s1.bytes_written - s0.bytes_written,
	       s1.bytes_read - s0.bytes_read, s1.used);
}
