// SPDX-License-Identifier: GPL-2.0
/*
 * The cases of multicast events: subscribers, events the kernel sends on
 * its own, subscribers that lose events and how they recover, publishers
 * that race; and rmmod while sockets use the family.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include "netlink.h"

/* multicast N WORD: N subscribers each get WORD once, the same event. */
LAB_CASE(multicast, "N WORD", 2)
{
	int n = arg_num(argv[0], 1, MAX_PROCS, "N");
	const char *word = argv[1];
	int seqs[2], i, got = 0;
	char who[32];
	pid_t pids[MAX_PROCS];
	__u64 seq, first = 0;
	struct nl nl;

	arg_word(word, IPCLAB_NL_WORD_MAX);
	nl_open(&nl, 0);
	if (pipe(seqs) < 0)
		die("pipe");

	for (i = 0; i < n; i++) {
		pids[i] = xfork();
		if (pids[i])
			continue;
		nl_open(&nl, 1);
		phase = "subscriber waiting for the event";
		snprintf(who, sizeof(who), "subscriber %d", i);
		if (expect_event(&nl, RECV_MS, who, word, &seq))
			child_exit();
		if (!nl_quiet(&nl))
			fail("subscriber %d: a second event came", i);
		if (write(seqs[1], &seq, sizeof(seq)) != sizeof(seq))
			die("write seq");
		child_exit();
	}
	close(seqs[1]);
	/* Waiting for the event in poll(): each has joined. */
	for (i = 0; i < n; i++)
		wait_blocked(pids[i], SYS_poll, "subscriber");

	publish_ack(&nl, "publisher", word, -1, 0);
	phase = "collecting the subscribers' seqs";
	while (read(seqs[0], &seq, sizeof(seq)) == sizeof(seq)) {
		if (got++ == 0)
			first = seq;
		expect_eq("seq of a subscriber's event, as the first's", seq,
			  first);
	}
	for (i = 0; i < n; i++)
		reap(pids[i], "subscriber");
	printf("subscribers: %d of %d got the same event\n", got, n);
	expect_eq("subscribers that got the event", got, n);
}

/*
 * membership BEFORE WORD: only members hear an event: not one published
 * before joining, not the publisher, not a socket that left the group.
 */
LAB_CASE(membership, "BEFORE WORD", 2)
{
	const char *before = argv[0], *word = argv[1];
	struct nl nl, sub, drop;
	__u64 seq;

	arg_word(before, IPCLAB_NL_WORD_MAX);
	arg_word(word, IPCLAB_NL_WORD_MAX);
	nl_open(&nl, 0);
	publish_ok(&nl, before, -1);
	printf("published before anyone joined: %s\n", before);
	nl_open(&sub, 1);
	nl_open(&drop, 1);
	NL_OPT(&drop, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, drop.group);

	publish_ok(&nl, word, -1);
	expect_event(&sub, RECV_MS, "subscriber", word, &seq);
	if (!nl_quiet(&sub))
		fail("subscriber: a second event came");
	if (!nl_quiet(&nl))
		fail("publisher, not subscribed: got an event");
	if (!nl_quiet(&drop))
		fail("after DROP_MEMBERSHIP: got an event");
}

/* delayed WORD MS: the kernel sends after the requester has gone. */
LAB_CASE(delayed, "WORD MS", 2)
{
	const char *word = argv[0];
	long ms = arg_num(argv[1], 1, IPCLAB_NL_DELAY_MAX_MS, "MS");
	long long t0, waited;
	struct nl sub, nl;
	__u64 seq;
	pid_t pid;
	int err;

	arg_word(word, IPCLAB_NL_WORD_MAX);
	nl_open(&sub, 1);
	t0 = now_ms();
	pid = xfork();
	if (pid == 0) {
		nl_open(&nl, 0);
		publish_ack(&nl, "requester", word, ms, 0);
		child_exit();
	}
	reap(pid, "requester");
	waited = now_ms() - t0;
	if (waited >= ms)
		fail("requester took %lld ms, longer than the delay", waited);

	phase = "waiting for the delayed event";
	err = expect_event(&sub, ms + RECV_MS, "event from the kernel", word,
			   &seq);
	waited = now_ms() - t0;
	if (!err && waited < ms)
		fail("event came after %lld ms, expected >= %ld", waited, ms);
}

/* delayed-busy WORD MS: one delayed event at a time; a second is EBUSY. */
LAB_CASE(delayed_busy, "WORD MS", 2)
{
	long ms = arg_num(argv[1], 1, IPCLAB_NL_DELAY_MAX_MS, "MS");
	struct nl nl, sub;
	__u64 seq;

	arg_word(argv[0], IPCLAB_NL_WORD_MAX);
	nl_open(&nl, 0);
	nl_open(&sub, 1);
	publish_ack(&nl, "first delayed publish", argv[0], ms, 0);
	publish_ack(&nl, "second delayed publish", argv[0], ms, EBUSY);
	/* The first one's event: none is left to reach a later test. */
	phase = "waiting for the delayed event";
	expect_event(&sub, ms + RECV_MS, "first delayed event", argv[0], &seq);
}

/* What a subscriber that did not read got during a flood. */
struct flood {
	int count;		/* how many were published */
	int got;		/* how many the subscriber received */
	int enobufs;		/* did its recv fail with ENOBUFS */
	int lost;		/* what its seq numbers say it lost */
	struct stats s0, s1;	/* STATS before and after */
};

/*
 * @argv's COUNT events of WORD are published, then a subscriber reads what
 * it kept: its receive buffer is @rcvbuf bytes (1: the kernel's minimum),
 * its SOL_NETLINK option @opt (0: none) is set.
 */
static void flood(char **argv, int rcvbuf, int opt, struct flood *fl)
{
	const char *word = argv[1];
	char buf[WORD_SIZE];
	struct nl nl, sub;
	__u64 seq, expect;
	int err;

	memset(fl, 0, sizeof(*fl));
	fl->count = arg_num(argv[0], 1, MAX_EVENTS, "COUNT");
	arg_word(word, IPCLAB_NL_WORD_MAX);
	nl_open(&nl, 0);
	nl_open(&sub, 1);
	NL_OPT(&sub, SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf);
	if (opt)
		nl_opt(&sub, SOL_NETLINK, opt, 1, "setsockopt SOL_NETLINK");
	get_stats(&nl, &fl->s0);
	publish_many(&nl, word, fl->count);
	get_stats(&nl, &fl->s1);

	expect = fl->s0.events + 1;
	for (;;) {
		err = next_event(&sub, QUIET_MS, buf, &seq);
		if (err == -ENOBUFS) {
			fl->enobufs = 1;
			continue;
		}
		if (err)
			break;
		fl->got++;
		if (seq < expect)
			fail("seq went back: got %llu, expected >= %llu", seq,
			     expect);
		else
			fl->lost += seq - expect;
		expect = seq + 1;
	}
	/* Events lost after the last one received: the tail. */
	fl->lost += fl->s0.events + 1 + fl->count - expect;
	if (expect > fl->s0.events + 1 + fl->count)
		fail("seq: got %llu, expected at most %llu", expect - 1,
		     fl->s0.events + fl->count);
}

/* overrun COUNT WORD: a subscriber that does not keep up loses events. */
LAB_CASE(overrun, "COUNT WORD", 2)
{
	struct flood fl;

	/* NETLINK_BROADCAST_ERROR: tell the sender too when it loses one. */
	flood(argv, 1, NETLINK_BROADCAST_ERROR, &fl);
	printf("slow subscriber: received %d of %d, recv %s\n", fl.got,
	       fl.count, fl.enobufs ? "ENOBUFS" : "no error");
	if (fl.got >= fl.count || !fl.enobufs)
		fail("slow subscriber: expected lost events and ENOBUFS");
	if (fl.lost != fl.count - fl.got)
		fail("seq gaps: got %d missing, expected %d", fl.lost,
		     fl.count - fl.got);
}

/* overruns COUNT WORD: STATS counts the events a subscriber lost. */
LAB_CASE(overruns, "COUNT WORD", 2)
{
	struct flood fl;

	flood(argv, 1, NETLINK_BROADCAST_ERROR, &fl);
	printf("kernel: overruns=%llu\n", fl.s1.overruns - fl.s0.overruns);
	if (fl.s1.overruns == fl.s0.overruns)
		fail("kernel: overruns did not grow");
}

/* big-buffer COUNT WORD: the remedy: a big receive buffer keeps them all. */
LAB_CASE(big_buffer, "COUNT WORD", 2)
{
	struct flood fl;

	flood(argv, 8 << 20, 0, &fl);
	printf("big buffer: received %d of %d, %d missing, recv %s\n",
	       fl.got, fl.count, fl.lost, fl.enobufs ? "ENOBUFS" : "no error");
	if (fl.got != fl.count || fl.lost || fl.enobufs)
		fail("big buffer: expected all %d events", fl.count);
}

/*
 * resync COUNT WORD: a small buffer learns exactly what it lost from SEQ,
 * even when told nothing (NETLINK_NO_ENOBUFS), and resynchronises from
 * STATS.
 */
LAB_CASE(resync, "COUNT WORD", 2)
{
	struct flood fl;
	__u64 sent;

	flood(argv, 1, NETLINK_NO_ENOBUFS, &fl);
	sent = fl.s1.events - fl.s0.events;
	printf("small buffer, NETLINK_NO_ENOBUFS: recv %s\n",
	       fl.enobufs ? "ENOBUFS" : "no error");
	printf("small buffer: received %d, seq gaps say %d lost, STATS says %llu sent\n",
	       fl.got, fl.lost, sent);
	if (fl.enobufs)
		fail("small buffer, NETLINK_NO_ENOBUFS: got ENOBUFS");
	if (sent != (__u64)fl.count || fl.got + fl.lost != fl.count || !fl.lost)
		fail("resync: received %d + lost %d, expected %d sent with some lost",
		     fl.got, fl.lost, fl.count);
}

/*
 * PUBS COUNT WORD in @argv: publishers race; each of two subscribers checks
 * what it gets: with @by_seq, that the events are numbered without gaps;
 * else that it gets every event once and each publisher's events in the
 * order it sent them.
 */
static void publish_race(char **argv, int by_seq)
{
	int pubs = arg_num(argv[0], 1, MAX_PROCS, "PUBS");
	int count = arg_num(argv[1], 1, MAX_EVENTS / MAX_PROCS, "COUNT");
	const char *word = argv[2];
	int next[MAX_PROCS], i, j, k, total = pubs * count;
	char buf[WORD_SIZE];
	pid_t pids[MAX_PROCS];
	struct nl sub[2];
	struct stats s0;
	__u64 seq;

	arg_word(word, IPCLAB_NL_WORD_MAX);
	for (k = 0; k < 2; k++) {
		nl_open(&sub[k], 1);
		NL_OPT(&sub[k], SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20);
	}
	get_stats(&sub[0], &s0);
	for (i = 0; i < pubs; i++) {
		pids[i] = xfork();
		if (pids[i])
			continue;
		nl_open(&sub[0], 0);
		for (j = 0; j < count; j++) {
			snprintf(buf, sizeof(buf), "%d %d %.200s", i, j, word);
			publish_ok(&sub[0], buf, -1);
		}
		child_exit();
	}
	for (i = 0; i < pubs; i++)
		reap(pids[i], "publisher");

	for (k = 0; k < 2; k++) {
		int got = 0, bad = 0;

		memset(next, 0, sizeof(next));
		phase = "subscriber reading the events";
		while (got < total &&
		       !next_event(&sub[k], RECV_MS, buf, &seq)) {
			got++;
			bad += by_seq ? seq != s0.events + got :
			       sscanf(buf, "%d %d", &i, &j) != 2 || i < 0 ||
			       i >= pubs || j != next[i]++;
		}
		if (by_seq)
			printf("subscriber %d: seq %s gaps\n", k,
			       bad ? "with" : "without");
		else
			printf("subscriber %d: %d of %d events, %s\n", k, got,
			       total, bad ? "out of order" : "each publisher in order");
		if (bad)
			fail("subscriber %d: %d events %s", k, bad,
			     by_seq ? "off their seq" : "out of order");
		/* No gaps is vacuous without them all. */
		if (got != total)
			fail("subscriber %d: got %d events, expected %d", k,
			     got, total);
		if (by_seq)
			continue;
		if (!nl_quiet(&sub[k]))
			fail("subscriber %d: more events than published", k);
	}
}

/* concurrent-publish PUBS COUNT WORD: every event once, each in order. */
LAB_CASE(concurrent_publish, "PUBS COUNT WORD", 3)
{
	publish_race(argv, 0);
}

/* concurrent-publish-seq PUBS COUNT WORD: the seqs have no gaps. */
LAB_CASE(concurrent_publish_seq, "PUBS COUNT WORD", 3)
{
	publish_race(argv, 1);
}

/* Runs @cmd (rmmod, insmod): its exit status; FAIL unless 0. */
static int run(const char *cmd)
{
	int status;

	phase = cmd;
	status = system(cmd);
	status = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	printf("%s: exit %d\n", cmd, status);
	if (status)
		fail("%s: exit %d, expected 0", cmd, status);
	return status;
}

/* The next nlctrl notification on @n: FAIL unless @cmd for our family. */
static void expect_ctrl(struct nl *n, int cmd)
{
	const char *want = cmd == CTRL_CMD_NEWFAMILY ? "NEWFAMILY" :
			   "DELFAMILY";

	for (;;) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)n->rx;
		const char *name = "";
		struct nlattr *fam;
		int len = nl_recv(n, RECV_MS);

		if (len < 0) {
			fail("nlctrl notify: got %s, expected %s %s",
			     errname(-len), want, IPCLAB_NL_FAMILY_NAME);
			return;
		}
		if (!NLMSG_OK(nlh, len) || nlh->nlmsg_type != GENL_ID_CTRL ||
		    (genl_cmd(nlh) != CTRL_CMD_NEWFAMILY &&
		     genl_cmd(nlh) != CTRL_CMD_DELFAMILY))
			continue;
		fam = genl_attr(nlh, CTRL_ATTR_FAMILY_NAME);
		if (fam)
			name = attr_data(fam);
		printf("nlctrl notify: %s %s\n", genl_cmd(nlh) ==
		       CTRL_CMD_NEWFAMILY ? "NEWFAMILY" : "DELFAMILY", name);
		if (genl_cmd(nlh) != cmd || strcmp(name, IPCLAB_NL_FAMILY_NAME))
			fail("nlctrl notify: expected %s %s", want,
			     IPCLAB_NL_FAMILY_NAME);
		return;
	}
}

/*
 * reload WORD MS: rmmod while a socket is subscribed and a delayed event
 * is pending, insmod again; the same socket works after a new lookup.
 */
LAB_CASE(reload, "WORD MS", 2)
{
	const char *word = argv[0];
	size_t len = arg_word(word, IPCLAB_NL_WORD_MAX);
	long long ms = arg_num(argv[1], 1, IPCLAB_NL_DELAY_MAX_MS, "MS");
	long long t0, left;
	char buf[WORD_SIZE];
	struct family f, ctrl;
	struct nl nl, notify, pub;
	__u64 seq = 0;
	int err;

	nl_open(&nl, 1);
	nl_open_raw(&notify);
	must(nl_lookup(&notify, "nlctrl", &ctrl), "lookup nlctrl");
	nl_join(&notify, ctrl.notify);	/* EINVAL if it has no "notify" */

	t0 = now_ms();
	publish_ok(&nl, word, ms);
	run("rmmod ipclab");
	expect_ctrl(&notify, CTRL_CMD_DELFAMILY);
	expect_err("lookup after rmmod",
		   nl_lookup(&nl, IPCLAB_NL_FAMILY_NAME, &f), ENOENT);
	ipclab_start(&nl, 0, C(ECHO));
	msg_attr(A(PAYLOAD), word, len);
	expect_reject(&nl, "echo to the old family id", ENOENT, 0);

	if (run("insmod /lib/modules/ipclab.ko"))
		exit(KSFT_FAIL);
	expect_ctrl(&notify, CTRL_CMD_NEWFAMILY);
	must(nl_find(&nl, &f), "lookup after insmod");
	if (!echo_check(&nl, word, len, 0, "echo after reload"))
		printf("echo after reload, same socket: %s\n", word);

	/*
	 * Unloading dropped the membership: nothing until we join again.
	 * (A publisher's own socket would read past events while it waits
	 * for its ACK, so publish from another one.)
	 */
	nl_open(&pub, 0);
	publish_ok(&pub, word, -1);
	if (!nl_quiet(&nl))
		fail("old membership: an event came before joining again");
	nl_join(&nl, nl.group);
	publish_ok(&pub, word, -1);
	expect_event(&nl, RECV_MS, "joined again", word, &seq);
	/* The module's counters started again from 0 at insmod. */
	expect_eq("seq after the reload", seq, 2);

	/* The cancelled event never comes, even after its delay. */
	left = ms + 500 - (now_ms() - t0);
	err = next_event(&nl, left > QUIET_MS ? left : QUIET_MS, buf, &seq);
	if (err != -ETIMEDOUT)
		fail("an event came after the reload: %s", buf);
}
