// SPDX-License-Identifier: GPL-2.0
/*
 * The record: what the helper the kernel starts writes, and how the test
 * checks it. "umh helper RECORD STATUS GOFILE WORD..." records argv, envp,
 * credentials, pid/ppid, cwd and open fds into RECORD (written to
 * RECORD.tmp, then renamed, so it appears complete), after waiting for
 * GOFILE unless it is "-"; then exits with STATUS, or kills itself with
 * signal N if STATUS is "sig:N". There is no stdout: trouble goes to
 * /dev/kmsg. Whoever starts it (the lab's kernel runs no other helper:
 * rootfs/gate/) gains nothing: it writes only RECORD, a /tmp/umh-NAME file.
 */
#define _GNU_SOURCE	/* environ */

#include <stdarg.h>

#include "umh.h"

#define HELPER_WAIT_MS	15000	/* a helper waits this long for its go file */

/* A record or go file of a helper: /tmp/umh-NAME, never anywhere else. */
static int record_name(const char *path)
{
	return !strncmp(path, "/tmp/umh-", 9) && path[9] &&
	       !strchr(path + 9, '/');
}

static const char *open_or_closed(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 ? "open" : "closed";
}

/* @argv is main()'s, "umh helper ...": the record shows all of it. */
static int helper_main(char **argv, char **envp)
{
	/* Probe 0, 1 and 2 before opening anything reuses them. */
	const char *open0 = open_or_closed(0), *open1 = open_or_closed(1);
	const char *open2 = open_or_closed(2);
	const char *rec = argv[2], *st = argv[3], *go = argv[4];
	char tmp[300], buf[4096], cwd[256], comm[64], path[64];
	int i, argc = 0, envc = 0, waited = 0;
	FILE *f;

	if (!record_name(rec) || (strcmp(go, "-") && !record_name(go)))
		return 126;
	if (strcmp(go, "-"))
		waited = WAIT_FOR(exists(go), HELPER_WAIT_MS);
	snprintf(tmp, sizeof(tmp), "%s.tmp", rec);
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(buf, sizeof(buf), "umh helper: cannot write %s: %s\n",
			 tmp, strerror(errno));
		write_file("/dev/kmsg", buf, strlen(buf));
		return 125;
	}
	while (argv[argc])
		argc++;
	fprintf(f, "argc: %d\n", argc);
	for (i = 0; i < argc; i++)
		fprintf(f, "argv[%d]: %s\n", i, argv[i]);
	for (; envp[envc]; envc++)
		fprintf(f, "env[%d]: %s\n", envc, envp[envc]);
	fprintf(f, "envc: %d\n", envc);
	fprintf(f, "uid: %d gid: %d euid: %d egid: %d\n", (int)getuid(),
		(int)getgid(), (int)geteuid(), (int)getegid());
	fprintf(f, "pid: %d\nppid: %d\n", (int)getpid(), (int)getppid());
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	if (read_file(path, comm, sizeof(comm)) < 0)
		snprintf(comm, sizeof(comm), "?");
	/* kworker/u4:1 -> kworker: the worker number varies. */
	comm[strcspn(comm, "\n/")] = '\0';
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "?");
	fprintf(f, "parent: %s\ncwd: %s\nstdin: %s stdout: %s stderr: %s\n",
		comm, cwd, open0, open1, open2);
	fprintf(f, "waited: %s\nexit: %s\n", !strcmp(go, "-") ? "no" :
		waited ? "go file appeared" : "timed out", st);
	if (fclose(f) || rename(tmp, rec))
		return 125;
	if (!strncmp(st, "sig:", 4)) {
		signal(atoi(st + 4), SIG_DFL);
		kill(getpid(), atoi(st + 4));
		return 124;
	}
	return atoi(st);
}

LAB_CASE(helper, "RECORD STATUS GOFILE WORD...", -3)
{
	alarm(0);	/* the kernel's helper is no test: no timeout */
	exit(helper_main(argv - 2, environ));	/* argv from main()'s [2] */
}

/* FAILs unless the record @rec has the line @fmt... */
void want_line(const char *rec, const char *fmt, ...)
{
	char line[IPCLAB_UMH_WORDS_MAX + 32] = "\n";
	const char *p;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line + 1, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	for (p = rec; (p = strstr(p, line)); p++)
		if (p[n] == '\n' || !p[n])
			return;
	fail("the helper's record has no line \"%s\"", line + 1);
}

int record_pid(const char *rec)
{
	const char *p = strstr(rec, "\npid: ");

	return p ? atoi(p + 6) : -1;
}

/*
 * Waits for @c's record (and removes it), prints it with @print and checks
 * it against the request: every argv and envp word, the exit status, the
 * pid. Returns it, "\n" before each line, until the next call.
 */
char *show_record(const struct call *c, int print)
{
	const struct ipclab_umh_run *s = &c->sent;
	static char buf[8192];
	const char *w;
	size_t n;
	__u32 i;
	char *p;

	phase = "waiting for the helper's record";
	if (!WAIT_FOR(exists(c->record), WAIT_MS)) {
		fail("no record %s after %d ms", c->record, WAIT_MS);
		exit(KSFT_FAIL);
	}
	buf[0] = '\n';
	if (read_file(c->record, buf + 1, sizeof(buf) - 1) < 0)
		die(c->record);
	unlink(c->record);
	for (p = buf + 1; print && *p; p += n + !!p[n]) {
		n = strcspn(p, "\n");
		printf("helper %.*s\n", (int)n, p);
	}
	want_line(buf, "argc: %u", s->argc + 1);
	want_line(buf, "argv[0]: %s", s->path);
	for (i = 0, w = s->argv; i < s->argc; i++, w += strlen(w) + 1)
		want_line(buf, "argv[%u]: %s", i + 1, w);
	want_line(buf, "env[0]: %s", IPCLAB_UMH_ENV_HOME);
	want_line(buf, "env[1]: %s", IPCLAB_UMH_ENV_PATH);
	for (i = 0, w = s->envp; i < s->envc; i++, w += strlen(w) + 1)
		want_line(buf, "env[%u]: %s", i + 2, w);
	want_line(buf, "envc: %u", s->envc + 2);
	want_line(buf, "exit: %s", c->status);
	if (c->r.pid && c->r.pid != record_pid(buf))
		fail("helper pid: got %d from the ioctl, %d recorded",
		     c->r.pid, record_pid(buf));
	return buf;
}
