// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises /dev/ipclab-signal, the driver that signals processes, one case
 * per property. Signal numbers are the kernel's (the host picks them); SIGNO
 * is blocked, and each signal is taken with sigtimedwait, unless a case says
 * otherwise. This file: the helpers, how a signal reaches a process
 * (payload, timer, registration, fasync), bad input and the counters;
 * queue.c: coalescing and queueing, many signals and processes; lifetime.c:
 * when a registration ends; interrupt.c: a handler interrupting the
 * process; classic.c: the programs the shell drives.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>

#include "signal.h"

LAB_PROGRAM(.timeout_s = 20, .lost = "signal");

static const char *codename(int code)
{
	return code == SI_QUEUE ? "SI_QUEUE" : code == SI_KERNEL ?
	       "SI_KERNEL" : code == POLL_IN ? "POLL_IN" : "other";
}

/*
 * Prints "WHAT: signo=S code=C value=V pid=P" of @si, else of @signo taken
 * within @ms; FAIL unless the driver's @signo with @value. 0 if it came.
 */
int expect_info(const char *what, const siginfo_t *si, int signo,
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

/* @signo blocked, @fd (a new file when -1) registered for it: the file. */
int receiver(int fd, int signo, unsigned long long value)
{
	if (fd < 0)
		fd = dev_open();
	block(signo);
	if (dev_reg(fd, signo, value) < 0)
		die("ioctl IPCLAB_SIGNAL_IOC_REGISTER");
	return fd;
}

void dev_timer(int fd, __u32 ms)
{
	if (ioctl(fd, IPCLAB_SIGNAL_IOC_TIMER, &ms) < 0)
		die("ioctl IPCLAB_SIGNAL_IOC_TIMER");
}

struct ipclab_signal_stats dev_stats(int fd)
{
	struct ipclab_signal_stats st;

	memset(&st, 0xa5, sizeof(st));
	if (ioctl(fd, IPCLAB_SIGNAL_IOC_GET_STATS, &st) < 0)
		die("ioctl IPCLAB_SIGNAL_IOC_GET_STATS");
	return st;
}

/* A trigger of @n that must reach @want recipients. */
void expect_trigger(const char *what, int fd, __u32 n, int want)
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
 * payload SIGNO VALUE: another process's ioctl and its write each deliver
 * SIGNO with SI_QUEUE and VALUE (the write's read through a signalfd).
 */
LAB_CASE(payload, "SIGNO VALUE", 2)
{
	int signo = arg_signo(argv[0], "SIGNO");
	unsigned long long value = arg_num(argv[1], 0, MAX_VALUE, "VALUE");
	int fd = receiver(-1, signo, value), sfd;
	sigset_t set = sigset_of(signo);
	struct signalfd_siginfo ssi;
	siginfo_t si;

	phase = "ioctl trigger";
	trigger_from_child(0);
	expect_info("ioctl trigger", NULL, signo, WAIT_MS, value);

	phase = "write trigger";
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
	close(fd);
}

/*
 * timer SIGNO VALUE DELAY_MS: the driver's kernel timer delivers SIGNO with
 * SI_QUEUE and VALUE, no earlier than DELAY_MS after it was armed.
 */
LAB_CASE(timer, "SIGNO VALUE DELAY_MS", 3)
{
	int signo = arg_signo(argv[0], "SIGNO");
	unsigned long long value = arg_num(argv[1], 0, MAX_VALUE, "VALUE");
	unsigned int delay = arg_num(argv[2], 1, 10000, "DELAY_MS");
	int fd = receiver(-1, signo, value);
	long long t0 = now_ms();

	phase = "timer trigger";
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

/* A file with F_SETOWN (us), F_SETSIG @signo (0: SIGIO) and O_ASYNC. */
static int fasync_file(int signo)
{
	int fd = dev_open(), fl = fcntl(fd, F_GETFL);

	block(SIGIO);
	if (signo)
		block(signo);
	expect_eq("registered", dev_stats(fd).registered, 0);
	if (fl < 0 || fcntl(fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(fd, F_SETSIG, signo) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_ASYNC) < 0)
		die("fcntl F_SETOWN/F_SETSIG/O_ASYNC");
	expect_eq("O_ASYNC files", dev_stats(fd).nasync, 1);
	return fd;
}

/*
 * fasync SIGNO: F_SETOWN + F_SETSIG + O_ASYNC, no registration: a trigger
 * from another process delivers SIGNO with si_fd; without F_SETSIG plain
 * SIGIO.
 */
LAB_CASE(fasync, "SIGNO", 1)
{
	int signo = arg_signo(argv[0], "SIGNO"), fd = fasync_file(signo);
	siginfo_t si;

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
	expect_eq("without F_SETSIG: signo (SIGIO)", si.si_signo, SIGIO);
	expect_eq("without F_SETSIG: code (SI_KERNEL)", si.si_code, SI_KERNEL);
	close(fd);
}

/* fasync-off: with O_ASYNC cleared, nobody is left (ESRCH). */
LAB_CASE(fasync_off, "", 0)
{
	int fd = fasync_file(0), fl = fcntl(fd, F_GETFL);

	(void)argv;
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_ASYNC) < 0)
		die("fcntl ~O_ASYNC");
	expect_eq("O_ASYNC files after clearing it", dev_stats(fd).nasync, 0);
	expect_err("trigger after O_ASYNC off", dev_trigger(fd, 1), ESRCH);
	close(fd);
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
		expect_ret(t[i].what, ioctl(fd, t[i].cmd, t[i].arg), t[i].err);
		snprintf(what, sizeof(what), "registered after %s", t[i].what);
		expect_eq(what, dev_stats(fd).registered, t[i].registered);
	}
	expect_err("read", read(fd, what, 1), EINVAL);
	expect_err("lseek", lseek(fd, 0, SEEK_SET), ESPIPE);
	expect_eq("registered at the end", dev_stats(fd).registered, 0);
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
