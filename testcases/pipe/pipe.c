// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous pipes between related processes: capacity and F_SETPIPE_SZ,
 * atomic writes up to PIPE_BUF, larger writes that may interleave, EPIPE and
 * SIGPIPE without a reader, EOF once every writer closed.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <poll.h>
#include <sys/wait.h>

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 30);

#define MAX_WRITERS	16
#define MAX_WORD	256

/*
 * Writes a seeded stream to a non-blocking pipe in pages until EAGAIN, or
 * (@len > 0) reads @len bytes back and compares them: the count.
 */
static size_t pages(int fd, size_t len, __u32 *state)
{
	unsigned char buf[4096], want[4096];
	__u32 before;
	size_t done;
	ssize_t n;

	for (done = 0; !len || done < len; done += n) {
		before = *state;
		rnd_fill(want, sizeof(want), state);
		n = len ? read(fd, buf, sizeof(buf)) :
		    write(fd, want, sizeof(want));
		if (!len && n < 0 && errno == EAGAIN) {
			*state = before;	/* not written */
			expect_err("one byte more", write(fd, "x", 1), EAGAIN);
			break;
		}
		if (n != (ssize_t)sizeof(buf)) {
			fail("%s: got %zd after %zu bytes", len ? "read" : "write",
			     n, done);
			break;
		}
		if (len && memcmp(buf, want, n)) {
			fail("read: other bytes after %zu", done);
			break;
		}
	}
	return done;
}

/*
 * capacity SIZE SEED: F_SETPIPE_SZ to SIZE (0: keep the default) rounds
 * up; the pipe takes F_GETPIPE_SZ bytes until EAGAIN, read back as written.
 */
LAB_CASE(capacity, "SIZE SEED", 2)
{
	unsigned long size = arg_num(argv[0], 0, 1 << 20, "SIZE");
	__u32 wst = rnd_seed(arg_num(argv[1], 1, UINT_MAX, "SEED"), 0);
	__u32 rst = wst;
	int fds[2], got;

	must(pipe2(fds, O_NONBLOCK), "pipe2");
	if (size)
		printf("set %lu: got %ld\n", size,
		       must(fcntl(fds[1], F_SETPIPE_SZ, (int)size),
			    "F_SETPIPE_SZ"));
	got = must(fcntl(fds[0], F_GETPIPE_SZ), "F_GETPIPE_SZ");
	printf("F_GETPIPE_SZ: %d\n", got);
	expect_eq("bytes until EAGAIN", pages(fds[1], 0, &wst), got);
	pages(fds[0], got, &rst);
}

/* setpipe-ebusy: F_SETPIPE_SZ cannot shrink a pipe below its contents. */
LAB_CASE(setpipe_ebusy, "", 0)
{
	__u32 st = rnd_seed(1, 0);
	int fds[2];

	(void)argv;
	must(pipe2(fds, O_NONBLOCK), "pipe2");
	pages(fds[1], 0, &st);
	/* The data in the pipe needs more than one page: cannot shrink. */
	expect_err("shrink to 4096 below the contents",
		   fcntl(fds[1], F_SETPIPE_SZ, 4096), EBUSY);
	expect_eq("size after EBUSY", fcntl(fds[0], F_GETPIPE_SZ), 65536);
}

/* setpipe-einval: F_SETPIPE_SZ above the range fails with EINVAL. */
LAB_CASE(setpipe_einval, "", 0)
{
	int fds[2];

	(void)argv;
	must(pipe2(fds, O_NONBLOCK), "pipe2");
	expect_err("set 2147483649",
		   fcntl(fds[1], F_SETPIPE_SZ, 0x80000001u), EINVAL);
	expect_eq("size after EINVAL", fcntl(fds[0], F_GETPIPE_SZ), 65536);
}

/*
 * Forks @n writers on @fds[1] that start at once, when the parent closes
 * the start pipe. Returns the writer's index in a writer, -1 in the parent
 * (which then holds only the read end).
 */
static int fork_writers(int fds[2], pid_t *pids, unsigned int n)
{
	unsigned int w;
	int go[2];
	char c;

	must(pipe2(go, 0), "pipe2");
	for (w = 0; w < n; w++) {
		pids[w] = xfork();
		if (pids[w])
			continue;
		close(fds[0]);
		close(go[1]);
		phase = "writer waiting for the start";
		must(read(go[0], &c, 1), "read start pipe");
		phase = "writer writing";
		return w;
	}
	close(fds[1]);
	close(go[0]);
	close(go[1]);
	return -1;
}

/* A record of the atomic test: a header, then seeded payload. */
struct record {
	__u32 writer;
	__u32 seq;
	unsigned char payload[];
};

static void make_record(struct record *r, size_t size, __u32 writer,
			__u32 seq, __u32 *state)
{
	r->writer = writer;
	r->seq = seq;
	rnd_fill(r->payload, size - sizeof(*r), state);
}

/*
 * atomic WRITERS RECORDS SIZE SEED: records of SIZE <= PIPE_BUF bytes from
 * several writers at once arrive whole, each writer's in order.
 */
LAB_CASE(atomic, "WRITERS RECORDS SIZE SEED", 4)
{
	unsigned int writers = arg_num(argv[0], 2, MAX_WRITERS, "WRITERS");
	unsigned int records = arg_num(argv[1], 1, 100000, "RECORDS");
	size_t size = arg_num(argv[2], sizeof(struct record) + 1, PIPE_BUF,
			      "SIZE");
	unsigned long seed = arg_num(argv[3], 1, UINT_MAX, "SEED");
	unsigned long total = (unsigned long)writers * records;
	unsigned long intact = 0, torn = 0;
	__u32 state[MAX_WRITERS], next[MAX_WRITERS] = { 0 };
	struct record *r = malloc(size), *want = malloc(size);
	pid_t pids[MAX_WRITERS];
	int fds[2], w, ok;
	unsigned int i;
	ssize_t n;

	if (!r || !want)
		die("malloc");
	for (i = 0; i < writers; i++)
		state[i] = rnd_seed(seed, i + 1);
	must(pipe2(fds, 0), "pipe2");
	w = fork_writers(fds, pids, writers);
	if (w >= 0) {
		for (i = 0; i < records; i++) {
			make_record(r, size, w, i, &state[w]);
			write_full(fds[1], r, size, "record write");
		}
		child_exit();
	}

	phase = "reading records";
	while ((n = read_full(fds[0], r, size)) > 0) {
		if ((size_t)n != size) {
			fail("record: got %zd bytes at EOF, expected %zu", n,
			     size);
			torn++;
			break;
		}
		ok = r->writer < writers && r->seq == next[r->writer];
		if (ok) {
			make_record(want, size, r->writer, r->seq,
				    &state[r->writer]);
			ok = !memcmp(r, want, size);
		}
		if (!ok) {
			torn++;
			continue;
		}
		intact++;
		next[r->writer]++;
	}
	must(n, "read records");
	for (i = 0; i < writers; i++) {
		reap(pids[i], "writer");
		expect_eq("records from one writer", next[i], records);
	}
	printf("records: %lu intact of %lu, %lu torn\n", intact, total, torn);
	expect_eq("intact records", intact, total);
	expect_eq("torn records", torn, 0);
}

/*
 * big WRITERS RECORDS SIZE: writes larger than PIPE_BUF may interleave.
 * Every byte of writer w is 'a' + w: nothing may be lost, tears are counted.
 */
LAB_CASE(big, "WRITERS RECORDS SIZE", 3)
{
	unsigned int writers = arg_num(argv[0], 2, MAX_WRITERS, "WRITERS");
	unsigned int records = arg_num(argv[1], 1, 64, "RECORDS");
	size_t size = arg_num(argv[2], PIPE_BUF + 1, 1 << 20, "SIZE");
	/* count[writers]: bytes from nobody */
	unsigned long count[MAX_WRITERS + 1] = { 0 }, torn = 0;
	unsigned char *buf = malloc(size);
	pid_t pids[MAX_WRITERS];
	int fds[2], w, mixed;
	unsigned int i, b;
	ssize_t n, j;

	if (!buf)
		die("malloc");
	must(pipe2(fds, 0), "pipe2");
	w = fork_writers(fds, pids, writers);
	if (w >= 0) {
		memset(buf, 'a' + w, size);
		for (i = 0; i < records; i++)
			write_full(fds[1], buf, size, "big write");
		child_exit();
	}

	phase = "reading big records";
	while ((n = read_full(fds[0], buf, size)) > 0) {
		for (j = 0, mixed = 0; j < n; j++) {
			b = buf[j] - 'a';
			count[b < writers ? b : writers]++;
			mixed |= buf[j] != buf[0];
		}
		torn += mixed;
	}
	must(n, "read big records");
	for (i = 0; i < writers; i++) {
		reap(pids[i], "writer");
		expect_eq("bytes from one writer", count[i],
			  (unsigned long)records * size);
	}
	expect_eq("bytes from nobody", count[writers], 0);
	if (!failed)
		printf("bytes: all %lu from each writer\n",
		       (unsigned long)records * size);
	/* Allowed above PIPE_BUF: reported, not asserted. */
	printf("torn records: %lu of %lu\n", torn,
	       (unsigned long)writers * records);
}

/* epipe WORD: a reader takes WORD and leaves; then EPIPE (SIGPIPE ignored). */
LAB_CASE(epipe, "WORD", 1)
{
	const char *word = argv[0];
	size_t len = arg_word(word, MAX_WORD);
	char buf[MAX_WORD];
	int fds[2];
	pid_t pid;

	must(pipe2(fds, 0), "pipe2");
	pid = xfork();
	if (pid == 0) {
		close(fds[1]);
		phase = "reader reading";
		print_word("reader got", buf, read_full(fds[0], buf, len),
			   word);
		child_exit();	/* closes the only read end */
	}
	close(fds[0]);
	write_full(fds[1], word, len, "write");
	reap(pid, "reader");
	signal(SIGPIPE, SIG_IGN);
	expect_err("write with no reader (SIGPIPE ignored)",
		   write(fds[1], word, len), EPIPE);
}

/* sigpipe: the default action of SIGPIPE: a writer without reader dies. */
LAB_CASE(sigpipe, "", 0)
{
	int fds[2], status;
	pid_t pid;

	(void)argv;
	must(pipe2(fds, 0), "pipe2");
	close(fds[0]);
	pid = xfork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(fds[1], "x", 1);
		_exit(KSFT_FAIL);
	}
	phase = "waiting for the writer";
	must(waitpid(pid, &status, 0), "waitpid");
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)
		printf("write with no reader (default SIGPIPE): killed\n");
	else
		fail("writer: got status %#x, expected death by SIGPIPE",
		     status);
}

/* Polls @fd for input up to @ms; FAILs unless revents is @want (0: none). */
static void expect_poll(const char *what, int fd, int ms, short want)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	must(poll(&pfd, 1, ms), "poll");
	printf("%s: %s\n", what, !pfd.revents ? "timed out" :
	       pfd.revents == POLLHUP ? "POLLHUP" : "other events");
	if (pfd.revents != want)
		fail("%s: got revents %#x, expected %#x", what, pfd.revents,
		     want);
}

/* eof WORD WRITERS: read returns 0 only once every write end is closed. */
LAB_CASE(eof, "WORD WRITERS", 2)
{
	const char *word = argv[0];
	unsigned int writers = arg_num(argv[1], 1, MAX_WRITERS, "WRITERS");
	unsigned int seen[MAX_WRITERS] = { 0 }, lines = 0, i;
	char buf[MAX_WRITERS * (MAX_WORD + 8)], *line, *save, *colon;
	pid_t pids[MAX_WRITERS];
	int fds[2], w;
	ssize_t got;

	arg_word(word, MAX_WORD);
	must(pipe2(fds, 0), "pipe2");
	w = fork_writers(fds, pids, writers);
	if (w >= 0) {
		got = snprintf(buf, sizeof(buf), "%d:%s\n", w, word);
		write_full(fds[1], buf, got, "line write");
		child_exit();
	}
	phase = "reading until EOF";
	got = must(read_full(fds[0], buf, sizeof(buf) - 1), "read until EOF");
	buf[got] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lines++) {
		colon = strchr(line, ':');
		i = strtoul(line, NULL, 10);
		if (!colon || i >= writers || strcmp(colon + 1, word))
			fail("line: got \"%s\", expected \"N:%s\"", line, word);
		else
			seen[i]++;
	}
	for (i = 0; i < writers; i++) {
		reap(pids[i], "writer");
		expect_eq("lines from one writer", seen[i], 1);
	}
	printf("eof after %u lines from %u writers\n", lines, writers);
}

/*
 * eof-write-end-open WORD: the classic bug: a write end left open in the
 * reader, so its read never sees EOF.
 */
LAB_CASE(eof_write_end_open, "WORD", 1)
{
	const char *word = argv[0];
	size_t len = arg_word(word, MAX_WORD);
	char buf[MAX_WORD];
	int fds[2];
	pid_t pid;

	must(pipe2(fds, 0), "pipe2");
	pid = xfork();
	if (pid == 0) {
		write_full(fds[1], word, len, "write");
		child_exit();
	}
	reap(pid, "writer");
	print_word("read", buf, read_full(fds[0], buf, len), word);
	expect_poll("write end still open here, poll 300 ms", fds[0], 300, 0);
	close(fds[1]);
	expect_poll("after closing it", fds[0], lab_program.timeout_s * 1000,
		    POLLHUP);
	expect_eq("read after the last close", read(fds[0], buf, 1), 0);
}
