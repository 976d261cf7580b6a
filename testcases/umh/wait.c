// SPDX-License-Identifier: GPL-2.0
/*
 * When the caller gets control back, many callers at once, and an unload
 * under a waiting caller and a running helper.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include "umh.h"

#define MAX_PROCS	12

/*
 * Finds "queued helper PID: ..." in /dev/kmsg within WAIT_MS; prints it and
 * FAILs unless it is "queued helper PID: wait status @ws".
 */
static void kmsg_find(int pid, int ws)
{
	int fd = must(open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC),
		      "/dev/kmsg");
	char want[80], buf[8192], *hit = NULL;
	long long end = now_ms() + WAIT_MS;
	ssize_t n;

	snprintf(want, sizeof(want), "queued helper %d: ", pid);
	while (!hit && now_ms() < end) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EAGAIN)
			usleep(100000);
		buf[n > 0 ? n : 0] = '\0';	/* EPIPE: records lost, go on */
		hit = strstr(buf, want);
	}
	close(fd);
	if (!hit) {
		fail("no \"%s\" line in /dev/kmsg within %d ms", want, WAIT_MS);
		return;
	}
	hit[strcspn(hit, "\n")] = '\0';
	n = strlen(want);
	snprintf(want + n, sizeof(want) - n, "wait status %d", ws);
	expect_is("kmsg", hit, want);
}

/* Whether @pid sleeps uninterruptibly (D) within WAIT_MS; else a FAIL. */
static int wait_d(pid_t pid, const char *who)
{
	phase = "waiting for a caller to sleep in the ioctl";
	if (WAIT_FOR(proc_state(pid) == 'D', WAIT_MS))
		return 1;
	fail("the %s never slept in the ioctl", who);
	return 0;
}

static void expect_d(pid_t pid, const char *what)
{
	char state[] = "state ?";

	state[6] = proc_state(pid);
	expect_is(what, state, "state D");
}

/* UMH_WAIT_EXEC returns once the exec succeeded; the helper runs on. */
LAB_CASE(wait_exec, "TAG STATUS", 2)
{
	char path[64], *rec;
	struct call c;

	prep(&c, IPCLAB_UMH_WAIT_EXEC, argv[1], 1, "%s", argv[0]);
	call_ok(open_umh(), &c);
	snprintf(path, sizeof(path), "/proc/%d", c.r.pid);
	expect_is("helper alive after the ioctl returned", yes_no(exists(path)),
		  "yes");
	expect_record(&c, "record after the ioctl returned", "absent");
	touch(c.go);
	rec = show_record(&c, 1);
	want_line(rec, "waited: go file appeared");
	want_line(rec, "parent: kthreadd");
	phase = "waiting for the helper to exit";
	while (exists(path))
		usleep(2000);
	printf("helper exited: yes\n");
	unlink(c.go);
}

/*
 * UMH_WAIT_PROC sleeps uninterruptibly (D) until the helper exits: a child
 * watches us (with @sig, sends us SIGUSR1 first), then creates the go file
 * the helper waits for.
 */
static void wait_proc_watched(char **argv, int sig)
{
	pid_t parent = getpid(), child;
	struct call c;
	char *rec;
	int fd;

	prep(&c, IPCLAB_UMH_WAIT_PROC, argv[1], 1, "%s", argv[0]);
	fd = open_umh();
	child = xfork();
	if (!child) {
		if (wait_d(parent, "caller"))
			printf("watcher: caller is in state D (uninterruptible)\n");
		expect_record(&c, "watcher: record while the caller waits",
			      "absent");
		if (sig) {
			kill(parent, SIGUSR1);
			usleep(100000);
			expect_d(parent, "watcher: caller after SIGUSR1");
		}
		touch(c.go);
		child_exit();
	}
	call_ok(fd, &c);
	wait_pass(child, "watcher");
	expect_record(&c, "record when the ioctl returned", "present");
	rec = show_record(&c, 1);
	want_line(rec, "waited: go file appeared");
	want_line(rec, "parent: kworker");
	unlink(c.go);
}

LAB_CASE(wait_proc, "TAG STATUS", 2)
{
	wait_proc_watched(argv, 0);
}

static int got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_store_n(&got_usr1, 1, __ATOMIC_RELEASE);
}

/* A signal does not end a WAIT_PROC wait; it is handled after the return. */
LAB_CASE(wait_signal, "TAG STATUS", 2)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */

	sigaction(SIGUSR1, &sa, NULL);
	wait_proc_watched(argv, 1);
	expect_is("SIGUSR1 handled",
		  yes_no(__atomic_load_n(&got_usr1, __ATOMIC_ACQUIRE)), "yes");
}

/* NO_WAIT returns at once: the status, or an error, only reaches the log. */
LAB_CASE(no_wait, "TAG STATUS", 2)
{
	struct call c;
	int fd, pid;

	prep(&c, IPCLAB_UMH_NO_WAIT, argv[1], 0, "%s", argv[0]);
	fd = open_umh();
	call_ok(fd, &c);
	printf("pid from ioctl: %d\n", c.r.pid);
	pid = record_pid(show_record(&c, 1));
	expect_is("helper ran", yes_no(pid > 0), "yes");
	kmsg_find(pid, atoi(argv[1]) << 8);
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
	wait_d(pid, who);
	kill(pid, SIGKILL);
	return pid;
}

static void expect_killed(pid_t pid, const char *what)
{
	int status;

	phase = "waiting for a killed caller to die";
	must(waitpid(pid, &status, 0), "waitpid");
	printf("%s: wait status %d\n", what, status);
	expect_eq(what, status, SIGKILL);	/* killed by 9, no core */
}

/* Plain WAIT_PROC: SIGKILL waits for the helper (the weakness). */
LAB_CASE(kill_plain, "TAG STATUS", 2)
{
	struct call c;
	pid_t child;

	prep(&c, IPCLAB_UMH_WAIT_PROC, argv[1], 1, "%s", argv[0]);
	child = start_killed(&c, "plain caller");
	usleep(300000);
	expect_d(child, "plain caller 300 ms after SIGKILL");
	touch(c.go);
	expect_killed(child, "plain caller once the helper exited");
	expect_record(&c, "plain helper's record", "present");
	unlink(c.record);
	unlink(c.go);
}

/* With IPCLAB_UMH_KILLABLE, SIGKILL ends the wait; the helper runs on. */
LAB_CASE(killable, "TAG STATUS", 2)
{
	__u32 wait = IPCLAB_UMH_WAIT_PROC | IPCLAB_UMH_KILLABLE;
	struct call c;
	pid_t child;

	/* A killable call that is not killed works like WAIT_PROC. */
	prep(&c, wait, argv[1], 0, "%s-ok", argv[0]);
	call_ok(open_umh(), &c);
	show_record(&c, 1);

	prep(&c, wait, argv[1], 1, "%s-kill", argv[0]);
	child = start_killed(&c, "killable caller");
	expect_killed(child, "killable caller");
	expect_record(&c, "killable helper's record when its caller died",
		      "absent");
	touch(c.go);
	kmsg_find(record_pid(show_record(&c, 0)), atoi(argv[1]) << 8);
	unlink(c.go);
}

/*
 * N callers at once (their helpers wait for one go file), each with its own
 * word and exit status STATUS+i, each gets its own result back.
 */
LAB_CASE(concurrent, "TAG N STATUS", 3)
{
	int n = arg_num(argv[1], 2, MAX_PROCS, "N");
	int base = arg_num(argv[2], 0, 255 - MAX_PROCS, "STATUS");
	char go[136], word[128], st[16], *extra[1] = { word };
	pid_t pids[MAX_PROCS];
	int i, waiting = 0;
	struct call c;

	for (i = 0; i < n; i++) {
		snprintf(word, sizeof(word), "%s-%d", argv[0], i);
		snprintf(st, sizeof(st), "%d", base + i);
		prep(&c, IPCLAB_UMH_WAIT_PROC, st, 1, "%s", word);
		if (!i)		/* all wait for the first one's go file */
			snprintf(go, sizeof(go), "%s", c.go);
		snprintf(c.go, sizeof(c.go), "%s", go);
		prep_argv(&c, extra, 1, NULL, 0);	/* argv[5]: its word */
		pids[i] = xfork();
		if (pids[i])
			continue;
		call_ok(open_umh(), &c);
		show_record(&c, 0);
		printf("caller %d: exit code %d\n", i, c.r.exit_code);
		child_exit();
	}
	for (i = 0; i < n; i++)
		waiting += wait_d(pids[i], "caller");
	printf("callers waiting at once: %d of %d\n", waiting, n);
	touch(go);
	for (i = 0; i < n; i++)
		reap(pids[i], "caller");
	unlink(go);
}

/* A WAIT_PROC caller asleep in the ioctl pins the module (its open file). */
LAB_CASE(pinned, "TAG STATUS", 2)
{
	struct call c;
	pid_t child;
	int fd;

	prep(&c, IPCLAB_UMH_WAIT_PROC, argv[1], 1, "%s", argv[0]);
	fd = open_umh();
	child = xfork();
	if (!child) {
		call_ok(fd, &c);
		show_record(&c, 0);
		child_exit();
	}
	wait_d(child, "WAIT_PROC caller");
	close(fd);	/* only the child's open file pins the module now */
	expect_err("rmmod while a WAIT_PROC caller waits",
		   syscall(SYS_delete_module, "ipclab", O_NONBLOCK), EAGAIN);
	touch(c.go);
	reap(child, "WAIT_PROC caller");
	unlink(c.go);
}

/* A WAIT_EXEC helper left waiting for its go file; the .exp reloads. */
LAB_CASE(unload_start, "TAG", 1)
{
	struct call c;

	prep(&c, IPCLAB_UMH_WAIT_EXEC, "0", 1, "%s", argv[0]);
	call_ok(open_umh(), &c);
	expect_record(&c, "WAIT_EXEC helper's record", "absent");
}

/* After the reload: the helper unload-start left finishes. */
LAB_CASE(unload_finish, "TAG", 1)
{
	struct call c;

	prep(&c, IPCLAB_UMH_WAIT_EXEC, "0", 1, "%s", argv[0]);
	touch(c.go);	/* unload-start's helper waits for it */
	want_line(show_record(&c, 1), "waited: go file appeared");
	unlink(c.go);
}
