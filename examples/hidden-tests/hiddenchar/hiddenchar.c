// SPDX-License-Identifier: GPL-2.0
/*
 * A hidden test's own program, built like the lab's (static, musl, against
 * the lab kernel's UAPI, with testcases/lib/labtest.h) because it sits in
 * an EXTRA_TESTS folder: hiddenchar/hiddenchar.c becomes /opt/ipclab/hiddenchar.
 *
 * hiddenchar small-reads WORD CHUNK: write WORD to the device in one write(),
 * read it back CHUNK bytes at a time, print "read: " and what came back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipclab_uapi.h"

#define TIMEOUT_S	30	/* every blocking call ends by then */
#define MAX_WORD	1000

#include "labtest.h"

static void cmd_small_reads(char **argv)
{
	size_t len = arg_word(argv[0]), chunk, got = 0;
	char buf[1024];
	ssize_t n;
	int fd;

	chunk = arg_num(argv[1], 1, 64, "CHUNK");
	fd = open_dev(IPCLAB_CHARDEV_PATH, O_NONBLOCK);
	if (write(fd, argv[0], len) != (ssize_t)len)
		die("write");
	while (got < len) {
		n = read(fd, buf + got, chunk);
		if (n <= 0) {
			fail("read after %zu bytes: %s", got,
			     n ? strerror(errno) : "end of file");
			break;
		}
		if ((size_t)n > chunk)
			fail("read %zd bytes, asked for %zu", n, chunk);
		got += n;
	}
	buf[got] = '\0';
	printf("read: %s\n", buf);
	close(fd);
}

static const struct command commands[] = {
	{ "small-reads", "WORD CHUNK", 2, cmd_small_reads },
};

int main(int argc, char **argv)
{
	labtest_start();
	return run_command("hiddenchar", commands, ARRAY_SIZE(commands), argc,
			   argv);
}
