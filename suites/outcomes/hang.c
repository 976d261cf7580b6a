// SPDX-License-Identifier: GPL-2.0
/* A program that hangs: it sleeps past its timeout (settings), TIMEOUT. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("hang: sleeping for 600 s\n");
	fflush(stdout);
	sleep(600);
	return 0;
}
