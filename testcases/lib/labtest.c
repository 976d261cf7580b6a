// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's code (labtest.h says what each part is for), linked into
 * every test program: the registry of cases and the one main().
 */
#include <sys/mman.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/netlink.h>

#include "labtest.h"

int failed;
const char *phase = "start";

void die(const char *what)
{
	fail("%s: %s", what, strerror(errno));
	exit(KSFT_FAIL);
}

long must(long ret, const char *what)
{
	if (ret < 0)
		die(what);
	return ret;
}

/* A lost wakeup must end as a FAIL with a message, never as a hang. */
static void on_alarm(int sig)
{
	static const char head[] = "FAIL: timed out";
	const char *p = phase, *lost = lab_program.lost;

	(void)sig;
	write(STDOUT_FILENO, head, sizeof(head) - 1);
	if (lost) {
		write(STDOUT_FILENO, " (a lost ", 9);
		write(STDOUT_FILENO, lost, strlen(lost));
		write(STDOUT_FILENO, "?)", 2);
	}
	write(STDOUT_FILENO, " in ", 4);
	write(STDOUT_FILENO, p, strlen(p));
	write(STDOUT_FILENO, "\n", 1);
	_exit(KSFT_FAIL);
}

/*
 * Unbuffered stdout, so that parent and children print in the order things
 * happen; then the timeout that turns a hang into a FAIL.
 */
static void labtest_start(void)
{
	struct sigaction sa;

	setvbuf(stdout, NULL, _IONBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		die("sigaction");
	alarm(lab_program.timeout_s);
}

void child_exit(void)
{
	_exit(failed ? KSFT_FAIL : KSFT_PASS);
}

const char *errname(int err)
{
	static char buf[64];

	if (!err && lab_program.err0)
		return lab_program.err0;
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
	case ENOSPC: return "ENOSPC";
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

/* Reads errno itself: @ret is the call, evaluated before this body runs. */
void expect_err(const char *what, long ret, int want)
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

void expect_ok(const char *what, long ret)
{
	int err = errno;

	if (ret < 0) {
		printf("%s: %s\n", what, errname(err));
		fail("%s: got %s, expected success", what, errname(err));
		return;
	}
	printf("%s: ok\n", what);
}

void expect_eq(const char *what, unsigned long long got,
	       unsigned long long want)
{
	if (got != want)
		fail("%s: got %llu, expected %llu", what, got, want);
}

void print_word(const char *what, const char *buf, ssize_t n,
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

size_t arg_word(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len < 1 || len > max) {
		fail("usage: WORD must have 1..%zu characters, got %zu", max,
		     len);
		exit(KSFT_FAIL);
	}
	return len;
}

unsigned long long arg_num(const char *s, unsigned long long min,
			   unsigned long long max, const char *name)
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

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

ssize_t read_full(int fd, void *buf, size_t len)
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

void write_full(int fd, const void *buf, size_t len, const char *what)
{
	ssize_t n = write(fd, buf, len);

	if (n < 0)
		die(what);
	if ((size_t)n != len)
		fail("short %s: got %zd, expected %zu", what, n, len);
}

long write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	long ret;
	int err;

	if (fd < 0)
		return -1;
	ret = write(fd, buf, len);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

int read_file(const char *path, char *buf, size_t size)
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

int open_dev(const char *path, int flags)
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

pid_t xfork(void)
{
	pid_t parent = getpid(), pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		failed = 0;		/* the child reports only its own checks */
		alarm(lab_program.timeout_s);	/* alarms are not inherited */
		/* If the parent times out, no child outlives it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
		    getppid() != parent)
			_exit(KSFT_FAIL);
	}
	return pid;
}

void wait_pass(pid_t pid, const char *who)
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

void reap(pid_t pid, const char *who)
{
	static char label[64];

	snprintf(label, sizeof(label), "waiting for the %s to exit", who);
	phase = label;
	wait_pass(pid, who);
}

char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return '?';
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

int wait_blocked(pid_t pid, long nr, const char *who)
{
	long long end = now_ms() + BLOCK_WAIT_MS;
	char path[64], buf[512], state;
	long cur;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	do {
		state = proc_state(pid);
		/* "NR args...", "-1 ..." outside a syscall, or "running" */
		cur = nr;	/* no /proc/PID/syscall: trust the state */
		if (!read_file(path, buf, sizeof(buf)) &&
		    sscanf(buf, "%ld", &cur) != 1)
			cur = -2;
		if (state == 'S' && cur == nr)
			return 0;
		usleep(1000);
	} while (now_ms() < end);
	fail("%s never blocked: got state %c in syscall %ld, expected S in %ld (waited %d ms)",
	     who, state, cur, nr, BLOCK_WAIT_MS);
	return -1;
}

pid_t fork_blocked(long nr, const char *who)
{
	pid_t pid = xfork();

	if (pid)
		return pid;
	if (wait_blocked(getppid(), nr, who))
		child_exit();
	printf("child: the %s sleeps in the driver\n", who);
	return 0;
}

sigset_t sigset_of(int signo)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, signo);
	return set;
}

void block(int signo)
{
	sigset_t set = sigset_of(signo);

	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");
}

int wait_sig(int signo, long ms, siginfo_t *si)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	sigset_t set = sigset_of(signo);
	int ret;

	memset(si, 0, sizeof(*si));
	do {
		ret = sigtimedwait(&set, si, &ts);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0 && errno != EAGAIN)
		die("sigtimedwait");
	return ret < 0 ? -1 : 0;
}

int netlink_socket(int protocol, __u32 groups, __u32 *portid)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	socklen_t salen = sizeof(sa);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		die("socket(AF_NETLINK)");
	/* nl_pid 0: the kernel picks our port id. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (portid && getsockname(fd, (struct sockaddr *)&sa, &salen) < 0)
		die("getsockname");
	if (portid)
		*portid = sa.nl_pid;
	return fd;
}

ssize_t recv_within(int fd, void *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret = poll(&p, 1, ms);
	ssize_t n;

	if (ret < 0)
		die("poll");
	if (ret == 0)
		return -ETIMEDOUT;
	n = recv(fd, buf, size, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -errno;
	if ((size_t)n > size) {
		fail("datagram of %zd bytes truncated to %zu", n, size);
		exit(KSFT_FAIL);
	}
	return n;
}

void expect_ret(const char *what, long ret, int err)
{
	if (err)
		expect_err(what, ret, err);
	else
		expect_ok(what, ret);
}

void *map_shared(int fd, size_t len, off_t offset)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       offset);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

size_t rnd_mismatch(const void *p, size_t len, __u32 seed)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != (unsigned char)(rnd_next(&seed) >> 24))
			break;
	return i;
}

void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* --- The cases and main(). */

static struct lab_case *lab_cases;

/* Keeps the list sorted by name, so that usage lists the cases in order. */
void lab_register(struct lab_case *c)
{
	struct lab_case **p = &lab_cases;

	while (*p && strcmp((*p)->name, c->name) < 0)
		p = &(*p)->next;
	c->next = *p;
	*p = c;
}

/* Whether the command line's @word names case @name ('-' for '_'). */
static int case_named(const char *name, const char *word)
{
	for (; *name && *word; name++, word++)
		if (*name != (*word == '-' ? '_' : *word))
			return 0;
	return !*name && !*word;
}

static void list_cases(const char *prog)
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
	const char *prog = strrchr(argv[0], '/');
	const struct lab_case *c;

	prog = prog ? prog + 1 : argv[0];
	labtest_start();
	for (c = lab_cases; argc >= 2 && c; c = c->next) {
		int nargs = argc - 2;

		if (!case_named(c->name, argv[1]))
			continue;
		if (c->nargs >= 0 ? nargs != c->nargs : nargs < -c->nargs) {
			fail("usage: %s %s %s", prog, argv[1], c->args);
			return KSFT_FAIL;
		}
		c->run(argv + 2);
		return failed ? KSFT_FAIL : KSFT_PASS;
	}
	list_cases(prog);
	return KSFT_FAIL;
}
