// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous pipes between related processes: capacity and F_SETPIPE_SZ,
 * atomic writes up to PIPE_BUF, larger writes that may interleave, EPIPE and
 * SIGPIPE without a reader, EOF once every writer closed; exits 0/1/4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define TIMEOUT_S	30	/* every blocking call ends by then */
#define MAX_WRITERS	16
#define MAX_WORD	256

#include "labtest.h"

static void xpipe(int fds[2], int flags)
{
	if (pipe2(fds, flags | O_CLOEXEC) < 0)
		die("pipe2");
}

/* Read exactly @len bytes unless EOF comes first; returns the count. */
static size_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

static void write_full(int fd, const void *buf, size_t len, const char *what)
{
	ssize_t n = write(fd, buf, len);

	if (n < 0)
		die(what);
	if ((size_t)n != len)
		fail("short %s: got %zd, expected %zu", what, n, len);
}

/* Fill a non-blocking pipe with a seeded stream until EAGAIN. */
static size_t fill_nonblock(int fd, __u32 *state)
{
	unsigned char chunk[4096];
	size_t total = 0, i;

	for (;;) {
		__u32 before = *state;
		ssize_t n;

		for (i = 0; i < sizeof(chunk); i++)
			chunk[i] = rnd_next(state) >> 24;
		n = write(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EAGAIN) {
			*state = before;	/* not written */
			break;
		}
		if (n < 0)
			die("write to fill");
		if ((size_t)n != sizeof(chunk)) {
			/* Only the last chunk may be partial: resync. */
			total += n;
			fail("fill: partial write of %zd bytes", n);
			break;
		}
		total += n;
	}
	/* Even one more byte does not fit. */
	if (write(fd, "x", 1) >= 0 || errno != EAGAIN)
		fail("one byte more after EAGAIN: expected EAGAIN, got %s",
		     errno == EAGAIN ? "success" : errname(errno));
	return total;
}

/* Drain @len bytes and compare them with the seeded stream. */
static int drain_check(int fd, size_t len, __u32 *state)
{
	unsigned char chunk[4096];
	size_t done = 0, i;

	while (done < len) {
		size_t want = len - done < sizeof(chunk) ?
			      len - done : sizeof(chunk);
		ssize_t n = read(fd, chunk, want);

		if (n <= 0) {
			fail("drain: read returned %zd after %zu of %zu bytes",
			     n, done, len);
			return -1;
		}
		for (i = 0; i < (size_t)n; i++)
			if (chunk[i] != (unsigned char)(rnd_next(state) >> 24)) {
				fail("drain: byte %zu differs", done + i);
				return -1;
			}
		done += n;
	}
	return 0;
}

/* capacity SIZE SEED: fill until EAGAIN; F_SETPIPE_SZ; EBUSY, EINVAL. */
static void cmd_capacity(char **argv)
{
	unsigned long size = arg_num(argv[0], 4097, 1 << 20, "SIZE");
	unsigned long seed = arg_num(argv[1], 1, UINT_MAX, "SEED");
	__u32 wst = rnd_seed(seed, 0), rst = wst;
	int fds[2], sz, got;
	size_t n;

	xpipe(fds, O_NONBLOCK);
	sz = fcntl(fds[1], F_GETPIPE_SZ);
	if (sz < 0)
		die("F_GETPIPE_SZ");
	printf("default size: %d\n", sz);
	n = fill_nonblock(fds[1], &wst);
	printf("filled until EAGAIN: %zu\n", n);
	expect_eq("bytes until EAGAIN vs F_GETPIPE_SZ", n, sz);
	if (!drain_check(fds[0], n, &rst))
		printf("content: ok\n");

	got = fcntl(fds[1], F_SETPIPE_SZ, (int)size);
	if (got < 0)
		die("F_SETPIPE_SZ");
	sz = fcntl(fds[0], F_GETPIPE_SZ);
	printf("set %lu: got %d, F_GETPIPE_SZ %d\n", size, got, sz);
	n = fill_nonblock(fds[1], &wst);
	printf("filled until EAGAIN: %zu\n", n);
	expect_eq("bytes until EAGAIN vs F_SETPIPE_SZ", n, got);

	/* The data in the pipe needs more than one page: cannot shrink. */
	expect_err("shrink to 4096 below the contents",
		   fcntl(fds[1], F_SETPIPE_SZ, 4096), EBUSY);
	expect_err("set 2147483649",
		   fcntl(fds[1], F_SETPIPE_SZ, 0x80000001u), EINVAL);
	sz = fcntl(fds[0], F_GETPIPE_SZ);
	printf("size after errors: %d\n", sz);
	expect_eq("size after errors", sz, got);
	if (!drain_check(fds[0], n, &rst))
		printf("content: ok\n");
	close(fds[0]);
	close(fds[1]);
}

/* A record of the atomic test: a header, then seeded payload. */
struct record {
	__u32 writer;
	__u32 seq;
	__u32 sum;
	unsigned char payload[];
};

static __u32 fnv1a(const unsigned char *p, size_t len)
{
	__u32 h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static void make_record(struct record *r, size_t size, __u32 writer,
			__u32 seq, __u32 *state)
{
	size_t i, plen = size - sizeof(*r);

	r->writer = writer;
	r->seq = seq;
	for (i = 0; i < plen; i++)
		r->payload[i] = rnd_next(state) >> 24;
	r->sum = fnv1a(r->payload, plen);
}

/* Writers wait on @go (a pipe that is closed to start them all at once). */
static void start_line(int go)
{
	char c;

	phase = "writer waiting for the start";
	if (read(go, &c, 1) < 0)
		die("read start pipe");
}

/*
 * atomic WRITERS RECORDS SIZE SEED: records of SIZE <= PIPE_BUF bytes from
 * several writers at once arrive whole, each writer's in order.
 */
static void cmd_atomic(char **argv)
{
	unsigned int writers = arg_num(argv[0], 2, MAX_WRITERS, "WRITERS");
	unsigned int records = arg_num(argv[1], 1, 100000, "RECORDS");
	size_t size = arg_num(argv[2], sizeof(struct record) + 1, PIPE_BUF,
			      "SIZE");
	unsigned long seed = arg_num(argv[3], 1, UINT_MAX, "SEED");
	__u32 state[MAX_WRITERS], next[MAX_WRITERS] = { 0 };
	struct record *r = malloc(size), *want = malloc(size);
	unsigned long intact = 0, torn = 0, switches = 0, total;
	pid_t pids[MAX_WRITERS];
	int fds[2], go[2], last = -1;
	unsigned int w, i;

	if (!r || !want)
		die("malloc");
	printf("PIPE_BUF: %d\n", PIPE_BUF);
	xpipe(fds, 0);
	xpipe(go, 0);
	for (w = 0; w < writers; w++) {
		pids[w] = xfork();
		if (pids[w] == 0) {
			__u32 st = rnd_seed(seed, w + 1);

			close(fds[0]);
			close(go[1]);
			start_line(go[0]);
			phase = "writer writing";
			for (i = 0; i < records; i++) {
				make_record(r, size, w, i, &st);
				write_full(fds[1], r, size, "record write");
			}
			child_exit();
		}
	}
	close(fds[1]);
	close(go[0]);
	close(go[1]);	/* all writers start now */

	phase = "reading records";
	for (w = 0; w < writers; w++)
		state[w] = rnd_seed(seed, w + 1);
	total = (unsigned long)writers * records;
	for (;;) {
		size_t n = read_full(fds[0], r, size);

		if (n == 0)
			break;
		if (n != size) {
			fail("record: got %zu bytes at EOF, expected %zu",
			     n, size);
			torn++;
			break;
		}
		if (r->writer >= writers || r->seq != next[r->writer]) {
			torn++;
			continue;
		}
		make_record(want, size, r->writer, r->seq, &state[r->writer]);
		if (memcmp(r, want, size)) {
			torn++;
			continue;
		}
		intact++;
		next[r->writer]++;
		if (last >= 0 && (unsigned int)last != r->writer)
			switches++;
		last = r->writer;
	}
	for (w = 0; w < writers; w++)
		reap(pids[w], "writer");
	printf("records: %lu intact of %lu, %lu torn\n", intact, total, torn);
	expect_eq("intact records", intact, total);
	expect_eq("torn records", torn, 0);
	for (w = 0; w < writers; w++)
		expect_eq("records from one writer", next[w], records);
	if (intact == total)
		printf("per-writer order: preserved\n");
	/* How much the writers took turns: reported, not asserted. */
	printf("writer switches: %lu\n", switches);
	close(fds[0]);
}

/*
 * big WRITERS RECORDS SIZE: writes larger than PIPE_BUF may interleave.
 * Every byte of writer w is 'a' + w: nothing may be lost, tears are counted.
 */
static void cmd_big(char **argv)
{
	unsigned int writers = arg_num(argv[0], 2, MAX_WRITERS, "WRITERS");
	unsigned int records = arg_num(argv[1], 1, 64, "RECORDS");
	size_t size = arg_num(argv[2], PIPE_BUF + 1, 1 << 20, "SIZE");
	unsigned long count[MAX_WRITERS] = { 0 }, other = 0, torn = 0;
	unsigned char *buf = malloc(size);
	pid_t pids[MAX_WRITERS];
	unsigned int w, i;
	int fds[2], go[2];
	size_t n, j;

	if (!buf)
		die("malloc");
	xpipe(fds, 0);
	xpipe(go, 0);
	for (w = 0; w < writers; w++) {
		pids[w] = xfork();
		if (pids[w] == 0) {
			close(fds[0]);
			close(go[1]);
			memset(buf, 'a' + w, size);
			start_line(go[0]);
			phase = "writer writing";
			for (i = 0; i < records; i++)
				write_full(fds[1], buf, size, "big write");
			child_exit();
		}
	}
	close(fds[1]);
	close(go[0]);
	close(go[1]);

	phase = "reading big records";
	while ((n = read_full(fds[0], buf, size)) > 0) {
		int mixed = 0;

		for (j = 0; j < n; j++) {
			unsigned int b = buf[j] - 'a';

			if (b < writers)
				count[b]++;
			else
				other++;
			if (buf[j] != buf[0])
				mixed = 1;
		}
		torn += mixed;
	}
	for (w = 0; w < writers; w++)
		reap(pids[w], "writer");
	for (w = 0; w < writers; w++)
		expect_eq("bytes from one writer", count[w],
			  (unsigned long)records * size);
	expect_eq("bytes from nobody", other, 0);
	if (!failed)
		printf("bytes: all %lu from each writer\n",
		       (unsigned long)records * size);
	/* Allowed above PIPE_BUF: reported, not asserted. */
	printf("torn records: %lu of %lu\n", torn,
	       (unsigned long)writers * records);
	close(fds[0]);
	free(buf);
}

/* epipe WORD: a reader takes WORD and leaves; then EPIPE and SIGPIPE. */
static void cmd_epipe(char **argv)
{
	const char *word = argv[0];
	size_t len = arg_word(word);
	char buf[MAX_WORD + 1];
	int fds[2], status;
	pid_t pid;

	xpipe(fds, 0);
	pid = xfork();
	if (pid == 0) {
		close(fds[1]);
		phase = "reader reading";
		if (read_full(fds[0], buf, len) != len)
			fail("reader: short read");
		printf("reader got: %.*s\n", (int)len, buf);
		child_exit();	/* closes the only read end */
	}
	close(fds[0]);
	write_full(fds[1], word, len, "write");
	reap(pid, "reader");

	signal(SIGPIPE, SIG_IGN);
	expect_err("write with no reader (SIGPIPE ignored)",
		   write(fds[1], word, len), EPIPE);
	close(fds[1]);

	/* The default action of SIGPIPE: the writer dies. */
	xpipe(fds, 0);
	close(fds[0]);
	pid = xfork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(fds[1], word, len);
		printf("writer survived the write\n");
		_exit(KSFT_FAIL);
	}
	close(fds[1]);
	phase = "waiting for the writer";
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE) {
		printf("write with no reader (default SIGPIPE): killed by SIGPIPE\n");
	} else {
		printf("write with no reader (default SIGPIPE): status %#x\n",
		       status);
		fail("writer: got status %#x, expected death by SIGPIPE",
		     status);
	}
}

static const char *pollname(short ev)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s%s%s", ev & POLLIN ? " POLLIN" : "",
		 ev & POLLHUP ? " POLLHUP" : "", ev ? "" : " none");
	return buf + 1;
}

/* eof WORD WRITERS: read returns 0 only once every write end is closed. */
static void cmd_eof(char **argv)
{
	const char *word = argv[0];
	size_t len = arg_word(word);
	unsigned int writers = arg_num(argv[1], 1, MAX_WRITERS, "WRITERS");
	unsigned int seen[MAX_WRITERS] = { 0 }, lines = 0, w;
	char buf[MAX_WRITERS * (MAX_WORD + 8)], *line, *save;
	pid_t pids[MAX_WRITERS];
	struct pollfd pfd;
	int fds[2], ret;
	size_t got;

	xpipe(fds, 0);
	for (w = 0; w < writers; w++) {
		pids[w] = xfork();
		if (pids[w] == 0) {
			char msg[MAX_WORD + 8];
			int n;

			close(fds[0]);
			n = snprintf(msg, sizeof(msg), "%u:%s\n", w, word);
			write_full(fds[1], msg, n, "line write");
			child_exit();
		}
	}
	close(fds[1]);	/* else read() could never return 0 */
	phase = "reading until EOF";
	got = read_full(fds[0], buf, sizeof(buf) - 1);
	buf[got] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');

		lines++;
		w = strtoul(line, NULL, 10);
		if (!colon || w >= writers || strcmp(colon + 1, word))
			fail("line: got \"%s\", expected \"N:%s\"", line, word);
		else
			seen[w]++;
	}
	for (w = 0; w < writers; w++) {
		reap(pids[w], "writer");
		expect_eq("lines from one writer", seen[w], 1);
	}
	printf("eof after %u lines from %u writers\n", lines, writers);
	close(fds[0]);

	/* The classic bug: a write end left open in the reader. */
	xpipe(fds, 0);
	pids[0] = xfork();
	if (pids[0] == 0) {
		close(fds[0]);
		write_full(fds[1], word, len, "write");
		child_exit();
	}
	reap(pids[0], "writer");
	got = read_full(fds[0], buf, len);
	printf("read: %.*s\n", (int)got, buf);
	if (got != len || memcmp(buf, word, len))
		fail("read: got %zu bytes, expected \"%s\"", got, word);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, 300);
	printf("write end still open here, poll 300 ms: %s\n",
	       ret == 0 ? "timed out" : pollname(pfd.revents));
	if (ret != 0)
		fail("poll with a write end open: got %d, expected a timeout",
		     ret);
	close(fds[1]);
	ret = poll(&pfd, 1, TIMEOUT_S * 1000);
	printf("after closing it: %s\n", ret > 0 ? pollname(pfd.revents) :
	       "timed out");
	if (ret <= 0 || !(pfd.revents & POLLHUP))
		fail("poll after the last close: expected POLLHUP");
	ret = read(fds[0], buf, 1);
	printf("read after the last close: %d\n", ret);
	expect_eq("read at EOF", ret, 0);
	close(fds[0]);
}

static const struct command commands[] = {
	{ "capacity", "SIZE SEED", 2, cmd_capacity },
	{ "atomic", "WRITERS RECORDS SIZE SEED", 4, cmd_atomic },
	{ "big", "WRITERS RECORDS SIZE", 3, cmd_big },
	{ "epipe", "WORD", 1, cmd_epipe },
	{ "eof", "WORD WRITERS", 2, cmd_eof },
};

int main(int argc, char **argv)
{
	labtest_start();

	return run_command("pipe", commands, ARRAY_SIZE(commands), argc, argv);
}
