// SPDX-License-Identifier: GPL-2.0
/*
 * When the caller gets control back, many callers at once, and an unload
 * under a waiting caller and a running helper.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include "umh.h"

#define MAX_PROCS	12

/* Finds "queued helper PID: ..." in /dev/kmsg within WAIT_MS; prints it. */
static void kmsg_find(int pid)
{
	int fd = must(open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC),
		      "/dev/kmsg");
	char want[64], buf[8192], *hit = NULL;
	long long end = now_ms() + WAIT_MS;
	ssize_t n;

	snprintf(want, sizeof(want), "queued helper %d: ", pid);
	while (!hit && now_ms() < end) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EAGAIN)
			sleep_ms(100);
		buf[n > 0 ? n : 0] = '\0';	/* EPIPE: records lost, go on */
		hit = strstr(buf, want);
	}
	if (hit)
		printf("kmsg: %.*s\n", (int)strcspn(hit, "\n"), hit);
	else
		fail("no \"%s\" line in /dev/kmsg within %d ms", want, WAIT_MS);
	close(fd);
}

/* UMH_WAIT_EXEC returns once the exec succeeded; the helper runs on. */
LAB_CASE(wait_exec, "TAG STATUS", 2)
{
	char path[64], buf[8192], *rec;
	struct call c;

	prep(&c, IPCLAB_UMH_WAIT_EXEC, argv[0], argv[1], 1);
	call_ok(open_umh(), &c);
	snprintf(path, sizeof(path), "/proc/%d", c.r.pid);
	expect_is("helper alive after the ioctl returned", yes_no(exists(path)),
		  "yes");
	expect_is("record after the ioctl returned",
		  exists(c.record) ? "present" : "absent", "absent");
	touch(c.go);
	rec = show_record(&c, buf, sizeof(buf), 1);
	want_line(rec, "waited: go file appeared");
	want_line(rec, "parent: kthreadd");
	phase = "waiting for the helper to exit";
	while (exists(path))
		sleep_ms(2);
	printf("helper exited: yes\n");
	unlink(c.go);
}

static int got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_store_n(&got_usr1, 1, __ATOMIC_RELEASE);
}

/*
 * UMH_WAIT_PROC sleeps uninterruptibly (D) until the helper exits: a child
 * watches us, signals us, then creates the go file the helper waits for.
 */
LAB_CASE(wait_proc, "TAG STATUS", 2)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	pid_t parent = getpid(), child;
	char buf[8192], *rec, state[] = "state ?";
	struct call c;
	int fd;

	prep(&c, IPCLAB_UMH_WAIT_PROC, argv[0], argv[1], 1);
	sigaction(SIGUSR1, &sa, NULL);
	fd = open_umh();
	child = xfork();
	if (!child) {
		if (WAIT_FOR(proc_state(parent) == 'D', WAIT_MS))
			printf("watcher: caller is in state D (uninterruptible)\n");
		else
			fail("the caller never slept in the ioctl");
		expect_is("watcher: record while the caller waits",
			  exists(c.record) ? "present" : "absent", "absent");
		kill(parent, SIGUSR1);
		sleep_ms(100);
		state[6] = proc_state(parent);
		expect_is("watcher: caller after SIGUSR1", state, "state D");
		touch(c.go);
		child_exit();
	}
	call_ok(fd, &c);
	wait_pass(child, "watcher");
	expect_is("SIGUSR1 handled",
		  yes_no(__atomic_load_n(&got_usr1, __ATOMIC_ACQUIRE)), "yes");
	expect_is("record when the ioctl returned",
		  exists(c.record) ? "present" : "absent", "present");
	rec = show_record(&c, buf, sizeof(buf), 1);
	want_line(rec, "waited: go file appeared");
	want_line(rec, "parent: kworker");
	unlink(c.go);
}

/* NO_WAIT returns at once: the status, or an error, only reaches the log. */
LAB_CASE(no_wait, "TAG STATUS", 2)
{
	char buf[8192];
	struct call c;
	int fd, pid;

	prep(&c, IPCLAB_UMH_NO_WAIT, argv[0], argv[1], 0);
	fd = open_umh();
	call_ok(fd, &c);
	printf("pid from ioctl: %d\n", c.r.pid);
	pid = record_pid(show_record(&c, buf, sizeof(buf), 1));
	expect_is("helper ran", yes_no(pid > 0), "yes");
	kmsg_find(pid);
	snprintf(c.r.path, sizeof(c.r.path), "%sumh-missing-%s",
		 IPCLAB_UMH_DIR, argv[0]);
	expect_ok("no-wait on a missing program", call_run(fd, &c));
}

/* A child makes @c's request; it gets SIGKILL once it sleeps in it. */
static pid_t start_killed(struct call *c, const char *who)
{
	pid_t pid = xfork();

	if (!pid) {
		call_run(open_umh(), c);
		_exit(KSFT_FAIL);	/* SIGKILL ends it first */
	}
	phase = "waiting for a caller to sleep in the ioctl";
	if (!WAIT_FOR(proc_state(pid) == 'D', WAIT_MS))
		fail("the %s caller never slept in the ioctl", who);
	kill(pid, SIGKILL);
	return pid;
}

static void expect_killed(pid_t pid, const char *what)
{
	char got[32];
	int status;

	phase = "waiting for a killed caller to die";
	must(waitpid(pid, &status, 0), "waitpid");
	if (WIFSIGNALED(status))
		snprintf(got, sizeof(got), "killed by signal %d",
			 WTERMSIG(status));
	else
		snprintf(got, sizeof(got), "exit %d", WEXITSTATUS(status));
	expect_is(what, got, "killed by signal 9");
}

/* SIGKILL ends a WAIT_PROC wait only with IPCLAB_UMH_KILLABLE. */
LAB_CASE(killable, "TAG STATUS", 2)
{
	char word[128], buf[8192], state[] = "state ?";
	struct call c;
	pid_t child;

	/* 1. A killable call that is not killed works like WAIT_PROC. */
	snprintf(word, sizeof(word), "%s-ok", argv[0]);
	prep(&c, IPCLAB_UMH_WAIT_PROC | IPCLAB_UMH_KILLABLE, word, argv[1], 0);
	call_ok(open_umh(), &c);
	show_record(&c, buf, sizeof(buf), 1);

	/* 2. Plain WAIT_PROC: SIGKILL waits for the helper. */
	snprintf(word, sizeof(word), "%s-plain", argv[0]);
	prep(&c, IPCLAB_UMH_WAIT_PROC, word, argv[1], 1);
	child = start_killed(&c, "plain");
	sleep_ms(300);
	state[6] = proc_state(child);
	expect_is("plain caller 300 ms after SIGKILL", state, "state D");
	touch(c.go);
	expect_killed(child, "plain caller once the helper exited");
	expect_is("plain helper finished", yes_no(exists(c.record)), "yes");
	unlink(c.record);
	unlink(c.go);

	/* 3. KILLABLE: SIGKILL ends the wait; the helper runs on. */
	snprintf(word, sizeof(word), "%s-kill", argv[0]);
	prep(&c, IPCLAB_UMH_WAIT_PROC | IPCLAB_UMH_KILLABLE, word, argv[1], 1);
	child = start_killed(&c, "killable");
	expect_killed(child, "killable caller");
	expect_is("killable helper when its caller died",
		  exists(c.record) ? "finished" : "still running",
		  "still running");
	touch(c.go);
	kmsg_find(record_pid(show_record(&c, buf, sizeof(buf), 0)));
	unlink(c.go);
}

/*
 * N callers at once (their helpers wait for one go file), each with its own
 * word and exit status STATUS+i, each gets its own result back.
 */
LAB_CASE(concurrent, "N TAG STATUS", 3)
{
	int n = arg_num(argv[0], 2, MAX_PROCS, "N");
	int base = arg_num(argv[2], 0, 255 - MAX_PROCS, "STATUS");
	char go[136], word[128], st[16], buf[8192], *extra[1] = { word };
	pid_t pids[MAX_PROCS];
	int i, waiting = 0;
	struct call c;

	for (i = 0; i < n; i++) {
		snprintf(word, sizeof(word), "%s-%d", argv[1], i);
		snprintf(st, sizeof(st), "%d", base + i);
		prep(&c, IPCLAB_UMH_WAIT_PROC, word, st, 1);
		if (!i)		/* all wait for the first one's go file */
			snprintf(go, sizeof(go), "%s", c.go);
		snprintf(c.go, sizeof(c.go), "%s", go);
		prep_argv(&c, extra, 1, NULL, 0);	/* argv[5]: its word */
		pids[i] = xfork();
		if (pids[i])
			continue;
		must(call_run(open_umh(), &c), "ioctl");
		check_result(&c);
		show_record(&c, buf, sizeof(buf), 0);
		printf("caller %d: exit code %d\n", i, c.r.exit_code);
		child_exit();
	}
	phase = "waiting for all callers to sleep in the ioctl";
	for (i = 0; i < n; i++)
		waiting += WAIT_FOR(proc_state(pids[i]) == 'D', WAIT_MS);
	printf("callers waiting at once: %d of %d\n", waiting, n);
	touch(go);
	for (i = 0; i < n; i++)
		reap(pids[i], "caller");
	unlink(go);
}

/*
 * A waiting WAIT_PROC caller pins the module; then a WAIT_EXEC helper is
 * left waiting for its go file while the .exp reloads the module.
 */
LAB_CASE(unload_start, "TAG STATUS", 2)
{
	char word[128];
	struct call c;
	pid_t child;
	int fd, err;

	snprintf(word, sizeof(word), "%s-proc", argv[0]);
	prep(&c, IPCLAB_UMH_WAIT_PROC, word, argv[1], 1);
	fd = open_umh();
	child = xfork();
	if (!child) {
		err = call_run(fd, &c) < 0 ? errno : 0;
		printf("WAIT_PROC caller: %s, exit code %d\n", errname(err),
		       c.r.exit_code);
		unlink(c.record);
		_exit(err ? KSFT_FAIL : KSFT_PASS);
	}
	phase = "waiting for the WAIT_PROC caller to sleep";
	if (!WAIT_FOR(proc_state(child) == 'D', WAIT_MS))
		fail("the WAIT_PROC caller never slept in the ioctl");
	close(fd);	/* only the child's open file pins the module now */
	expect_err("rmmod while a WAIT_PROC caller waits",
		   syscall(SYS_delete_module, "ipclab", O_NONBLOCK), EAGAIN);
	touch(c.go);
	reap(child, "WAIT_PROC caller");
	unlink(c.go);

	prep(&c, IPCLAB_UMH_WAIT_EXEC, argv[0], "0", 1);
	call_ok(open_umh(), &c);
	expect_is("WAIT_EXEC helper running", yes_no(!exists(c.record)), "yes");
}

/* After the reload: the helper unload-start left finishes. */
LAB_CASE(unload_finish, "TAG", 1)
{
	char buf[8192];
	struct call c;

	prep(&c, IPCLAB_UMH_WAIT_EXEC, argv[0], "0", 1);  /* unload-start's */
	touch(c.go);
	want_line(show_record(&c, buf, sizeof(buf), 1),
		  "waited: go file appeared");
	unlink(c.go);
}
