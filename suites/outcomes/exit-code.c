// SPDX-License-Identifier: GPL-2.0
/* A plain program: it says what it does and exits with the code it is given. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int code = argc > 1 ? atoi(argv[1]) : 2;

	printf("exit-code: exiting with %d\n", code);
	return code;
}
