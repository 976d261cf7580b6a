// SPDX-License-Identifier: GPL-2.0
/* A kselftest-style program with nothing to run: every case skipped, exit 4. */
#include <stdio.h>

int main(void)
{
	printf("TAP version 13\n1..1\n");
	printf("ok 1 proc_filter # SKIP needs CONFIG_PROC_EVENTS\n");
	printf("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0\n");
	return 4;
}
