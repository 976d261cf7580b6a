// SPDX-License-Identifier: GPL-2.0
/*
 * lab-exec: start a program with every signal at its default action and
 * none blocked, whatever the shell that started it left behind. A
 * non-interactive sh starts what it runs with & with SIGINT and SIGQUIT
 * ignored (POSIX), which the program inherits: kill -QUIT then does
 * nothing (LTP's kill11 hung until its timeout).
 *
 * usage: lab-exec PROGRAM [ARG]...    (/bin/lab-exec in the guest)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int sig;

	if (argc < 2) {
		fprintf(stderr, "lab-exec: usage: lab-exec PROGRAM [ARG]...\n");
		return 2;
	}
	/* SIGKILL, SIGSTOP and libc's own signals refuse: they are default. */
	for (sig = 1; sig < _NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) {
		perror("lab-exec: sigprocmask");
		return 126;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "lab-exec: %s: %s\n", argv[1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
