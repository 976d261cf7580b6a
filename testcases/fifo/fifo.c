// SPDX-License-Identifier: GPL-2.0
/*
 * Named pipes (mkfifo): a name in the filesystem lets unrelated processes
 * meet; open blocks until the other end comes, O_NONBLOCK gives ENXIO, the
 * data never touches the disk; exits 0/1/4.
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
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define TIMEOUT_S	30	/* every blocking call ends by then */
#define BLOCK_WAIT_MS	10000	/* how long to wait for a task to sleep */
#define MAX_WORD	256

#include "labtest.h"

static char path[PATH_MAX];

/* /tmp/NAME from a host-chosen NAME. */
static void arg_path(const char *name)
{
	if (!*name || strchr(name, '/') || strlen(name) > 64) {
		fail("usage: NAME must be 1..64 characters without '/', got \"%s\"",
		     name);
		exit(KSFT_FAIL);
	}
	snprintf(path, sizeof(path), "/tmp/%s", name);
}

static void make_fifo(void)
{
	if (unlink(path) < 0 && errno != ENOENT)
		die("unlink");
	if (mkfifo(path, 0600) < 0)
		die("mkfifo");
}

static void print_word(const char *what, const char *buf, ssize_t n,
		       const char *word)
{
	size_t len = strlen(word);

	if (n < 0) {
		printf("%s: %s\n", what, errname(errno));
		fail("%s: got %s, expected \"%s\"", what, errname(errno), word);
		return;
	}
	printf("%s: %.*s\n", what, (int)n, buf);
	if ((size_t)n != len || memcmp(buf, word, len))
		fail("%s: got \"%.*s\", expected \"%s\"", what, (int)n, buf,
		     word);
}

/* Read until @len bytes or EOF. */
static ssize_t read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

/* Whether @pid sleeps (state S) in open/openat, within BLOCK_WAIT_MS. */
static int wait_blocked_in_open(pid_t pid)
{
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };
	char file[64], buf[512], state = '?';
	long cur = -1;
	int i;

	for (i = 0; i < BLOCK_WAIT_MS; i++) {
		char *p;

		snprintf(file, sizeof(file), "/proc/%d/stat", (int)pid);
		if (read_file(file, buf, sizeof(buf)) < 0)
			die(file);
		p = strrchr(buf, ')');
		state = p && p[1] ? p[2] : '?';
		snprintf(file, sizeof(file), "/proc/%d/syscall", (int)pid);
		if (read_file(file, buf, sizeof(buf)) < 0)
			cur = SYS_openat;	/* no such file: trust state */
		else
			cur = strtol(buf, NULL, 10);
		if (state == 'S' && (cur == SYS_open || cur == SYS_openat))
			return 0;
		nanosleep(&ms, NULL);
	}
	fail("reader never blocked in open: got state %c in syscall %ld",
	     state, cur);
	return -1;
}

/* Waits up to @ms for a byte on @fd: 1 if one came, 0 on timeout. */
static int poll_byte(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ret = poll(&pfd, 1, ms);
	char c;

	if (ret < 0)
		die("poll");
	if (ret && read(fd, &c, 1) != 1)
		return 0;
	return ret;
}

/* open-block NAME WORD: O_RDONLY sleeps until a writer opens. */
static void cmd_open_block(char **argv)
{
	const char *word = argv[1];
	size_t len = arg_word(word);
	char buf[MAX_WORD];
	int st[2], fd;
	pid_t pid;

	arg_path(argv[0]);
	make_fifo();
	if (pipe(st) < 0)
		die("pipe");
	pid = xfork();
	if (pid == 0) {
		close(st[0]);
		phase = "reader in open";
		fd = open(path, O_RDONLY);
		if (fd < 0)
			die("reader open");
		write(st[1], "o", 1);	/* "open returned" */
		phase = "reader reading";
		print_word("reader got", buf, read_full(fd, buf, len), word);
		child_exit();
	}
	close(st[1]);
	if (wait_blocked_in_open(pid))
		goto out;
	if (poll_byte(st[0], 300)) {
		printf("reader open, no writer, 300 ms: returned\n");
		fail("reader open returned without a writer");
	} else {
		printf("reader open, no writer, 300 ms: still blocked\n");
	}
	phase = "writer open";
	fd = open(path, O_WRONLY);
	if (fd < 0)
		die("writer open");
	if (poll_byte(st[0], TIMEOUT_S * 1000))
		printf("reader open after the writer opened: returned\n");
	else
		fail("reader open never returned after the writer opened");
	if (write(fd, word, len) != (ssize_t)len)
		fail("write: short or failed");
	close(fd);
out:
	reap(pid, "reader");
	if (unlink(path) < 0)
		die("unlink");
}

/* nonblock NAME WORD: ENXIO without a reader; EOF without a writer. */
static void cmd_nonblock(char **argv)
{
	const char *word = argv[1];
	size_t len = arg_word(word);
	char buf[MAX_WORD];
	int rfd, wfd;

	arg_path(argv[0]);
	make_fifo();
	expect_err("open O_WRONLY|O_NONBLOCK, no reader",
		   open(path, O_WRONLY | O_NONBLOCK), ENXIO);
	rfd = open(path, O_RDONLY | O_NONBLOCK);
	if (rfd < 0)
		die("open O_RDONLY|O_NONBLOCK");
	printf("open O_RDONLY|O_NONBLOCK, no writer: ok\n");
	printf("read, no writer ever: %zd\n", read(rfd, buf, sizeof(buf)));
	wfd = open(path, O_WRONLY | O_NONBLOCK);
	if (wfd < 0)
		die("open O_WRONLY|O_NONBLOCK with a reader");
	printf("open O_WRONLY|O_NONBLOCK, with a reader: ok\n");
	expect_err("read, writer open, nothing written",
		   read(rfd, buf, sizeof(buf)), EAGAIN);
	if (write(wfd, word, len) != (ssize_t)len)
		fail("write: short or failed");
	print_word("read", buf, read(rfd, buf, sizeof(buf)), word);
	close(rfd);
	signal(SIGPIPE, SIG_IGN);
	expect_err("write after the reader closed", write(wfd, word, len),
		   EPIPE);
	close(wfd);
	if (unlink(path) < 0)
		die("unlink");
}

/* name NAME WORD: the name is only a meeting point; data stays in memory. */
static void cmd_name(char **argv)
{
	const char *word = argv[1];
	size_t len = arg_word(word);
	struct stat sb, sb2;
	char buf[MAX_WORD];
	int rfd, wfd, fd;

	arg_path(argv[0]);
	make_fifo();
	expect_err("mkfifo again", mkfifo(path, 0600), EEXIST);
	if (stat(path, &sb) < 0)
		die("stat");
	printf("type: %s, mode %03o\n", S_ISFIFO(sb.st_mode) ? "fifo" : "other",
	       sb.st_mode & 0777);
	rfd = open(path, O_RDONLY | O_NONBLOCK);
	wfd = open(path, O_WRONLY | O_NONBLOCK);
	if (rfd < 0 || wfd < 0)
		die("open");
	if (write(wfd, word, len) != (ssize_t)len)
		fail("write: short or failed");
	if (stat(path, &sb) < 0)
		die("stat");
	printf("size on disk with %zu bytes inside: %lld\n", len,
	       (long long)sb.st_size);
	expect_eq("st_size", sb.st_size, 0);
	if (unlink(path) < 0)
		die("unlink");
	printf("name removed: %s\n", access(path, F_OK) ? "yes" : "no");
	/* A new fifo under the old name is another object. */
	if (mkfifo(path, 0600) < 0)
		die("mkfifo again after unlink");
	if (fstat(rfd, &sb) < 0 || stat(path, &sb2) < 0)
		die("stat");
	printf("new fifo, same name, same object: %s\n",
	       sb.st_ino == sb2.st_ino ? "yes" : "no");
	expect_eq("same inode", sb.st_ino == sb2.st_ino, 0);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		die("open new fifo");
	printf("read from the new fifo: %zd\n", read(fd, buf, sizeof(buf)));
	close(fd);
	print_word("read from the unlinked fifo", buf,
		   read(rfd, buf, sizeof(buf)), word);
	close(rfd);
	close(wfd);
	if (unlink(path) < 0)
		die("unlink");
}

/* The byte stream of transfer: a seeded sequence. */
static void fill(unsigned char *buf, size_t len, __u32 *state)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = rnd_next(state) >> 24;
}

/* send NAME SIZE SEED: an unrelated process writes to the fifo. */
static void cmd_send(char **argv)
{
	size_t size = arg_num(argv[1], 1, 64 << 20, "SIZE");
	__u32 st = rnd_seed(arg_num(argv[2], 1, UINT_MAX, "SEED"), 0);
	unsigned char buf[8192];
	size_t done = 0;
	int fd;

	arg_path(argv[0]);
	phase = "sender in open";
	fd = open(path, O_WRONLY);
	if (fd < 0)
		die("sender open");
	phase = "sender writing";
	while (done < size) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);

		fill(buf, n, &st);
		if (write(fd, buf, n) != (ssize_t)n)
			die("sender write");
		done += n;
	}
	close(fd);
	printf("sender pid %d: sent %zu bytes\n", (int)getpid(), done);
}

/* recv NAME SIZE SEED: makes the fifo, reads it to EOF, removes it. */
static void cmd_recv(char **argv)
{
	size_t size = arg_num(argv[1], 1, 64 << 20, "SIZE");
	__u32 st = rnd_seed(arg_num(argv[2], 1, UINT_MAX, "SEED"), 0);
	unsigned char buf[8192], want[8192];
	size_t done = 0, bad = 0, i;
	ssize_t n;
	int fd;

	arg_path(argv[0]);
	phase = "receiver in open";
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die("receiver open");
	phase = "receiver reading";
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		fill(want, n, &st);
		for (i = 0; i < (size_t)n; i++)
			bad += buf[i] != want[i];
		done += n;
	}
	if (n < 0)
		die("receiver read");
	close(fd);
	printf("receiver pid %d: got %zu bytes, %zu differ\n", (int)getpid(),
	       done, bad);
	expect_eq("bytes received", done, size);
	expect_eq("bytes that differ", bad, 0);
	if (unlink(path) < 0)
		die("unlink");
	printf("removed: %s\n", path);
}

/* make NAME: mkfifo, and EEXIST the second time. */
static void cmd_make(char **argv)
{
	arg_path(argv[0]);
	make_fifo();
	printf("made: %s\n", path);
	expect_err("mkfifo again", mkfifo(path, 0600), EEXIST);
}

static const struct command commands[] = {
	{ "open-block", "NAME WORD", 2, cmd_open_block },
	{ "nonblock", "NAME WORD", 2, cmd_nonblock },
	{ "name", "NAME WORD", 2, cmd_name },
	{ "make", "NAME", 1, cmd_make },
	{ "send", "NAME SIZE SEED", 3, cmd_send },
	{ "recv", "NAME SIZE SEED", 3, cmd_recv },
};

int main(int argc, char **argv)
{
	labtest_start();

	return run_command("fifo", commands, ARRAY_SIZE(commands), argc, argv);
}
