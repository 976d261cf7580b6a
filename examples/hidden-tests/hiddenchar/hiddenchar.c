// SPDX-License-Identifier: GPL-2.0
/*
 * A hidden test's own program, built like the lab's (static, musl, against
 * the lab kernel's UAPI, with testcases/lib/labtest.[ch]) because it sits in
 * an EXTRA_TESTS folder: hiddenchar/hiddenchar.c becomes /opt/ipclab/hiddenchar.
 */
#include "ipclab_uapi.h"
#include "labtest.h"

LAB_PROGRAM(.timeout_s = 30);

/*
 * small-reads WORD CHUNK: write WORD to the device in one write(), read it
 * back CHUNK bytes at a time, print "read: " and what came back.
 */
LAB_CASE(small_reads, "WORD CHUNK", 2)
{
	size_t len = arg_word(argv[0], 1000), got = 0;
	size_t chunk = arg_num(argv[1], 1, 64, "CHUNK");
	int fd = open_dev(IPCLAB_CHARDEV_PATH, O_NONBLOCK);
	char buf[1024];
	ssize_t n;

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
}
