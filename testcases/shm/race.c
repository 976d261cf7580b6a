// SPDX-License-Identifier: GPL-2.0
/*
 * The weaknesses of shared memory and their remedies: torn reads vs a
 * sequence counter, busy-polling vs poll().
 */
#define _GNU_SOURCE	/* sched_getcpu() */
#include <poll.h>
#include <sched.h>

#include "shm.h"

#define POLL_BOUND_MS	2000	/* poll() must wake within this */
#define MAX_EVENTS	1000

static __u64 now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * A race needs two CPUs: stay on this one; IPCLAB_IOC_SHM_START keeps the
 * producer off it, so reader and writer really run at the same time.
 */
static void pin_here(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpus < 2) {
		printf("SKIP: %ld CPU online, the race needs 2\n", cpus);
		exit(KSFT_SKIP);
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (cpu < 0 || sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity");
	printf("reader pinned to one of %ld CPUs\n", cpus);
}

/* Reads the clock at every 1024th @n only: under TCG it is a system call. */
static int before(__u64 end, unsigned long n)
{
	return n % 1024 || now_ns(CLOCK_MONOTONIC) < end;
}

/*
 * torn|seqcount WORDS START READS: read the record while the kernel
 * rewrites it, with no protocol (some reads mix two updates) or through
 * the sequence counter (retries, never a torn copy, values only grow).
 */
static void race(char **argv, int seq)
{
	unsigned int words = arg_num(argv[0], 2, IPCLAB_SHM_MAX_WORDS, "WORDS");
	__u64 start = arg_num(argv[1], 0, 1ULL << 40, "START");
	unsigned long want = arg_num(argv[2], 1, 100000000, "READS");
	unsigned long reads = 0, torn = 0, retries = 0, out = 0, back = 0;
	__u64 v[IPCLAB_SHM_MAX_WORDS], ex[IPCLAB_SHM_MAX_WORDS], s1;
	__u64 hi = 0, last = start, end = now_ns(CLOCK_MONOTONIC) +
		(seq ? 35 : 20) * 1000000000ULL;	/* the longest it tries */
	__u32 mode = seq ? IPCLAB_SHM_MODE_SEQ : IPCLAB_SHM_MODE_RAW;
	int fd = open_dev(IPCLAB_SHM_PATH, 0), mixed;
	struct ipclab_shm_record *rec = map_shared(fd, PAGE, 0);
	struct ipclab_shm_info info;
	unsigned int i, j;

	pin_here();
	dev_start(fd, mode, words, start, 0, 0);
	printf("record: %u words, %s, counting from %llu\n", rec->words,
	       rec->mode != mode ? "?" : seq ? "SEQ" : "RAW", start);
	expect_eq("record words", rec->words, words);
	expect_eq("record mode", rec->mode, mode);
	phase = seq ? "reading the record through the sequence counter" :
		"reading the record without a protocol";
	while (seq ? (reads < want || !retries) && before(end, reads + retries) :
		     reads < want || (!torn && before(end, reads))) {
		/* Pairs with the kernel's smp_store_release() of seq. */
		s1 = seq ? __atomic_load_n(&rec->seq, __ATOMIC_ACQUIRE) : 0;
		if (s1 & 1) {
			retries++;	/* the kernel is writing */
			continue;
		}
		for (i = 0; i < words; i++)
			v[i] = LOAD(rec->v[i]);
		/* Keeps the v[] loads before the second load of seq. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (seq && LOAD(rec->seq) != s1) {
			retries++;	/* it wrote meanwhile: try again */
			continue;
		}
		for (i = 0, mixed = 0; i < words; i++) {
			mixed |= v[i] != v[0];
			out += v[i] < start;
			hi = v[i] > hi ? v[i] : hi;
		}
		if (mixed && !torn++)
			memcpy(ex, v, sizeof(v));
		back += v[0] < last;
		last = v[0];
		reads++;
	}
	/* Stopped between updates: updates is then the last one written. */
	dev_ioctl(fd, IPCLAB_IOC_SHM_STOP, NULL);
	info = dev_info(fd);

	printf("reads: %lu, torn: %lu, retries: %lu\n%s", reads, torn, retries,
	       torn ? "torn reads: e.g." : "");
	/* As runs of equal words: "v[0..17]=start+9 v[18..41]=start+10" */
	for (i = 0; torn && i < words; i = j) {
		for (j = i + 1; j < words && ex[j] == ex[i]; j++)
			;
		printf(" v[%u..%u]=start+%llu%s", i, j - 1, ex[i] - start,
		       j < words ? "" : "\n");
	}
	if (out || hi > start + info.updates || !info.updates)
		fail("values: got %lu below %llu or a maximum %llu past the %llu updates",
		     out, start, hi, info.updates);
	if (!seq) {
		if (!torn)
			fail("torn reads: got 0 in %lu reads, expected some",
			     reads);
		return;
	}
	if (reads < want)
		fail("consistent copies: got %lu, expected %lu", reads, want);
	expect_eq("torn copies", torn, 0);
	if (!retries)
		fail("retries: got 0 in %lu reads, expected some: did the producer run?",
		     reads);
	expect_eq("values went backwards", back, 0);
	if (last <= start)
		fail("values advanced: got %llu, expected more than %llu",
		     last, start);
}

LAB_CASE(torn, "WORDS START MINREADS", 3)
{
	race(argv, 0);
}

LAB_CASE(seqcount, "WORDS START READS", 3)
{
	race(argv, 1);
}

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

/*
 * busy-poll|poll WORDS START COUNT INTERVAL_MS: notice each of COUNT
 * publications by spinning on gen in the mapping, or sleeping in poll().
 */
static void watch(char **argv, int sleep)
{
	unsigned int words = arg_num(argv[0], 1, IPCLAB_SHM_MAX_WORDS, "WORDS");
	__u64 start = arg_num(argv[1], 0, 1ULL << 40, "START");
	unsigned long count = arg_num(argv[2], 1, MAX_EVENTS, "COUNT");
	unsigned int limit = lab_program.timeout_s - 10, i;
	/* COUNT * INTERVAL_MS must end 10 s before the timeout. */
	__u32 interval = arg_num(argv[3], 1, limit * 1000 / count < 1000 ?
				 limit * 1000 / count : 1000, "INTERVAL_MS");
	const char *how = sleep ? "poll" : "busy-poll";
	unsigned long n = 0, wakeups = 0, spins = 0, bad = 0, order = 0;
	__u64 lat[MAX_EVENTS], got, gen, last = 0, t0, c0, wall, cpu;
	__u64 end = now_ns(CLOCK_MONOTONIC) +
		    (lab_program.timeout_s - 5) * 1000000000ULL;
	int fd = open_dev(IPCLAB_SHM_PATH, 0);
	struct ipclab_shm_record *rec = map_shared(fd, PAGE, 0);
	struct pollfd p = { fd, POLLIN | POLLRDNORM | POLLPRI, 0 };
	short revents = 0;

	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	dev_start(fd, IPCLAB_SHM_MODE_NOTIFY, words, start, count, interval);
	phase = sleep ? "sleeping in poll() for the next publication" :
		"busy-polling gen in the mapping";
	while (n < count) {
		if (sleep) {
			if (!must(poll(&p, 1, 10 * POLL_BOUND_MS), "poll")) {
				fail("poll: no publication %lu within %d ms",
				     n + 1, 10 * POLL_BOUND_MS);
				break;
			}
			wakeups++;
			revents |= p.revents;
		}
		/* Pairs with the kernel's smp_store_release() of gen. */
		gen = __atomic_load_n(&rec->gen, __ATOMIC_ACQUIRE);
		if (!sleep && gen == last) {
			if (!(++spins & 0xfff) && now_ns(CLOCK_MONOTONIC) > end) {
				fail("busy-poll: publication %llu never came",
				     last + 1);
				break;
			}
			continue;
		}
		lat[n] = now_ns(CLOCK_MONOTONIC) - rec->stamp_ns;
		order += gen != ++n;
		for (i = 0; i < words; i++)
			bad += rec->v[i] != start + gen;
		/* read() marks it seen; the kernel then may publish the next. */
		if (read(fd, &got, sizeof(got)) != sizeof(got))
			die("read generation");
		if (got != gen)
			fail("%s: read() returned generation %llu, the mapping said %llu",
			     how, got, gen);
		last = gen;
	}
	wall = now_ns(CLOCK_MONOTONIC) - t0;
	cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;

	printf("%s: %lu of %lu publications%s\n", how, n, count,
	       order ? ", out of order" : ", in order");
	expect_eq("publications noticed", n, count);
	expect_eq("publications out of order", order, 0);
	expect_eq("wrong payload words", bad, 0);
	qsort(lat, n, sizeof(lat[0]), cmp_u64);
	printf("%s latency: median %llu us, max %llu us (clock step %llu ns)\n",
	       how, n ? lat[n / 2] / 1000 : 0, n ? lat[n - 1] / 1000 : 0,
	       clock_step());
	printf("%s cpu: %llu ms of %llu ms wall (%llu%%)\n", how, cpu / 1000000,
	       wall / 1000000, wall ? 100 * cpu / wall : 0);
	/*
	 * The cost of "only polling": a CPU kept busy asking "new yet?".
	 * Without a TSC the lab kernel charges CPU time in whole ticks: the
	 * bound is loose, wakeups == COUNT is the exact proof of no spinning.
	 */
	if (sleep ? 2 * cpu >= wall : 2 * cpu <= wall)
		fail("%s cpu: got %llu ms of %llu ms, expected %s half", how,
		     cpu / 1000000, wall / 1000000, sleep ? "under" : "over");
	if (!sleep) {
		printf("spins: %lu (%lu per publication)\n", spins,
		       spins / (n ? n : 1));
	} else {
		printf("wakeups: %lu for %lu publications\n", wakeups, count);
		expect_eq("poll() returns", wakeups, count);
		/* Each of POLLIN, POLLRDNORM, POLLPRI, at least once. */
		if ((revents & p.events) != p.events)
			fail("poll revents: got 0x%x, expected POLLIN | POLLRDNORM | POLLPRI",
			     revents);
		if (n && lat[n - 1] >= POLL_BOUND_MS * 1000000ULL)
			fail("poll latency: got %llu ms, expected under %d ms",
			     lat[n - 1] / 1000000, POLL_BOUND_MS);
	}
	dev_ioctl(fd, IPCLAB_IOC_SHM_STOP, NULL);
}

LAB_CASE(busy_poll, "WORDS START COUNT INTERVAL_MS", 4)
{
	watch(argv, 0);
}

LAB_CASE(poll, "WORDS START COUNT INTERVAL_MS", 4)
{
	watch(argv, 1);
}

/*
 * poll-idle START: poll() and read() report nothing new before the first
 * publication, nor after the only one was read.
 */
LAB_CASE(poll_idle, "START", 1)
{
	__u64 start = arg_num(argv[0], 0, 1ULL << 40, "START"), gen;
	int fd = open_dev(IPCLAB_SHM_PATH, O_NONBLOCK);
	struct pollfd p = { fd, POLLIN | POLLRDNORM | POLLPRI, 0 };

	if (poll(&p, 1, 0))
		fail("poll before any publication: got 0x%x, expected nothing",
		     p.revents);
	expect_err("read (O_NONBLOCK) before any publication",
		   read(fd, &gen, sizeof(gen)), EAGAIN);
	dev_start(fd, IPCLAB_SHM_MODE_NOTIFY, 1, start, 1, 1);
	phase = "poll for the one publication";
	if (poll(&p, 1, 10 * POLL_BOUND_MS) != 1)
		fail("poll: no publication within %d ms", 10 * POLL_BOUND_MS);
	if (read(fd, &gen, sizeof(gen)) != sizeof(gen))
		die("read generation");
	if (poll(&p, 1, 50))
		fail("poll after the last publication: got 0x%x, expected a timeout",
		     p.revents);
	dev_ioctl(fd, IPCLAB_IOC_SHM_STOP, NULL);
}
