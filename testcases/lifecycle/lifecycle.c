// SPDX-License-Identifier: GPL-2.0
/*
 * What the lifecycle tests (and the injected leak of suites/faults/) need of
 * user space: kmemleak scans that nothing can abandon.
 *
 * kmemleak abandons a scan, and then reports nothing, when the process that
 * asked for it has a signal pending (mm/kmemleak.c, scan_should_stop()): a
 * shell's SIGCHLD would do, and so would a signal the module under test
 * sends on purpose. A blocked signal is never pending, so this program
 * blocks every signal it can before it asks; SIGKILL ends it (a failed
 * test), SIGSTOP holds it (a timeout). Exits 0 pass, 1 fail.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "labtest.h"

#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

LAB_PROGRAM(.timeout_s = 60);	/* a scan of the debug kernel takes seconds */

/* kmemleak-scan N: N scans, one after the other, every signal blocked. */
LAB_CASE(kmemleak_scan, "N", 1)
{
	unsigned long long i, n = arg_num(argv[0], 1, 10, "N");
	sigset_t all;
	int fd;

	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, NULL) < 0)
		die("sigprocmask");
	fd = open(KMEMLEAK, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die(KMEMLEAK);
	for (i = 1; i <= n; i++) {
		if (write(fd, "scan", 4) != 4)
			die("scan");
		printf("scan %llu: done\n", i);
	}
	close(fd);
}
