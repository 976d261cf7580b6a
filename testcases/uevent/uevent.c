// SPDX-License-Identifier: GPL-2.0
/*
 * Listens for the driver's KOBJ_CHANGE uevents on a NETLINK_KOBJECT_UEVENT
 * socket, as udev does, and checks their environment.
 */
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

static int dev;	/* the device: each write() makes a uevent */

static int listen_uevents(void)
{
	int size = 1 << 20, fd = netlink_socket(NETLINK_KOBJECT_UEVENT, 1, NULL);

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	dev = open_dev(IPCLAB_UEVENT_PATH, 0);
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
	do {
		ev->n = recv_within(fd, ev->buf, sizeof(ev->buf) - 1, ms);
		if (ev->n == -ETIMEDOUT)
			return -1;
		if (ev->n < 0) {
			errno = -ev->n;
			die("recv");
		}
		ev->buf[ev->n] = '\0';
	} while (strcmp(env(ev, "DEVPATH="), IPCLAB_UEVENT_DEVPATH));
	return 0;
}

static void emit_ok(const char *word)
{
	long len = strlen(word), ret = write(dev, word, len);

	if (ret != len)
		fail("write \"%s\": got %ld (%s), expected %ld", word, ret,
		     errname(errno), len);
}

/* Writes @word and receives its uevent: prints its word, ACTION, SUBSYSTEM. */
static void emit_recv(int fd, const char *word, struct uevent *ev)
{
	emit_ok(word);
	if (recv_uevent(fd, ev, RECV_WAIT_MS)) {
		fail("no uevent within %d ms", RECV_WAIT_MS);
		exit(KSFT_FAIL);
	}
	printf("word: %s\nACTION=%s SUBSYSTEM=%s\n", env(ev, "IPCLAB_WORD="),
	       env(ev, "ACTION="), env(ev, "SUBSYSTEM="));
}

/* FAILs if a uevent of our device comes within QUIET_MS. */
static void expect_quiet(int fd, const char *when)
{
	struct uevent ev;

	if (!recv_uevent(fd, &ev, QUIET_MS))
		fail("a uevent %s: \"%s\"", when, env(&ev, "IPCLAB_WORD="));
}

/*
 * change WORD...: one uevent per word, in order, each with IPCLAB_SEQ + 1;
 * the host checks ACTION and SUBSYSTEM.
 */
LAB_CASE(change, "WORD...", -1)
{
	int fd = listen_uevents(), i;
	unsigned long long last = 0;
	struct uevent ev;

	phase = "waiting for the uevents";
	for (i = 0; argv[i]; i++) {
		emit_recv(fd, argv[i], &ev);
		if (i && seq(&ev) != last + 1)
			fail("IPCLAB_SEQ: got %llu then %llu", last, seq(&ev));
		last = seq(&ev);
	}
}

/* bad LEN WORD: refused words are EINVAL and send nothing. */
LAB_CASE(bad, "LEN WORD", 2)
{
	size_t len = arg_num(argv[0], IPCLAB_UEVENT_WORD_MAX + 1, 4000, "LEN");
	int fd = listen_uevents();
	static char longword[4096];
	struct uevent ev;

	memset(longword, 'a', len);
	expect_err("word too long", write(dev, longword, len), EINVAL);
	expect_err("word \"a b\"", write(dev, "a b", 3), EINVAL);
	expect_err("word \"a=b\"", write(dev, "a=b", 3), EINVAL);
	expect_err("empty word", write(dev, "\n", 1), EINVAL);
	expect_quiet(fd, "after refused words");
	phase = "waiting for the valid uevent";
	emit_recv(fd, argv[1], &ev);
}

/*
 * One writer per word of @words at once; each uevent must come once, or
 * with @by_seq: their IPCLAB_SEQs must differ.
 */
static void writers_race(char **words, int by_seq)
{
	static struct uevent evs[MAX_WORDS];
	int fd = listen_uevents(), n, i, j, count, got = 0;
	pid_t pids[MAX_WORDS];

	for (n = 0; words[n] && n < MAX_WORDS; n++) {
		pids[n] = xfork();
		if (pids[n] == 0) {
			emit_ok(words[n]);
			child_exit();
		}
	}
	phase = "waiting for the concurrent uevents";
	while (got < n && !recv_uevent(fd, &evs[got], RECV_WAIT_MS))
		got++;
	for (i = 0; i < n; i++)
		reap(pids[i], "writer");
	/* Distinct seqs say nothing unless every uevent came. */
	if (got != n)
		fail("uevents: got %d, expected %d", got, n);
	if (by_seq) {
		for (i = 0; i < got; i++)
			for (j = 0; j < i; j++)
				if (seq(&evs[j]) == seq(&evs[i]))
					fail("IPCLAB_SEQ %llu twice",
					     seq(&evs[i]));
		return;
	}
	for (i = 0; i < n; i++) {
		for (count = 0, j = 0; j < got; j++)
			count += !strcmp(env(&evs[j], "IPCLAB_WORD="), words[i]);
		if (count != 1)
			fail("word %s: received %d times, expected 1",
			     words[i], count);
	}
	expect_quiet(fd, "more");
}

/* concurrent W...: one writer per word at once; each arrives once. */
LAB_CASE(concurrent, "WORD...", -2)
{
	writers_race(argv, 0);
}

/* concurrent-seq W...: uevents written at once have distinct seqs. */
LAB_CASE(concurrent_seq, "WORD...", -2)
{
	writers_race(argv, 1);
}
