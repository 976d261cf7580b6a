/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness every test program shares (its code is labtest.c, linked into
 * each program): exit codes, FAIL lines, the timeout, errno names, checks,
 * arguments, child processes, I/O helpers, and the cases with the one
 * main() that runs them.
 *
 * A program is one folder of C files. One of them says, once:
 *
 *	LAB_PROGRAM(.timeout_s = 20, .lost = "wakeup");
 *
 * and each case is declared once, where it is written:
 *
 *	LAB_CASE(write_read, "WORD", 1)
 *	{
 *		...checks that fail("...") print FAIL lines...
 *	}
 *
 * "PROG write-read hello" runs it: the name with '-' for '_', exactly 1
 * argument (a negative count: at least that many). argv holds them,
 * NULL-terminated. Exit: 0 pass, 1 fail, 4 skip (kselftest's codes).
 */
#ifndef LABTEST_H
#define LABTEST_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <linux/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

/* What a program tells the harness, once, with LAB_PROGRAM(...). */
struct lab_program {
	unsigned int timeout_s;	/* the bound on every blocking call */
	const char *lost;	/* what a timeout suggests was lost, or NULL */
	const char *err0;	/* how errname() names 0, or NULL */
};

extern const struct lab_program lab_program;
#define LAB_PROGRAM(...) \
	const struct lab_program lab_program = { __VA_ARGS__ }

struct lab_case {
	const char *name;
	const char *args;
	int nargs;
	void (*run)(char **argv);
	struct lab_case *next;
};

void lab_register(struct lab_case *c);

/*
 * Defines case @fn and registers it (a constructor, as kselftest's TEST()).
 * Its function is lab_case_fn_<fn>, so a case may be named like a libc
 * function (poll, signal).
 */
#define LAB_CASE(fn, args, nargs)					\
	static void lab_case_fn_##fn(char **argv);			\
	static struct lab_case lab_case_##fn = {			\
		#fn, args, nargs, lab_case_fn_##fn, NULL		\
	};								\
	static void __attribute__((constructor)) lab_register_##fn(void) \
	{								\
		lab_register(&lab_case_##fn);				\
	}								\
	static void lab_case_fn_##fn(char **argv)

extern int failed;		/* set by fail(): the exit code becomes 1 */
extern const char *phase;	/* what a timeout names: set it before waiting */

/* One FAIL line; printf checks the format against the arguments. */
#define fail(...)					\
	do {						\
		failed = 1;				\
		printf("FAIL: " __VA_ARGS__);		\
		putchar('\n');				\
	} while (0)

/* An unexpected error the test cannot go on from: FAIL and exit. */
noreturn void die(const char *what);
/* A call the test cannot go on without: its result; else die(@what). */
long must(long ret, const char *what);
const char *errname(int err);

/* A call that must fail: prints "WHAT: ERRNO"; FAILs unless it is @want. */
void expect_err(const char *what, long ret, int want);
/* A call that must succeed: prints "WHAT: ok". */
void expect_ok(const char *what, long ret);
void expect_eq(const char *what, unsigned long long got,
	       unsigned long long want);
/* Prints "WHAT: TEXT" (@n bytes, or errno when @n < 0); FAILs unless @word. */
void print_word(const char *what, const char *buf, ssize_t n,
		const char *word);

/* Arguments: else a usage FAIL and exit. */
size_t arg_word(const char *s, size_t max);	/* 1..@max characters */
unsigned long long arg_num(const char *s, unsigned long long min,
			   unsigned long long max, const char *name);

long long now_ms(void);		/* CLOCK_MONOTONIC */
/* Read until @len bytes or end of file: the count, or -1 on an error. */
ssize_t read_full(int fd, void *buf, size_t len);
/* One write that must take all @len bytes; dies on an error. */
void write_full(int fd, const void *buf, size_t len, const char *what);
/* One write() to the file @path: its return (-1: no open), errno kept. */
long write_file(const char *path, const void *buf, size_t len);
/* A small file as a string: 0, or -1 when it cannot be read. */
int read_file(const char *path, char *buf, size_t size);
/* Opens @path, a device of ipclab.ko; SKIP when the module is not loaded. */
int open_dev(const char *path, int flags);

/* fork(); the child reports only its own checks and dies with its parent. */
pid_t xfork(void);
noreturn void child_exit(void);
/* Wait for @pid; FAIL (naming @who) unless it passed. */
void wait_pass(pid_t pid, const char *who);
/* As wait_pass(); a timeout names the wait. */
void reap(pid_t pid, const char *who);

/* The state letter of @pid in /proc/PID/stat ('S' sleeps), '?' if gone. */
char proc_state(pid_t pid);
#define BLOCK_WAIT_MS	10000	/* how long wait_blocked() waits */
/*
 * 0 once @pid sleeps in system call @nr (state S; the call by
 * /proc/PID/syscall, where the kernel has it): it really blocked there.
 * Else a FAIL naming @who, and -1.
 */
int wait_blocked(pid_t pid, long nr, const char *who);
/* fork(); the child goes on (0) once this task sleeps in syscall @nr. */
pid_t fork_blocked(long nr, const char *who);

/* Signals one at a time (signal's and posix's programs). */
sigset_t sigset_of(int signo);	/* @signo alone */
void block(int signo);		/* added to the blocked set */
/* Waits up to @ms for @signo: 0, or -1 (and @si zeroed) on a timeout. */
int wait_sig(int signo, long ms, siginfo_t *si);

/*
 * Netlink sockets (netlink, uevent): a socket of @protocol bound to the
 * multicast @groups (a bit mask; 0: none), its port id in *@portid unless
 * NULL. Dies on an error.
 */
int netlink_socket(int protocol, __u32 groups, __u32 *portid);
/* One datagram within @ms: its length, -ETIMEDOUT, or -errno. */
ssize_t recv_within(int fd, void *buf, size_t size, int ms);

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

/* @len bytes of the stream @state, the top byte of each step. */
static inline void rnd_fill(void *buf, size_t len, __u32 *state)
{
	unsigned char *p = buf;

	while (len--)
		*p++ = rnd_next(state) >> 24;
}

/* How many of @len bytes at @buf differ from what rnd_fill() would write. */
static inline size_t rnd_differ(const void *buf, size_t len, __u32 *state)
{
	const unsigned char *p = buf;
	size_t bad = 0;

	while (len--)
		bad += *p++ != (unsigned char)(rnd_next(state) >> 24);
	return bad;
}

/* The first of @len bytes at @p off @seed's stream (0: zeroes), or @len. */
size_t rnd_mismatch(const void *p, size_t len, __u32 seed);

/* expect_err(), or expect_ok() when @err is 0. */
void expect_ret(const char *what, long ret, int err);
/* A MAP_SHARED, read-write mapping of @fd that must succeed. */
void *map_shared(int fd, size_t len, off_t offset);
/* @len zeroed bytes shared with the children forked later; must succeed. */
void *map_anon(size_t len);

#endif /* LABTEST_H */
