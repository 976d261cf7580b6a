// SPDX-License-Identifier: GPL-2.0
/*
 * Listens for the driver's KOBJ_CHANGE uevents on a NETLINK_KOBJECT_UEVENT
 * socket, as udev does, and checks their environment.
 */
#include <poll.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "ipclab_uapi.h"

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 30, .lost = "uevent");

#define RECV_WAIT_MS	10000	/* bound on each wait for a uevent */
#define QUIET_MS	300	/* no uevent may come within this */
#define MAX_WORDS	16

/* A uevent: "action@devpath", then KEY=value strings, NUL-separated. */
struct uevent {
	char buf[8192];
	ssize_t n;
};

static int listen_uevents(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int size = 1 << 20;
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		die("socket NETLINK_KOBJECT_UEVENT");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind to group 1");
	return fd;
}

/* The value of @key ("KEY=") in @ev, or "". */
static const char *env(const struct uevent *ev, const char *key)
{
	const char *p;

	for (p = ev->buf; p < ev->buf + ev->n; p += strlen(p) + 1)
		if (!strncmp(p, key, strlen(key)))
			return p + strlen(key);
	return "";
}

static unsigned long long seq(const struct uevent *ev)
{
	return strtoull(env(ev, "IPCLAB_SEQ="), NULL, 10);
}

/*
 * Receives the next uevent of our device within @ms; 0 on success,
 * -1 when none came. Others' uevents are skipped.
 */
static int recv_uevent(int fd, struct uevent *ev, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	do {
		int ret = poll(&pfd, 1, ms);

		if (ret < 0)
			die("poll");
		if (ret == 0)
			return -1;
		ev->n = recv(fd, ev->buf, sizeof(ev->buf) - 1, MSG_DONTWAIT);
		if (ev->n < 0)
			die("recv");
		ev->buf[ev->n] = '\0';
	} while (strcmp(env(ev, "DEVPATH="), IPCLAB_UEVENT_DEVPATH));
	return 0;
}

static long emit(const char *word, size_t len)
{
	static int dev = -1;

	if (dev < 0)
		dev = open_dev(IPCLAB_UEVENT_PATH, 0);
	return write(dev, word, len);
}

static void emit_ok(const char *word)
{
	long len = strlen(word), ret = emit(word, len);

	if (ret != len)
		fail("write \"%s\": got %ld (%s), expected %ld", word, ret,
		     errname(errno), len);
}

/* Writes @word and receives its uevent: "word: WORD" on success. */
static void emit_recv(int fd, const char *word, struct uevent *ev)
{
	emit_ok(word);
	if (recv_uevent(fd, ev, RECV_WAIT_MS)) {
		fail("no uevent within %d ms", RECV_WAIT_MS);
		exit(KSFT_FAIL);
	}
	printf("word: %s\n", env(ev, "IPCLAB_WORD="));
}

/* FAILs if a uevent of our device comes within QUIET_MS. */
static void expect_quiet(int fd, const char *when)
{
	struct uevent ev;

	if (!recv_uevent(fd, &ev, QUIET_MS))
		fail("a uevent %s: \"%s\"", when, env(&ev, "IPCLAB_WORD="));
}

/* change W1 W2: two uevents, in order, with the words and seq + 1. */
LAB_CASE(change, "WORD1 WORD2", 2)
{
	int fd = listen_uevents();
	struct uevent a, b;

	phase = "waiting for the first uevent";
	emit_recv(fd, argv[0], &a);
	if (strcmp(env(&a, "ACTION="), "change") ||
	    strcmp(env(&a, "SUBSYSTEM="), "misc"))
		fail("ACTION=%s SUBSYSTEM=%s, expected change and misc",
		     env(&a, "ACTION="), env(&a, "SUBSYSTEM="));
	phase = "waiting for the second uevent";
	emit_recv(fd, argv[1], &b);
	if (seq(&b) != seq(&a) + 1)
		fail("IPCLAB_SEQ: got %llu then %llu", seq(&a), seq(&b));
}

/* bad LEN WORD: refused words are EINVAL and send nothing. */
LAB_CASE(bad, "LEN WORD", 2)
{
	size_t len = arg_num(argv[0], IPCLAB_UEVENT_WORD_MAX + 1, 4000, "LEN");
	int fd = listen_uevents();
	static char longword[4096];
	struct uevent ev;

	memset(longword, 'a', len);
	expect_err("word too long", emit(longword, len), EINVAL);
	expect_err("word \"a b\"", emit("a b", 3), EINVAL);
	expect_err("word \"a=b\"", emit("a=b", 3), EINVAL);
	expect_err("empty word", emit("\n", 1), EINVAL);
	expect_quiet(fd, "after refused words");
	phase = "waiting for the valid uevent";
	emit_recv(fd, argv[1], &ev);
}

/* concurrent W...: one writer per word at once; each arrives once. */
LAB_CASE(concurrent, "WORD...", -2)
{
	int fd = listen_uevents(), count[MAX_WORDS] = { 0 };
	unsigned long long seqs[MAX_WORDS];
	pid_t pids[MAX_WORDS];
	int n, i, j, got = 0;
	struct uevent ev;

	for (n = 0; argv[n] && n < MAX_WORDS; n++) {
		pids[n] = xfork();
		if (pids[n] == 0) {
			emit_ok(argv[n]);
			child_exit();
		}
	}
	phase = "waiting for the concurrent uevents";
	while (got < n && !recv_uevent(fd, &ev, RECV_WAIT_MS)) {
		for (i = 0; i < n; i++)
			count[i] += !strcmp(env(&ev, "IPCLAB_WORD="), argv[i]);
		for (j = 0; j < got; j++)
			if (seqs[j] == seq(&ev))
				fail("IPCLAB_SEQ %llu twice", seqs[j]);
		seqs[got++] = seq(&ev);
	}
	for (i = 0; i < n; i++)
		reap(pids[i], "writer");
	for (i = 0; i < n; i++)
		if (count[i] != 1)
			fail("word %s: received %d times, expected 1",
			     argv[i], count[i]);
	expect_quiet(fd, "more");
}
