// SPDX-License-Identifier: GPL-2.0
/*
 * Listens for the driver's KOBJ_CHANGE uevents on a NETLINK_KOBJECT_UEVENT
 * socket, as udev does, and checks their environment; exits 0 pass,
 * 1 fail, 4 skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "ipclab_uapi.h"

#define TIMEOUT_S	30
#define LABTEST_LOST	"uevent"
#define RECV_WAIT_MS	10000	/* bound on each wait for a uevent */
#define QUIET_MS	300	/* no uevent may come within this */
#define MAX_WORDS	16

#include "labtest.h"

struct uevent {
	char action[32];
	char devpath[128];
	char subsystem[32];
	char word[IPCLAB_UEVENT_WORD_MAX + 1];
	unsigned long long seq;
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

static void copy_var(char *dst, size_t size, const char *s, const char *key)
{
	size_t n = strlen(key);

	if (!strncmp(s, key, n))
		snprintf(dst, size, "%s", s + n);
}

/*
 * Receives the next uevent of our device within @ms; 0 on success,
 * -1 when none came. Others' uevents are skipped.
 */
static int recv_uevent(int fd, struct uevent *ev, int ms)
{
	static char buf[8192];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char seq[32];
	ssize_t n;
	char *p;

	for (;;) {
		int ret = poll(&pfd, 1, ms);

		if (ret < 0)
			die("poll");
		if (ret == 0)
			return -1;
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0)
			die("recv");
		buf[n] = '\0';
		memset(ev, 0, sizeof(*ev));
		seq[0] = '\0';
		/* "action@devpath", then KEY=value strings, NUL-separated. */
		for (p = buf + strlen(buf) + 1; p < buf + n;
		     p += strlen(p) + 1) {
			copy_var(ev->action, sizeof(ev->action), p, "ACTION=");
			copy_var(ev->devpath, sizeof(ev->devpath), p,
				 "DEVPATH=");
			copy_var(ev->subsystem, sizeof(ev->subsystem), p,
				 "SUBSYSTEM=");
			copy_var(ev->word, sizeof(ev->word), p,
				 "IPCLAB_WORD=");
			copy_var(seq, sizeof(seq), p, "IPCLAB_SEQ=");
		}
		if (strcmp(ev->devpath, IPCLAB_UEVENT_DEVPATH))
			continue;
		ev->seq = strtoull(seq, NULL, 10);
		return 0;
	}
}

static int open_uevent_dev(void)
{
	return open_dev(IPCLAB_UEVENT_PATH, 0);
}

static long emit(int dev, const char *word, size_t len)
{
	return write(dev, word, len);
}

static void emit_ok(int dev, const char *word)
{
	size_t len = strlen(word);
	long ret = emit(dev, word, len);

	if (ret != (long)len)
		fail("write \"%s\": got %ld (%s), expected %zu", word, ret,
		     errname(errno), len);
}

/* change W1 W2: two uevents, in order, with the words and seq + 1. */
static void cmd_change(char **argv)
{
	int dev = open_uevent_dev(), fd = listen_uevents();
	struct uevent a, b;

	phase = "waiting for the first uevent";
	emit_ok(dev, argv[0]);
	if (recv_uevent(fd, &a, RECV_WAIT_MS)) {
		fail("no uevent within %d ms", RECV_WAIT_MS);
		return;
	}
	printf("action: %s\n", a.action);
	printf("devpath: %s\n", a.devpath);
	printf("subsystem: %s\n", a.subsystem);
	printf("word: %s\n", a.word);
	phase = "waiting for the second uevent";
	emit_ok(dev, argv[1]);
	if (recv_uevent(fd, &b, RECV_WAIT_MS)) {
		fail("no second uevent within %d ms", RECV_WAIT_MS);
		return;
	}
	printf("word: %s\n", b.word);
	printf("seq: %s\n", b.seq == a.seq + 1 ? "+1" : "not consecutive");
	if (b.seq != a.seq + 1)
		fail("IPCLAB_SEQ: got %llu then %llu", a.seq, b.seq);
}

/* bad LEN WORD: refused words are EINVAL and send nothing. */
static void cmd_bad(char **argv)
{
	size_t len = arg_num(argv[0], IPCLAB_UEVENT_WORD_MAX + 1, 4000, "LEN");
	int dev = open_uevent_dev(), fd = listen_uevents();
	static char longword[4096];
	struct uevent ev;
	char what[64];

	memset(longword, 'a', len);
	snprintf(what, sizeof(what), "word of %zu characters", len);
	expect_err(what, emit(dev, longword, len), EINVAL);
	expect_err("word \"a b\"", emit(dev, "a b", 3), EINVAL);
	expect_err("word \"a=b\"", emit(dev, "a=b", 3), EINVAL);
	expect_err("empty word", emit(dev, "\n", 1), EINVAL);
	printf("uevents after refused words: %s\n",
	       recv_uevent(fd, &ev, QUIET_MS) ? "none" : ev.word);
	phase = "waiting for the valid uevent";
	emit_ok(dev, argv[1]);
	if (recv_uevent(fd, &ev, RECV_WAIT_MS))
		fail("no uevent within %d ms", RECV_WAIT_MS);
	else
		printf("then word: %s\n", ev.word);
}

/* concurrent W...: one writer per word at once; each arrives once. */
static void cmd_concurrent(char **argv)
{
	int fd = listen_uevents();
	unsigned long long seqs[MAX_WORDS];
	int count[MAX_WORDS] = { 0 };
	pid_t pids[MAX_WORDS];
	int n, i, j, got = 0, dup = 0;
	struct uevent ev;

	for (n = 0; argv[n] && n < MAX_WORDS; n++)
		;
	for (i = 0; i < n; i++) {
		pids[i] = xfork();
		if (pids[i] == 0) {
			emit_ok(open_uevent_dev(), argv[i]);
			child_exit();
		}
	}
	phase = "waiting for the concurrent uevents";
	while (got < n && !recv_uevent(fd, &ev, RECV_WAIT_MS)) {
		for (i = 0; i < n; i++)
			if (!strcmp(ev.word, argv[i]))
				count[i]++;
		seqs[got++] = ev.seq;
	}
	for (i = 0; i < n; i++)
		reap(pids[i], "writer");
	for (i = 0; i < n; i++)
		if (count[i] != 1)
			fail("word %s: received %d times, expected 1",
			     argv[i], count[i]);
	for (i = 0; i < got; i++)
		for (j = i + 1; j < got; j++)
			dup += seqs[i] == seqs[j];
	printf("received: %d of %d\n", got, n);
	printf("duplicate IPCLAB_SEQ: %d\n", dup);
	printf("extra uevents: %s\n",
	       recv_uevent(fd, &ev, QUIET_MS) ? "none" : ev.word);
}

static const struct command commands[] = {
	{ "change", "WORD1 WORD2", 2, cmd_change },
	{ "bad", "LEN WORD", 2, cmd_bad },
	{ "concurrent", "WORD...", -2, cmd_concurrent },
};

int main(int argc, char **argv)
{
	labtest_start();
	return run_command("uevent", commands, ARRAY_SIZE(commands), argc,
			   argv);
}
