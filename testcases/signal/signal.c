// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises /dev/ipclab-signal, the driver that signals processes, plus the
 * classic SIGINT receiver and kill(2) sender; one subcommand per property
 * (payload, coalescing, queueing, fasync, stale pids, ...); exits 0 pass,
 * 1 fail, 4 skip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ipclab_uapi.h"

#define TIMEOUT_S	20	/* every blocking call ends by then */
#define WAIT_MS		5000	/* how long a signal may take to arrive */
#define MAX_PROCS	16
#define LABTEST_LOST	"signal"	/* named by the timeout message */

#include "labtest.h"

#ifndef SYS_clone3
#define SYS_clone3	435
#endif

static int arg_signo(const char *s, const char *name)
{
	return arg_num(s, 1, 64, name);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- signals ---- */

static void block(int signo)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, signo);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");
}

/* Wait up to @ms for @signo (blocked); 0 on success, -1 on timeout. */
static int wait_sig(int signo, long ms, siginfo_t *si)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	sigset_t set;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, signo);
	memset(si, 0, sizeof(*si));
	do {
		ret = sigtimedwait(&set, si, &ts);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0 && errno != EAGAIN)
		die("sigtimedwait");
	return ret < 0 ? -1 : 0;
}

static unsigned long long si_val(const siginfo_t *si)
{
	return (uintptr_t)si->si_value.sival_ptr;
}

/* Take every pending @signo; count them and those whose value is not @v. */
static unsigned int drain(int signo, unsigned long long v, unsigned int *bad)
{
	unsigned int n = 0;
	siginfo_t si;

	*bad = 0;
	while (wait_sig(signo, 0, &si) == 0) {
		n++;
		if (si.si_code != SI_QUEUE || si_val(&si) != v)
			(*bad)++;
	}
	return n;
}

static const char *codename(int code)
{
	static char buf[32];

	switch (code) {
	case SI_QUEUE: return "SI_QUEUE";
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_SIGIO: return "SI_SIGIO";
	case POLL_IN: return "POLL_IN";
	}
	snprintf(buf, sizeof(buf), "%d", code);
	return buf;
}

/* "WHAT: signo=S code=C value=V pid=P", FAIL unless as registered. */
static void expect_info(const char *what, const siginfo_t *si, int signo,
			unsigned long long value)
{
	printf("%s: signo=%d code=%s value=%llu pid=%d\n", what, si->si_signo,
	       codename(si->si_code), si_val(si), (int)si->si_pid);
	if (si->si_signo != signo || si->si_code != SI_QUEUE ||
	    si_val(si) != value)
		fail("%s: got signo %d code %s value %llu, expected %d SI_QUEUE %llu",
		     what, si->si_signo, codename(si->si_code), si_val(si),
		     signo, value);
}

static void raise_sigpending(rlim_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_SIGPENDING, &rl) < 0)
		die("getrlimit");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < n) {
		rl.rlim_cur = n;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < n)
			rl.rlim_max = n;
		if (setrlimit(RLIMIT_SIGPENDING, &rl) < 0)
			die("setrlimit RLIMIT_SIGPENDING");
	}
}

/* ---- the device ---- */

static int dev_open(void)
{
	return open_dev(IPCLAB_SIGNAL_PATH, 0);
}

static int dev_reg(int fd, __u32 signo, __u64 value)
{
	struct ipclab_signal_reg reg = { .signo = signo, .value = value };

	return ioctl(fd, IPCLAB_SIGNAL_IOC_REGISTER, &reg);
}

static void dev_register(int fd, int signo, unsigned long long value)
{
	if (dev_reg(fd, signo, value) < 0)
		die("ioctl IPCLAB_SIGNAL_IOC_REGISTER");
}

static int dev_trigger(int fd, __u32 n)
{
	return ioctl(fd, IPCLAB_SIGNAL_IOC_TRIGGER, &n);
}

static void dev_timer(int fd, __u32 ms)
{
	if (ioctl(fd, IPCLAB_SIGNAL_IOC_TIMER, &ms) < 0)
		die("ioctl IPCLAB_SIGNAL_IOC_TIMER");
}

static void dev_stats(int fd, struct ipclab_signal_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	if (ioctl(fd, IPCLAB_SIGNAL_IOC_GET_STATS, st) < 0)
		die("ioctl IPCLAB_SIGNAL_IOC_GET_STATS");
}

static unsigned int dev_registered(int fd)
{
	struct ipclab_signal_stats st;

	dev_stats(fd, &st);
	return st.registered;
}

/* A trigger that must reach @want recipients. */
static void expect_trigger(const char *what, int fd, __u32 n, int want)
{
	int ret = dev_trigger(fd, n);

	if (ret < 0) {
		printf("%s: %s\n", what, errname(errno));
		fail("%s: got %s, expected %d recipients", what,
		     errname(errno), want);
		return;
	}
	printf("%s: %d recipient%s\n", what, ret, ret == 1 ? "" : "s");
	if (ret != want)
		fail("%s: got %d recipients, expected %d", what, ret, want);
}

/* In a child (another process): open the device, trigger once, exit. */
static pid_t trigger_from_child(int use_write)
{
	pid_t pid = xfork();
	int fd;

	if (pid)
		return pid;
	fd = dev_open();
	if (use_write) {
		ssize_t n = write(fd, "x", 1);

		printf("child: write returned %zd\n", n);
		if (n != 1)
			fail("child write: got %zd (%s), expected 1", n,
			     n < 0 ? errname(errno) : "short");
	} else {
		expect_trigger("child: trigger", fd, 1, 1);
	}
	child_exit();
	return 0;
}

/* ---- subcommands ---- */

/*
 * payload SIGNO VALUE DELAY_MS: the three triggers (another process's
 * ioctl, a write, the kernel timer) each deliver SIGNO with SI_QUEUE and
 * VALUE; the second one is read through a signalfd.
 */
static void cmd_payload(char **argv)
{
	int signo = arg_signo(argv[0], "SIGNO");
	unsigned long long value = arg_num(argv[1], 0, ~0ULL, "VALUE");
	unsigned int delay = arg_num(argv[2], 1, 10000, "DELAY_MS");
	struct signalfd_siginfo ssi;
	struct timespec t0;
	struct pollfd p;
	siginfo_t si;
	sigset_t set;
	int fd, sfd;
	long ms;

	block(signo);
	fd = dev_open();
	dev_register(fd, signo, value);
	printf("registered: signal %d value %llu\n", signo, value);

	phase = "ioctl trigger";
	reap(trigger_from_child(0), "triggering child");
	if (wait_sig(signo, WAIT_MS, &si) < 0)
		fail("ioctl trigger: no signal within %d ms", WAIT_MS);
	else
		expect_info("ioctl trigger", &si, signo, value);

	phase = "write trigger";
	sigemptyset(&set);
	sigaddset(&set, signo);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		die("signalfd");
	reap(trigger_from_child(1), "writing child");
	p.fd = sfd;
	p.events = POLLIN;
	if (poll(&p, 1, WAIT_MS) != 1) {
		fail("write trigger: signalfd not readable within %d ms",
		     WAIT_MS);
	} else if (read(sfd, &ssi, sizeof(ssi)) != (ssize_t)sizeof(ssi)) {
		die("read signalfd");
	} else {
		printf("write trigger (signalfd): signo=%u code=%s value=%llu\n",
		       ssi.ssi_signo, codename(ssi.ssi_code),
		       (unsigned long long)ssi.ssi_ptr);
		if ((int)ssi.ssi_signo != signo || ssi.ssi_code != SI_QUEUE ||
		    ssi.ssi_ptr != value)
			fail("signalfd: got %u %s %llu, expected %d SI_QUEUE %llu",
			     ssi.ssi_signo, codename(ssi.ssi_code),
			     (unsigned long long)ssi.ssi_ptr, signo, value);
	}
	close(sfd);

	phase = "timer trigger";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dev_timer(fd, delay);
	if (wait_sig(signo, delay + WAIT_MS, &si) < 0) {
		fail("timer trigger: no signal within %u ms", delay + WAIT_MS);
	} else {
		ms = ms_since(&t0);
		expect_info("timer trigger", &si, signo, value);
		/* The timer counts whole ticks: one jiffy (<= 10 ms) early. */
		printf("timer fired after the delay: %s\n",
		       ms + 10 >= delay ? "yes" : "no");
		if (ms + 10 < delay)
			fail("timer: fired after %ld ms, expected >= %u", ms,
			     delay);
	}
	close(fd);
}

/*
 * no-registration SIGNO VALUE: with nobody registered the driver has no
 * process to signal (ESRCH from ioctl and write); registering fixes it.
 */
static void cmd_no_registration(char **argv)
{
	int signo = arg_signo(argv[0], "SIGNO");
	unsigned long long value = arg_num(argv[1], 0, ~0ULL, "VALUE");
	struct ipclab_signal_stats s0, s1;
	siginfo_t si;
	int fd;

	fd = dev_open();
	dev_stats(fd, &s0);
	printf("registered: %u\n", s0.registered);
	expect_err("trigger with nobody registered", dev_trigger(fd, 1), ESRCH);
	expect_err("write with nobody registered", write(fd, "x", 1), ESRCH);
	dev_stats(fd, &s1);
	printf("misses: +%llu\n", s1.misses - s0.misses);

	block(signo);
	dev_register(fd, signo, value);
	expect_trigger("trigger after REGISTER", fd, 1, 1);
	if (wait_sig(signo, WAIT_MS, &si) < 0)
		fail("after REGISTER: no signal within %d ms", WAIT_MS);
	else
		expect_info("after REGISTER", &si, signo, value);
	close(fd);
}

/*
 * fasync SIGNO: F_SETOWN + F_SETSIG + O_ASYNC, no registration: a trigger
 * from another process delivers SIGNO with si_fd; without F_SETSIG plain
 * SIGIO; with O_ASYNC cleared, nobody is left (ESRCH).
 */
static void cmd_fasync(char **argv)
{
	int signo = arg_signo(argv[0], "SIGNO");
	struct ipclab_signal_stats st;
	siginfo_t si;
	int fd, fl;

	block(signo);
	block(SIGIO);
	fd = dev_open();
	printf("registered: %u\n", dev_registered(fd));
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(fd, F_SETSIG, signo) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_ASYNC) < 0)
		die("fcntl F_SETOWN/F_SETSIG/O_ASYNC");
	dev_stats(fd, &st);
	printf("O_ASYNC files: %u\n", st.nasync);

	phase = "fasync with F_SETSIG";
	reap(trigger_from_child(0), "triggering child");
	if (wait_sig(signo, WAIT_MS, &si) < 0) {
		fail("fasync: no signal %d within %d ms", signo, WAIT_MS);
	} else {
		printf("fasync: signo=%d code=%s band=%s\n", si.si_signo,
		       codename(si.si_code),
		       si.si_band == (POLLIN | POLLRDNORM) ?
		       "POLLIN|POLLRDNORM" : "other");
		printf("si_fd is the device's fd: %s\n",
		       si.si_fd == fd ? "yes" : "no");
		if (si.si_signo != signo || si.si_code != POLL_IN ||
		    si.si_fd != fd)
			fail("fasync: got signo %d code %s fd %d, expected %d POLL_IN %d",
			     si.si_signo, codename(si.si_code), si.si_fd,
			     signo, fd);
	}

	phase = "fasync without F_SETSIG";
	if (fcntl(fd, F_SETSIG, 0) < 0)
		die("fcntl F_SETSIG 0");
	expect_trigger("trigger without F_SETSIG", fd, 1, 1);
	if (wait_sig(SIGIO, WAIT_MS, &si) < 0)
		fail("fasync: no SIGIO within %d ms", WAIT_MS);
	else
		printf("without F_SETSIG: signo=%s code=%s\n",
		       si.si_signo == SIGIO ? "SIGIO" : "other",
		       codename(si.si_code));

	if (fcntl(fd, F_SETFL, fl & ~O_ASYNC) < 0)
		die("fcntl ~O_ASYNC");
	dev_stats(fd, &st);
	printf("O_ASYNC files after clearing it: %u\n", st.nasync);
	expect_err("trigger after O_ASYNC off", dev_trigger(fd, 1), ESRCH);
	close(fd);
}

/*
 * coalesce STD RT N VALUE: N triggers while both signals are blocked: the
 * standard signal arrives once, the real-time one N times.
 */
static void cmd_coalesce(char **argv)
{
	int std = arg_signo(argv[0], "STD");
	int rt = arg_signo(argv[1], "RT");
	unsigned int n = arg_num(argv[2], 2, IPCLAB_SIGNAL_MAX_BURST, "N");
	unsigned long long value = arg_num(argv[3], 0, ~0ULL, "VALUE");
	struct ipclab_signal_stats s0, s1;
	unsigned int got_std, got_rt, bad;
	int fd_std, fd_rt;

	raise_sigpending(n + 64);
	block(std);
	block(rt);
	fd_std = dev_open();
	fd_rt = dev_open();
	dev_register(fd_std, std, value);
	dev_register(fd_rt, rt, value);
	dev_stats(fd_std, &s0);
	expect_trigger("trigger", fd_std, n, 2);
	dev_stats(fd_std, &s1);
	printf("queued by the driver: %llu\n", s1.sent - s0.sent);

	got_std = drain(std, value, &bad);
	printf("standard signal %d: sent %u, received %u\n", std, n, got_std);
	expect_eq("standard signal values", bad, 0);
	printf("coalesced: %s\n", got_std >= 1 && got_std < n ? "yes" : "no");
	if (got_std < 1 || got_std >= n)
		fail("standard signal: got %u, expected 1..%u", got_std, n - 1);

	got_rt = drain(rt, value, &bad);
	printf("real-time signal %d: sent %u, received %u\n", rt, n, got_rt);
	expect_eq("real-time signal values", bad, 0);
	expect_eq("real-time signals received", got_rt, n);
	close(fd_std);
	close(fd_rt);
}

/*
 * queue-limit RT LIMIT EXTRA VALUE: with RLIMIT_SIGPENDING = LIMIT, a burst
 * of LIMIT + EXTRA real-time signals fails with EAGAIN after LIMIT.
 */
static void cmd_queue_limit(char **argv)
{
	int rt = arg_signo(argv[0], "RT");
	unsigned int limit = arg_num(argv[1], 1, 512, "LIMIT");
	unsigned int extra = arg_num(argv[2], 1, 512, "EXTRA");
	unsigned long long value = arg_num(argv[3], 0, ~0ULL, "VALUE");
	struct rlimit rl = { limit, limit };
	struct ipclab_signal_stats s0, s1;
	unsigned int got, bad;
	char what[64];
	int fd;

	if (setrlimit(RLIMIT_SIGPENDING, &rl) < 0)
		die("setrlimit RLIMIT_SIGPENDING");
	block(rt);
	fd = dev_open();
	dev_register(fd, rt, value);
	dev_stats(fd, &s0);
	snprintf(what, sizeof(what), "trigger of %u into a queue of %u",
		 limit + extra, limit);
	expect_err(what, dev_trigger(fd, limit + extra), EAGAIN);
	dev_stats(fd, &s1);
	printf("overflows: +%llu\n", s1.overflows - s0.overflows);
	got = drain(rt, value, &bad);
	printf("queued: %u of %u\n", got, limit + extra);
	expect_eq("queued", got, limit);
	expect_eq("queued by the driver", s1.sent - s0.sent, limit);
	expect_eq("values", bad, 0);
	close(fd);
}

/*
 * many K BASE VALUE: only two standard signals are free for applications,
 * but K real-time signals BASE.. with K values tell K events apart.
 */
static void cmd_many(char **argv)
{
	unsigned int k = arg_num(argv[0], 1, MAX_PROCS, "K");
	int base = arg_signo(argv[1], "BASE");
	unsigned long long value = arg_num(argv[2], 0, ~0ULL - MAX_PROCS,
					   "VALUE");
	int fds[MAX_PROCS], i, fd;
	siginfo_t si;

	printf("user-defined standard signals: SIGUSR1=%d SIGUSR2=%d\n",
	       SIGUSR1, SIGUSR2);
	printf("real-time signals for applications: %d..%d\n", SIGRTMIN,
	       SIGRTMAX);
	if (base < SIGRTMIN || base + (int)k - 1 > SIGRTMAX) {
		fail("usage: BASE..BASE+K-1 must lie in %d..%d", SIGRTMIN,
		     SIGRTMAX);
		return;
	}
	for (i = 0; i < (int)k; i++) {
		block(base + i);
		fds[i] = dev_open();
		dev_register(fds[i], base + i, value + i);
	}
	fd = dev_open();
	expect_err("register signal 65", dev_reg(fd, 65, value), EINVAL);
	expect_trigger("one trigger", fd, 1, k);
	/* Pending real-time signals are delivered lowest number first. */
	for (i = 0; i < (int)k; i++) {
		if (wait_sig(base + i, WAIT_MS, &si) < 0) {
			fail("signal %d: none within %d ms", base + i, WAIT_MS);
			continue;
		}
		printf("signal %d: value %llu\n", si.si_signo, si_val(&si));
		expect_eq("value", si_val(&si), value + i);
	}
	for (i = 0; i < (int)k; i++)
		close(fds[i]);
	close(fd);
}

/* clone3() with set_tid: a new process with a chosen pid number. */
struct lab_clone_args {
	__u64 flags, pidfd, child_tid, parent_tid, exit_signal;
	__u64 stack, stack_size, tls, set_tid, set_tid_size;
};

static pid_t fork_with_pid(pid_t want)
{
	struct lab_clone_args args;
	__u64 tid = want;
	long ret;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	args.set_tid = (uintptr_t)&tid;
	args.set_tid_size = 1;
	ret = syscall(SYS_clone3, &args, sizeof(args));
	if (ret == 0) {
		failed = 0;
		alarm(TIMEOUT_S);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	return ret;
}

static char ask(int wr, int rd, char c)
{
	struct pollfd p = { .fd = rd, .events = POLLIN };

	if (write(wr, &c, 1) != 1)
		die("write pipe");
	if (poll(&p, 1, WAIT_MS) != 1 || read(rd, &c, 1) != 1)
		die("no answer on the pipe");
	return c;
}

/* The impostor: answers 'y' or 'n' to "is SIGNO pending for me now?". */
static void impostor(int signo, int rd, int wr)
{
	struct pollfd p = { .fd = rd, .events = POLLIN };
	siginfo_t si;
	char c;

	while (poll(&p, 1, 2 * WAIT_MS) == 1 && read(rd, &c, 1) == 1) {
		c = wait_sig(signo, 0, &si) == 0 ? 'y' : 'n';
		if (write(wr, &c, 1) != 1)
			break;
	}
	child_exit();
}

/*
 * stale SIGNO VALUE: a child registers through a file its parent keeps
 * open, exits and is reaped; a new process gets the same pid number. The
 * driver's trigger finds the old process gone (ESRCH) and never reaches the
 * new one, while kill(2) with the raw number does.
 */
static void cmd_stale(char **argv)
{
	int signo = arg_signo(argv[0], "SIGNO");
	unsigned long long value = arg_num(argv[1], 0, ~0ULL, "VALUE");
	struct ipclab_signal_stats s0, s1;
	int fd, to[2], from[2];
	pid_t child, imp;
	char c;

	block(signo);	/* inherited by the children */
	fd = dev_open();
	dev_stats(fd, &s0);
	child = xfork();
	if (child == 0) {
		dev_register(fd, signo, value);
		child_exit();
	}
	reap(child, "registering child");
	printf("registered after the child exited: %u\n", dev_registered(fd));

	if (pipe(to) < 0 || pipe(from) < 0)
		die("pipe");
	imp = fork_with_pid(child);
	if (imp < 0) {
		fail("clone3 with set_tid %d: %s", (int)child,
		     errname(errno));
		return;
	}
	if (imp == 0) {
		/* Only the parent may hold the write end: EOF ends the loop. */
		close(to[1]);
		close(from[0]);
		impostor(signo, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	printf("pid number reused by a new process: %s\n",
	       imp == child ? "yes" : "no");
	if (imp != child)
		fail("new process: got pid %d, expected %d", imp, child);

	expect_err("trigger after the exit", dev_trigger(fd, 1), ESRCH);
	dev_stats(fd, &s1);
	printf("stale registrations dropped: %llu\n", s1.stale - s0.stale);
	printf("registered now: %u\n", s1.registered);
	expect_err("UNREGISTER after the drop",
		   ioctl(fd, IPCLAB_SIGNAL_IOC_UNREGISTER), ENOENT);
	c = ask(to[1], from[0], '?');
	printf("driver's signal reached the new process: %s\n",
	       c == 'y' ? "yes" : "no");

	if (kill(imp, signo) < 0)
		die("kill");
	c = ask(to[1], from[0], '?');
	printf("kill(2) with the old pid number reached the new process: %s\n",
	       c == 'y' ? "yes" : "no");
	close(to[1]);
	reap(imp, "new process");
	close(fd);
}

/*
 * close-unregisters SIGNO VALUE DELAY_MS: close and UNREGISTER end a
 * registration; closing a file disarms its timer.
 */
static void cmd_close_unregisters(char **argv)
{
	int signo = arg_signo(argv[0], "SIGNO");
	unsigned long long value = arg_num(argv[1], 0, ~0ULL, "VALUE");
	unsigned int delay = arg_num(argv[2], 1, 2000, "DELAY_MS");
	int ctl, fd, tfd;
	siginfo_t si;

	block(signo);
	ctl = dev_open();
	fd = dev_open();
	dev_register(fd, signo, value);
	printf("registered: %u\n", dev_registered(ctl));
	close(fd);
	printf("registered after close: %u\n", dev_registered(ctl));
	expect_err("trigger after close", dev_trigger(ctl, 1), ESRCH);

	fd = dev_open();
	dev_register(fd, signo, value);
	printf("UNREGISTER: %s\n",
	       ioctl(fd, IPCLAB_SIGNAL_IOC_UNREGISTER) ? errname(errno) : "ok");
	expect_err("UNREGISTER again", ioctl(fd, IPCLAB_SIGNAL_IOC_UNREGISTER),
		   ENOENT);
	expect_err("trigger after UNREGISTER", dev_trigger(ctl, 1), ESRCH);
	dev_register(fd, signo, value);
	expect_trigger("trigger after registering again", ctl, 1, 1);
	if (wait_sig(signo, WAIT_MS, &si) < 0)
		fail("registered again: no signal within %d ms", WAIT_MS);
	else
		expect_info("registered again", &si, signo, value);

	phase = "a disarmed timer";
	tfd = dev_open();
	dev_timer(tfd, delay);
	close(tfd);
	printf("signal within %u ms of closing an armed timer's file: %s\n",
	       delay + 300,
	       wait_sig(signo, delay + 300, &si) == 0 ? "yes" : "no");
	close(fd);
	printf("registered at the end: %u\n", dev_registered(ctl));
	close(ctl);
}

/* bad-input: every wrong argument gets its errno, nothing changes. */
static void cmd_bad_input(char **argv)
{
	struct ipclab_signal_reg reg = { .signo = SIGUSR1, .flags = 1 };
	void *bad;
	__u32 n;
	char c;
	int fd;

	(void)argv;
	bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bad == MAP_FAILED || munmap(bad, 4096) < 0)
		die("mmap");
	block(SIGUSR1);
	fd = dev_open();
	expect_err("register signal 0", dev_reg(fd, 0, 1), EINVAL);
	expect_err("register signal 65", dev_reg(fd, 65, 1), EINVAL);
	expect_err("register SIGKILL", dev_reg(fd, SIGKILL, 1), EINVAL);
	expect_err("register SIGSTOP", dev_reg(fd, SIGSTOP, 1), EINVAL);
	expect_err("register with flags 1",
		   ioctl(fd, IPCLAB_SIGNAL_IOC_REGISTER, &reg), EINVAL);
	expect_err("register from a bad pointer",
		   ioctl(fd, IPCLAB_SIGNAL_IOC_REGISTER, bad), EFAULT);
	printf("registered after bad input: %u\n", dev_registered(fd));
	dev_register(fd, SIGUSR1, 1);
	expect_err("register twice", dev_reg(fd, SIGUSR1, 1), EBUSY);
	if (ioctl(fd, IPCLAB_SIGNAL_IOC_UNREGISTER) < 0)
		die("UNREGISTER");
	expect_err("unregister twice", ioctl(fd, IPCLAB_SIGNAL_IOC_UNREGISTER),
		   ENOENT);
	expect_err("trigger 0", dev_trigger(fd, 0), EINVAL);
	expect_err("trigger 1025", dev_trigger(fd, IPCLAB_SIGNAL_MAX_BURST + 1),
		   EINVAL);
	expect_err("trigger from a bad pointer",
		   ioctl(fd, IPCLAB_SIGNAL_IOC_TRIGGER, bad), EFAULT);
	n = 0;
	expect_err("timer 0 ms", ioctl(fd, IPCLAB_SIGNAL_IOC_TIMER, &n),
		   EINVAL);
	n = IPCLAB_SIGNAL_MAX_DELAY_MS + 1;
	expect_err("timer 60001 ms", ioctl(fd, IPCLAB_SIGNAL_IOC_TIMER, &n),
		   EINVAL);
	expect_err("stats into a bad pointer",
		   ioctl(fd, IPCLAB_SIGNAL_IOC_GET_STATS, bad), EFAULT);
	expect_err("unknown ioctl", ioctl(fd, _IO(IPCLAB_IOC_MAGIC, 0x2f)),
		   ENOTTY);
	expect_err("foreign magic", ioctl(fd, _IO('x', 0x22)), ENOTTY);
	expect_err("read", read(fd, &c, 1), EINVAL);
	expect_err("lseek", lseek(fd, 0, SEEK_SET), ESPIPE);
	printf("registered at the end: %u\n", dev_registered(fd));
	close(fd);
}

/* Written by the handler, read by the loop: __atomic, not volatile. */
static int h_count, h_signo, h_code;
static unsigned long long h_value;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	__atomic_store_n(&h_signo, si->si_signo, __ATOMIC_RELAXED);
	__atomic_store_n(&h_code, si->si_code, __ATOMIC_RELAXED);
	__atomic_store_n(&h_value, si_val(si), __ATOMIC_RELAXED);
	__atomic_add_fetch(&h_count, 1, __ATOMIC_RELEASE);
}

/*
 * interrupt SIGNO VALUE DELAY_MS: like an interrupt, the driver's signal
 * (from its timer) stops a blocked read() (EINTR) and a busy loop to run
 * the handler, which gets the value.
 */
static void cmd_interrupt(char **argv)
{
	int signo = arg_signo(argv[0], "SIGNO");
	unsigned long long value = arg_num(argv[1], 0, ~0ULL, "VALUE");
	unsigned int delay = arg_num(argv[2], 1, 5000, "DELAY_MS");
	struct sigaction sa;
	int fd, p[2];
	ssize_t n;
	char c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: read() fails */
	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, NULL) < 0 || pipe(p) < 0)
		die("sigaction");
	fd = dev_open();
	dev_register(fd, signo, value);

	phase = "read() waiting for the driver's signal";
	dev_timer(fd, delay);
	n = read(p[0], &c, 1);
	printf("read() on an empty pipe: %s\n", n < 0 ? errname(errno) : "data");
	if (n >= 0 || errno != EINTR)
		fail("read: got %zd, expected EINTR", n);
	printf("handler: signo=%d code=%s value=%llu\n", (int)h_signo,
	       codename(h_code), (unsigned long long)h_value);
	expect_eq("handler signo", h_signo, signo);
	expect_eq("handler code", h_code, SI_QUEUE);
	expect_eq("handler value", h_value, value);

	phase = "a busy loop waiting for the driver's signal";
	dev_timer(fd, delay);
	while (__atomic_load_n(&h_count, __ATOMIC_ACQUIRE) < 2)
		;	/* spin: only the handler can end this loop */
	printf("busy loop interrupted by the handler: yes\n");
	expect_eq("handler runs", h_count, 2);
	close(fd);
}

struct tally {
	unsigned int idx;
	unsigned int got;
	unsigned int bad;
};

static void receiver_proc(int signo, unsigned long long value,
			  unsigned int idx, int ready, int done, int tally)
{
	struct pollfd p = { .fd = done, .events = POLLIN };
	struct tally t = { .idx = idx };
	char c;
	int fd;

	fd = dev_open();
	dev_register(fd, signo, value);
	if (write(ready, "r", 1) != 1)
		die("write ready");
	/* EOF on @done: every trigger returned, every signal is queued. */
	phase = "receiver waiting for the triggers to finish";
	while (poll(&p, 1, TIMEOUT_S * 1000) == 1 && read(done, &c, 1) == 1)
		;
	t.got = drain(signo, value, &t.bad);
	if (write(tally, &t, sizeof(t)) != (ssize_t)sizeof(t))
		die("write tally");
	close(fd);
	child_exit();
}

static void trigger_proc(unsigned int k, int min)
{
	unsigned int i, low = 0;
	int fd = dev_open(), ret;

	for (i = 0; i < k; i++) {
		ret = dev_trigger(fd, 1);
		if (ret < min)
			low++;
	}
	if (low)
		fail("trigger: %u of %u reached fewer than %d recipients",
		     low, k, min);
	child_exit();
}

static void churn_proc(int signo, unsigned int rounds)
{
	unsigned int i;
	int fd;

	for (i = 0; i < rounds; i++) {
		fd = dev_open();
		dev_register(fd, signo, 0);
		if (i & 1 && ioctl(fd, IPCLAB_SIGNAL_IOC_UNREGISTER) < 0)
			die("UNREGISTER");
		close(fd);
	}
	child_exit();
}

/*
 * concurrent SIGNO R T K VALUE: R receivers registered with VALUE+i while T
 * processes trigger K times each and two more register and close in a loop:
 * every receiver gets exactly T*K signals, all with its own value.
 */
static void cmd_concurrent(char **argv)
{
	int signo = arg_signo(argv[0], "SIGNO");
	unsigned int r = arg_num(argv[1], 1, MAX_PROCS, "R");
	unsigned int t = arg_num(argv[2], 1, MAX_PROCS, "T");
	unsigned int k = arg_num(argv[3], 1, 1000, "K");
	unsigned long long value = arg_num(argv[4], 0, ~0ULL - MAX_PROCS,
					   "VALUE");
	int ready[2], done[2], tally[2], fd;
	pid_t recv[MAX_PROCS], other[MAX_PROCS + 2];
	unsigned int i, ok = 0, got = 0;
	struct tally tl;
	char c;

	raise_sigpending(4 * t * k + 1024);
	block(signo);
	if (pipe(ready) < 0 || pipe(done) < 0 || pipe(tally) < 0)
		die("pipe");
	for (i = 0; i < r; i++) {
		recv[i] = xfork();
		if (recv[i] == 0) {
			close(done[1]);
			receiver_proc(signo, value + i, i, ready[1], done[0],
				      tally[1]);
		}
	}
	close(done[0]);
	close(tally[1]);
	phase = "waiting for the receivers to register";
	for (i = 0; i < r; i++)
		if (read(ready[0], &c, 1) != 1)
			die("read ready");
	fd = dev_open();
	printf("receivers registered: %u\n", dev_registered(fd));

	for (i = 0; i < t + 2; i++) {
		other[i] = xfork();
		if (other[i] == 0 && i < t)
			trigger_proc(k, r);
		if (other[i] == 0)
			churn_proc(signo, 200);
	}
	for (i = 0; i < t + 2; i++)
		reap(other[i], i < t ? "trigger process" : "churn process");
	close(done[1]);

	phase = "collecting the receivers' counts";
	while (read(tally[0], &tl, sizeof(tl)) == (ssize_t)sizeof(tl)) {
		got++;
		if (tl.got == t * k && !tl.bad)
			ok++;
		else
			fail("receiver %u: got %u signals (%u with a wrong value), expected %u",
			     tl.idx, tl.got, tl.bad, t * k);
	}
	for (i = 0; i < r; i++)
		reap(recv[i], "receiver");
	expect_eq("receivers reporting", got, r);
	printf("receivers with exactly %u signals of their own value: %u of %u\n",
	       t * k, ok, r);
	printf("registered after all exited: %u\n", dev_registered(fd));
	close(fd);
}

/* ---- the classic programs ---- */

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
 * receiver PIDFILE SECONDS: print "received SIGINT" for every SIGINT, sleep
 * otherwise; SIGTERM ends it, so does the alarm after SECONDS (a FAIL).
 * The pid goes to PIDFILE (written whole, then renamed) once it is ready.
 */
static void cmd_receiver(char **argv)
{
	unsigned int secs = arg_num(argv[1], 1, 3600, "SECONDS");
	struct sigaction sa;
	char tmp[256], line[32];
	int fd, len;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* A shell starts background jobs with SIGINT ignored: override. */
	sa.sa_handler = on_sigint;
	if (sigaction(SIGINT, &sa, NULL) < 0)
		die("sigaction SIGINT");
	sa.sa_handler = on_sigterm;
	if (sigaction(SIGTERM, &sa, NULL) < 0)
		die("sigaction SIGTERM");
	phase = "receiver waiting for signals";
	alarm(secs);

	printf("receiver: pid %d, waiting for SIGINT\n", (int)getpid());
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[0]);
	len = snprintf(line, sizeof(line), "%d\n", (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, len) != len || close(fd) < 0 ||
	    rename(tmp, argv[0]) < 0)
		die(argv[0]);
	/* pause() returns after each handler ran. */
	while (!__atomic_load_n(&sigterm, __ATOMIC_RELAXED))
		pause();
	printf("receiver: SIGTERM after %d SIGINT\n",
	       __atomic_load_n(&sigints, __ATOMIC_RELAXED));
}

/* sender PID: send SIGINT with kill(2); perror on failure. */
static void cmd_sender(char **argv)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(argv[0], &end, 10);
	if (errno || end == argv[0] || *end || pid <= 0) {
		fprintf(stderr, "usage: signal sender PID (a number > 0)\n");
		exit(KSFT_FAIL);
	}
	if (kill(pid, SIGINT) < 0) {
		perror("kill");
		exit(KSFT_FAIL);
	}
	printf("sender: SIGINT sent to %ld\n", pid);
}

/* Complete lines of FILE equal to @text (any line if @text is NULL). */
static int count_lines(const char *file, const char *text)
{
	char buf[4096], line[256];
	size_t len = 0;
	ssize_t n, i;
	int fd, count = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			if (!text || !strcmp(line, text))
				count++;
			len = 0;
		}
	}
	close(fd);
	return count;
}

/*
 * await FILE COUNT [TEXT]: wait (up to 10 s, polling every 5 ms) until
 * FILE has COUNT complete lines (equal to TEXT if given).
 */
static void wait_lines(char **argv, const char *text)
{
	int want = arg_num(argv[1], 1, 100000, "COUNT");
	struct timespec t0, ms5 = { 0, 5000000 };
	int got;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((got = count_lines(argv[0], text)) < want &&
	       ms_since(&t0) < 10000)
		nanosleep(&ms5, NULL);
	if (got < want)
		fail("%s: %d lines%s%s after 10 s, expected %d", argv[0],
		     got, text ? " equal to " : "", text ? text : "", want);
	else
		printf("lines: %d\n", got);
}

static void cmd_await(char **argv)
{
	wait_lines(argv, NULL);
}

static void cmd_await_text(char **argv)
{
	wait_lines(argv, argv[2]);
}

/*
 * hold SIGNO VALUE PIDFILE: keep a registration and an armed timer until
 * SIGTERM (bounded by the alarm), so the module is in use meanwhile.
 */
static void cmd_hold(char **argv)
{
	int signo = arg_signo(argv[0], "SIGNO");
	unsigned long long value = arg_num(argv[1], 0, ~0ULL, "VALUE");
	char tmp[256], line[32];
	int fd, pfd, len;
	siginfo_t si;

	block(signo);
	block(SIGTERM);
	fd = dev_open();
	dev_register(fd, signo, value);
	dev_timer(fd, IPCLAB_SIGNAL_MAX_DELAY_MS);
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	len = snprintf(line, sizeof(line), "%d\n", (int)getpid());
	pfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (pfd < 0 || write(pfd, line, len) != len || close(pfd) < 0 ||
	    rename(tmp, argv[2]) < 0)
		die(argv[2]);
	printf("hold: registered, timer armed\n");
	if (wait_sig(SIGTERM, (TIMEOUT_S - 2) * 1000, &si) < 0)
		fail("hold: no SIGTERM within %d s", TIMEOUT_S - 2);
	else
		printf("hold: SIGTERM, closing\n");
	close(fd);
}

/* stats: the driver's counters (a fresh module shows zeros). */
static void cmd_stats(char **argv)
{
	struct ipclab_signal_stats st;
	int fd = dev_open();

	(void)argv;
	dev_stats(fd, &st);
	printf("stats: sent=%llu overflows=%llu stale=%llu triggers=%llu",
	       st.sent, st.overflows, st.stale, st.triggers);
	printf(" misses=%llu registered=%u nasync=%u\n", st.misses,
	       st.registered, st.nasync);
	close(fd);
}

/* latency N: N trigger -> sigwaitinfo round trips in one process. */
static void cmd_latency(char **argv)
{
	unsigned int n = arg_num(argv[0], 1, 100000, "N");
	int signo = SIGRTMIN, fd;
	struct timespec t0;
	unsigned int i, got = 0;
	siginfo_t si;
	long ms;

	block(signo);
	fd = dev_open();
	dev_register(fd, signo, n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		if (dev_trigger(fd, 1) == 1 && wait_sig(signo, WAIT_MS, &si) == 0 &&
		    si_val(&si) == n)
			got++;
	ms = ms_since(&t0);
	printf("round trips: %u of %u\n", got, n);
	printf("time: %ld ms, %ld us each\n", ms, ms * 1000 / n);
	expect_eq("round trips", got, n);
	close(fd);
}

static const struct command commands[] = {
	{ "payload", "SIGNO VALUE DELAY_MS", 3, cmd_payload },
	{ "no-registration", "SIGNO VALUE", 2, cmd_no_registration },
	{ "fasync", "SIGNO", 1, cmd_fasync },
	{ "coalesce", "STD RT N VALUE", 4, cmd_coalesce },
	{ "queue-limit", "RT LIMIT EXTRA VALUE", 4, cmd_queue_limit },
	{ "many", "K BASE VALUE", 3, cmd_many },
	{ "stale", "SIGNO VALUE", 2, cmd_stale },
	{ "close-unregisters", "SIGNO VALUE DELAY_MS", 3,
	  cmd_close_unregisters },
	{ "bad-input", "", 0, cmd_bad_input },
	{ "interrupt", "SIGNO VALUE DELAY_MS", 3, cmd_interrupt },
	{ "concurrent", "SIGNO R T K VALUE", 5, cmd_concurrent },
	{ "receiver", "PIDFILE SECONDS", 2, cmd_receiver },
	{ "sender", "PID", 1, cmd_sender },
	{ "await", "FILE COUNT", 2, cmd_await },
	{ "await", "FILE COUNT TEXT", 3, cmd_await_text },
	{ "hold", "SIGNO VALUE PIDFILE", 3, cmd_hold },
	{ "stats", "", 0, cmd_stats },
	{ "latency", "N", 1, cmd_latency },
};

int main(int argc, char **argv)
{
	size_t i;
	int named = 0;

	labtest_start();

	for (i = 0; argc >= 2 && i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		named = 1;
		if (argc - 2 != commands[i].nargs)
			continue;
		commands[i].run(argv + 2);
		return failed ? KSFT_FAIL : KSFT_PASS;
	}
	if (named)
		fail("usage: wrong number of arguments for %s", argv[1]);
	list_commands("signal", commands, ARRAY_SIZE(commands));
	return KSFT_FAIL;
}
