// SPDX-License-Identifier: GPL-2.0
/*
 * Named pipes (mkfifo): a name in the filesystem lets unrelated processes
 * meet; open blocks until the other end comes, O_NONBLOCK gives ENXIO, the
 * data never touches the disk.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 30);

#define MAX_WORD	256

static char path[PATH_MAX];

/* /tmp/NAME from a host-chosen NAME; with @make, a new fifo there. */
static void arg_path(const char *name, int make)
{
	if (!*name || strchr(name, '/') || strlen(name) > 64) {
		fail("usage: NAME must be 1..64 characters without '/', got \"%s\"",
		     name);
		exit(KSFT_FAIL);
	}
	snprintf(path, sizeof(path), "/tmp/%s", name);
	if (make) {
		unlink(path);
		must(mkfifo(path, 0600), "mkfifo");
	}
}

/* Opens the fifo (@what names the wait, should it block); dies on errors. */
static int open_fifo(const char *what, int flags)
{
	int fd;

	phase = what;
	/* openat(), which is SYS_openat everywhere (open() may be SYS_open) */
	fd = must(openat(AT_FDCWD, path, flags), what);
	printf("%s: ok\n", what);
	return fd;
}

/* Waits up to @ms for the reader's "open returned" byte; FAILs unless @want. */
static void expect_open(const char *what, int fd, int ms, int want)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ret = poll(&pfd, 1, ms);
	char c;

	ret = must(ret, "poll") && read(fd, &c, 1) == 1;
	printf("%s: %s\n", what, ret ? "returned" : "still blocked");
	if (ret != want)
		fail("%s: expected %s", what, want ? "returned" : "blocked");
}

/* open-block NAME WORD: O_RDONLY sleeps until a writer opens. */
LAB_CASE(open_block, "NAME WORD", 2)
{
	const char *word = argv[1];
	size_t len = arg_word(word, MAX_WORD);
	char buf[MAX_WORD];
	int st[2], fd;
	pid_t pid;

	arg_path(argv[0], 1);
	must(pipe(st), "pipe");
	pid = xfork();
	if (pid == 0) {
		fd = open_fifo("reader open", O_RDONLY);
		write_full(st[1], "o", 1, "write \"open returned\"");
		phase = "reader reading";
		print_word("reader got", buf, read_full(fd, buf, len), word);
		child_exit();
	}
	close(st[1]);
	if (!wait_blocked(pid, SYS_openat, "reader in open")) {
		expect_open("reader open, no writer, 300 ms", st[0], 300, 0);
		fd = open_fifo("writer open", O_WRONLY);
		expect_open("reader open after the writer opened", st[0],
			    lab_program.timeout_s * 1000, 1);
		write_full(fd, word, len, "write");
		close(fd);
	}
	reap(pid, "reader");
	must(unlink(path), "unlink");
}

/* Opens the fifo's read end, then its write end, both O_NONBLOCK. */
static void open_both(int *rfd, int *wfd)
{
	*rfd = open_fifo("open O_RDONLY|O_NONBLOCK", O_RDONLY | O_NONBLOCK);
	*wfd = open_fifo("open O_WRONLY|O_NONBLOCK", O_WRONLY | O_NONBLOCK);
}

/* enxio NAME: O_WRONLY|O_NONBLOCK without a reader fails with ENXIO. */
LAB_CASE(enxio, "NAME", 1)
{
	arg_path(argv[0], 1);
	expect_err("open O_WRONLY|O_NONBLOCK, no reader",
		   open(path, O_WRONLY | O_NONBLOCK), ENXIO);
	must(unlink(path), "unlink");
}

/*
 * nonblock-read NAME WORD: an O_NONBLOCK read end reads EOF while no writer
 * ever came, EAGAIN while one is there with nothing written, then WORD.
 */
LAB_CASE(nonblock_read, "NAME WORD", 2)
{
	const char *word = argv[1];
	size_t len = arg_word(word, MAX_WORD);
	char buf[MAX_WORD];
	int rfd, wfd;

	arg_path(argv[0], 1);
	rfd = open_fifo("open O_RDONLY|O_NONBLOCK, no writer",
			O_RDONLY | O_NONBLOCK);
	expect_eq("read, no writer ever", read(rfd, buf, sizeof(buf)), 0);
	wfd = open_fifo("open O_WRONLY|O_NONBLOCK, with a reader",
			O_WRONLY | O_NONBLOCK);
	expect_err("read, writer open, nothing written",
		   read(rfd, buf, sizeof(buf)), EAGAIN);
	write_full(wfd, word, len, "write");
	print_word("read", buf, read(rfd, buf, sizeof(buf)), word);
	must(unlink(path), "unlink");
}

/* epipe NAME: a write after the only reader closed fails with EPIPE. */
LAB_CASE(epipe, "NAME", 1)
{
	int rfd, wfd;

	arg_path(argv[0], 1);
	open_both(&rfd, &wfd);
	close(rfd);
	signal(SIGPIPE, SIG_IGN);
	expect_err("write after the reader closed", write(wfd, "x", 1),
		   EPIPE);
	must(unlink(path), "unlink");
}

/* mkfifo NAME: a fifo of mode 600 at /tmp/NAME; EEXIST the second time. */
LAB_CASE(mkfifo, "NAME", 1)
{
	struct stat sb;

	arg_path(argv[0], 1);
	expect_err("mkfifo again", mkfifo(path, 0600), EEXIST);
	must(stat(path, &sb), "stat");
	if ((sb.st_mode & (S_IFMT | 0777)) != (S_IFIFO | 0600))
		fail("st_mode: got %o, expected a fifo of mode 600",
		     sb.st_mode);
	must(unlink(path), "unlink");
}

/* no-disk NAME WORD: WORD inside the fifo, its file stays of size 0. */
LAB_CASE(no_disk, "NAME WORD", 2)
{
	const char *word = argv[1];
	size_t len = arg_word(word, MAX_WORD);
	char buf[MAX_WORD];
	struct stat sb;
	int rfd, wfd;

	arg_path(argv[0], 1);
	open_both(&rfd, &wfd);
	write_full(wfd, word, len, "write");
	must(stat(path, &sb), "stat");
	expect_eq("st_size with the word inside", sb.st_size, 0);
	print_word("read", buf, read(rfd, buf, sizeof(buf)), word);
	must(unlink(path), "unlink");
}

/*
 * unlinked NAME WORD: the name is only a meeting point: the fifo lives on
 * after unlink, and a new fifo under the old name is another object.
 */
LAB_CASE(unlinked, "NAME WORD", 2)
{
	const char *word = argv[1];
	size_t len = arg_word(word, MAX_WORD);
	struct stat sb, sb2;
	char buf[MAX_WORD];
	int rfd, wfd, fd;

	arg_path(argv[0], 1);
	open_both(&rfd, &wfd);
	write_full(wfd, word, len, "write");
	must(unlink(path), "unlink");
	expect_err("the name after unlink", access(path, F_OK), ENOENT);
	must(mkfifo(path, 0600), "mkfifo again after unlink");
	must(fstat(rfd, &sb), "fstat");
	must(stat(path, &sb2), "stat");
	expect_eq("new fifo, same name, same inode", sb.st_ino == sb2.st_ino,
		  0);
	fd = open_fifo("open the new fifo", O_RDONLY | O_NONBLOCK);
	expect_eq("read from the new fifo", read(fd, buf, sizeof(buf)), 0);
	print_word("read from the unlinked fifo", buf,
		   read(rfd, buf, sizeof(buf)), word);
	must(unlink(path), "unlink");
}

/* send NAME SIZE SEED: an unrelated process writes to the fifo. */
LAB_CASE(send, "NAME SIZE SEED", 3)
{
	size_t size = arg_num(argv[1], 1, 64 << 20, "SIZE"), done, n;
	__u32 st = rnd_seed(arg_num(argv[2], 1, UINT_MAX, "SEED"), 0);
	unsigned char buf[8192];
	int fd;

	arg_path(argv[0], 0);
	fd = open_fifo("sender open", O_WRONLY);
	phase = "sender writing";
	for (done = 0; done < size; done += n) {
		n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		rnd_fill(buf, n, &st);
		write_full(fd, buf, n, "sender write");
	}
	close(fd);
	printf("sender pid %d: sent %zu bytes\n", (int)getpid(), done);
}

/* recv NAME SIZE SEED: reads the fifo to EOF, then removes it. */
LAB_CASE(recv, "NAME SIZE SEED", 3)
{
	size_t size = arg_num(argv[1], 1, 64 << 20, "SIZE");
	__u32 st = rnd_seed(arg_num(argv[2], 1, UINT_MAX, "SEED"), 0);
	unsigned char buf[8192];
	size_t done = 0, bad = 0;
	ssize_t n;
	int fd;

	arg_path(argv[0], 0);
	fd = open_fifo("receiver open", O_RDONLY);
	phase = "receiver reading";
	for (; (n = read(fd, buf, sizeof(buf))) > 0; done += n)
		bad += rnd_differ(buf, n, &st);
	must(n, "receiver read");
	printf("receiver pid %d: got %zu bytes, %zu differ\n", (int)getpid(),
	       done, bad);
	expect_eq("bytes received", done, size);
	expect_eq("bytes that differ", bad, 0);
	must(unlink(path), "unlink");
	printf("removed: %s\n", path);
}

/* make NAME: mkfifo, and EEXIST the second time. */
LAB_CASE(make, "NAME", 1)
{
	arg_path(argv[0], 1);
	printf("made: %s\n", path);
	expect_err("mkfifo again", mkfifo(path, 0600), EEXIST);
}
