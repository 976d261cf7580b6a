// SPDX-License-Identifier: GPL-2.0
/* A kselftest-style program that passes: KTAP, ok and a skipped case, exit 0. */
#include <stdio.h>

int main(void)
{
	printf("TAP version 13\n1..3\n");
	printf("# Starting 3 tests\n");
	printf("ok 1 eventfd_read\n");
	printf("ok 2 eventfd_poll\n");
	printf("ok 3 eventfd_huge # SKIP no huge pages\n");
	printf("# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:1 error:0\n");
	return 0;
}
