// SPDX-License-Identifier: GPL-2.0
/* A program that crashes: killed by SIGSEGV, as by a bad pointer. */
#include <signal.h>
#include <stdio.h>

int main(void)
{
	printf("crash: raising SIGSEGV\n");
	fflush(stdout);
	raise(SIGSEGV);
	return 0;
}
