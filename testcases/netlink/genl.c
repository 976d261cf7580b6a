// SPDX-License-Identifier: GPL-2.0
/*
 * Talks to the generic netlink family "ipclab" over raw netlink sockets (no
 * libnl): messages, attributes, the socket, request and answer, the family
 * lookup through nlctrl, and the family's commands.
 */
#include "netlink.h"

LAB_PROGRAM(.timeout_s = 40, .lost = "message", .err0 = "0");

struct msg req;

/* nlctrl's version is 1, as is IPCLAB_NL_VERSION. */
struct nlmsghdr *msg_start(__u16 type, __u16 flags, __u8 cmd)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)req.buf;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(req.buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g->cmd = cmd;
	g->version = IPCLAB_NL_VERSION;
	req.len = NLMSG_HDRLEN + GENL_HDRLEN;
	return nlh;
}

void msg_attr_raw(__u16 type, __u16 nla_len, const void *data, size_t len)
{
	struct nlattr *nla = (struct nlattr *)(req.buf + req.len);
	size_t size = NLA_ALIGN(NLA_HDRLEN + len);

	if (req.len + size > sizeof(req.buf)) {
		fail("message too large for the test's buffer");
		exit(KSFT_FAIL);
	}
	nla->nla_type = type;
	nla->nla_len = nla_len;
	memcpy(nla + 1, data, len);
	memset((char *)(nla + 1) + len, 0, size - NLA_HDRLEN - len);
	req.len += size;
}

static struct nlattr *attr_find(const void *start, int len, int type)
{
	const struct nlattr *nla = start;

	while (len >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&
	       nla->nla_len <= len) {
		if ((nla->nla_type & NLA_TYPE_MASK) == type)
			return (struct nlattr *)nla;
		len -= NLA_ALIGN(nla->nla_len);
		nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len));
	}
	return NULL;
}

/*
 * An integer attribute of exactly @size bytes, else 0. Host byte order: the
 * lab is x86-64, little-endian.
 */
static __u64 attr_uint(const struct nlattr *nla, size_t size)
{
	__u64 v = 0;

	if (nla && (size_t)attr_len(nla) == size && size <= sizeof(v))
		memcpy(&v, attr_data(nla), size);
	return v;
}

struct nlattr *genl_attr(const struct nlmsghdr *nlh, int type)
{
	return attr_find((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
			 nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), type);
}

/* Each attribute nested in @nest (NULL: none). */
#define for_each_nested(g, nest)					\
	for (g = (nest) ? attr_data(nest) : NULL;			\
	     g && (char *)g < (char *)(nest) + (nest)->nla_len &&	\
	     g->nla_len >= NLA_HDRLEN;					\
	     g = (void *)((char *)g + NLA_ALIGN(g->nla_len)))

/* ---- the socket ---- */

void nl_opt(struct nl *nl, int level, int name, int val, const char *what)
{
	if (setsockopt(nl->fd, level, name, &val, sizeof(val)) < 0)
		die(what);
}

void nl_open_raw(struct nl *nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->fd = netlink_socket(NETLINK_GENERIC, 0, &nl->portid);
	/* Error messages with the ACK; no copy of a large request in it. */
	NL_OPT(nl, SOL_NETLINK, NETLINK_EXT_ACK, 1);
	NL_OPT(nl, SOL_NETLINK, NETLINK_CAP_ACK, 1);
	nl->seq = 1;
}

int nl_find(struct nl *nl, struct family *f)
{
	if (nl_lookup(nl, IPCLAB_NL_FAMILY_NAME, f))
		return -1;
	nl->family = f->id;
	nl->group = f->events;
	return 0;
}

void nl_open(struct nl *nl, int join)
{
	struct family f;

	nl_open_raw(nl);
	if (nl_find(nl, &f) < 0 && errno == ENOENT) {
		printf("SKIP: no generic netlink family %s (is ipclab.ko loaded?)\n",
		       IPCLAB_NL_FAMILY_NAME);
		exit(KSFT_SKIP);
	}
	if (!nl->family)
		die("lookup " IPCLAB_NL_FAMILY_NAME);
	if (join)
		nl_join(nl, nl->group);
}

int nl_recv(struct nl *nl, int ms)
{
	return recv_within(nl->fd, nl->rx, sizeof(nl->rx), ms);
}

static void parse_error(struct nlmsghdr *nlh, struct answer *a)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = sizeof(*e);
	struct nlattr *nla;

	a->acked = 1;
	a->err = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	nla = attr_find((char *)e + off, nlh->nlmsg_len - NLMSG_HDRLEN - off,
			NLMSGERR_ATTR_MISS_TYPE);
	a->miss_type = attr_uint(nla, 4);	/* 0 when there is none */
}

/*
 * Send req and collect what comes back for it: done at an NLMSG_ERROR (error
 * or ACK), at a reply when no ACK was asked for, or after @ms of silence.
 * Netlink runs the handler inside sendto(), so what will come has already
 * been queued when sendto() returns. Events read meanwhile are dropped:
 * tests subscribe on sockets that do not send.
 */
void nl_transact(struct nl *nl, struct answer *a, int ms)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *req_nlh = (struct nlmsghdr *)req.buf;
	__u32 seq = nl->seq++;

	memset(a, 0, sizeof(*a));
	req_nlh->nlmsg_len = req.len;
	req_nlh->nlmsg_seq = seq;
	if (sendto(nl->fd, req.buf, req.len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) != (ssize_t)req.len)
		die("sendto");
	for (;;) {
		struct nlmsghdr *nlh;
		int len = nl_recv(nl, ms);

		if (len == -ETIMEDOUT)
			return;
		if (len < 0) {
			errno = -len;
			die("recv");
		}
		for (nlh = (struct nlmsghdr *)nl->rx; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != seq)
				continue;	/* an event, or a stale answer */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				parse_error(nlh, a);
				return;
			}
			a->reply = 1;
			/* The ACK's recv would overwrite rx: keep a copy. */
			memcpy(nl->reply, nlh, nlh->nlmsg_len);
			a->nlh = (struct nlmsghdr *)nl->reply;
			if (!(req_nlh->nlmsg_flags & NLM_F_ACK))
				return;
		}
	}
}

int nl_lookup(struct nl *nl, const char *name, struct family *f)
{
	struct nlattr *nla, *g;
	struct answer a;

	memset(f, 0, sizeof(*f));
	msg_start(GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	msg_str(CTRL_ATTR_FAMILY_NAME, name);
	nl_transact(nl, &a, RECV_MS);
	errno = a.acked && a.err ? a.err : ETIMEDOUT;
	if (!a.reply)
		return -1;
	f->id = attr_uint(genl_attr(a.nlh, CTRL_ATTR_FAMILY_ID), 2);
	f->version = attr_uint(genl_attr(a.nlh, CTRL_ATTR_VERSION), 4);

	/* CTRL_ATTR_OPS: a nest of nests, one per op */
	nla = genl_attr(a.nlh, CTRL_ATTR_OPS);
	for_each_nested(g, nla) {
		if (f->nops == (int)ARRAY_SIZE(f->ops))
			break;
		f->ops[f->nops++] = attr_uint(attr_find(attr_data(g), attr_len(g),
							CTRL_ATTR_OP_ID), 4);
	}

	/* CTRL_ATTR_MCAST_GROUPS: a nest of nests, name and id each */
	nla = genl_attr(a.nlh, CTRL_ATTR_MCAST_GROUPS);
	for_each_nested(g, nla) {
		struct nlattr *gname, *gid;

		gname = attr_find(attr_data(g), attr_len(g),
				  CTRL_ATTR_MCAST_GRP_NAME);
		gid = attr_find(attr_data(g), attr_len(g),
				CTRL_ATTR_MCAST_GRP_ID);
		if (!gname || !gid)
			continue;
		if (!strcmp(attr_data(gname), IPCLAB_NL_MCGRP_EVENTS))
			f->events = attr_uint(gid, 4);
		if (!strcmp(attr_data(gname), "notify"))
			f->notify = attr_uint(gid, 4);
	}
	return 0;
}

void expect_reject(struct nl *nl, const char *what, int want, int miss)
{
	const char *got;
	struct answer a;

	nl_transact(nl, &a, RECV_MS);
	got = !a.acked ? a.reply ? "a reply" : "nothing" :
	      a.err ? errname(a.err) : "ACK 0";
	if (what && a.miss_type)
		printf("%s: %s (missing attribute %d)\n", what, got, a.miss_type);
	else if (what)
		printf("%s: %s\n", what, got);
	if (!a.acked || a.err != want || a.miss_type != miss)
		fail("%s: got %s, missing attribute %d, expected %s, %d",
		     what ? what : "request", got, a.miss_type,
		     want ? errname(want) : "ACK 0", miss);
}

/* ---- the family's commands ---- */

/* PUBLISH @word with NLM_F_ACK into req; its DELAY_MS unless < 0. */
static void publish_msg(struct nl *nl, const char *word, long delay_ms)
{
	__u32 delay = delay_ms;

	ipclab_start(nl, NLM_F_ACK, C(PUBLISH));
	msg_str(A(WORD), word);
	if (delay_ms >= 0)
		msg_attr(A(DELAY_MS), &delay, sizeof(delay));
}

void publish_ack(struct nl *nl, const char *what, const char *word,
		 long delay_ms, int want)
{
	publish_msg(nl, word, delay_ms);
	expect_reject(nl, what, want, 0);
}

void publish_many(struct nl *nl, const char *word, int count)
{
	struct answer a;
	int i, bad = 0;

	for (i = 0; i < count; i++) {
		publish_msg(nl, word, -1);
		nl_transact(nl, &a, RECV_MS);
		if (!a.acked || a.err)
			bad++;
	}
	printf("published: %d, ACK 0 for %d\n", count, count - bad);
	if (bad)
		fail("publish: %d of %d not ACKed with 0", bad, count);
}

void get_stats(struct nl *nl, struct stats *s)
{
	struct answer a;

	ipclab_start(nl, 0, C(STATS));
	nl_transact(nl, &a, RECV_MS);
	if (!a.reply || genl_cmd(a.nlh) != C(STATS)) {
		fail("STATS: got %s, expected a STATS reply",
		     a.acked ? errname(a.err) : "nothing");
		exit(KSFT_FAIL);
	}
#define U64(type)	attr_uint(genl_attr(a.nlh, A(type)), 8)
	s->echoes = U64(ECHOES);
	s->echo_bytes = U64(ECHO_BYTES);
	s->events = U64(EVENTS);
	s->unheard = U64(UNHEARD);
	s->overruns = U64(OVERRUNS);
}

int echo_check(struct nl *nl, const void *data, size_t len, int want,
	       const char *who)
{
	struct answer a;
	struct nlattr *p;

	ipclab_start(nl, 0, C(ECHO));
	msg_attr(A(PAYLOAD), data, len);
	nl_transact(nl, &a, RECV_MS);
	if (!a.reply) {
		int err = !a.acked ? ETIMEDOUT : a.err ? a.err : EPROTO;

		if (err != want)
			fail("%s: echo of %zu bytes: got %s, expected %s", who,
			     len, !a.acked ? "nothing" : a.err ?
			     errname(a.err) : "an ACK without a reply",
			     want ? errname(want) : "it back");
		return -err;
	}
	p = genl_attr(a.nlh, A(PAYLOAD));
	if (want)
		fail("%s: echo of %zu bytes: got a reply, expected %s", who,
		     len, errname(want));
	else if (a.nlh->nlmsg_pid != nl->portid)
		fail("%s: reply to port %u, expected ours (%u)", who,
		     a.nlh->nlmsg_pid, nl->portid);
	else if (genl_cmd(a.nlh) != C(ECHO) || !p)
		fail("%s: reply: got cmd %u, expected ECHO with a payload",
		     who, genl_cmd(a.nlh));
	else if ((size_t)attr_len(p) != len)
		fail("%s: echo: got %d bytes back, expected %zu", who,
		     attr_len(p), len);
	else if (memcmp(attr_data(p), data, len))
		fail("%s: echo of %zu bytes: content differs", who, len);
	else
		return 0;
	return -EPROTO;
}

int next_event(struct nl *nl, int ms, char *word, __u64 *seq)
{
	for (;;) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)nl->rx;
		struct nlattr *w;
		int len = nl_recv(nl, ms);

		if (len < 0)
			return len;
		/* Each event is its own datagram. */
		if (!NLMSG_OK(nlh, len) || nlh->nlmsg_type != nl->family ||
		    genl_cmd(nlh) != C(EVENT))
			continue;
		w = genl_attr(nlh, A(WORD));
		snprintf(word, WORD_SIZE, "%s",
			 w ? (char *)attr_data(w) : "(no word)");
		*seq = attr_uint(genl_attr(nlh, A(SEQ)), 8);
		return 0;
	}
}

int expect_event(struct nl *nl, int ms, const char *who, const char *word,
		 __u64 *seq)
{
	char buf[WORD_SIZE];
	int err = next_event(nl, ms, buf, seq);

	errno = -err;
	print_word(who, buf, err ? -1 : (ssize_t)strlen(buf), word);
	return err;
}
