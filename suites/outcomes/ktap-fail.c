// SPDX-License-Identifier: GPL-2.0
/* A kselftest-style program that fails: a "not ok" with its reason, exit 1. */
#include <stdio.h>

int main(void)
{
	printf("TAP version 13\n1..2\n");
	printf("ok 1 mq_open\n");
	printf("# mq_receive: got priority 1, expected 7\n");
	printf("not ok 2 mq_priority\n");
	printf("# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0\n");
	return 1;
}
