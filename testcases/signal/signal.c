// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises /dev/ipclab-signal, the driver that signals processes, one case
 * per property; classic.c holds the programs the shell drives. Signal
 * numbers are the kernel's (the host picks them); SIGNO is blocked, and
 * each signal is taken with sigtimedwait, unless a case says otherwise.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>
#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

#include "ipclab_uapi.h"
#include "labtest.h"

LAB_PROGRAM(.timeout_s = 20, .lost = "signal");

#define WAIT_MS		5000	/* how long a signal may take to arrive */
#define MAX_PROCS	16
#define MAX_VALUE	(~0ULL - MAX_PROCS)	/* cases add up to K to VALUE */
#define REG		IPCLAB_SIGNAL_IOC_REGISTER
#define UNREG		IPCLAB_SIGNAL_IOC_UNREGISTER
#define TRIGGER		IPCLAB_SIGNAL_IOC_TRIGGER

static int arg_signo(const char *s, const char *name)
{
	return arg_num(s, 1, 64, name);
}

static void block(int signo)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, signo);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");
}

/* Waits up to @ms for @signo: 0, or -1 (and @si zeroed) on a timeout. */
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

/* Takes every pending @signo: their count; @bad: those not SI_QUEUE @v. */
static unsigned int drain(int signo, unsigned long long v, unsigned int *bad)
{
	unsigned int n = 0;
	siginfo_t si;

	for (*bad = 0; wait_sig(signo, 0, &si) == 0; n++)
		*bad += si.si_code != SI_QUEUE || si_val(&si) != v;
	return n;
}

static const char *codename(int code)
{
	return code == SI_QUEUE ? "SI_QUEUE" : code == SI_KERNEL ?
	       "SI_KERNEL" : code == POLL_IN ? "POLL_IN" : "other";
}

/*
 * Prints "WHAT: signo=S code=C value=V pid=P" of @si, else of @signo taken
 * within @ms; FAIL unless the driver's @signo with @value. 0 if it came.
 */
static int expect_info(const char *what, const siginfo_t *si, int signo,
		       long ms, unsigned long long value)
{
	siginfo_t got;

	if (!si && wait_sig(signo, ms, &got) < 0) {
		fail("%s: no signal %d within %ld ms", what, signo, ms);
		return -1;
	}
	si = si ? si : &got;
	printf("%s: signo=%d code=%s value=%llu pid=%d\n", what, si->si_signo,
	       codename(si->si_code), si_val(si), (int)si->si_pid);
	if (si->si_signo != signo || si->si_code != SI_QUEUE ||
	    si_val(si) != value || si->si_pid)
		fail("%s: expected signo=%d code=SI_QUEUE value=%llu pid=0",
		     what, signo, value);
	return 0;
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

/* ---- the device ---- */

static int dev_open(void)
{
	return open_dev(IPCLAB_SIGNAL_PATH, 0);
}

static int dev_reg(int fd, __u32 signo, __u64 value)
{
	struct ipclab_signal_reg reg = { .signo = signo, .value = value };

	return ioctl(fd, REG, &reg);
}

/* @signo blocked, @fd (a new file when -1) registered for it: the file. */
static int receiver(int fd, int signo, unsigned long long value)
{
	if (fd < 0)
		fd = dev_open();
	block(signo);
	if (dev_reg(fd, signo, value) < 0)
		die("ioctl IPCLAB_SIGNAL_IOC_REGISTER");
	return fd;
}

static int dev_trigger(int fd, __u32 n)
{
	return ioctl(fd, TRIGGER, &n);
}

static void dev_timer(int fd, __u32 ms)
{
	if (ioctl(fd, IPCLAB_SIGNAL_IOC_TIMER, &ms) < 0)
		die("ioctl IPCLAB_SIGNAL_IOC_TIMER");
}

static struct ipclab_signal_stats dev_stats(int fd)
{
	struct ipclab_signal_stats st;

	memset(&st, 0xa5, sizeof(st));
	if (ioctl(fd, IPCLAB_SIGNAL_IOC_GET_STATS, &st) < 0)
		die("ioctl IPCLAB_SIGNAL_IOC_GET_STATS");
	return st;
}

/* A trigger of @n that must reach @want recipients. */
static void expect_trigger(const char *what, int fd, __u32 n, int want)
{
	int ret = dev_trigger(fd, n);

	if (ret < 0)
		fail("%s: got %s, expected %d recipients", what,
		     errname(errno), want);
	else if (ret != want)
		fail("%s: got %d recipients, expected %d", what, ret, want);
}

/* Another process opens the device and triggers once (ioctl or write). */
static void trigger_from_child(int use_write)
{
	pid_t pid = xfork();
	int fd;

	if (pid) {
		reap(pid, use_write ? "writing child" : "triggering child");
		return;
	}
	fd = dev_open();
	if (use_write)
		expect_eq("child: write", write(fd, "x", 1), 1);
	else
		expect_trigger("child: trigger", fd, 1, 1);
	child_exit();
}

/* ---- cases ---- */

/*
 * payload SIGNO VALUE DELAY_MS: another process's ioctl, a write and the
 * kernel timer each deliver SIGNO with SI_QUEUE and VALUE (the write's
 * read through a signalfd).
 */
LAB_CASE(payload, "SIGNO VALUE DELAY_MS", 3)
{
	int signo = arg_signo(argv[0], "SIGNO");
	unsigned long long value = arg_num(argv[1], 0, MAX_VALUE, "VALUE");
	unsigned int delay = arg_num(argv[2], 1, 10000, "DELAY_MS");
	int fd = receiver(-1, signo, value), sfd;
	struct signalfd_siginfo ssi;
	siginfo_t si;
	sigset_t set;
	long long t0;

	phase = "ioctl trigger";
	trigger_from_child(0);
	expect_info("ioctl trigger", NULL, signo, WAIT_MS, value);

	phase = "write trigger";
	sigemptyset(&set);
	sigaddset(&set, signo);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		die("signalfd");
	trigger_from_child(1);
	/* Bounded by the alarm: a lost signal is a timeout in this phase. */
	if (read_full(sfd, &ssi, sizeof(ssi)) != (ssize_t)sizeof(ssi))
		die("read signalfd");
	memset(&si, 0, sizeof(si));
	si.si_signo = ssi.ssi_signo;
	si.si_code = ssi.ssi_code;
	si.si_pid = ssi.ssi_pid;
	si.si_value.sival_ptr = (void *)(uintptr_t)ssi.ssi_ptr;
	expect_info("write trigger (signalfd)", &si, signo, 0, value);
	close(sfd);

	phase = "timer trigger";
	t0 = now_ms();
	dev_timer(fd, delay);
	/* The timer counts whole ticks: one jiffy (<= 10 ms) early. */
	if (!expect_info("timer trigger", NULL, signo, delay + WAIT_MS, value) &&
	    now_ms() - t0 + 10 < delay)
		fail("timer: fired after %lld ms, expected >= %u",
		     now_ms() - t0, delay);
	close(fd);
}

/*
 * no-registration SIGNO VALUE: with nobody registered the driver has no
 * process to signal (ESRCH from ioctl and write); registering fixes it.
 */
LAB_CASE(no_registration, "SIGNO VALUE", 2)
{
	int signo = arg_signo(argv[0], "SIGNO"), fd = dev_open();
	unsigned long long value = arg_num(argv[1], 0, MAX_VALUE, "VALUE");
	struct ipclab_signal_stats s0 = dev_stats(fd);

	expect_eq("registered", s0.registered, 0);
	expect_err("trigger with nobody registered", dev_trigger(fd, 1), ESRCH);
	expect_err("write with nobody registered", write(fd, "x", 1), ESRCH);
	expect_eq("misses", dev_stats(fd).misses - s0.misses, 2);
	receiver(fd, signo, value);
	expect_trigger("trigger after REGISTER", fd, 1, 1);
	expect_info("after REGISTER", NULL, signo, WAIT_MS, value);
	close(fd);
}

/*
 * fasync SIGNO: F_SETOWN + F_SETSIG + O_ASYNC, no registration: a trigger
 * from another process delivers SIGNO with si_fd; without F_SETSIG plain
 * SIGIO; with O_ASYNC cleared, nobody is left (ESRCH).
 */
LAB_CASE(fasync, "SIGNO", 1)
{
	int signo = arg_signo(argv[0], "SIGNO"), fd = dev_open(), fl;
	siginfo_t si;

	block(signo);
	block(SIGIO);
	expect_eq("registered", dev_stats(fd).registered, 0);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(fd, F_SETSIG, signo) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_ASYNC) < 0)
		die("fcntl F_SETOWN/F_SETSIG/O_ASYNC");
	expect_eq("O_ASYNC files", dev_stats(fd).nasync, 1);

	phase = "fasync with F_SETSIG";
	trigger_from_child(0);
	wait_sig(signo, WAIT_MS, &si);
	printf("fasync: signo=%d code=%s band=%#lx fd=%d\n", si.si_signo,
	       codename(si.si_code), (long)si.si_band, si.si_fd);
	if (si.si_signo != signo || si.si_code != POLL_IN ||
	    si.si_band != (POLLIN | POLLRDNORM) || si.si_fd != fd)
		fail("fasync: expected signo=%d code=POLL_IN band=%#x fd=%d",
		     signo, POLLIN | POLLRDNORM, fd);

	phase = "fasync without F_SETSIG";
	if (fcntl(fd, F_SETSIG, 0) < 0)
		die("fcntl F_SETSIG 0");
	expect_trigger("trigger without F_SETSIG", fd, 1, 1);
	wait_sig(SIGIO, WAIT_MS, &si);
	if (si.si_signo != SIGIO || si.si_code != SI_KERNEL)
		fail("without F_SETSIG: got signo %d code %d, expected SIGIO SI_KERNEL",
		     si.si_signo, si.si_code);

	if (fcntl(fd, F_SETFL, fl & ~O_ASYNC) < 0)
		die("fcntl ~O_ASYNC");
	expect_eq("O_ASYNC files after clearing it", dev_stats(fd).nasync, 0);
	expect_err("trigger after O_ASYNC off", dev_trigger(fd, 1), ESRCH);
	close(fd);
}

/*
 * coalesce STD RT N VALUE: N triggers while both signals are blocked: the
 * standard signal arrives once, the real-time one N times.
 */
LAB_CASE(coalesce, "STD RT N VALUE", 4)
{
	int sig[2] = { arg_signo(argv[0], "STD"), arg_signo(argv[1], "RT") };
	unsigned int n = arg_num(argv[2], 2, IPCLAB_SIGNAL_MAX_BURST, "N");
	unsigned long long value = arg_num(argv[3], 0, MAX_VALUE, "VALUE");
	struct ipclab_signal_stats s0;
	unsigned int got[2], bad, i;
	int fd[2];

	set_sigpending(n + 64, 0);
	for (i = 0; i < 2; i++)
		fd[i] = receiver(-1, sig[i], value);
	s0 = dev_stats(fd[0]);
	expect_trigger("trigger", fd[0], n, 2);
	printf("queued by the driver: %llu\n", dev_stats(fd[0]).sent - s0.sent);
	for (i = 0; i < 2; i++) {
		got[i] = drain(sig[i], value, &bad);
		printf("%s signal %d: sent %u, received %u\n",
		       i ? "real-time" : "standard", sig[i], n, got[i]);
		expect_eq("signals with a wrong code or value", bad, 0);
		close(fd[i]);
	}
	expect_eq("standard signals received (coalesced)", got[0], 1);
	expect_eq("real-time signals received", got[1], n);
}

/*
 * queue-limit RT LIMIT EXTRA VALUE: with RLIMIT_SIGPENDING = LIMIT, a burst
 * of LIMIT + EXTRA real-time signals fails with EAGAIN after LIMIT.
 */
LAB_CASE(queue_limit, "RT LIMIT EXTRA VALUE", 4)
{
	int rt = arg_signo(argv[0], "RT");
	unsigned int limit = arg_num(argv[1], 1, 512, "LIMIT");
	unsigned int extra = arg_num(argv[2], 1, 512, "EXTRA");
	unsigned long long value = arg_num(argv[3], 0, MAX_VALUE, "VALUE");
	struct ipclab_signal_stats s0, s1;
	unsigned int got, bad;
	int fd;

	set_sigpending(limit, 1);
	fd = receiver(-1, rt, value);
	s0 = dev_stats(fd);
	expect_err("trigger beyond the queue", dev_trigger(fd, limit + extra),
		   EAGAIN);
	s1 = dev_stats(fd);
	got = drain(rt, value, &bad);
	printf("queued: %u of %u\n", got, limit + extra);
	expect_eq("queued", got, limit);
	expect_eq("queued by the driver", s1.sent - s0.sent, limit);
	expect_eq("overflows", s1.overflows - s0.overflows, 1);
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
	siginfo_t si;

	printf("user-defined standard signals: SIGUSR1=%d SIGUSR2=%d\n",
	       SIGUSR1, SIGUSR2);
	printf("real-time signals for applications: %d..%d\n", SIGRTMIN,
	       SIGRTMAX);
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
		wait_sig(base + i, WAIT_MS, &si);
		printf("signal %d: value %llu\n", base + i, si_val(&si));
		expect_eq("signal", si.si_signo, base + i);
		expect_eq("value", si_val(&si), value + i);
		close(fds[i]);
	}
	close(fd);
}

/* clone3() with set_tid: a new process with a chosen pid number. */
static pid_t fork_with_pid(pid_t want)
{
	__u64 tid = want;
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&tid,
		.set_tid_size = 1,
	};
	long ret = syscall(SYS_clone3, &args, sizeof(args));

	if (ret == 0) {
		failed = 0;
		alarm(lab_program.timeout_s);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	return ret;
}

/*
 * stale SIGNO VALUE: a child registers through a file its parent keeps
 * open, exits and is reaped; a new process gets the same pid number. The
 * driver's trigger finds the old process gone (ESRCH) and never reaches the
 * new one, while kill(2) with the raw number does.
 */
LAB_CASE(stale, "SIGNO VALUE", 2)
{
	int signo = arg_signo(argv[0], "SIGNO"), fd = dev_open();
	unsigned long long value = arg_num(argv[1], 0, MAX_VALUE, "VALUE");
	struct ipclab_signal_stats s0 = dev_stats(fd), s1;
	unsigned int queued = 0, user = 0;
	pid_t child, imp;
	siginfo_t si;

	block(signo);	/* inherited by the children */
	child = xfork();
	if (child == 0) {
		receiver(fd, signo, value);
		child_exit();
	}
	reap(child, "registering child");
	expect_eq("registered after the child exited", dev_stats(fd).registered, 1);
	imp = fork_with_pid(child);
	if (imp < 0) {
		fail("clone3 with set_tid %d: %s", (int)child, errname(errno));
		return;
	}
	if (imp == 0) {
		/* The driver's trigger must miss it, kill(2) must not. */
		expect_err("trigger after the exit", dev_trigger(fd, 1), ESRCH);
		if (kill(child, signo) < 0)
			die("kill");
		while (wait_sig(signo, 0, &si) == 0)
			*(si.si_code == SI_USER ? &user : &queued) += 1;
		printf("new process, pid %d: %u of the driver's signals, %u of kill(2)'s\n",
		       (int)getpid(), queued, user);
		expect_eq("the driver's signals in the new process", queued, 0);
		expect_eq("kill(2)'s signals in the new process", user, 1);
		child_exit();
	}
	reap(imp, "new process");
	expect_eq("pid of the new process", imp, child);
	s1 = dev_stats(fd);
	expect_eq("stale registrations dropped", s1.stale - s0.stale, 1);
	expect_eq("registered now", s1.registered, 0);
	expect_err("UNREGISTER after the drop", ioctl(fd, UNREG), ENOENT);
	close(fd);
}

/*
 * close-unregisters SIGNO VALUE DELAY_MS: close and UNREGISTER end a
 * registration; closing a file disarms its timer.
 */
LAB_CASE(close_unregisters, "SIGNO VALUE DELAY_MS", 3)
{
	int signo = arg_signo(argv[0], "SIGNO"), ctl = dev_open(), fd, tfd;
	unsigned long long value = arg_num(argv[1], 0, MAX_VALUE, "VALUE");
	unsigned int delay = arg_num(argv[2], 1, 2000, "DELAY_MS");
	siginfo_t si;

	fd = receiver(-1, signo, value);
	expect_eq("registered", dev_stats(ctl).registered, 1);
	close(fd);
	expect_eq("registered after close", dev_stats(ctl).registered, 0);
	expect_err("trigger after close", dev_trigger(ctl, 1), ESRCH);

	fd = receiver(-1, signo, value);
	expect_ok("UNREGISTER", ioctl(fd, UNREG));
	expect_err("UNREGISTER again", ioctl(fd, UNREG), ENOENT);
	expect_err("trigger after UNREGISTER", dev_trigger(ctl, 1), ESRCH);
	receiver(fd, signo, value);
	expect_trigger("trigger after registering again", ctl, 1, 1);
	expect_info("registered again", NULL, signo, WAIT_MS, value);

	phase = "a disarmed timer";
	tfd = dev_open();
	dev_timer(tfd, delay);
	close(tfd);
	if (!wait_sig(signo, delay + 300, &si))
		fail("a signal within %u ms of closing an armed timer's file",
		     delay + 300);
	close(fd);
	expect_eq("registered at the end", dev_stats(ctl).registered, 0);
	close(ctl);
}

/* bad-input: every wrong argument gets its errno, nothing changes. */
LAB_CASE(bad_input, "", 0)
{
	struct ipclab_signal_reg r[] = {
		{ 0, 0, 1 }, { 65, 0, 1 }, { SIGKILL, 0, 1 },
		{ SIGSTOP, 0, 1 }, { SIGUSR1, 1, 1 }, { SIGUSR1, 0, 1 },
	};
	__u32 n[] = { 0, IPCLAB_SIGNAL_MAX_BURST + 1,
		      IPCLAB_SIGNAL_MAX_DELAY_MS + 1 };
	void *bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	/* Each call, its errno (0: it succeeds), the registrations after. */
	const struct {
		const char *what;
		unsigned long cmd;
		void *arg;
		int err;
		unsigned int registered;
	} t[] = {
		{ "register signal 0", REG, &r[0], EINVAL, 0 },
		{ "register signal 65", REG, &r[1], EINVAL, 0 },
		{ "register SIGKILL", REG, &r[2], EINVAL, 0 },
		{ "register SIGSTOP", REG, &r[3], EINVAL, 0 },
		{ "register with flags 1", REG, &r[4], EINVAL, 0 },
		{ "register from a bad pointer", REG, bad, EFAULT, 0 },
		{ "register", REG, &r[5], 0, 1 },
		{ "register twice", REG, &r[5], EBUSY, 1 },
		{ "unregister", UNREG, NULL, 0, 0 },
		{ "unregister twice", UNREG, NULL, ENOENT, 0 },
		{ "trigger 0", TRIGGER, &n[0], EINVAL, 0 },
		{ "trigger 1025", TRIGGER, &n[1], EINVAL, 0 },
		{ "trigger from a bad pointer", TRIGGER, bad, EFAULT, 0 },
		{ "timer 0 ms", IPCLAB_SIGNAL_IOC_TIMER, &n[0], EINVAL, 0 },
		{ "timer 60001 ms", IPCLAB_SIGNAL_IOC_TIMER, &n[2], EINVAL, 0 },
		{ "stats into a bad pointer", IPCLAB_SIGNAL_IOC_GET_STATS, bad,
		  EFAULT, 0 },
		{ "unknown ioctl", _IO(IPCLAB_IOC_MAGIC, 0x2f), NULL, ENOTTY, 0 },
		{ "foreign magic", _IO('x', 0x22), NULL, ENOTTY, 0 },
	};
	unsigned int i;
	char what[80];
	int fd;

	(void)argv;
	if (bad == MAP_FAILED || munmap(bad, 4096) < 0)
		die("mmap");
	block(SIGUSR1);
	fd = dev_open();
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (t[i].err)
			expect_err(t[i].what, ioctl(fd, t[i].cmd, t[i].arg),
				   t[i].err);
		else
			expect_ok(t[i].what, ioctl(fd, t[i].cmd, t[i].arg));
		snprintf(what, sizeof(what), "registered after %s", t[i].what);
		expect_eq(what, dev_stats(fd).registered, t[i].registered);
	}
	expect_err("read", read(fd, what, 1), EINVAL);
	expect_err("lseek", lseek(fd, 0, SEEK_SET), ESPIPE);
	expect_eq("registered at the end", dev_stats(fd).registered, 0);
	close(fd);
}

/* Written by the handler, read after it ran. */
static siginfo_t h_si;
static int h_count;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	h_si = *si;
	__atomic_add_fetch(&h_count, 1, __ATOMIC_RELEASE);
}

/*
 * interrupt SIGNO VALUE DELAY_MS: like an interrupt, the driver's signal
 * (from its timer, SIGNO not blocked) stops a blocked read() (EINTR) and a
 * busy loop to run the handler, which gets the value.
 */
LAB_CASE(interrupt, "SIGNO VALUE DELAY_MS", 3)
{
	int signo = arg_signo(argv[0], "SIGNO"), fd = dev_open(), p[2];
	unsigned long long value = arg_num(argv[1], 0, MAX_VALUE, "VALUE");
	unsigned int delay = arg_num(argv[2], 1, 5000, "DELAY_MS");
	/* No SA_RESTART: read() fails. */
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
	char c;

	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, NULL) < 0 || pipe(p) < 0)
		die("sigaction");
	if (dev_reg(fd, signo, value) < 0)
		die("ioctl IPCLAB_SIGNAL_IOC_REGISTER");

	phase = "read() waiting for the driver's signal";
	dev_timer(fd, delay);
	expect_err("read() on an empty pipe", read(p[0], &c, 1), EINTR);
	expect_info("handler", &h_si, signo, 0, value);

	phase = "a busy loop waiting for the driver's signal";
	dev_timer(fd, delay);
	while (__atomic_load_n(&h_count, __ATOMIC_ACQUIRE) < 2)
		;	/* spin: only the handler can end this loop */
	expect_eq("handler runs", h_count, 2);
	close(fd);
}

/*
 * concurrent SIGNO R T K VALUE: R receivers registered with VALUE+i while T
 * processes trigger K times each and two more register and close in a loop:
 * every receiver gets exactly T*K signals, all with its own value.
 */
LAB_CASE(concurrent, "SIGNO R T K VALUE", 5)
{
	int signo = arg_signo(argv[0], "SIGNO"), ready[2], done[2], fd;
	unsigned int r = arg_num(argv[1], 1, MAX_PROCS, "R");
	unsigned int t = arg_num(argv[2], 1, MAX_PROCS, "T");
	unsigned int k = arg_num(argv[3], 1, 1000, "K"), i, j, n;
	unsigned long long value = arg_num(argv[4], 0, MAX_VALUE, "VALUE");
	pid_t pid[2 * MAX_PROCS + 2];
	char c;

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
		if (write(ready[1], "r", 1) != 1 || read(done[0], &c, 1))
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
		if (read(ready[0], &c, 1) != 1)
			die("read ready");
	fd = dev_open();
	expect_eq("receivers registered", dev_stats(fd).registered, r);

	for (i = r; i < r + t + 2; i++) {
		pid[i] = xfork();
		if (pid[i])
			continue;
		/* T processes trigger K times; two register and close. */
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
	for (i = r; i < r + t + 2; i++)
		reap(pid[i], i < r + t ? "trigger process" : "churn process");
	close(done[1]);
	for (i = 0; i < r; i++)
		reap(pid[i], "receiver");
	printf("receivers with exactly %u signals of their own value: %u\n",
	       t * k, r);
	expect_eq("registered after all exited", dev_stats(fd).registered, 0);
	close(fd);
}

/* stats: the driver's counters (a fresh module shows zeros). */
LAB_CASE(stats, "", 0)
{
	struct ipclab_signal_stats st = dev_stats(dev_open());

	(void)argv;
	printf("stats: sent=%llu overflows=%llu stale=%llu triggers=%llu",
	       st.sent, st.overflows, st.stale, st.triggers);
	printf(" misses=%llu registered=%u nasync=%u\n", st.misses,
	       st.registered, st.nasync);
}

/* latency N: N trigger -> sigtimedwait round trips in one process. */
LAB_CASE(latency, "N", 1)
{
	unsigned int n = arg_num(argv[0], 1, 100000, "N"), i, got = 0;
	int signo = SIGRTMIN, fd = receiver(-1, signo, n);
	long long t0 = now_ms(), ms;
	siginfo_t si;

	for (i = 0; i < n; i++)
		got += dev_trigger(fd, 1) == 1 &&
		       !wait_sig(signo, WAIT_MS, &si) && si_val(&si) == n;
	ms = now_ms() - t0;
	printf("round trips: %u of %u\n", got, n);
	printf("time: %lld ms, %lld us each\n", ms, ms * 1000 / n);
	expect_eq("round trips", got, n);
	close(fd);
}
