// SPDX-License-Identifier: GPL-2.0
/*
 * The programs the shell drives: the classic SIGINT receiver and kill(2)
 * sender, await (for a file's lines), hold (the module in use) and
 * clean-start (what a started program inherits).
 */
#include "signal.h"

static int sigints, sigterm;	/* set by the handlers */

static void on_sigint(int sig)
{
	static const char msg[] = "received SIGINT\n";

	(void)sig;
	__atomic_add_fetch(&sigints, 1, __ATOMIC_RELAXED);
	write(STDOUT_FILENO, msg, sizeof(msg) - 1);
}

static void on_sigterm(int sig)
{
	(void)sig;
	__atomic_store_n(&sigterm, 1, __ATOMIC_RELAXED);
}

/*
 * receiver SECONDS: print "received SIGINT" for every SIGINT, sleep
 * otherwise; SIGTERM ends it, so does the alarm after SECONDS (a FAIL).
 * Its first line says it is ready.
 */
LAB_CASE(receiver, "SECONDS", 1)
{
	unsigned int secs = arg_num(argv[0], 1, 3600, "SECONDS");
	struct sigaction sa = { .sa_handler = on_sigint };

	sigemptyset(&sa.sa_mask);
	/* A shell starts background jobs with SIGINT ignored: override. */
	if (sigaction(SIGINT, &sa, NULL) < 0)
		die("sigaction SIGINT");
	sa.sa_handler = on_sigterm;
	if (sigaction(SIGTERM, &sa, NULL) < 0)
		die("sigaction SIGTERM");
	phase = "receiver waiting for signals";
	alarm(secs);
	printf("receiver: pid %d, waiting for SIGINT\n", (int)getpid());
	/* pause() returns after each handler ran. */
	while (!__atomic_load_n(&sigterm, __ATOMIC_RELAXED))
		pause();
	printf("receiver: SIGTERM after %d SIGINT\n",
	       __atomic_load_n(&sigints, __ATOMIC_RELAXED));
}

/* sender PID: send SIGINT with kill(2); perror on failure. */
LAB_CASE(sender, "PID", 1)
{
	pid_t pid = arg_num(argv[0], 1, 0x7fffffff, "PID");

	if (kill(pid, SIGINT) < 0) {
		perror("kill");
		exit(KSFT_FAIL);
	}
	printf("sender: SIGINT sent to %d\n", (int)pid);
}

/* Complete lines of @file equal to @text (any line if @text is NULL). */
static int count_lines(const char *file, const char *text)
{
	static char buf[65536];
	char *p, *nl;
	int n = 0;

	if (read_file(file, buf, sizeof(buf)) < 0)
		return 0;
	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		n += !text || !strcmp(p, text);
	}
	return n;
}

/*
 * await FILE COUNT [TEXT]: wait (up to 10 s, polling every 5 ms) until
 * FILE has COUNT complete lines (equal to TEXT if given).
 */
LAB_CASE(await, "FILE COUNT [TEXT]", -2)
{
	int want = arg_num(argv[1], 1, 100000, "COUNT"), got;
	const char *text = argv[2];
	long long t0 = now_ms();

	if (text && argv[3]) {
		fail("usage: signal await FILE COUNT [TEXT]");
		return;
	}
	while ((got = count_lines(argv[0], text)) < want &&
	       now_ms() - t0 < 10000)
		usleep(5000);
	if (got < want)
		fail("%s: %d lines%s%s after 10 s, expected %d", argv[0], got,
		     text ? " equal to " : "", text ? text : "", want);
	else
		printf("lines: %d\n", got);
}

/*
 * hold SIGNO VALUE: keep a registration and an armed timer until SIGTERM
 * (bounded by the alarm), so the module is in use meanwhile. Its first
 * line says they are.
 */
LAB_CASE(hold, "SIGNO VALUE", 2)
{
	int signo = arg_signo(argv[0], "SIGNO");
	int fd = receiver(-1, signo, arg_num(argv[1], 0, ~0ULL, "VALUE"));
	long ms = (lab_program.timeout_s - 2) * 1000L;
	siginfo_t si;

	block(SIGTERM);
	dev_timer(fd, IPCLAB_SIGNAL_MAX_DELAY_MS);
	printf("hold: registered, timer armed\n");
	if (wait_sig(SIGTERM, ms, &si) < 0)
		fail("hold: no SIGTERM within %ld ms", ms);
	else
		printf("hold: SIGTERM, closing\n");
	close(fd);
}

/* The mask of /proc/self/status line @field ("SigIgn:") must be zero. */
static void expect_no_signals(const char *status, const char *field,
			      const char *what)
{
	const char *f = strstr(status, field);
	unsigned long long mask;

	if (!f || sscanf(f + strlen(field), "%llx", &mask) != 1)
		fail("/proc/self/status: no %s line", field);
	else if (mask)
		fail("%s %016llx, expected 0 (signals %s at start)", field,
		     mask, what);
}

/*
 * clean-start: a program the lab starts must get every signal at its
 * default action and none blocked (a non-interactive sh ignores SIGINT and
 * SIGQUIT in what it starts with &): SigIgn and SigBlk of
 * /proc/self/status are all zero.
 */
LAB_CASE(clean_start, "", 0)
{
	char buf[4096];

	(void)argv;
	if (read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		die("/proc/self/status");
	expect_no_signals(buf, "SigBlk:", "blocked");
	expect_no_signals(buf, "SigIgn:", "ignored");
	if (!failed)
		printf("clean-start: no signal ignored or blocked\n");
}
