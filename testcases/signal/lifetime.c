// SPDX-License-Identifier: GPL-2.0
/*
 * When a registration ends: its process exits (a new one with the same pid
 * is never signalled), its file is closed, or it unregisters.
 */
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "signal.h"

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
 * A new process gets @child's pid number and triggers: the driver must not
 * reach it (ESRCH), kill(2) with the raw number must.
 */
static void recycle(int fd, pid_t child, int signo)
{
	unsigned int queued = 0, user = 0;
	pid_t imp = fork_with_pid(child);
	siginfo_t si;

	if (imp < 0)
		die("clone3 with set_tid");
	if (imp == 0) {
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
}

/*
 * stale SIGNO VALUE REUSE: a child registers through a file its parent keeps
 * open, exits and is reaped. The driver's trigger (with REUSE 1, from a new
 * process with the same pid number) finds it gone (ESRCH) and drops the
 * registration.
 */
LAB_CASE(stale, "SIGNO VALUE REUSE", 3)
{
	int signo = arg_signo(argv[0], "SIGNO"), fd = dev_open();
	unsigned long long value = arg_num(argv[1], 0, MAX_VALUE, "VALUE");
	int reuse = arg_num(argv[2], 0, 1, "REUSE");
	struct ipclab_signal_stats s0 = dev_stats(fd), s1;
	pid_t child;

	block(signo);	/* inherited by the children */
	child = xfork();
	if (child == 0) {
		receiver(fd, signo, value);
		child_exit();
	}
	reap(child, "registering child");
	expect_eq("registered after the child exited", dev_stats(fd).registered, 1);
	if (reuse)
		recycle(fd, child, signo);
	else
		expect_err("trigger after the exit", dev_trigger(fd, 1), ESRCH);
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
