// SPDX-License-Identifier: GPL-2.0
/*
 * What a suite's program inherits from the timeout wrapper: the lab's own
 * check (signal clean-start, testcases/signal/classic.c), exec'd so it
 * runs in this very process (exec keeps what is ignored and blocked).
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	execl("/opt/ipclab/signal", "signal", "clean-start", (char *)NULL);
	perror("clean-start: /opt/ipclab/signal");
	return 1;
}
