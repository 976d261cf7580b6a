// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises /dev/ipclab-umh, the kernel starting a user program with
 * call_usermodehelper: one case per property (argv/envp, exit status,
 * credentials, wait modes, errors, refused paths, concurrency, unload).
 * The helper is this same binary; each case checks the record it writes
 * (helper.c) against its request. Exits 0 pass, 1 fail, 4 skip.
 */
#include <grp.h>
#include <stdarg.h>
#include <sys/ioctl.h>

#include "umh.h"

LAB_PROGRAM(.timeout_s = 30, .err0 = "ok");

#define TAG_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

static noreturn void bad_usage(const char *what)
{
	fail("usage: %s", what);
	exit(KSFT_FAIL);
}

/* Prints "WHAT: GOT"; FAILs unless it is @want. */
void expect_is(const char *what, const char *got, const char *want)
{
	printf("%s: %s\n", what, got);
	if (strcmp(got, want))
		fail("%s: got %s, expected %s", what, got, want);
}

/* Prints "WHAT: present" or "absent" for @c's record; FAILs unless @want. */
void expect_record(const struct call *c, const char *what, const char *want)
{
	expect_is(what, exists(c->record) ? "present" : "absent", want);
}

void make_file(const char *path, mode_t mode, const char *text)
{
	int fd = must(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			   mode), path);

	write_full(fd, text, strlen(text), path);
	close(fd);
}

static void pack(char *buf, char **words, int n)
{
	size_t off = 0, len;
	int i;

	for (i = 0; i < n; i++, off += len) {
		len = strlen(words[i]) + 1;
		if (off + len > IPCLAB_UMH_WORDS_MAX)
			bad_usage("the words must fit in 512 bytes");
		memcpy(buf + off, words[i], len);
	}
}

/* argv: helper RECORD STATUS GOFILE EXTRA...; envp: ENV... */
void prep_argv(struct call *c, char **extra, int nextra, char **env,
	       int nenv)
{
	char *words[IPCLAB_UMH_MAX_ARGS] = {
		"helper", c->record, (char *)c->status, c->go
	};
	int i, n = 4;

	for (i = 0; i < nextra && n < IPCLAB_UMH_MAX_ARGS; i++)
		words[n++] = extra[i];
	pack(c->r.argv, words, n);
	c->r.argc = n;
	pack(c->r.envp, env, nenv);
	c->r.envc = nenv;
	c->sent = c->r;
}

/*
 * A request to run this binary as the helper, recording to /tmp/umh-TAG
 * (TAG: @fmt...) and, with @go, waiting for /tmp/umh-TAG.go first. Both
 * start absent. TAG names files in /tmp and /opt/ipclab: a plain word,
 * never a path.
 */
void prep(struct call *c, __u32 wait, const char *status, int go,
	  const char *fmt, ...)
{
	char tag[100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tag, sizeof(tag), fmt, ap);
	va_end(ap);
	if (!*tag || tag[strspn(tag, TAG_CHARS)])
		bad_usage("TAG must be a word of A-Z a-z 0-9 _ -");
	memset(c, 0, sizeof(*c));
	snprintf(c->record, sizeof(c->record), "/tmp/umh-%s", tag);
	snprintf(c->go, sizeof(c->go), "%s%s", go ? c->record : "-",
		 go ? ".go" : "");
	unlink(c->record);
	if (go)
		unlink(c->go);
	c->status = status;
	c->r.wait = wait;
	set_path(&c->r, IPCLAB_UMH_DIR "umh");
	prep_argv(c, NULL, 0, NULL, 0);
}

/* The ioctl: -1 and errno on an error. */
long call_run(int fd, struct call *c)
{
	/* The out fields, which the driver must fill in. */
	c->r.pid = 0x5a5a;
	c->r.wait_status = 0x5a5a;
	c->r.exit_code = 0x5a5a;
	c->r.term_signal = 0x5a5a;
	phase = "ioctl IPCLAB_IOC_UMH_RUN";
	return ioctl(fd, IPCLAB_IOC_UMH_RUN, &c->r);
}

/* Only WAIT_PROC knows how the helper ended; NO_WAIT not even its pid. */
static void check_result(const struct call *c)
{
	const struct ipclab_umh_run *r = &c->r;
	int sig = strncmp(c->status, "sig:", 4) ? 0 : atoi(c->status + 4);
	int ws = 0, code = -1, term = 0;

	if (r->wait & IPCLAB_UMH_WAIT_PROC) {
		ws = sig ? sig : atoi(c->status) << 8;
		code = sig ? -1 : atoi(c->status);
		term = sig;
	}
	if (r->wait_status != ws || r->exit_code != code ||
	    r->term_signal != term || (r->wait ? r->pid <= 0 : r->pid != 0))
		fail("wait status, exit code, term signal, pid: %d %d %d %d, expected %d %d %d %s",
		     r->wait_status, r->exit_code, r->term_signal, r->pid,
		     ws, code, term, r->wait ? ">0" : "0");
}

/* The ioctl, which must succeed with the result the request asks for. */
void call_ok(int fd, struct call *c)
{
	long ret = call_run(fd, c);

	expect_ok("ioctl", ret);
	if (ret < 0)
		exit(KSFT_FAIL);
	printf("wait status: %d\nexit code: %d\nterm signal: %d\n",
	       c->r.wait_status, c->r.exit_code, c->r.term_signal);
	check_result(c);
}

/* MODE: nowait, exec or proc (IPCLAB_UMH_NO_WAIT, _WAIT_EXEC, _WAIT_PROC). */
static __u32 arg_mode(const char *s, __u32 min)
{
	static const char *const modes[] = { "nowait", "exec", "proc" };
	__u32 mode = min;

	while (mode < ARRAY_SIZE(modes) && strcmp(s, modes[mode]))
		mode++;
	if (mode == ARRAY_SIZE(modes))
		bad_usage(min ? "MODE is exec or proc" :
			  "MODE is proc, exec or nowait");
	return mode;
}

/* The helper gets the ARGs after its own four words, and the ENVs. */
LAB_CASE(run, "MODE TAG STATUS NARGS ARG... ENV...", -4)
{
	int nargs = arg_num(argv[3], 0, IPCLAB_UMH_MAX_ARGS - 4, "NARGS");
	int argc = 4;
	struct call c;

	while (argv[argc])
		argc++;
	if (argc < 4 + nargs)
		bad_usage("NARGS ARGs, then the ENVs");
	prep(&c, arg_mode(argv[0], 0), argv[2], 0, "%s", argv[1]);
	prep_argv(&c, argv + 4, nargs, argv + 4 + nargs, argc - 4 - nargs);
	call_ok(open_umh(), &c);
	show_record(&c, 1);
}

/* Nobody asks, in /tmp, stdin and stdout open: the helper's record. */
static char *nobody_asks(const char *tag)
{
	int open0 = fcntl(0, F_GETFD) >= 0, open1 = fcntl(1, F_GETFD) >= 0;
	char cwd[64];
	struct call c;
	int fd;

	prep(&c, IPCLAB_UMH_WAIT_PROC, "0", 0, "%s", tag);
	fd = open_umh();
	if (chdir("/tmp") < 0 || setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
	    setuid(65534) < 0 || !getcwd(cwd, sizeof(cwd)))
		die("becoming nobody in /tmp");
	printf("caller: uid %d gid %d cwd %s stdin %s stdout %s\n",
	       (int)getuid(), (int)getgid(), cwd, open0 ? "open" : "closed",
	       open1 ? "open" : "closed");
	if (getuid() != 65534 || getgid() != 65534 || strcmp(cwd, "/tmp") ||
	    !open0 || !open1)
		fail("the caller must be nobody in /tmp, stdin and stdout open");
	call_ok(fd, &c);
	return show_record(&c, 1);
}

/* The helper is root, whoever asks. */
LAB_CASE(credentials, "TAG", 1)
{
	want_line(nobody_asks(argv[0]), "uid: 0 gid: 0 euid: 0 egid: 0");
}

/* It starts in /, with no open files, a child of a kernel worker. */
LAB_CASE(clean_context, "TAG", 1)
{
	char *rec = nobody_asks(argv[0]);

	want_line(rec, "cwd: /");
	want_line(rec, "stdin: closed stdout: closed stderr: closed");
	want_line(rec, "parent: kworker");
}

/* The exec's own errno comes back, in waiting mode MODE. */
LAB_CASE(errors, "TAG MODE", 2)
{
	char missing[128], noexec[128], junk[128], text[300];
	const struct {
		const char *what, *path;
		int err;
	} tries[] = {
		{ "missing program", missing, ENOENT },
		{ "mode 0644", noexec, EACCES },
		{ "a directory", IPCLAB_UMH_DIR, EACCES },
		{ "not a program", junk, ENOEXEC },
	};
	const char *tag = argv[0];
	struct call c;
	size_t i;
	int fd;

	/* c.record: the script's mark */
	prep(&c, arg_mode(argv[1], 1), "0", 0, "%s-ran", tag);
	snprintf(missing, sizeof(missing), "%sumh-missing-%s", IPCLAB_UMH_DIR,
		 tag);
	snprintf(noexec, sizeof(noexec), "%sumh-noexec-%s", IPCLAB_UMH_DIR,
		 tag);
	snprintf(junk, sizeof(junk), "%sumh-junk-%s", IPCLAB_UMH_DIR, tag);
	/* A script that would leave a mark, but without the execute bit. */
	snprintf(text, sizeof(text),
		 "#!/bin/busybox sh\n/bin/busybox touch %s\n", c.record);
	make_file(noexec, 0644, text);
	/* Executable, but neither ELF nor #!. */
	snprintf(text, sizeof(text), "%s is not a program\n", tag);
	make_file(junk, 0755, text);

	fd = open_umh();
	for (i = 0; i < ARRAY_SIZE(tries); i++) {
		set_path(&c.r, tries[i].path);
		expect_err(tries[i].what, call_run(fd, &c), tries[i].err);
	}
	expect_record(&c, "mode 0644 script's mark", "absent");
	unlink(noexec);
	unlink(junk);
	unlink(c.record);
}

/* Paths outside /opt/ipclab/: EPERM, before anything runs. */
LAB_CASE(refuse, "TAG", 1)
{
	static const char *const paths[] = {
		"/bin/busybox",
		"/opt/ipclab/../../bin/busybox",
		"/opt/ipclab/./../../bin/busybox",
		"/opt/ipclab/..",
		"/opt/ipclabx/umh",
		"opt/ipclab/umh",
		"",
	};
	struct call c;
	/* busybox touch MARKER: would leave a root-owned file if it ran. */
	char word[160], *words[] = { "touch", c.record };
	size_t i;
	int fd;

	prep(&c, IPCLAB_UMH_WAIT_PROC, "0", 0, "%s-pwned", argv[0]);
	fd = open_umh();
	pack(c.r.argv, words, 2);
	c.r.argc = 2;
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		snprintf(word, sizeof(word), "path \"%s\"", paths[i]);
		set_path(&c.r, paths[i]);
		expect_err(word, call_run(fd, &c), EPERM);
	}
	expect_record(&c, "refused programs' mark", "absent");
	unlink(c.record);
}

/* Malformed requests: EINVAL (EFAULT, ENOTTY), and no helper runs. */
LAB_CASE(bad_request, "TAG", 1)
{
	struct ipclab_umh_run base;
	char *words[1] = { argv[0] };
	struct call c;
	int fd;

	prep(&c, IPCLAB_UMH_WAIT_PROC, "0", 0, "%s-pwned", argv[0]);
	base = c.r;
	fd = open_umh();
	/* Each from the valid request @base, which would run a helper. */
	memset(c.r.path, 'x', sizeof(c.r.path));
	expect_err("unterminated path", call_run(fd, &c), EINVAL);
	c.r = base;
	c.r.argc = IPCLAB_UMH_MAX_ARGS + 1;
	expect_err("argc 17", call_run(fd, &c), EINVAL);
	c.r = base;
	c.r.envc = IPCLAB_UMH_MAX_ARGS + 1;
	expect_err("envc 17", call_run(fd, &c), EINVAL);
	c.r = base;
	c.r.argc = 1;
	memset(c.r.argv, 'y', sizeof(c.r.argv));
	expect_err("word without NUL", call_run(fd, &c), EINVAL);
	c.r = base;
	pack(c.r.envp, words, 1);
	c.r.envc = 1;
	expect_err("env word without '='", call_run(fd, &c), EINVAL);
	c.r = base;
	c.r.wait = 3;
	expect_err("wait mode 3", call_run(fd, &c), EINVAL);
	c.r.wait = IPCLAB_UMH_NO_WAIT | IPCLAB_UMH_KILLABLE;
	expect_err("NO_WAIT | KILLABLE", call_run(fd, &c), EINVAL);
	c.r = base;
	c.r.pad0 = 1;
	expect_err("pad0 1", call_run(fd, &c), EINVAL);
	expect_err("bad pointer", ioctl(fd, IPCLAB_IOC_UMH_RUN, (void *)16),
		   EFAULT);
	expect_err("unknown ioctl", ioctl(fd, _IO(IPCLAB_IOC_MAGIC, 0x5f)),
		   ENOTTY);
	expect_record(&c, "helpers' records", "absent");
	unlink(c.record);
}
