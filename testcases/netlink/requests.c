// SPDX-License-Identifier: GPL-2.0
/*
 * The cases of request and answer: family lookup, echo, statistics, ACKs,
 * malformed requests and many requesters at once.
 */
#include "netlink.h"

static const char *const cmd_names[] = {
	[C(UNSPEC)] = "unspec", [C(ECHO)] = "echo", [C(STATS)] = "stats",
	[C(PUBLISH)] = "publish", [C(EVENT)] = "event",
};

/* family NAME: CTRL_CMD_GETFAMILY for "ipclab", then for a name that's not. */
LAB_CASE(family, "NAME", 1)
{
	static const __u32 ops[] = { C(ECHO), C(STATS), C(PUBLISH) };
	const char *bogus = argv[0];
	char what[WORD_SIZE + 8];
	struct family f;
	struct nl nl;
	int i;

	arg_word(bogus, IPCLAB_NL_WORD_MAX);
	nl_open(&nl, 0);
	nl_find(&nl, &f);	/* found once already */
	printf("family: %s version %u\n", IPCLAB_NL_FAMILY_NAME, f.version);
	expect_eq("family version", f.version, IPCLAB_NL_VERSION);
	if (f.id < GENL_MIN_ID || f.id == GENL_ID_CTRL)
		fail("family id: got %u, expected a dynamic id above %d",
		     f.id, GENL_ID_CTRL);
	printf("ops:");
	for (i = 0; i < f.nops; i++)
		printf(" %s", f.ops[i] < ARRAY_SIZE(cmd_names) ?
		       cmd_names[f.ops[i]] : "?");
	printf("\n");
	if (f.nops != ARRAY_SIZE(ops) || memcmp(f.ops, ops, sizeof(ops)))
		fail("ops: expected echo stats publish");
	if (!f.events)
		fail("group %s: missing", IPCLAB_NL_MCGRP_EVENTS);

	snprintf(what, sizeof(what), "lookup %s", bogus);
	expect_err(what, nl_lookup(&nl, bogus, &f), ENOENT);
}

/* echo WORD: the reply carries the same bytes, to our port, our seq. */
LAB_CASE(echo, "WORD", 1)
{
	struct nl nl;

	nl_open(&nl, 0);
	/* nl_transact() takes as the reply only what has our seq. */
	if (!echo_check(&nl, argv[0], arg_word(argv[0], IPCLAB_NL_WORD_MAX), 0,
			"echo"))
		printf("echo: %s\n", argv[0]);
}

/* echo-sizes SEED SIZE...: 1..64000 bytes come back intact, more ERANGE. */
LAB_CASE(echo_sizes, "SEED SIZE...", -2)
{
	unsigned long seed = arg_num(argv[0], 0, 0xffffffffUL, "SEED");
	static unsigned char data[IPCLAB_NL_PAYLOAD_MAX + 16];
	struct nl nl;
	int i;

	nl_open(&nl, 0);
	for (i = 1; argv[i]; i++) {
		size_t size = arg_num(argv[i], 0, sizeof(data), "SIZE");
		__u32 st = rnd_seed(seed, i);
		int err;

		rnd_fill(data, size, &st);
		err = echo_check(&nl, data, size, !size ? EINVAL :
				 size > IPCLAB_NL_PAYLOAD_MAX ? ERANGE : 0,
				 "echo-sizes");
		printf("echo %zu bytes: %s\n", size,
		       err ? errname(-err) : "intact");
	}
}

/* stats WORD K: the counters move by exactly what we did. */
LAB_CASE(stats, "WORD K", 2)
{
	const char *word = argv[0];
	size_t len = arg_word(word, IPCLAB_NL_WORD_MAX);
	int k = arg_num(argv[1], 1, 1000, "K"), i;
	struct stats s0, s1;
	struct nl nl, sub;
	__u64 seq = 0;

	nl_open(&nl, 0);
	get_stats(&nl, &s0);
	for (i = 0; i < k; i++)
		if (echo_check(&nl, word, len, 0, "stats"))
			break;
	publish_ok(&nl, word, -1);	/* nobody listens: still ACK 0 */
	nl_open(&sub, 1);
	publish_ok(&nl, word, -1);
	expect_event(&sub, RECV_MS, "subscriber", word, &seq);
	get_stats(&nl, &s1);
	printf("delta: echoes=%llu echo_bytes=%llu events=%llu unheard=%llu overruns=%llu\n",
	       s1.echoes - s0.echoes, s1.echo_bytes - s0.echo_bytes,
	       s1.events - s0.events, s1.unheard - s0.unheard,
	       s1.overruns - s0.overruns);
	expect_eq("event seq, the last", seq, s1.events);
}

/* ack SEQ WORD: NLM_F_ACK brings an ACK (error 0) with the request's seq. */
LAB_CASE(ack, "SEQ WORD", 2)
{
	static const struct {
		const char *what;
		__u8 cmd;
		__u16 flags;
		int attr;		/* carries WORD, or 0 */
		int reply, acked, err;	/* what must come back */
	} t[] = {
		{ "echo with ACK", C(ECHO), NLM_F_ACK, A(PAYLOAD), 1, 1, 0 },
		{ "echo without ACK", C(ECHO), 0, A(PAYLOAD), 1, 0, 0 },
		{ "publish with ACK", C(PUBLISH), NLM_F_ACK, A(WORD), 0, 1, 0 },
		{ "publish without ACK", C(PUBLISH), 0, A(WORD), 0, 0, 0 },
		{ "bad echo without ACK", C(ECHO), 0, 0, 0, 1, EINVAL },
		{ "stats with ACK", C(STATS), NLM_F_ACK, 0, 1, 1, 0 },
	};
	__u32 seq = arg_num(argv[0], 1, 0x7fffffff, "SEQ");
	const char *word = argv[1];
	size_t i, len = arg_word(word, IPCLAB_NL_WORD_MAX);
	struct nlattr *p;
	struct answer a;
	struct nl nl;

	nl_open(&nl, 0);
	nl.seq = seq;
	for (i = 0; i < ARRAY_SIZE(t); i++, seq++) {
		ipclab_start(&nl, t[i].flags, t[i].cmd);
		if (t[i].attr)	/* a WORD with its NUL, a PAYLOAD without */
			msg_attr(t[i].attr, word, len + (t[i].attr == A(WORD)));
		nl_transact(&nl, &a, t[i].reply || t[i].acked ?
			    RECV_MS : QUIET_MS);
		if (a.reply && !(t[i].flags & NLM_F_ACK) && !nl_quiet(&nl))
			fail("%s: something came after the reply", t[i].what);
		p = a.reply ? genl_attr(a.nlh, A(PAYLOAD)) : NULL;
		printf("%s:", t[i].what);
		if (p)
			printf(" reply %.*s,", attr_len(p), (char *)attr_data(p));
		else if (a.reply)
			printf(" reply,");
		if (a.acked)
			printf(" %s %s for seq %u\n", a.err ? "error" : "ACK",
			       errname(a.err), seq);
		else
			printf(" nothing more\n");
		if (a.reply != t[i].reply || a.acked != t[i].acked ||
		    a.err != t[i].err)
			fail("%s: got reply %d, ACK %d, error %s; expected %d, %d, %s",
			     t[i].what, a.reply, a.acked, errname(a.err),
			     t[i].reply, t[i].acked, errname(t[i].err));
		if (a.reply && t[i].cmd == C(ECHO) &&
		    (!p || (size_t)attr_len(p) != len ||
		     memcmp(attr_data(p), word, len)))
			fail("%s: reply differs from %s", t[i].what, word);
	}
}

/* What an attribute of a malformed request holds. */
enum { D_WORD = 1, D_STR, D_EMPTY, D_EMPTY_STR, D_BIG, D_LONG, D_U16, D_MS };
/* What else is wrong with it. */
enum { Q_NLA_LONG = 1, Q_NLA_SHORT, Q_RESERVED, Q_FLAGS, Q_SHORT };

static const struct bad_request {
	const char *what;
	int want, miss;		/* the errno, the missing attribute */
	__u8 cmd, quirk;
	__u8 at[4];		/* attributes: type, data; type, data */
} bad_attrs[] = {
	{ "echo without payload", EINVAL, A(PAYLOAD), C(ECHO), 0, {} },
	{ "echo of 0 bytes", EINVAL, 0, C(ECHO), 0, { A(PAYLOAD), D_EMPTY } },
	{ "echo of 64001 bytes", ERANGE, 0, C(ECHO), 0, { A(PAYLOAD), D_BIG } },
	{ "echo with an attribute it does not take", EINVAL, 0, C(ECHO), 0,
	  { A(PAYLOAD), D_WORD, A(WORD), D_STR } },
	{ "echo with unknown attribute 99", EINVAL, 0, C(ECHO), 0,
	  { A(PAYLOAD), D_WORD, 99, D_WORD } },
	{ "attribute longer than the message", EINVAL, 0, C(ECHO), Q_NLA_LONG,
	  { A(PAYLOAD), D_WORD } },
	{ "attribute length below its header", EINVAL, 0, C(ECHO), Q_NLA_SHORT,
	  { A(PAYLOAD), D_WORD } },
	{ "publish without word", EINVAL, A(WORD), C(PUBLISH), 0, {} },
	{ "publish, word without NUL", EINVAL, 0, C(PUBLISH), 0,
	  { A(WORD), D_WORD } },
	{ "publish, empty word", EINVAL, 0, C(PUBLISH), 0,
	  { A(WORD), D_EMPTY_STR } },
	/* NLA_NUL_STRING: no NUL within the first 256 bytes. */
	{ "publish, word of 256 characters", EINVAL, 0, C(PUBLISH), 0,
	  { A(WORD), D_LONG } },
	{ "publish, 2-byte delay", EINVAL, 0, C(PUBLISH), 0,
	  { A(WORD), D_STR, A(DELAY_MS), D_U16 } },
	{ "publish, delay 10001 ms", ERANGE, 0, C(PUBLISH), 0,
	  { A(WORD), D_STR, A(DELAY_MS), D_MS } },
	{ "stats with an attribute", EINVAL, 0, C(STATS), 0,
	  { A(WORD), D_STR } },
}, bad_headers[] = {
	{ "genlmsghdr.reserved not 0", EINVAL, 0, C(ECHO), Q_RESERVED,
	  { A(PAYLOAD), D_WORD } },
	{ "stray nlmsg_flags", EINVAL, 0, C(STATS), Q_FLAGS, {} },
	{ "shorter than the genl header", EINVAL, 0, C(STATS), Q_SHORT, {} },
	{ "unknown command 99", EOPNOTSUPP, 0, 99, 0, {} },
	{ "event sent by user space", EOPNOTSUPP, 0, C(EVENT), 0,
	  { A(WORD), D_STR } },
	{ "command 0", EOPNOTSUPP, 0, C(UNSPEC), 0, {} },
};

/* Sends the @n requests of @t: each gets its errno; then echo works. */
static void bad_requests(const char *word, const struct bad_request *t,
			 size_t n)
{
	static char big[IPCLAB_NL_PAYLOAD_MAX + 1];
	static char longword[IPCLAB_NL_WORD_MAX + 2];	/* its NUL at the end */
	__u32 ms = IPCLAB_NL_DELAY_MAX_MS + 1;
	__u16 ms16 = 1;
	size_t i, len = arg_word(word, IPCLAB_NL_WORD_MAX);
	const struct {
		const void *p;
		size_t len;
	} data[] = {
		[D_WORD] = { word, len }, [D_STR] = { word, len + 1 },
		[D_EMPTY] = { "", 0 }, [D_EMPTY_STR] = { "", 1 },
		[D_BIG] = { big, sizeof(big) },
		[D_LONG] = { longword, sizeof(longword) },
		[D_U16] = { &ms16, sizeof(ms16) }, [D_MS] = { &ms, sizeof(ms) },
	};
	struct nl nl;

	nl_open(&nl, 0);
	memset(longword, 'x', sizeof(longword) - 1);
	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh = ipclab_start(&nl, 0, t[i].cmd);
		const __u8 *at = t[i].at;
		size_t dlen = data[at[1]].len;
		int q = t[i].quirk;

		if (at[1])
			msg_attr_raw(at[0], q == Q_NLA_LONG ? NLA_HDRLEN + 4096 :
				     q == Q_NLA_SHORT ? 2 : NLA_HDRLEN + dlen,
				     data[at[1]].p, dlen);
		if (at[3])
			msg_attr(at[2], data[at[3]].p, data[at[3]].len);
		if (q == Q_RESERVED)
			((struct genlmsghdr *)NLMSG_DATA(nlh))->reserved = 1;
		if (q == Q_FLAGS)
			nlh->nlmsg_flags |= NLM_F_APPEND;
		if (q == Q_SHORT)
			req.len = NLMSG_HDRLEN + 2;
		expect_reject(&nl, t[i].what, t[i].want, t[i].miss);
	}
	if (!echo_check(&nl, word, len, 0, "echo after bad input"))
		printf("echo after bad input: %s\n", word);
}

/* bad-input WORD: the policies refuse malformed attributes. */
LAB_CASE(bad_input, "WORD", 1)
{
	bad_requests(argv[0], bad_attrs, ARRAY_SIZE(bad_attrs));
}

/* bad-header WORD: malformed headers and unknown commands are refused. */
LAB_CASE(bad_header, "WORD", 1)
{
	bad_requests(argv[0], bad_headers, ARRAY_SIZE(bad_headers));
}

/*
 * PROCS COUNT SEED in @argv: PROCS processes with a socket each echo COUNT
 * payloads at once, each checks its own come back. With @stats, STATS
 * before and after must count every echo and byte.
 */
static void echo_race(char **argv, int stats)
{
	int procs = arg_num(argv[0], 1, MAX_PROCS, "PROCS");
	int count = arg_num(argv[1], 1, 10000, "COUNT");
	unsigned long seed = arg_num(argv[2], 0, 0xffffffffUL, "SEED");
	static unsigned char data[IPCLAB_NL_PAYLOAD_MAX];
	pid_t pids[MAX_PROCS];
	int tally[2], i;
	__u64 n, bytes = 0;
	struct stats s0, s1;
	struct nl nl;

	nl_open(&nl, 0);
	if (pipe(tally) < 0)
		die("pipe");
	get_stats(&nl, &s0);
	for (i = 0; i < procs; i++) {
		__u32 st = rnd_seed(seed, i);
		int j, ok = 0;

		pids[i] = xfork();
		if (pids[i])
			continue;
		nl_open(&nl, 0);
		for (n = 0, j = 0; j < count; j++) {
			size_t size = 1 + rnd_next(&st) % IPCLAB_NL_PAYLOAD_MAX;

			/* Bytes that name the process: a mix-up shows. */
			rnd_fill(data, size, &st);
			data[0] = i;
			if (echo_check(&nl, data, size, 0, "concurrent"))
				break;
			n += size;
			ok++;
		}
		printf("process %d: %d of %d echoes intact\n", i, ok, count);
		if (write(tally[1], &n, sizeof(n)) != sizeof(n))
			die("write tally");
		child_exit();
	}
	close(tally[1]);
	phase = "collecting the tallies";
	while (read(tally[0], &n, sizeof(n)) == sizeof(n))
		bytes += n;
	for (i = 0; i < procs; i++)
		reap(pids[i], "echo process");
	if (!stats)
		return;
	get_stats(&nl, &s1);
	printf("stats delta: echoes=%llu\n", s1.echoes - s0.echoes);
	expect_eq("stats delta echoes", s1.echoes - s0.echoes,
		  (__u64)procs * count);
	expect_eq("stats delta echo_bytes", s1.echo_bytes - s0.echo_bytes,
		  bytes);
}

/* concurrent PROCS COUNT SEED: each process gets its own payloads back. */
LAB_CASE(concurrent, "PROCS COUNT SEED", 3)
{
	echo_race(argv, 0);
}

/* concurrent-stats PROCS COUNT SEED: STATS counts every echo of them all. */
LAB_CASE(concurrent_stats, "PROCS COUNT SEED", 3)
{
	echo_race(argv, 1);
}
