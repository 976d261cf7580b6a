// SPDX-License-Identifier: GPL-2.0
/*
 * How the driver's signals queue: standard signals coalesce, real-time ones
 * queue up to RLIMIT_SIGPENDING, K of them tell K events apart, and every
 * receiver gets its own under concurrent triggers (and registrations).
 */
#include <sys/resource.h>

#include "signal.h"

/* Takes every pending @signo: their count; @bad: those not SI_QUEUE @v. */
static unsigned int drain(int signo, unsigned long long v, unsigned int *bad)
{
	unsigned int n = 0;
	siginfo_t si;

	for (*bad = 0; wait_sig(signo, 0, &si) == 0; n++)
		*bad += si.si_code != SI_QUEUE || si_val(&si) != v;
	return n;
}

/* RLIMIT_SIGPENDING: exactly @n, or at least @n (RLIM_INFINITY is ~0). */
static void set_sigpending(rlim_t n, int exact)
{
	struct rlimit rl = { n, n };

	if (!exact && getrlimit(RLIMIT_SIGPENDING, &rl) < 0)
		die("getrlimit");
	if (rl.rlim_cur < n)
		rl.rlim_cur = n;
	if (rl.rlim_max < rl.rlim_cur)
		rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_SIGPENDING, &rl) < 0)
		die("setrlimit RLIMIT_SIGPENDING");
}

/*
 * burst SIGNO N VALUE [LIMIT]: N triggers while SIGNO is blocked: a
 * standard signal arrives once (the rest coalesce), a real-time one N
 * times; with RLIMIT_SIGPENDING = LIMIT (< N, real-time only) LIMIT times,
 * and the trigger fails with EAGAIN.
 */
LAB_CASE(burst, "SIGNO N VALUE [LIMIT]", -3)
{
	int signo = arg_signo(argv[0], "SIGNO"), fd;
	unsigned int n = arg_num(argv[1], 2, IPCLAB_SIGNAL_MAX_BURST, "N");
	unsigned long long value = arg_num(argv[2], 0, MAX_VALUE, "VALUE");
	unsigned int limit = argv[3] ? arg_num(argv[3], 1, n - 1, "LIMIT") : 0;
	unsigned int want = signo < SIGRTMIN ? 1 : limit ? limit : n;
	struct ipclab_signal_stats s0, s1;
	unsigned int got, bad;

	set_sigpending(limit ? limit : n + 64, limit);
	fd = receiver(-1, signo, value);
	s0 = dev_stats(fd);
	if (limit)
		expect_err("trigger beyond the queue", dev_trigger(fd, n), EAGAIN);
	else
		expect_trigger("trigger", fd, n, 1);
	s1 = dev_stats(fd);
	got = drain(signo, value, &bad);
	printf("signal %d: sent %u, received %u\n", signo, n, got);
	expect_eq(signo < SIGRTMIN ? "standard signals received (coalesced)" :
		  "real-time signals received", got, want);
	expect_eq("queued by the driver", s1.sent - s0.sent, limit ? limit : n);
	expect_eq("overflows", s1.overflows - s0.overflows, !!limit);
	expect_eq("signals with a wrong code or value", bad, 0);
	close(fd);
}

/*
 * many K BASE VALUE: only two standard signals are free for applications,
 * but K real-time signals BASE.. with K values tell K events apart.
 */
LAB_CASE(many, "K BASE VALUE", 3)
{
	int k = arg_num(argv[0], 1, MAX_PROCS, "K");
	int base = arg_signo(argv[1], "BASE"), fds[MAX_PROCS], i, fd;
	unsigned long long value = arg_num(argv[2], 0, MAX_VALUE, "VALUE");

	printf("signals: SIGUSR1=%d SIGUSR2=%d, real-time %d..%d\n", SIGUSR1,
	       SIGUSR2, SIGRTMIN, SIGRTMAX);
	/* The host picks BASE for musl's numbers. */
	if (SIGUSR1 != 10 || SIGUSR2 != 12 || SIGRTMIN != 35 || SIGRTMAX != 64)
		fail("signal numbers: expected musl's 10, 12, 35..64");
	if (base < SIGRTMIN || base + k - 1 > SIGRTMAX) {
		fail("usage: BASE..BASE+K-1 must lie in %d..%d", SIGRTMIN,
		     SIGRTMAX);
		return;
	}
	for (i = 0; i < k; i++)
		fds[i] = receiver(-1, base + i, value + i);
	fd = dev_open();
	expect_err("register signal 65", dev_reg(fd, 65, value), EINVAL);
	expect_trigger("one trigger", fd, 1, k);
	for (i = 0; i < k; i++) {
		expect_info("one of K", NULL, base + i, WAIT_MS, value + i);
		close(fds[i]);
	}
	close(fd);
}

/*
 * concurrent SIGNO R T K C VALUE: R receivers registered with VALUE+i while T
 * processes trigger K times each and C more register and close in a loop:
 * every receiver gets exactly T*K signals, all with its own value.
 */
LAB_CASE(concurrent, "SIGNO R T K C VALUE", 6)
{
	int signo = arg_signo(argv[0], "SIGNO"), ready[2], done[2], fd;
	unsigned int r = arg_num(argv[1], 1, MAX_PROCS, "R");
	unsigned int t = arg_num(argv[2], 1, MAX_PROCS, "T");
	unsigned int k = arg_num(argv[3], 1, 1000, "K"), i, j, n;
	unsigned int c = arg_num(argv[4], 0, MAX_PROCS, "C");
	unsigned long long value = arg_num(argv[5], 0, MAX_VALUE, "VALUE");
	pid_t pid[3 * MAX_PROCS];
	char b;

	set_sigpending(4 * t * k + 1024, 0);
	block(signo);
	if (pipe(ready) < 0 || pipe(done) < 0)
		die("pipe");
	phase = "receivers waiting for the triggers to finish";
	for (i = 0; i < r; i++) {
		pid[i] = xfork();
		if (pid[i])
			continue;
		close(done[1]);
		fd = receiver(-1, signo, value + i);
		if (write(ready[1], "r", 1) != 1 || read(done[0], &b, 1))
			die("receiver's pipes");
		/* EOF: every trigger returned, every signal is queued. */
		n = drain(signo, value + i, &j);
		if (n != t * k || j)
			fail("receiver %u: got %u signals (%u with a wrong value), expected %u",
			     i, n, j, t * k);
		child_exit();
	}
	close(done[0]);
	phase = "waiting for the receivers to register";
	for (i = 0; i < r; i++)
		if (read(ready[0], &b, 1) != 1)
			die("read ready");
	fd = dev_open();
	expect_eq("receivers registered", dev_stats(fd).registered, r);

	for (i = r; i < r + t + c; i++) {
		pid[i] = xfork();
		if (pid[i])
			continue;
		/* T processes trigger K times; C register and close. */
		fd = dev_open();
		for (j = n = 0; i < r + t && j < k; j++)
			n += dev_trigger(fd, 1) < (int)r;
		if (n)
			fail("trigger: %u of %u reached fewer than %u recipients",
			     n, k, r);
		for (j = 0; i >= r + t && j < 200; j++) {
			close(fd);
			fd = receiver(-1, signo, 0);
			if (j & 1 && ioctl(fd, UNREG) < 0)
				die("UNREGISTER");
		}
		child_exit();
	}
	for (i = r; i < r + t + c; i++)
		reap(pid[i], i < r + t ? "trigger process" : "churn process");
	close(done[1]);
	for (i = 0; i < r; i++)
		reap(pid[i], "receiver");
	printf("receivers with exactly %u signals of their own value: %u\n",
	       t * k, r);
	expect_eq("registered after all exited", dev_stats(fd).registered, 0);
	close(fd);
}
