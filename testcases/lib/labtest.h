/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness every test program shares: exit codes, FAIL lines, the
 * timeout, errno names, checks, arguments, child processes, I/O helpers,
 * and the cases (LAB_CASE) with the one main() that runs them.
 *
 * Define before including it: TIMEOUT_S, the bound on every blocking call;
 * optionally LABTEST_LOST, what a timeout suggests was lost ("wakeup"), and
 * LABTEST_ERR0, how errname() names 0.
 */
#ifndef LABTEST_H
#define LABTEST_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/types.h>

#ifndef TIMEOUT_S
#error "define TIMEOUT_S before including labtest.h"
#endif

#ifdef LABTEST_LOST
#define LABTEST_TIMEOUT_HEAD "FAIL: timed out (a lost " LABTEST_LOST "?) in "
#else
#define LABTEST_TIMEOUT_HEAD "FAIL: timed out in "
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

static int failed;
static const char *phase = "start";	/* named by the timeout message */

/* One FAIL line; printf checks the format against the arguments. */
#define fail(...)					\
	do {						\
		failed = 1;				\
		printf("FAIL: " __VA_ARGS__);		\
		putchar('\n');				\
	} while (0)

/* An unexpected error the test cannot go on from. */
static inline void die(const char *what)
{
	fail("%s: %s", what, strerror(errno));
	exit(KSFT_FAIL);
}

/* A lost wakeup must end as a FAIL with a message, never as a hang. */
static inline void on_alarm(int sig)
{
	static const char head[] = LABTEST_TIMEOUT_HEAD;
	const char *p = phase;

	(void)sig;
	write(STDOUT_FILENO, head, sizeof(head) - 1);
	write(STDOUT_FILENO, p, strlen(p));
	write(STDOUT_FILENO, "\n", 1);
	_exit(KSFT_FAIL);
}

/*
 * Unbuffered stdout, so that parent and children print in the order things
 * happen; then the timeout that turns a hang into a FAIL.
 */
static inline void labtest_start(void)
{
	struct sigaction sa;

	setvbuf(stdout, NULL, _IONBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		die("sigaction");
	alarm(TIMEOUT_S);
}

static inline void child_exit(void)
{
	_exit(failed ? KSFT_FAIL : KSFT_PASS);
}

static inline const char *errname(int err)
{
	static char buf[64];

#ifdef LABTEST_ERR0
	if (!err)
		return LABTEST_ERR0;
#endif
	switch (err) {
	case EACCES: return "EACCES";
	case EADDRINUSE: return "EADDRINUSE";
	case EAGAIN: return "EAGAIN";
	case EBADF: return "EBADF";
	case EBUSY: return "EBUSY";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EEXIST: return "EEXIST";
	case EFAULT: return "EFAULT";
	case EIDRM: return "EIDRM";
	case EINTR: return "EINTR";
	case EINVAL: return "EINVAL";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOBUFS: return "ENOBUFS";
	case ENOENT: return "ENOENT";
	case ENOEXEC: return "ENOEXEC";
	case ENOMSG: return "ENOMSG";
	case ENOTTY: return "ENOTTY";
	case ENXIO: return "ENXIO";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EPERM: return "EPERM";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case ESPIPE: return "ESPIPE";
	case ESRCH: return "ESRCH";
	case ETIMEDOUT: return "ETIMEDOUT";
	}
	snprintf(buf, sizeof(buf), "errno %d (%s)", err, strerror(err));
	return buf;
}

/*
 * A call that must fail: prints "WHAT: ERRNO", FAILs unless it is @want.
 * Reads errno itself: @ret is the call, evaluated before this body runs.
 */
static inline void expect_err(const char *what, long ret, int want)
{
	int err = errno;

	if (ret >= 0) {
		printf("%s: succeeded with %ld\n", what, ret);
		fail("%s: got %ld, expected %s", what, ret, errname(want));
		return;
	}
	printf("%s: %s\n", what, errname(err));
	if (err != want)
		fail("%s: got %s, expected %s", what, errname(err),
		     errname(want));
}

static inline void expect_eq(const char *what, unsigned long long got,
			     unsigned long long want)
{
	if (got != want)
		fail("%s: got %llu, expected %llu", what, got, want);
}

#ifdef MAX_WORD
/* A word argument of 1..MAX_WORD characters, else a usage FAIL and exit. */
static inline size_t arg_word(const char *s)
{
	size_t len = strlen(s);

	if (len < 1 || len > MAX_WORD) {
		fail("usage: WORD must have 1..%d characters, got %zu",
		     MAX_WORD, len);
		exit(KSFT_FAIL);
	}
	return len;
}
#endif

/* Milliseconds of CLOCK_MONOTONIC, for bounds and latencies. */
static inline long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A number argument in @min..@max, else a usage FAIL and exit. */
static inline unsigned long long arg_num(const char *s, unsigned long long min,
					 unsigned long long max,
					 const char *name)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max) {
		fail("usage: %s must be a number in %llu..%llu, got \"%s\"",
		     name, min, max, s);
		exit(KSFT_FAIL);
	}
	return v;
}

/* A small, seedable pseudo-random stream (xorshift32). */
static inline __u32 rnd_next(__u32 *state)
{
	__u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static inline __u32 rnd_seed(unsigned long seed, unsigned int stream)
{
	__u32 s = (__u32)seed * 2654435761u + stream * 40503u + 1;

	return s ? s : 1;
}

/* Read a small file as a string; 0, or -1 when it cannot be read. */
static inline int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Opens @path, a device of ipclab.ko; SKIP when the module is not loaded. */
static inline int open_dev(const char *path, int flags)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | flags);

	if (fd < 0 && errno == ENOENT) {
		printf("SKIP: %s: %s (is ipclab.ko loaded?)\n", path,
		       strerror(errno));
		exit(KSFT_SKIP);
	}
	if (fd < 0) {
		fail("open %s: %s", path, strerror(errno));
		exit(KSFT_FAIL);
	}
	return fd;
}

static inline pid_t xfork(void)
{
	pid_t parent = getpid(), pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		failed = 0;		/* the child reports only its own checks */
		alarm(TIMEOUT_S);	/* alarms are not inherited */
		/* If the parent times out, no child outlives it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
		    getppid() != parent)
			_exit(KSFT_FAIL);
	}
	return pid;
}

/* Wait for @pid; FAIL (naming @who) unless it passed. */
static inline void wait_pass(pid_t pid, const char *who)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_PASS)
		return;
	if (WIFSIGNALED(status))
		fail("%s: killed by signal %d", who, WTERMSIG(status));
	else
		fail("%s: exit status %d, expected 0", who,
		     WEXITSTATUS(status));
}

/* Reap @pid as wait_pass() does; a timeout names the wait. */
static inline void reap(pid_t pid, const char *who)
{
	static char label[64];

	snprintf(label, sizeof(label), "waiting for the %s to exit", who);
	phase = label;
	wait_pass(pid, who);
}

/* Read until @len bytes or end of file; the count, or -1 on an error. */
static inline ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

/* One write that must take all @len bytes; dies on an error. */
static inline void write_full(int fd, const void *buf, size_t len,
			      const char *what)
{
	ssize_t n = write(fd, buf, len);

	if (n < 0)
		die(what);
	if ((size_t)n != len)
		fail("short %s: got %zd, expected %zu", what, n, len);
}

/* A call that must succeed: prints "WHAT: ok". */
static inline void expect_ok(const char *what, long ret)
{
	int err = errno;

	if (ret < 0) {
		printf("%s: %s\n", what, errname(err));
		fail("%s: got %s, expected success", what, errname(err));
		return;
	}
	printf("%s: ok\n", what);
}

/*
 * Prints "WHAT: TEXT" for the @n bytes a call returned (or its errno when
 * @n < 0) and FAILs unless they are @word.
 */
static inline void print_word(const char *what, const char *buf, ssize_t n,
			      const char *word)
{
	size_t len = strlen(word);
	int err = errno;

	if (n < 0) {
		printf("%s: %s\n", what, errname(err));
		fail("%s: got %s, expected \"%s\"", what, errname(err), word);
		return;
	}
	printf("%s: %.*s\n", what, (int)n, buf);
	if ((size_t)n != len || memcmp(buf, word, len))
		fail("%s: got \"%.*s\" (%zd bytes), expected \"%s\" (%zu bytes)",
		     what, (int)n, buf, n, word, len);
}

/*
 * The cases. LAB_CASE(fn, "ARGS", n) { ... } defines a case and registers
 * it (a constructor, as kselftest_harness.h's TEST() does): "PROG fn ARGS"
 * runs it, the name spelt with '-' for '_'; n arguments, or at least -n.
 * argv holds the arguments, NULL-terminated. The harness owns main().
 */
struct lab_case {
	const char *name;
	const char *args;
	int nargs;
	void (*run)(char **argv);
	struct lab_case *next;
};

static struct lab_case *lab_cases;

/* Keeps the list sorted by name, so that usage lists the cases in order. */
static inline void lab_register(struct lab_case *c)
{
	struct lab_case **p = &lab_cases;

	while (*p && strcmp((*p)->name, c->name) < 0)
		p = &(*p)->next;
	c->next = *p;
	*p = c;
}

#define LAB_CASE(fn, args, nargs)					\
	static void fn(char **argv);					\
	static struct lab_case lab_case_##fn = { #fn, args, nargs, fn, NULL }; \
	static void __attribute__((constructor)) lab_register_##fn(void) \
	{								\
		lab_register(&lab_case_##fn);				\
	}								\
	static void fn(char **argv)

/* Whether the command line's @word names case @name ('-' for '_'). */
static inline int lab_case_named(const char *name, const char *word)
{
	for (; *name && *word; name++, word++)
		if (*name != (*word == '-' ? '_' : *word))
			return 0;
	return !*name && !*word;
}

static inline void lab_usage(const char *prog)
{
	const struct lab_case *c;
	const char *p;

	printf("usage: %s CASE ARGS...\n", prog);
	for (c = lab_cases; c; c = c->next) {
		printf("  %s ", prog);
		for (p = c->name; *p; p++)
			putchar(*p == '_' ? '-' : *p);
		printf(" %s\n", c->args);
	}
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 :
			   argv[0];
	const struct lab_case *c;

	labtest_start();
	for (c = lab_cases; argc >= 2 && c; c = c->next) {
		int nargs = argc - 2;

		if (!lab_case_named(c->name, argv[1]))
			continue;
		if (c->nargs >= 0 ? nargs != c->nargs : nargs < -c->nargs) {
			fail("usage: %s %s %s", prog, argv[1], c->args);
			return KSFT_FAIL;
		}
		c->run(argv + 2);
		return failed ? KSFT_FAIL : KSFT_PASS;
	}
	lab_usage(prog);
	return KSFT_FAIL;
}

#endif /* LABTEST_H */
