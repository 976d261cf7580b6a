// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises /dev/ipclab-umh, the kernel starting a user program with
 * call_usermodehelper: one subcommand per property (argv/envp, exit status,
 * credentials, wait modes, errors, refused paths, concurrency, unload). The
 * same binary is also the helper the kernel starts ("umh helper ..."): it has
 * no stdin/stdout, so it writes what it saw to a record file for the test to
 * read. Exits 0 pass, 1 fail, 4 skip.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ipclab_uapi.h"

#define TIMEOUT_S	30	/* every blocking call ends by then */
#define HELPER_WAIT_MS	15000	/* a helper waits this long for its go file */
#define WAIT_MS		10000	/* the test waits this long for an event */
#define MAX_PROCS	12
#define SELF		"/opt/ipclab/umh"
#define LABTEST_ERR0	"ok"	/* errname(0) */

#include "labtest.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Wait up to @ms for @path to exist; 0 when it does. */
static int wait_exists(const char *path, long ms)
{
	long end = now_ms() + ms;

	while (!exists(path)) {
		if (now_ms() > end)
			return -1;
		sleep_ms(2);
	}
	return 0;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		die(path);
	close(fd);
}

/* The state letter of @pid from /proc/PID/stat, '?' if it is gone. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return '?';
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

/* Wait up to @ms until @pid is in state @state; 0 when it is. */
static int wait_state(pid_t pid, char state, long ms)
{
	long end = now_ms() + ms;

	while (proc_state(pid) != state) {
		if (now_ms() > end)
			return -1;
		sleep_ms(1);
	}
	return 0;
}

/* A record or go file of a helper: /tmp/umh-NAME, never anywhere else. */
static int record_name(const char *path)
{
	return !strncmp(path, "/tmp/umh-", 9) && path[9] && !strchr(path + 9, '/');
}

/* A TAG names files in /tmp and /opt/ipclab: a plain word, never a path. */
static const char *tag_word(const char *tag)
{
	const char *p = tag;

	while (isalnum((unsigned char)*p) || *p == '_' || *p == '-')
		p++;
	if (p == tag || *p) {
		fail("TAG must be a word of A-Z a-z 0-9 _ -, got \"%s\"", tag);
		exit(KSFT_FAIL);
	}
	return tag;
}

/* ---- the helper: what the kernel starts ---- */

/*
 * umh helper RECORD STATUS GOFILE WORD...: record argv, envp, credentials,
 * pid/ppid, cwd and open fds into RECORD (written to RECORD.tmp, then
 * renamed, so it appears complete), after waiting for GOFILE unless it is
 * "-"; then exit with STATUS, or kill itself with signal N if STATUS is
 * "sig:N". There is no stdout: trouble goes to /dev/kmsg. Whoever starts
 * it (the lab's kernel runs no other helper: rootfs/gate/) gains nothing:
 * it writes only RECORD, a /tmp/umh-NAME file.
 */
static int helper_main(int argc, char **argv, char **envp)
{
	char tmp[300], buf[4096], cwd[256], comm[64], path[64];
	const char *rec, *st, *go;
	int i, fd, envc = 0, waited = 0, open0, open1, open2;
	FILE *f;

	/* Probe 0, 1 and 2 before opening anything reuses them. */
	open0 = fcntl(0, F_GETFD) >= 0;
	open1 = fcntl(1, F_GETFD) >= 0;
	open2 = fcntl(2, F_GETFD) >= 0;
	if (argc < 5)
		return 126;
	rec = argv[2];
	st = argv[3];
	go = argv[4];
	if (!record_name(rec) || (strcmp(go, "-") && !record_name(go)))
		return 126;

	if (strcmp(go, "-")) {
		long end = now_ms() + HELPER_WAIT_MS;

		while (!(waited = exists(go)) && now_ms() < end)
			sleep_ms(2);
	}

	snprintf(tmp, sizeof(tmp), "%s.tmp", rec);
	f = fopen(tmp, "w");
	if (!f) {
		fd = open("/dev/kmsg", O_WRONLY);
		if (fd >= 0) {
			snprintf(buf, sizeof(buf),
				 "umh helper: cannot write %s: %s\n", tmp,
				 strerror(errno));
			write(fd, buf, strlen(buf));
			close(fd);
		}
		return 125;
	}
	fprintf(f, "argc: %d\n", argc);
	for (i = 0; i < argc; i++)
		fprintf(f, "argv[%d]: %s\n", i, argv[i]);
	for (; envp[envc]; envc++)
		fprintf(f, "env[%d]: %s\n", envc, envp[envc]);
	fprintf(f, "envc: %d\n", envc);
	fprintf(f, "uid: %d gid: %d euid: %d egid: %d\n", (int)getuid(),
		(int)getgid(), (int)geteuid(), (int)getegid());
	fprintf(f, "pid: %d\n", (int)getpid());
	fprintf(f, "ppid: %d\n", (int)getppid());
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	if (read_file(path, comm, sizeof(comm)) < 0)
		snprintf(comm, sizeof(comm), "?");
	comm[strcspn(comm, "\n")] = '\0';
	/* kworker/u4:1 -> kworker: the worker number varies. */
	comm[strcspn(comm, "/")] = '\0';
	fprintf(f, "parent: %s\n", comm);
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "?");
	fprintf(f, "cwd: %s\n", cwd);
	fprintf(f, "stdin: %s stdout: %s stderr: %s\n",
		open0 ? "open" : "closed", open1 ? "open" : "closed",
		open2 ? "open" : "closed");
	fprintf(f, "waited: %s\n", !strcmp(go, "-") ? "no" :
		waited ? "go file appeared" : "timed out");
	fprintf(f, "exit: %s\n", st);
	if (fclose(f) || rename(tmp, rec))
		return 125;

	if (!strncmp(st, "sig:", 4)) {
		signal(atoi(st + 4), SIG_DFL);
		kill(getpid(), atoi(st + 4));
		return 124;
	}
	return atoi(st);
}

/* ---- the device ---- */

static int dev_open(void)
{
	return open_dev(IPCLAB_UMH_DEV_PATH, 0);
}

static void set_path(struct ipclab_umh_run *r, const char *path)
{
	snprintf(r->path, sizeof(r->path), "%s", path);
}

/* Pack @n words into @buf (IPCLAB_UMH_WORDS_MAX bytes). */
static void pack(char *buf, char **words, int n)
{
	size_t off = 0, len;
	int i;

	for (i = 0; i < n; i++) {
		len = strlen(words[i]) + 1;
		if (off + len > IPCLAB_UMH_WORDS_MAX) {
			fail("words do not fit in %d bytes",
			     IPCLAB_UMH_WORDS_MAX);
			exit(KSFT_FAIL);
		}
		memcpy(buf + off, words[i], len);
		off += len;
	}
}

/*
 * Fill @r to run this binary as a helper: argv[1..] = helper RECORD STATUS
 * GOFILE EXTRA..., envp = ENV...
 */
static void prep(struct ipclab_umh_run *r, __u32 wait, const char *record,
		 const char *status, const char *go, char **extra, int nextra,
		 char **env, int nenv)
{
	char *words[IPCLAB_UMH_MAX_ARGS];
	int i, n = 0;

	memset(r, 0, sizeof(*r));
	set_path(r, SELF);
	words[n++] = "helper";
	words[n++] = (char *)record;
	words[n++] = (char *)status;
	words[n++] = (char *)go;
	for (i = 0; i < nextra && n < IPCLAB_UMH_MAX_ARGS; i++)
		words[n++] = extra[i];
	pack(r->argv, words, n);
	r->argc = n;
	pack(r->envp, env, nenv);
	r->envc = nenv;
	r->wait = wait;
}

/* The ioctl; returns 0 or the errno. */
static int run(int fd, struct ipclab_umh_run *r)
{
	r->pid = 0x5a5a;
	r->wait_status = 0x5a5a;
	r->exit_code = 0x5a5a;
	r->term_signal = 0x5a5a;
	return ioctl(fd, IPCLAB_IOC_UMH_RUN, r) < 0 ? errno : 0;
}

/* An ioctl result (0 or an errno) that must be @want. */
static void expect_errno(const char *what, int got, int want)
{
	printf("%s: %s\n", what, errname(got));
	if (got != want)
		fail("%s: got %s, expected %s", what, errname(got),
		     errname(want));
}

static void print_result(const struct ipclab_umh_run *r)
{
	printf("ioctl: ok\n");
	printf("wait status: %d\n", r->wait_status);
	printf("exit code: %d\n", r->exit_code);
	printf("term signal: %d\n", r->term_signal);
}

/* Wait for the helper's record and print it, "helper " before each line. */
static void show_record(const char *record, const struct ipclab_umh_run *r)
{
	char buf[8192], *line, *save;
	int pid = -1;

	phase = "waiting for the helper's record";
	if (wait_exists(record, WAIT_MS) < 0) {
		fail("no record %s after %d ms", record, WAIT_MS);
		return;
	}
	if (read_file(record, buf, sizeof(buf)) < 0)
		die(record);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		printf("helper %s\n", line);
		if (!strncmp(line, "pid: ", 5))
			pid = atoi(line + 5);
	}
	if (r && r->pid) {
		printf("pid from ioctl is the helper's: %s\n",
		       r->pid == pid ? "yes" : "no");
		if (r->pid != pid)
			fail("helper pid: got %d from the ioctl, %d recorded",
			     r->pid, pid);
	}
	unlink(record);
}

static void record_path(char *buf, size_t size, const char *tag,
			const char *what)
{
	snprintf(buf, size, "/tmp/umh-%s%s", tag_word(tag), what);
	unlink(buf);
}

/* ---- subcommands ---- */

/*
 * run MODE TAG STATUS NARGS ARG... ENV...: the helper gets the ARGs after
 * its own four words and exactly the ENV words (plus HOME and PATH).
 */
static void cmd_run(int argc, char **argv)
{
	const char *mode = argv[0], *status = argv[2];
	struct ipclab_umh_run r;
	char record[128];
	int nargs, fd, err;
	__u32 wait;

	if (argc < 4) {
		fail("usage: umh run MODE TAG STATUS NARGS ARG... ENV...");
		exit(KSFT_FAIL);
	}
	nargs = arg_num(argv[3], 0, IPCLAB_UMH_MAX_ARGS - 4, "NARGS");
	if (argc < 4 + nargs)
		die("usage: missing ARGs");
	if (!strcmp(mode, "proc"))
		wait = IPCLAB_UMH_WAIT_PROC;
	else if (!strcmp(mode, "exec"))
		wait = IPCLAB_UMH_WAIT_EXEC;
	else if (!strcmp(mode, "nowait"))
		wait = IPCLAB_UMH_NO_WAIT;
	else
		die("usage: MODE is proc, exec or nowait");
	record_path(record, sizeof(record), argv[1], "");
	fd = dev_open();
	prep(&r, wait, record, status, "-", argv + 4, nargs, argv + 4 + nargs,
	     argc - 4 - nargs);
	phase = "ioctl IPCLAB_IOC_UMH_RUN";
	err = run(fd, &r);
	if (err) {
		expect_errno("ioctl", err, 0);
		exit(KSFT_FAIL);
	}
	print_result(&r);
	show_record(record, &r);
	close(fd);
}

/*
 * credentials TAG: the caller is nobody (65534) in /tmp with stdin and
 * stdout open; the helper still runs as root, in /, with no open files.
 */
static void cmd_credentials(int argc, char **argv)
{
	struct ipclab_umh_run r;
	char record[128], cwd[64];
	int fd, err;

	(void)argc;
	record_path(record, sizeof(record), argv[0], "");
	fd = dev_open();
	if (chdir("/tmp") < 0 || setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
	    setuid(65534) < 0)
		die("becoming nobody");
	if (!getcwd(cwd, sizeof(cwd)))
		die("getcwd");
	printf("caller: uid %d gid %d cwd %s stdin %s stdout %s\n",
	       (int)getuid(), (int)getgid(), cwd,
	       fcntl(0, F_GETFD) >= 0 ? "open" : "closed",
	       fcntl(1, F_GETFD) >= 0 ? "open" : "closed");
	prep(&r, IPCLAB_UMH_WAIT_PROC, record, "0", "-", NULL, 0, NULL, 0);
	err = run(fd, &r);
	if (err) {
		expect_errno("ioctl as nobody", err, 0);
		exit(KSFT_FAIL);
	}
	print_result(&r);
	show_record(record, &r);
	close(fd);
}

/*
 * wait-exec TAG STATUS: UMH_WAIT_EXEC returns once the exec succeeded,
 * while the helper still runs (it waits for a go file we create later).
 */
static void cmd_wait_exec(int argc, char **argv)
{
	char record[128], go[128], path[64];
	struct ipclab_umh_run r;
	int fd, err;

	(void)argc;
	record_path(record, sizeof(record), argv[0], "");
	record_path(go, sizeof(go), argv[0], ".go");
	fd = dev_open();
	prep(&r, IPCLAB_UMH_WAIT_EXEC, record, argv[1], go, NULL, 0, NULL, 0);
	phase = "ioctl IPCLAB_IOC_UMH_RUN (WAIT_EXEC)";
	err = run(fd, &r);
	if (err) {
		expect_errno("ioctl", err, 0);
		exit(KSFT_FAIL);
	}
	print_result(&r);
	snprintf(path, sizeof(path), "/proc/%d", r.pid);
	printf("helper alive after the ioctl returned: %s\n",
	       r.pid > 0 && exists(path) ? "yes" : "no");
	printf("record after the ioctl returned: %s\n",
	       exists(record) ? "present" : "absent");
	touch(go);
	printf("go file created\n");
	show_record(record, &r);
	phase = "waiting for the helper to exit";
	while (exists(path))
		sleep_ms(2);
	printf("helper exited: yes\n");
	unlink(go);
	close(fd);
}

static int got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_store_n(&got_usr1, 1, __ATOMIC_RELEASE);
}

/*
 * wait-proc TAG STATUS: UMH_WAIT_PROC sleeps uninterruptibly (state D)
 * until the helper exits; a signal does not end the wait. A child watches
 * us, signals us, then creates the go file that lets the helper finish.
 */
static void cmd_wait_proc(int argc, char **argv)
{
	char record[128], go[128];
	struct ipclab_umh_run r;
	pid_t parent = getpid(), child;
	struct sigaction sa;
	int fd, err, status;

	(void)argc;
	record_path(record, sizeof(record), argv[0], "");
	record_path(go, sizeof(go), argv[0], ".go");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART: EINTR if it could */
	sigaction(SIGUSR1, &sa, NULL);
	fd = dev_open();
	prep(&r, IPCLAB_UMH_WAIT_PROC, record, argv[1], go, NULL, 0, NULL, 0);

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (wait_state(parent, 'D', WAIT_MS) < 0) {
			printf("FAIL: the caller never slept in the ioctl\n");
			_exit(KSFT_FAIL);
		}
		printf("watcher: caller is in state D (uninterruptible)\n");
		printf("watcher: record while the caller waits: %s\n",
		       exists(record) ? "present" : "absent");
		kill(parent, SIGUSR1);
		sleep_ms(100);
		printf("watcher: caller after SIGUSR1: state %c\n",
		       proc_state(parent));
		touch(go);
		printf("watcher: go file created\n");
		_exit(KSFT_PASS);
	}
	phase = "ioctl IPCLAB_IOC_UMH_RUN (WAIT_PROC)";
	err = run(fd, &r);
	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("watcher failed");
	if (err) {
		expect_errno("ioctl", err, 0);
		exit(KSFT_FAIL);
	}
	print_result(&r);
	printf("SIGUSR1 handled: %s\n",
	       __atomic_load_n(&got_usr1, __ATOMIC_ACQUIRE) ? "yes" : "no");
	printf("record when the ioctl returned: %s\n",
	       exists(record) ? "present" : "absent");
	show_record(record, &r);
	unlink(go);
	close(fd);
}

/* Find "queued helper PID: ..." in /dev/kmsg within WAIT_MS. */
static void kmsg_find(int pid)
{
	char want[64], buf[1024];
	struct pollfd p;
	long end = now_ms() + WAIT_MS;
	ssize_t n;
	char *hit;

	snprintf(want, sizeof(want), "queued helper %d: ", pid);
	p.fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	p.events = POLLIN;
	if (p.fd < 0)
		die("/dev/kmsg");
	phase = "waiting for the no-wait line in /dev/kmsg";
	while (now_ms() < end) {
		n = read(p.fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EAGAIN) {
			poll(&p, 1, 100);
			continue;
		}
		if (n < 0)	/* EPIPE: records overwritten, go on */
			continue;
		buf[n] = '\0';
		hit = strstr(buf, want);
		if (hit) {
			hit[strcspn(hit, "\n")] = '\0';
			printf("kmsg: %s\n", hit);
			close(p.fd);
			return;
		}
	}
	fail("no \"%s\" line in /dev/kmsg within %d ms", want, WAIT_MS);
	close(p.fd);
}

/*
 * no-wait TAG STATUS: IPCLAB_UMH_NO_WAIT returns at once, with nothing to
 * report; the exit status only reaches the kernel log. A missing program
 * does not fail the ioctl either.
 */
static void cmd_no_wait(int argc, char **argv)
{
	char record[128], buf[8192], missing[128];
	struct ipclab_umh_run r;
	int fd, err, pid = -1;
	char *p;

	(void)argc;
	record_path(record, sizeof(record), argv[0], "");
	fd = dev_open();
	prep(&r, IPCLAB_UMH_NO_WAIT, record, argv[1], "-", NULL, 0, NULL, 0);
	err = run(fd, &r);
	if (err) {
		expect_errno("ioctl", err, 0);
		exit(KSFT_FAIL);
	}
	print_result(&r);
	printf("pid from ioctl: %d\n", r.pid);
	phase = "waiting for the helper's record";
	if (wait_exists(record, WAIT_MS) < 0 ||
	    read_file(record, buf, sizeof(buf)) < 0)
		die("no record");
	p = strstr(buf, "\npid: ");
	if (p)
		pid = atoi(p + 6);
	printf("helper ran: %s\n", pid > 0 ? "yes" : "no");
	unlink(record);
	kmsg_find(pid);

	snprintf(missing, sizeof(missing), IPCLAB_UMH_DIR "umh-missing-%s",
		 tag_word(argv[0]));
	prep(&r, IPCLAB_UMH_NO_WAIT, record, "0", "-", NULL, 0, NULL, 0);
	set_path(&r, missing);
	expect_errno("no-wait on a missing program", run(fd, &r), 0);
	close(fd);
}

/* A child that runs a WAIT_PROC helper waiting for @go; returns its pid. */
static pid_t start_caller(__u32 wait, const char *record, const char *go,
			  const char *status)
{
	struct ipclab_umh_run r;
	pid_t pid = fork();
	int fd, err;

	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = dev_open();
	prep(&r, wait, record, status, go, NULL, 0, NULL, 0);
	err = run(fd, &r);
	printf("caller: ioctl returned: %s, exit code %d\n", errname(err),
	       r.exit_code);
	_exit(err ? KSFT_FAIL : KSFT_PASS);
}

static void describe_exit(const char *what, int status)
{
	if (WIFSIGNALED(status))
		printf("%s: killed by signal %d\n", what, WTERMSIG(status));
	else
		printf("%s: exit %d\n", what, WEXITSTATUS(status));
}

/* Read the helper's pid from its record, -1 when there is none. */
static int record_pid(const char *record)
{
	char buf[8192], *p;

	if (read_file(record, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\npid: ");
	return p ? atoi(p + 6) : -1;
}

/*
 * killable TAG STATUS: SIGKILL cannot end a plain WAIT_PROC wait (the
 * caller dies only when the helper exits); with IPCLAB_UMH_KILLABLE it
 * ends the wait at once while the helper runs on.
 */
static void cmd_killable(int argc, char **argv)
{
	char record[128], go[128], word[96];
	struct ipclab_umh_run r;
	pid_t child;
	int fd, err, status;

	(void)argc;
	/* 1. A killable call that is not killed works like WAIT_PROC. */
	snprintf(word, sizeof(word), "%s-ok", argv[0]);
	record_path(record, sizeof(record), word, "");
	fd = dev_open();
	prep(&r, IPCLAB_UMH_WAIT_PROC | IPCLAB_UMH_KILLABLE, record, argv[1],
	     "-", NULL, 0, NULL, 0);
	err = run(fd, &r);
	printf("killable, not killed: %s, exit code %d, wait status %d\n",
	       errname(err), r.exit_code, r.wait_status);
	printf("killable helper pid from ioctl is the helper's: %s\n",
	       r.pid > 0 && r.pid == record_pid(record) ? "yes" : "no");
	unlink(record);
	close(fd);

	/* 2. Plain WAIT_PROC: SIGKILL waits for the helper. */
	snprintf(word, sizeof(word), "%s-plain", argv[0]);
	record_path(record, sizeof(record), word, "");
	record_path(go, sizeof(go), word, ".go");
	child = start_caller(IPCLAB_UMH_WAIT_PROC, record, go, argv[1]);
	phase = "waiting for the plain caller to sleep";
	if (wait_state(child, 'D', WAIT_MS) < 0)
		fail("the plain caller never slept in the ioctl");
	kill(child, SIGKILL);
	sleep_ms(300);
	printf("plain caller 300 ms after SIGKILL: state %c\n",
	       proc_state(child));
	touch(go);
	phase = "waiting for the plain caller";
	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	describe_exit("plain caller once the helper exited", status);
	printf("plain helper finished: %s\n",
	       exists(record) ? "yes" : "no");
	unlink(record);
	unlink(go);

	/* 3. KILLABLE: SIGKILL ends the wait; the helper runs on. */
	snprintf(word, sizeof(word), "%s-kill", argv[0]);
	record_path(record, sizeof(record), word, "");
	record_path(go, sizeof(go), word, ".go");
	child = start_caller(IPCLAB_UMH_WAIT_PROC | IPCLAB_UMH_KILLABLE,
			     record, go, argv[1]);
	phase = "waiting for the killable caller to sleep";
	if (wait_state(child, 'D', WAIT_MS) < 0)
		fail("the killable caller never slept in the ioctl");
	kill(child, SIGKILL);
	phase = "waiting for the killed killable caller (it should die now)";
	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	describe_exit("killable caller", status);
	printf("killable helper when its caller died: %s\n",
	       exists(record) ? "finished" : "still running");
	touch(go);
	phase = "waiting for the orphaned helper's record";
	if (wait_exists(record, WAIT_MS) < 0)
		fail("the orphaned helper left no record");
	kmsg_find(record_pid(record));
	unlink(record);
	unlink(go);
}

/*
 * errors TAG: the exec's own errno comes back through the ioctl, in both
 * waiting modes: ENOENT, EACCES, ENOEXEC.
 */
static void cmd_errors(int argc, char **argv)
{
	static const struct {
		const char *name;
		__u32 wait;
	} modes[] = {
		{ "WAIT_EXEC", IPCLAB_UMH_WAIT_EXEC },
		{ "WAIT_PROC", IPCLAB_UMH_WAIT_PROC },
	};
	char missing[128], noexec[128], junk[128], marker[128], what[160];
	struct ipclab_umh_run r;
	size_t i;
	int fd, f;

	(void)argc;
	snprintf(missing, sizeof(missing), IPCLAB_UMH_DIR "umh-missing-%s",
		 tag_word(argv[0]));
	snprintf(noexec, sizeof(noexec), IPCLAB_UMH_DIR "umh-noexec-%s",
		 tag_word(argv[0]));
	snprintf(junk, sizeof(junk), IPCLAB_UMH_DIR "umh-junk-%s",
		 tag_word(argv[0]));
	record_path(marker, sizeof(marker), argv[0], ".ran");

	/* A script that would leave a mark, but without the execute bit. */
	f = open(noexec, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f < 0)
		die(noexec);
	dprintf(f, "#!/bin/busybox sh\n/bin/busybox touch %s\n", marker);
	close(f);
	/* Executable, but neither ELF nor #!. */
	f = open(junk, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (f < 0)
		die(junk);
	dprintf(f, "%s is not a program\n", argv[0]);
	close(f);

	fd = dev_open();
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		prep(&r, modes[i].wait, marker, "0", "-", NULL, 0, NULL, 0);
		set_path(&r, missing);
		snprintf(what, sizeof(what), "%s missing program", modes[i].name);
		expect_errno(what, run(fd, &r), ENOENT);
		set_path(&r, noexec);
		snprintf(what, sizeof(what), "%s mode 0644", modes[i].name);
		expect_errno(what, run(fd, &r), EACCES);
		set_path(&r, IPCLAB_UMH_DIR);
		snprintf(what, sizeof(what), "%s a directory", modes[i].name);
		expect_errno(what, run(fd, &r), EACCES);
		set_path(&r, junk);
		snprintf(what, sizeof(what), "%s not a program", modes[i].name);
		expect_errno(what, run(fd, &r), ENOEXEC);
	}
	printf("mode 0644 script ran: %s\n", exists(marker) ? "yes" : "no");
	if (exists(marker))
		fail("the non-executable script ran");
	unlink(noexec);
	unlink(junk);
	unlink(marker);
	close(fd);
}

/*
 * refuse TAG: paths outside /opt/ipclab/ are refused with EPERM before
 * anything runs; malformed requests get EINVAL, ENOTTY, EFAULT.
 */
static void cmd_refuse(int argc, char **argv)
{
	char marker[128], bad[160];
	char *env[1], *sh_args[2];
	struct ipclab_umh_run r;
	size_t i;
	int fd;
	static const char * const paths[] = {
		"/bin/busybox",
		"/opt/ipclab/../../bin/busybox",
		"/opt/ipclab/./../../bin/busybox",
		"/opt/ipclab/..",
		"/opt/ipclabx/umh",
		"opt/ipclab/umh",
		"",
	};

	(void)argc;
	record_path(marker, sizeof(marker), argv[0], ".pwned");
	fd = dev_open();
	/* busybox touch MARKER: would leave a root-owned file if it ran. */
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		memset(&r, 0, sizeof(r));
		set_path(&r, paths[i]);
		sh_args[0] = "touch";
		sh_args[1] = marker;
		pack(r.argv, sh_args, 2);
		r.argc = 2;
		r.wait = IPCLAB_UMH_WAIT_PROC;
		snprintf(bad, sizeof(bad), "path \"%s\"", paths[i]);
		expect_errno(bad, run(fd, &r), EPERM);
	}
	printf("refused programs ran: %s\n", exists(marker) ? "yes" : "no");
	if (exists(marker))
		fail("a refused program ran");

	prep(&r, IPCLAB_UMH_WAIT_PROC, marker, "0", "-", NULL, 0, NULL, 0);
	memset(r.path, 'x', sizeof(r.path));
	expect_errno("unterminated path", run(fd, &r), EINVAL);

	prep(&r, IPCLAB_UMH_WAIT_PROC, marker, "0", "-", NULL, 0, NULL, 0);
	r.argc = IPCLAB_UMH_MAX_ARGS + 1;
	expect_errno("argc 17", run(fd, &r), EINVAL);
	r.argc = 4;
	r.envc = IPCLAB_UMH_MAX_ARGS + 1;
	expect_errno("envc 17", run(fd, &r), EINVAL);
	r.envc = 0;
	r.argc = 1;	/* a word with no NUL before the buffer's end */
	memset(r.argv, 'y', sizeof(r.argv));
	expect_errno("word without NUL", run(fd, &r), EINVAL);

	prep(&r, IPCLAB_UMH_WAIT_PROC, marker, "0", "-", NULL, 0, NULL, 0);
	env[0] = argv[0];	/* no '=' */
	pack(r.envp, env, 1);
	r.envc = 1;
	expect_errno("env word without '='", run(fd, &r), EINVAL);

	prep(&r, 3, marker, "0", "-", NULL, 0, NULL, 0);
	expect_errno("wait mode 3", run(fd, &r), EINVAL);
	prep(&r, IPCLAB_UMH_NO_WAIT | IPCLAB_UMH_KILLABLE, marker, "0", "-",
	     NULL, 0, NULL, 0);
	expect_errno("NO_WAIT | KILLABLE", run(fd, &r), EINVAL);
	prep(&r, IPCLAB_UMH_WAIT_PROC, marker, "0", "-", NULL, 0, NULL, 0);
	r.pad0 = 1;
	expect_errno("pad0 1", run(fd, &r), EINVAL);

	expect_errno("bad pointer",
		     ioctl(fd, IPCLAB_IOC_UMH_RUN, (void *)16) < 0 ? errno : 0,
		     EFAULT);
	expect_errno("unknown ioctl",
		     ioctl(fd, _IO(IPCLAB_IOC_MAGIC, 0x5f)) < 0 ? errno : 0,
		     ENOTTY);
	printf("helpers ran: %s\n", exists(marker) ? "yes" : "no");
	unlink(marker);
	close(fd);
}

/*
 * concurrent N TAG STATUS: N processes each run a helper (WAIT_PROC) with
 * their own word and exit status STATUS+i; all N callers wait at once
 * (the helpers wait for one go file); each gets its own result back.
 */
static void cmd_concurrent(int argc, char **argv)
{
	int n = arg_num(argv[0], 2, MAX_PROCS, "N");
	int base = arg_num(argv[2], 0, 255 - MAX_PROCS, "STATUS");
	char go[128], record[MAX_PROCS][128], st[16], word[96];
	pid_t pids[MAX_PROCS];
	int i, waiting, status;

	(void)argc;
	record_path(go, sizeof(go), argv[1], ".go");
	for (i = 0; i < n; i++) {
		snprintf(word, sizeof(word), "%s-%d", argv[1], i);
		record_path(record[i], sizeof(record[i]), word, "");
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			struct ipclab_umh_run r;
			char *extra[1] = { word };
			char buf[4096];
			int fd = dev_open(), err;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			snprintf(st, sizeof(st), "%d", base + i);
			prep(&r, IPCLAB_UMH_WAIT_PROC, record[i], st, go,
			     extra, 1, NULL, 0);
			err = run(fd, &r);
			if (err) {
				printf("FAIL: caller %d: ioctl: %s\n", i,
				       errname(err));
				_exit(KSFT_FAIL);
			}
			if (read_file(record[i], buf, sizeof(buf)) < 0) {
				printf("FAIL: caller %d: no record\n", i);
				_exit(KSFT_FAIL);
			}
			/* Its own helper: argv[5] is this caller's word. */
			snprintf(word, sizeof(word), "\nargv[5]: %s-%d\n",
				 argv[1], i);
			printf("caller %d: exit code %d, own word: %s\n", i,
			       r.exit_code, strstr(buf, word) ? "yes" : "no");
			unlink(record[i]);
			_exit(KSFT_PASS);
		}
	}
	phase = "waiting for all callers to sleep in the ioctl";
	waiting = 0;
	for (i = 0; i < n; i++)
		waiting += wait_state(pids[i], 'D', WAIT_MS) == 0;
	printf("callers waiting at once: %d of %d\n", waiting, n);
	touch(go);
	phase = "waiting for the callers";
	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &status, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fail("caller %d failed", i);
	}
	unlink(go);
}

/*
 * unload-start TAG STATUS: start a helper with WAIT_EXEC that waits for the go
 * file, and show a WAIT_PROC caller pins the module (delete_module fails
 * with EAGAIN while it waits). The .exp then reloads the module.
 */
static void cmd_unload_start(int argc, char **argv)
{
	char record[128], go[128], pgo[128], precord[128], word[96];
	struct ipclab_umh_run r;
	pid_t child;
	int fd, err, status;

	(void)argc;
	record_path(record, sizeof(record), argv[0], "");
	record_path(go, sizeof(go), argv[0], ".go");
	snprintf(word, sizeof(word), "%s-proc", argv[0]);
	record_path(precord, sizeof(precord), word, "");
	record_path(pgo, sizeof(pgo), word, ".go");

	fd = dev_open();
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prep(&r, IPCLAB_UMH_WAIT_PROC, precord, argv[1], pgo, NULL, 0,
		     NULL, 0);
		err = run(fd, &r);
		printf("WAIT_PROC caller: %s, exit code %d\n", errname(err),
		       r.exit_code);
		unlink(precord);
		_exit(err ? KSFT_FAIL : KSFT_PASS);
	}
	phase = "waiting for the WAIT_PROC caller to sleep";
	if (wait_state(child, 'D', WAIT_MS) < 0)
		fail("the WAIT_PROC caller never slept in the ioctl");
	close(fd);	/* only the child's open file pins the module now */
	err = syscall(SYS_delete_module, "ipclab", O_NONBLOCK) < 0 ? errno : 0;
	expect_errno("rmmod while a WAIT_PROC caller waits", err, EAGAIN);
	touch(pgo);
	phase = "waiting for the WAIT_PROC caller";
	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("WAIT_PROC caller failed");
	unlink(pgo);

	fd = dev_open();
	prep(&r, IPCLAB_UMH_WAIT_EXEC, record, "0", go, NULL, 0, NULL, 0);
	err = run(fd, &r);
	if (err) {
		expect_errno("ioctl", err, 0);
		exit(KSFT_FAIL);
	}
	printf("WAIT_EXEC helper running: %s\n",
	       r.pid > 0 && !exists(record) ? "yes" : "no");
	close(fd);
}

/* unload-finish TAG: after the reload, release the helper; it finishes. */
static void cmd_unload_finish(int argc, char **argv)
{
	char record[128], go[128];

	(void)argc;
	snprintf(record, sizeof(record), "/tmp/umh-%s", argv[0]);
	snprintf(go, sizeof(go), "/tmp/umh-%s.go", argv[0]);
	touch(go);
	show_record(record, NULL);
	unlink(go);
}

/* Not labtest.h's struct command: these take argc, the count varies. */
static const struct umh_command {
	const char *name;
	const char *args;
	int nargs;		/* at least */
	void (*run)(int argc, char **argv);
} commands[] = {
	{ "run", "MODE TAG STATUS NARGS ARG... ENV...", 4, cmd_run },
	{ "credentials", "TAG", 1, cmd_credentials },
	{ "wait-exec", "TAG STATUS", 2, cmd_wait_exec },
	{ "wait-proc", "TAG STATUS", 2, cmd_wait_proc },
	{ "no-wait", "TAG STATUS", 2, cmd_no_wait },
	{ "killable", "TAG STATUS", 2, cmd_killable },
	{ "errors", "TAG", 1, cmd_errors },
	{ "refuse", "TAG", 1, cmd_refuse },
	{ "concurrent", "N TAG STATUS", 3, cmd_concurrent },
	{ "unload-start", "TAG STATUS", 2, cmd_unload_start },
	{ "unload-finish", "TAG", 1, cmd_unload_finish },
};

int main(int argc, char **argv, char **envp)
{
	size_t i;

	/* The kernel starts this same binary as the helper. */
	if (argc >= 2 && !strcmp(argv[1], "helper"))
		return helper_main(argc, argv, envp);

	labtest_start();

	for (i = 0; argc >= 2 && i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (argc - 2 < commands[i].nargs) {
			fail("usage: umh %s %s", commands[i].name,
			     commands[i].args);
			return KSFT_FAIL;
		}
		commands[i].run(argc - 2, argv + 2);
		return failed ? KSFT_FAIL : KSFT_PASS;
	}
	printf("usage: umh COMMAND ARGS...\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		printf("  umh %s %s\n", commands[i].name, commands[i].args);
	return KSFT_FAIL;
}
