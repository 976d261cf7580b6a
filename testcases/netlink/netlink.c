// SPDX-License-Identifier: GPL-2.0
/*
 * Talks to the generic netlink family "ipclab" over raw netlink sockets (no
 * libnl), one subcommand per property: family lookup, echo, statistics,
 * ACKs, multicast events, lost events, bad input, concurrency and unloading;
 * exits 0 pass, 1 fail, 4 skip.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ipclab_uapi.h"

#define TIMEOUT_S	40	/* every blocking call ends by then */
#define RECV_MS		5000	/* a reply later than this is lost */
#define QUIET_MS	100	/* "nothing arrives" is checked this long */
#define BUF_SIZE	(128 * 1024)
#define MAX_PROCS	16
#define MAX_EVENTS	2000
#define LABTEST_LOST	"message"	/* named by the timeout message */
#define LABTEST_ERR0	"0"	/* errname(0) */

#include "labtest.h"

static const char *arg_word(const char *s)
{
	size_t len = strlen(s);

	if (len < 1 || len > IPCLAB_NL_WORD_MAX) {
		fail("usage: WORD must have 1..%d characters, got %zu",
		     IPCLAB_NL_WORD_MAX, len);
		exit(KSFT_FAIL);
	}
	return s;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Reap @pid as wait_pass() does; a timeout names @who itself. */
static void nl_reap(pid_t pid, const char *who)
{
	phase = who;
	wait_pass(pid, who);
}

/* ---- messages: struct nlmsghdr, struct genlmsghdr, attributes ---- */

struct msg {
	size_t len;
	unsigned char buf[BUF_SIZE];
};

static struct nlmsghdr *msg_start(struct msg *m, __u16 type, __u16 flags,
				  __u8 cmd, __u8 version)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g->cmd = cmd;
	g->version = version;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	return nlh;
}

/* Append one attribute; @nla_len is normally NLA_HDRLEN + @len. */
static void msg_attr_raw(struct msg *m, __u16 type, __u16 nla_len,
			 const void *data, size_t len)
{
	struct nlattr *nla = (struct nlattr *)(m->buf + m->len);

	if (m->len + NLA_ALIGN(NLA_HDRLEN + len) > sizeof(m->buf)) {
		fail("message too large for the test's buffer");
		exit(KSFT_FAIL);
	}
	nla->nla_type = type;
	nla->nla_len = nla_len;
	memcpy(nla + 1, data, len);
	memset((char *)(nla + 1) + len, 0,
	       NLA_ALIGN(NLA_HDRLEN + len) - NLA_HDRLEN - len);
	m->len += NLA_ALIGN(NLA_HDRLEN + len);
}

static void msg_attr(struct msg *m, __u16 type, const void *data, size_t len)
{
	msg_attr_raw(m, type, NLA_HDRLEN + len, data, len);
}

static void msg_str(struct msg *m, __u16 type, const char *s)
{
	msg_attr(m, type, s, strlen(s) + 1);
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

static void *attr_data(const struct nlattr *nla)
{
	return (char *)nla + NLA_HDRLEN;
}

static int attr_len(const struct nlattr *nla)
{
	return nla->nla_len - NLA_HDRLEN;
}

static __u64 attr_u64(const struct nlattr *nla)
{
	__u64 v = 0;

	if (nla && attr_len(nla) == sizeof(v))
		memcpy(&v, attr_data(nla), sizeof(v));
	return v;
}

static __u32 attr_u32(const struct nlattr *nla)
{
	__u32 v = 0;

	if (nla && attr_len(nla) == sizeof(v))
		memcpy(&v, attr_data(nla), sizeof(v));
	return v;
}

/* The attributes of a generic netlink message. */
static struct nlattr *genl_attr(const struct nlmsghdr *nlh, int type)
{
	return attr_find((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
			 nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), type);
}

static __u8 genl_cmd(const struct nlmsghdr *nlh)
{
	return ((const struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
}

/* ---- the socket ---- */

struct nl {
	int fd;
	__u32 portid;
	__u32 seq;
	__u16 family;		/* the family id of "ipclab" */
	__u32 group;		/* the id of its group "events" */
	unsigned char rx[BUF_SIZE];
	int rx_len;		/* bytes in rx from the last recv */
	unsigned char reply[BUF_SIZE];	/* the last reply, kept */
};

/* What came back for one request. */
struct answer {
	int reply;		/* a message of the family with our seq */
	int acked;		/* an NLMSG_ERROR with our seq came */
	int err;		/* its error: 0 (an ACK) or a positive errno */
	__u32 seq;		/* nlmsg_seq of what came */
	__u32 reply_portid;
	int miss_type;		/* extack: the missing attribute, or -1 */
	char extack[128];	/* extack: the error message */
	struct nlmsghdr *nlh;	/* the reply, kept in nl->reply */
};

static void nl_open_raw(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t salen = sizeof(sa);
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		die("socket(AF_NETLINK, NETLINK_GENERIC)");
	/* Error messages with the ACK; no copy of a large request in it. */
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) < 0 ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
		       sizeof(one)) < 0)
		die("setsockopt NETLINK_EXT_ACK/CAP_ACK");
	/* nl_pid 0: the kernel picks our port id. */
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (getsockname(nl->fd, (struct sockaddr *)&sa, &salen) < 0)
		die("getsockname");
	nl->portid = sa.nl_pid;
	nl->seq = 1;
}

static void nl_send(struct nl *nl, struct msg *m)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	ssize_t n;

	nlh->nlmsg_len = m->len;
	nlh->nlmsg_seq = nl->seq++;
	nlh->nlmsg_pid = 0;
	n = sendto(nl->fd, m->buf, m->len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel));
	if (n != (ssize_t)m->len)
		die("sendto");
}

/* One datagram within @ms: its length, or -errno (-ETIMEDOUT). */
static int nl_recv(struct nl *nl, int ms)
{
	struct pollfd p = { .fd = nl->fd, .events = POLLIN };
	ssize_t n;
	int ret;

	ret = poll(&p, 1, ms);
	if (ret < 0)
		die("poll");
	if (ret == 0)
		return -ETIMEDOUT;
	n = recv(nl->fd, nl->rx, sizeof(nl->rx), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -errno;
	if (n > (ssize_t)sizeof(nl->rx)) {
		fail("datagram of %zd bytes truncated to %zu", n,
		     sizeof(nl->rx));
		exit(KSFT_FAIL);
	}
	nl->rx_len = n;
	return n;
}

static void parse_error(struct nlmsghdr *nlh, struct answer *a)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = sizeof(*e);
	struct nlattr *nla;
	int len;

	a->acked = 1;
	a->err = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	len = nlh->nlmsg_len - NLMSG_HDRLEN - off;
	nla = attr_find((char *)e + off, len, NLMSGERR_ATTR_MSG);
	if (nla)
		snprintf(a->extack, sizeof(a->extack), "%.*s",
			 attr_len(nla), (char *)attr_data(nla));
	nla = attr_find((char *)e + off, len, NLMSGERR_ATTR_MISS_TYPE);
	if (nla)
		a->miss_type = attr_u32(nla);
}

/*
 * Send @m and collect what comes back for it: done at an NLMSG_ERROR (error
 * or ACK), at a reply when no ACK was asked for, or after @ms of silence.
 * Netlink runs the handler inside sendto(), so what will come has already
 * been queued when sendto() returns. Events read meanwhile are dropped:
 * tests subscribe on sockets that do not send.
 */
static void nl_transact(struct nl *nl, struct msg *m, struct answer *a,
			int ms)
{
	struct nlmsghdr *req = (struct nlmsghdr *)m->buf;
	int ack = req->nlmsg_flags & NLM_F_ACK;
	__u32 seq = nl->seq;

	memset(a, 0, sizeof(*a));
	a->miss_type = -1;
	nl_send(nl, m);
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
			a->seq = nlh->nlmsg_seq;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				parse_error(nlh, a);
				return;
			}
			a->reply = 1;
			/* The ACK's recv would overwrite rx: keep a copy. */
			memcpy(nl->reply, nlh, nlh->nlmsg_len);
			a->nlh = (struct nlmsghdr *)nl->reply;
			a->reply_portid = nlh->nlmsg_pid;
			if (!ack)
				return;
		}
	}
}

/* Is anything queued on the socket? For "nothing else came" checks. */
static int nl_quiet(struct nl *nl)
{
	return nl_recv(nl, QUIET_MS) == -ETIMEDOUT;
}

struct family {
	__u16 id;
	__u32 version;
	__u32 maxattr;
	int nops;
	__u32 ops[32];
	__u32 events;		/* group id of IPCLAB_NL_MCGRP_EVENTS, or 0 */
	__u32 notify;		/* group id of "notify" (nlctrl), or 0 */
};

/* CTRL_CMD_GETFAMILY: 0 or -errno (-ENOENT: no such family). */
static int nl_lookup(struct nl *nl, const char *name, struct family *f)
{
	static struct msg m;
	struct nlattr *nla, *g;
	struct answer a;

	memset(f, 0, sizeof(*f));
	msg_start(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	msg_str(&m, CTRL_ATTR_FAMILY_NAME, name);
	nl_transact(nl, &m, &a, RECV_MS);
	if (a.acked && a.err)
		return -a.err;
	if (!a.reply)
		return -ETIMEDOUT;
	nla = genl_attr(a.nlh, CTRL_ATTR_FAMILY_ID);
	f->id = nla ? *(__u16 *)attr_data(nla) : 0;
	f->version = attr_u32(genl_attr(a.nlh, CTRL_ATTR_VERSION));
	f->maxattr = attr_u32(genl_attr(a.nlh, CTRL_ATTR_MAXATTR));

	/* CTRL_ATTR_OPS: a nest of nests, one per op */
	nla = genl_attr(a.nlh, CTRL_ATTR_OPS);
	for (g = nla ? attr_data(nla) : NULL;
	     g && (char *)g < (char *)nla + nla->nla_len &&
	     g->nla_len >= NLA_HDRLEN && f->nops < (int)ARRAY_SIZE(f->ops);
	     g = (void *)((char *)g + NLA_ALIGN(g->nla_len)))
		f->ops[f->nops++] = attr_u32(attr_find(attr_data(g),
						       attr_len(g),
						       CTRL_ATTR_OP_ID));

	/* CTRL_ATTR_MCAST_GROUPS: a nest of nests, name and id each */
	nla = genl_attr(a.nlh, CTRL_ATTR_MCAST_GROUPS);
	for (g = nla ? attr_data(nla) : NULL;
	     g && (char *)g < (char *)nla + nla->nla_len &&
	     g->nla_len >= NLA_HDRLEN;
	     g = (void *)((char *)g + NLA_ALIGN(g->nla_len))) {
		struct nlattr *gname, *gid;

		gname = attr_find(attr_data(g), attr_len(g),
				  CTRL_ATTR_MCAST_GRP_NAME);
		gid = attr_find(attr_data(g), attr_len(g),
				CTRL_ATTR_MCAST_GRP_ID);
		if (!gname || !gid)
			continue;
		if (!strcmp(attr_data(gname), IPCLAB_NL_MCGRP_EVENTS))
			f->events = attr_u32(gid);
		if (!strcmp(attr_data(gname), "notify"))
			f->notify = attr_u32(gid);
	}
	return 0;
}

/* A socket that knows the family; SKIP when the module is not loaded. */
static void nl_open(struct nl *nl)
{
	struct family f;
	int err;

	nl_open_raw(nl);
	err = -nl_lookup(nl, IPCLAB_NL_FAMILY_NAME, &f);
	if (err == ENOENT) {
		printf("SKIP: no generic netlink family %s (is ipclab.ko loaded?)\n",
		       IPCLAB_NL_FAMILY_NAME);
		exit(KSFT_SKIP);
	}
	if (err) {
		fail("lookup %s: got %s, expected the family",
		     IPCLAB_NL_FAMILY_NAME, errname(err));
		exit(KSFT_FAIL);
	}
	nl->family = f.id;
	nl->group = f.events;
}

static void nl_join(struct nl *nl, __u32 group)
{
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group)) < 0)
		die("setsockopt NETLINK_ADD_MEMBERSHIP");
}

static void nl_set_rcvbuf(struct nl *nl, int size, int force)
{
	if (setsockopt(nl->fd, SOL_SOCKET, force ? SO_RCVBUFFORCE : SO_RCVBUF,
		       &size, sizeof(size)) < 0)
		die("setsockopt SO_RCVBUF");
}

/* ---- the family's commands ---- */

static struct msg req;

static void do_echo(struct nl *nl, const void *data, size_t len, __u16 flags,
		    struct answer *a)
{
	msg_start(&req, nl->family, flags, IPCLAB_NL_CMD_ECHO,
		  IPCLAB_NL_VERSION);
	msg_attr(&req, IPCLAB_NL_A_PAYLOAD, data, len);
	nl_transact(nl, &req, a, RECV_MS);
}

static void do_publish(struct nl *nl, const char *word, long delay_ms,
		       __u16 flags, struct answer *a)
{
	__u32 delay = delay_ms;

	msg_start(&req, nl->family, flags, IPCLAB_NL_CMD_PUBLISH,
		  IPCLAB_NL_VERSION);
	msg_str(&req, IPCLAB_NL_A_WORD, word);
	if (delay_ms >= 0)
		msg_attr(&req, IPCLAB_NL_A_DELAY_MS, &delay, sizeof(delay));
	nl_transact(nl, &req, a, (flags & NLM_F_ACK) ? RECV_MS : QUIET_MS);
}

/* PUBLISH with NLM_F_ACK; FAIL unless the ACK says 0. */
static void publish_ok(struct nl *nl, const char *word, long delay_ms)
{
	struct answer a;

	do_publish(nl, word, delay_ms, NLM_F_ACK, &a);
	if (!a.acked || a.err)
		fail("publish %s: got %s, expected ACK 0", word,
		     a.acked ? errname(a.err) : "nothing");
}

struct stats {
	__u64 echoes, echo_bytes, events, unheard, overruns;
};

static void get_stats(struct nl *nl, struct stats *s)
{
	struct answer a;

	msg_start(&req, nl->family, 0, IPCLAB_NL_CMD_STATS, IPCLAB_NL_VERSION);
	nl_transact(nl, &req, &a, RECV_MS);
	if (!a.reply || genl_cmd(a.nlh) != IPCLAB_NL_CMD_STATS) {
		fail("STATS: got %s, expected a STATS reply",
		     a.acked ? errname(a.err) : "nothing");
		exit(KSFT_FAIL);
	}
	s->echoes = attr_u64(genl_attr(a.nlh, IPCLAB_NL_A_ECHOES));
	s->echo_bytes = attr_u64(genl_attr(a.nlh, IPCLAB_NL_A_ECHO_BYTES));
	s->events = attr_u64(genl_attr(a.nlh, IPCLAB_NL_A_EVENTS));
	s->unheard = attr_u64(genl_attr(a.nlh, IPCLAB_NL_A_UNHEARD));
	s->overruns = attr_u64(genl_attr(a.nlh, IPCLAB_NL_A_OVERRUNS));
}

/* Echo @len bytes and compare; 0 or -errno (-EPROTO: wrong reply). */
static int echo_check(struct nl *nl, const void *data, size_t len,
		      const char *who)
{
	struct nlattr *p;
	struct answer a;

	do_echo(nl, data, len, 0, &a);
	if (a.acked)
		return a.err ? -a.err : -EPROTO;
	if (!a.reply) {
		fail("%s: echo of %zu bytes: no reply within %d ms", who, len,
		     RECV_MS);
		return -ETIMEDOUT;
	}
	p = genl_attr(a.nlh, IPCLAB_NL_A_PAYLOAD);
	if (genl_cmd(a.nlh) != IPCLAB_NL_CMD_ECHO || !p) {
		fail("%s: reply: got cmd %u, expected ECHO with a payload",
		     who, genl_cmd(a.nlh));
		return -EPROTO;
	}
	if ((size_t)attr_len(p) != len) {
		fail("%s: echo: got %d bytes back, expected %zu", who,
		     attr_len(p), len);
		return -EPROTO;
	}
	if (memcmp(attr_data(p), data, len)) {
		fail("%s: echo of %zu bytes: content differs", who, len);
		return -EPROTO;
	}
	return 0;
}

/* The next EVENT on @nl within @ms: 0, -ETIMEDOUT or -errno (ENOBUFS). */
static int next_event(struct nl *nl, int ms, char *word, size_t size,
		      __u64 *seq)
{
	for (;;) {
		struct nlmsghdr *nlh;
		int len = nl_recv(nl, ms);

		if (len < 0)
			return len;
		/* Each event is its own datagram. */
		nlh = (struct nlmsghdr *)nl->rx;
		if (!NLMSG_OK(nlh, len) || nlh->nlmsg_type != nl->family ||
		    genl_cmd(nlh) != IPCLAB_NL_CMD_EVENT)
			continue;
		snprintf(word, size, "%s", genl_attr(nlh, IPCLAB_NL_A_WORD) ?
			 (char *)attr_data(genl_attr(nlh, IPCLAB_NL_A_WORD)) :
			 "(no word)");
		*seq = attr_u64(genl_attr(nlh, IPCLAB_NL_A_SEQ));
		return 0;
	}
}

/* ---- subcommands ---- */

static const char *const cmd_names[] = {
	[IPCLAB_NL_CMD_ECHO] = "echo",
	[IPCLAB_NL_CMD_STATS] = "stats",
	[IPCLAB_NL_CMD_PUBLISH] = "publish",
	[IPCLAB_NL_CMD_EVENT] = "event",
};

/* family NAME: CTRL_CMD_GETFAMILY for "ipclab", then for a name that's not. */
static void cmd_family(char **argv)
{
	const char *bogus = arg_word(argv[0]);
	struct family f;
	struct nl nl;
	int i, err;

	nl_open_raw(&nl);
	err = -nl_lookup(&nl, IPCLAB_NL_FAMILY_NAME, &f);
	if (err) {
		fail("lookup %s: got %s, expected the family",
		     IPCLAB_NL_FAMILY_NAME, errname(err));
		exit(KSFT_FAIL);
	}
	printf("family: %s version %u\n", IPCLAB_NL_FAMILY_NAME, f.version);
	if (f.id < GENL_MIN_ID || f.id == GENL_ID_CTRL)
		fail("family id: got %u, expected a dynamic id above %d",
		     f.id, GENL_ID_CTRL);
	else
		printf("family id: dynamic\n");
	printf("ops:");
	for (i = 0; i < f.nops; i++)
		if (f.ops[i] < ARRAY_SIZE(cmd_names) && cmd_names[f.ops[i]])
			printf(" %s", cmd_names[f.ops[i]]);
		else
			printf(" %u", f.ops[i]);
	printf("\n");
	if (f.events)
		printf("group: %s\n", IPCLAB_NL_MCGRP_EVENTS);
	else
		fail("group %s: missing", IPCLAB_NL_MCGRP_EVENTS);

	err = -nl_lookup(&nl, bogus, &f);
	printf("lookup %s: %s\n", bogus, err ? errname(err) : "found");
	if (err != ENOENT)
		fail("lookup %s: got %s, expected ENOENT", bogus,
		     err ? errname(err) : "a family");
}

/* echo WORD: the reply carries the same bytes, to our port, our seq. */
static void cmd_echo(char **argv)
{
	const char *word = arg_word(argv[0]);
	struct nlattr *p;
	struct answer a;
	struct nl nl;
	__u32 seq;

	nl_open(&nl);
	seq = nl.seq;
	do_echo(&nl, word, strlen(word), 0, &a);
	if (!a.reply) {
		fail("echo: got %s, expected a reply",
		     a.acked ? errname(a.err) : "nothing");
		return;
	}
	p = genl_attr(a.nlh, IPCLAB_NL_A_PAYLOAD);
	printf("echo: %.*s\n", p ? attr_len(p) : 0,
	       p ? (char *)attr_data(p) : "");
	if (!p || (size_t)attr_len(p) != strlen(word) ||
	    memcmp(attr_data(p), word, strlen(word)))
		fail("echo: the payload differs from \"%s\"", word);
	if (a.seq != seq || a.reply_portid != nl.portid)
		fail("reply: got seq %u port %u, expected seq %u port %u",
		     a.seq, a.reply_portid, seq, nl.portid);
	else
		printf("reply: our seq, our port\n");
}

/* echo-sizes SEED SIZE...: payloads of these sizes come back intact. */
static void cmd_echo_sizes(char **argv)
{
	unsigned long seed = arg_num(argv[0], 0, 0xffffffffUL, "SEED");
	static unsigned char data[IPCLAB_NL_PAYLOAD_MAX + 16];
	struct nl nl;
	int i;

	nl_open(&nl);
	for (i = 1; argv[i]; i++) {
		size_t size = arg_num(argv[i], 0, sizeof(data), "SIZE");
		__u32 st = rnd_seed(seed, i);
		size_t j;
		int err;

		for (j = 0; j < size; j++)
			data[j] = rnd_next(&st) >> 24;
		err = echo_check(&nl, data, size, "echo-sizes");
		printf("echo %zu bytes: %s\n", size,
		       err ? errname(-err) : "intact");
	}
}

/* stats WORD K: the counters move by exactly what we did. */
static void cmd_stats(char **argv)
{
	const char *word = arg_word(argv[0]);
	int k = arg_num(argv[1], 1, 1000, "K"), i;
	struct stats s0, s1;
	char got[IPCLAB_NL_WORD_MAX + 1];
	struct nl nl, sub;
	__u64 seq = 0;

	nl_open(&nl);
	get_stats(&nl, &s0);
	for (i = 0; i < k; i++)
		if (echo_check(&nl, word, strlen(word), "stats"))
			break;
	publish_ok(&nl, word, -1);	/* nobody listens: still ACK 0 */
	nl_open(&sub);
	nl_join(&sub, sub.group);
	publish_ok(&nl, word, -1);
	if (next_event(&sub, RECV_MS, got, sizeof(got), &seq))
		fail("subscriber: no event");
	get_stats(&nl, &s1);
	printf("delta: echoes=%llu echo_bytes=%llu events=%llu unheard=%llu overruns=%llu\n",
	       s1.echoes - s0.echoes, s1.echo_bytes - s0.echo_bytes,
	       s1.events - s0.events, s1.unheard - s0.unheard,
	       s1.overruns - s0.overruns);
	if (seq != s1.events)
		fail("event seq: got %llu, expected the last (%llu)",
		     (unsigned long long)seq, (unsigned long long)s1.events);
	else
		printf("event seq: the last counted\n");
}

static void print_answer(const char *what, struct answer *a, __u32 seq,
			 const char *word)
{
	struct nlattr *p = a->reply ? genl_attr(a->nlh, IPCLAB_NL_A_PAYLOAD) :
			   NULL;

	printf("%s:", what);
	if (a->reply && p)
		printf(" reply %.*s,", attr_len(p), (char *)attr_data(p));
	else if (a->reply)
		printf(" reply,");
	if (a->acked)
		printf(" %s %s for seq %u\n", a->err ? "error" : "ACK",
		       errname(a->err), a->seq);
	else
		printf(" nothing more\n");
	if ((a->reply || a->acked) && a->seq != seq)
		fail("%s: got seq %u, expected %u", what, a->seq, seq);
	if (p && word && ((size_t)attr_len(p) != strlen(word) ||
			  memcmp(attr_data(p), word, strlen(word))))
		fail("%s: reply differs from %s", what, word);
}

/* ack SEQ WORD: NLM_F_ACK brings an ACK (error 0) with the request's seq. */
static void cmd_ack(char **argv)
{
	__u32 seq = arg_num(argv[0], 1, 0x7fffffff, "SEQ");
	const char *word = arg_word(argv[1]);
	struct answer a;
	struct nl nl;

	nl_open(&nl);
	nl.seq = seq;

	do_echo(&nl, word, strlen(word), NLM_F_ACK, &a);
	print_answer("echo with ACK", &a, seq, word);
	do_echo(&nl, word, strlen(word), 0, &a);
	if (!nl_quiet(&nl))
		fail("echo without ACK: something came after the reply");
	print_answer("echo without ACK", &a, seq + 1, word);
	do_publish(&nl, word, -1, NLM_F_ACK, &a);
	print_answer("publish with ACK", &a, seq + 2, NULL);
	do_publish(&nl, word, -1, 0, &a);
	print_answer("publish without ACK", &a, seq + 3, NULL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_ECHO, IPCLAB_NL_VERSION);
	nl_transact(&nl, &req, &a, RECV_MS);
	print_answer("bad echo without ACK", &a, seq + 4, NULL);

	msg_start(&req, nl.family, NLM_F_ACK, IPCLAB_NL_CMD_STATS,
		  IPCLAB_NL_VERSION);
	nl_transact(&nl, &req, &a, RECV_MS);
	print_answer("stats with ACK", &a, seq + 5, NULL);
}

/* multicast N BEFORE WORD: N subscribers each get WORD, none gets BEFORE. */
static void cmd_multicast(char **argv)
{
	int n = arg_num(argv[0], 1, MAX_PROCS, "N");
	const char *before = arg_word(argv[1]);
	const char *word = arg_word(argv[2]);
	int ready[2], seqs[2], i, got = 0;
	char buf[IPCLAB_NL_WORD_MAX + 1];
	pid_t pids[MAX_PROCS];
	__u64 seq, first = 0;
	struct nl nl, drop;
	struct answer a;

	nl_open(&nl);
	publish_ok(&nl, before, -1);
	printf("published before anyone joined: %s\n", before);
	if (pipe(ready) < 0 || pipe(seqs) < 0)
		die("pipe");

	for (i = 0; i < n; i++) {
		pids[i] = xfork();
		if (pids[i])
			continue;
		nl_open(&nl);
		nl_join(&nl, nl.group);
		if (write(ready[1], "r", 1) != 1)
			die("write ready");
		phase = "subscriber waiting for the event";
		if (next_event(&nl, RECV_MS, buf, sizeof(buf), &seq)) {
			fail("subscriber %d: no event within %d ms", i,
			     RECV_MS);
			child_exit();
		}
		printf("subscriber %d: %s\n", i, buf);
		if (strcmp(buf, word))
			fail("subscriber %d: got %s, expected %s", i, buf,
			     word);
		if (!nl_quiet(&nl))
			fail("subscriber %d: a second event came", i);
		if (write(seqs[1], &seq, sizeof(seq)) != sizeof(seq))
			die("write seq");
		child_exit();
	}
	close(seqs[1]);
	phase = "waiting for the subscribers to join";
	for (i = 0; i < n; i++)
		if (read(ready[0], buf, 1) != 1)
			die("read ready");

	/* A socket that joins and leaves again hears nothing. */
	nl_open(&drop);
	nl_join(&drop, drop.group);
	if (setsockopt(drop.fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP,
		       &drop.group, sizeof(drop.group)) < 0)
		die("setsockopt NETLINK_DROP_MEMBERSHIP");

	do_publish(&nl, word, -1, NLM_F_ACK, &a);
	printf("publisher: ACK %s\n", a.acked ? errname(a.err) : "missing");
	phase = "collecting the subscribers' seqs";
	while (read(seqs[0], &seq, sizeof(seq)) == sizeof(seq)) {
		if (got++ == 0)
			first = seq;
		else if (seq != first)
			fail("seq: subscribers got %llu and %llu, expected one",
			     (unsigned long long)first,
			     (unsigned long long)seq);
	}
	for (i = 0; i < n; i++)
		nl_reap(pids[i], "subscriber");
	printf("subscribers: %d of %d got the same event\n", got, n);
	printf("publisher, not subscribed: %s\n",
	       nl_quiet(&nl) ? "nothing" : "an event");
	printf("after DROP_MEMBERSHIP: %s\n",
	       nl_quiet(&drop) ? "nothing" : "an event");
}

/* delayed WORD MS: the kernel sends after the requester has gone. */
static void cmd_delayed(char **argv)
{
	const char *word = arg_word(argv[0]);
	long ms = arg_num(argv[1], 1, IPCLAB_NL_DELAY_MAX_MS, "MS");
	char buf[IPCLAB_NL_WORD_MAX + 1];
	struct timespec t0;
	struct nl sub;
	long waited;
	__u64 seq;
	pid_t pid;
	int err;

	nl_open(&sub);
	nl_join(&sub, sub.group);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = xfork();
	if (pid == 0) {
		struct answer a;
		struct nl nl;

		nl_open(&nl);
		do_publish(&nl, word, ms, NLM_F_ACK, &a);
		printf("requester: ACK %s\n",
		       a.acked ? errname(a.err) : "missing");
		if (!a.acked || a.err)
			fail("requester: expected ACK 0");
		do_publish(&nl, word, ms, NLM_F_ACK, &a);
		printf("second delayed publish: %s\n",
		       a.acked ? errname(a.err) : "missing");
		if (!a.acked || a.err != EBUSY)
			fail("second delayed publish: expected EBUSY");
		close(nl.fd);
		child_exit();
	}
	nl_reap(pid, "requester");
	waited = elapsed_ms(&t0);
	if (waited >= ms)
		fail("requester took %ld ms, longer than the delay", waited);
	else
		printf("requester: exited, no request in flight\n");

	phase = "waiting for the delayed event";
	err = next_event(&sub, ms + RECV_MS, buf, sizeof(buf), &seq);
	waited = elapsed_ms(&t0);
	if (err) {
		fail("event: got %s, expected %s", errname(-err), word);
		return;
	}
	printf("event from the kernel: %s\n", buf);
	if (strcmp(buf, word))
		fail("event: got %s, expected %s", buf, word);
	if (waited < ms)
		fail("event came after %ld ms, expected >= %ld", waited, ms);
	else
		printf("event came after the delay: yes\n");
}

/*
 * A subscriber that does not read: publish @count events, then read what
 * the socket kept. Returns how many arrived; *enobufs says if recv failed.
 */
static int drain_events(struct nl *s, __u64 first, int count, int *enobufs,
			int *gaps_lost)
{
	char buf[IPCLAB_NL_WORD_MAX + 1];
	__u64 seq, expect = first;
	int got = 0, err;

	*enobufs = 0;
	*gaps_lost = 0;
	for (;;) {
		err = next_event(s, QUIET_MS, buf, sizeof(buf), &seq);
		if (err == -ENOBUFS) {
			*enobufs = 1;
			continue;
		}
		if (err)
			break;
		got++;
		if (seq < expect)
			fail("seq went back: got %llu, expected >= %llu",
			     (unsigned long long)seq,
			     (unsigned long long)expect);
		else
			*gaps_lost += seq - expect;
		expect = seq + 1;
	}
	/* Events lost after the last one received: the tail. */
	*gaps_lost += first + count - expect;
	return got;
}

static void publish_many(struct nl *nl, const char *word, int count)
{
	struct answer a;
	int i, bad = 0;

	for (i = 0; i < count; i++) {
		do_publish(nl, word, -1, NLM_F_ACK, &a);
		if (!a.acked || a.err)
			bad++;
	}
	printf("published: %d, ACK 0 for %d\n", count, count - bad);
	if (bad)
		fail("publish: %d of %d not ACKed with 0", bad, count);
}

/* overrun COUNT WORD: a subscriber that does not keep up loses events. */
static void cmd_overrun(char **argv)
{
	int count = arg_num(argv[0], 1, MAX_EVENTS, "COUNT");
	const char *word = arg_word(argv[1]);
	int got, enobufs, lost, one = 1;
	struct stats s0, s1;
	struct nl nl, slow;

	nl_open(&nl);
	nl_open(&slow);
	nl_set_rcvbuf(&slow, 1, 0);	/* the kernel's minimum */
	/* Tell the sender too when this socket loses an event. */
	if (setsockopt(slow.fd, SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one,
		       sizeof(one)) < 0)
		die("setsockopt NETLINK_BROADCAST_ERROR");
	nl_join(&slow, slow.group);
	get_stats(&nl, &s0);
	publish_many(&nl, word, count);
	get_stats(&nl, &s1);
	printf("kernel: overruns=%llu\n", s1.overruns - s0.overruns);

	got = drain_events(&slow, s0.events + 1, count, &enobufs, &lost);
	printf("slow subscriber: recv %s\n", enobufs ? "ENOBUFS" : "no error");
	printf("slow subscriber: received %d of %d\n", got, count);
	if (got >= count || !enobufs)
		fail("slow subscriber: expected lost events and ENOBUFS");
	if (lost != count - got)
		fail("seq gaps: got %d missing, expected %d", lost,
		     count - got);
	else
		printf("slow subscriber: the seq gaps account for all %d lost\n",
		       lost);
}

/*
 * resync COUNT WORD: the remedies. A big receive buffer keeps every event;
 * a small one learns exactly what it lost from SEQ, even when told nothing
 * (NETLINK_NO_ENOBUFS), and resynchronises from STATS.
 */
static void cmd_resync(char **argv)
{
	int count = arg_num(argv[0], 1, MAX_EVENTS, "COUNT");
	const char *word = arg_word(argv[1]);
	int got, enobufs, lost, one = 1;
	struct nl nl, big, quiet;
	struct stats s0, s1;

	nl_open(&nl);
	nl_open(&big);
	nl_set_rcvbuf(&big, 8 << 20, 1);
	nl_join(&big, big.group);
	nl_open(&quiet);
	nl_set_rcvbuf(&quiet, 1, 0);
	if (setsockopt(quiet.fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one,
		       sizeof(one)) < 0)
		die("setsockopt NETLINK_NO_ENOBUFS");
	nl_join(&quiet, quiet.group);

	get_stats(&nl, &s0);
	publish_many(&nl, word, count);

	got = drain_events(&big, s0.events + 1, count, &enobufs, &lost);
	printf("big buffer: received %d of %d, %d missing, recv %s\n", got,
	       count, lost, enobufs ? "ENOBUFS" : "no error");
	if (got != count || lost || enobufs)
		fail("big buffer: expected all %d events", count);

	got = drain_events(&quiet, s0.events + 1, count, &enobufs, &lost);
	printf("small buffer, NETLINK_NO_ENOBUFS: recv %s\n",
	       enobufs ? "ENOBUFS" : "no error");
	get_stats(&nl, &s1);
	printf("small buffer: received %d, seq gaps say %d lost, STATS says %llu sent\n",
	       got, lost, s1.events - s0.events);
	if (got + lost != (int)(s1.events - s0.events) || !lost)
		fail("resync: received %d + lost %d, expected %llu sent with some lost",
		     got, lost, s1.events - s0.events);
	else
		printf("small buffer: resynced, received + lost = sent\n");
}

/* One malformed request: prints "WHAT: ERRNO"; FAIL unless @want. */
static void expect_reject(struct nl *nl, const char *what, int want)
{
	struct answer a;

	nl_transact(nl, &req, &a, RECV_MS);
	if (!a.acked) {
		printf("%s: %s\n", what, a.reply ? "a reply" : "nothing");
		fail("%s: got %s, expected %s", what,
		     a.reply ? "a reply" : "nothing", errname(want));
		return;
	}
	printf("%s: %s", what, errname(a.err));
	if (a.miss_type >= 0)
		printf(" (missing attribute %d)", a.miss_type);
	printf("\n");
	if (a.err != want)
		fail("%s: got %s, expected %s", what, errname(a.err),
		     errname(want));
}

/* bad-input WORD: every malformed request gets its errno, then echo works. */
static void cmd_bad_input(char **argv)
{
	const char *word = arg_word(argv[0]);
	char longword[IPCLAB_NL_WORD_MAX + 2];
	static char big[IPCLAB_NL_PAYLOAD_MAX + 1];
	struct genlmsghdr *g;
	struct nlmsghdr *nlh;
	__u32 delay = IPCLAB_NL_DELAY_MAX_MS + 1;
	__u16 delay16 = 1;
	struct nl nl;

	nl_open(&nl);
	memset(longword, 'x', sizeof(longword) - 1);
	longword[sizeof(longword) - 1] = '\0';

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_ECHO, IPCLAB_NL_VERSION);
	expect_reject(&nl, "echo without payload", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_ECHO, IPCLAB_NL_VERSION);
	msg_attr(&req, IPCLAB_NL_A_PAYLOAD, "", 0);
	expect_reject(&nl, "echo of 0 bytes", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_ECHO, IPCLAB_NL_VERSION);
	msg_attr(&req, IPCLAB_NL_A_PAYLOAD, big, sizeof(big));
	expect_reject(&nl, "echo of 64001 bytes", ERANGE);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_ECHO, IPCLAB_NL_VERSION);
	msg_attr(&req, IPCLAB_NL_A_PAYLOAD, word, strlen(word));
	msg_str(&req, IPCLAB_NL_A_WORD, word);
	expect_reject(&nl, "echo with an attribute it does not take", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_ECHO, IPCLAB_NL_VERSION);
	msg_attr(&req, IPCLAB_NL_A_PAYLOAD, word, strlen(word));
	msg_attr(&req, 99, word, strlen(word));
	expect_reject(&nl, "echo with unknown attribute 99", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_ECHO, IPCLAB_NL_VERSION);
	msg_attr_raw(&req, IPCLAB_NL_A_PAYLOAD, NLA_HDRLEN + 4096, word,
		     strlen(word));
	expect_reject(&nl, "attribute longer than the message", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_ECHO, IPCLAB_NL_VERSION);
	msg_attr_raw(&req, IPCLAB_NL_A_PAYLOAD, 2, word, strlen(word));
	expect_reject(&nl, "attribute length below its header", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_PUBLISH, IPCLAB_NL_VERSION);
	expect_reject(&nl, "publish without word", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_PUBLISH, IPCLAB_NL_VERSION);
	msg_attr(&req, IPCLAB_NL_A_WORD, word, strlen(word));
	expect_reject(&nl, "publish, word without NUL", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_PUBLISH, IPCLAB_NL_VERSION);
	msg_str(&req, IPCLAB_NL_A_WORD, "");
	expect_reject(&nl, "publish, empty word", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_PUBLISH, IPCLAB_NL_VERSION);
	msg_str(&req, IPCLAB_NL_A_WORD, longword);
	/* NLA_NUL_STRING: no NUL within the first 256 bytes is malformed. */
	expect_reject(&nl, "publish, word of 256 characters", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_PUBLISH, IPCLAB_NL_VERSION);
	msg_str(&req, IPCLAB_NL_A_WORD, word);
	msg_attr(&req, IPCLAB_NL_A_DELAY_MS, &delay16, sizeof(delay16));
	expect_reject(&nl, "publish, 2-byte delay", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_PUBLISH, IPCLAB_NL_VERSION);
	msg_str(&req, IPCLAB_NL_A_WORD, word);
	msg_attr(&req, IPCLAB_NL_A_DELAY_MS, &delay, sizeof(delay));
	expect_reject(&nl, "publish, delay 10001 ms", ERANGE);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_STATS, IPCLAB_NL_VERSION);
	msg_str(&req, IPCLAB_NL_A_WORD, word);
	expect_reject(&nl, "stats with an attribute", EINVAL);

	nlh = msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_ECHO,
			IPCLAB_NL_VERSION);
	msg_attr(&req, IPCLAB_NL_A_PAYLOAD, word, strlen(word));
	g = NLMSG_DATA(nlh);
	g->reserved = 1;
	expect_reject(&nl, "genlmsghdr.reserved not 0", EINVAL);

	msg_start(&req, nl.family, NLM_F_APPEND, IPCLAB_NL_CMD_STATS,
		  IPCLAB_NL_VERSION);
	expect_reject(&nl, "stray nlmsg_flags", EINVAL);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_STATS, IPCLAB_NL_VERSION);
	req.len = NLMSG_HDRLEN + 2;
	expect_reject(&nl, "shorter than the genl header", EINVAL);

	msg_start(&req, nl.family, 0, 99, IPCLAB_NL_VERSION);
	expect_reject(&nl, "unknown command 99", EOPNOTSUPP);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_EVENT, IPCLAB_NL_VERSION);
	msg_str(&req, IPCLAB_NL_A_WORD, word);
	expect_reject(&nl, "event sent by user space", EOPNOTSUPP);

	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_UNSPEC, IPCLAB_NL_VERSION);
	expect_reject(&nl, "command 0", EOPNOTSUPP);

	if (echo_check(&nl, word, strlen(word), "echo after bad input") == 0)
		printf("echo after bad input: %s\n", word);
}

/* concurrent PROCS COUNT SEED: each process gets its own payloads back. */
static void cmd_concurrent(char **argv)
{
	int procs = arg_num(argv[0], 1, MAX_PROCS, "PROCS");
	int count = arg_num(argv[1], 1, 10000, "COUNT");
	unsigned long seed = arg_num(argv[2], 0, 0xffffffffUL, "SEED");
	static unsigned char data[IPCLAB_NL_PAYLOAD_MAX];
	__u64 bytes, total = 0;
	pid_t pids[MAX_PROCS];
	struct stats s0, s1;
	int tally[2], i;
	struct nl nl;

	nl_open(&nl);
	if (pipe(tally) < 0)
		die("pipe");
	get_stats(&nl, &s0);
	for (i = 0; i < procs; i++) {
		__u32 st = rnd_seed(seed, i);
		int j, ok = 0;

		pids[i] = xfork();
		if (pids[i])
			continue;
		nl_open(&nl);
		bytes = 0;
		for (j = 0; j < count; j++) {
			size_t size = 1 + rnd_next(&st) % IPCLAB_NL_PAYLOAD_MAX;
			size_t k;

			/* Bytes that name the process: a mix-up shows. */
			for (k = 0; k < size; k++)
				data[k] = rnd_next(&st) >> 24;
			data[0] = i;
			if (echo_check(&nl, data, size, "concurrent"))
				break;
			bytes += size;
			ok++;
		}
		printf("process %d: %d of %d echoes intact\n", i, ok, count);
		if (write(tally[1], &bytes, sizeof(bytes)) != sizeof(bytes))
			die("write tally");
		child_exit();
	}
	close(tally[1]);
	phase = "collecting the tallies";
	while (read(tally[0], &bytes, sizeof(bytes)) == sizeof(bytes))
		total += bytes;
	for (i = 0; i < procs; i++)
		nl_reap(pids[i], "echo process");
	get_stats(&nl, &s1);
	printf("stats delta: echoes=%llu\n", s1.echoes - s0.echoes);
	if (s1.echo_bytes - s0.echo_bytes != total)
		fail("stats echo_bytes: got +%llu, expected +%llu",
		     s1.echo_bytes - s0.echo_bytes, total);
	else
		printf("stats delta: echo_bytes = the bytes sent\n");
}

/*
 * concurrent-publish PUBS COUNT WORD: publishers race; each of two
 * subscribers gets every event once, numbered without gaps, and each
 * publisher's events in the order it sent them.
 */
static void cmd_concurrent_publish(char **argv)
{
	int pubs = arg_num(argv[0], 1, MAX_PROCS, "PUBS");
	int count = arg_num(argv[1], 1, MAX_EVENTS / MAX_PROCS, "COUNT");
	const char *word = arg_word(argv[2]);
	char buf[IPCLAB_NL_WORD_MAX + 1], ev[IPCLAB_NL_WORD_MAX + 1];
	int next[MAX_PROCS], i, j, k, total = pubs * count;
	pid_t pids[MAX_PROCS];
	struct nl sub[2];
	struct stats s0;
	__u64 seq;

	for (k = 0; k < 2; k++) {
		nl_open(&sub[k]);
		nl_set_rcvbuf(&sub[k], 8 << 20, 1);
		nl_join(&sub[k], sub[k].group);
	}
	get_stats(&sub[0], &s0);
	for (i = 0; i < pubs; i++) {
		pids[i] = xfork();
		if (pids[i])
			continue;
		nl_open(&sub[0]);
		for (j = 0; j < count; j++) {
			snprintf(ev, sizeof(ev), "%.200s-%d-%d", word, i, j);
			publish_ok(&sub[0], ev, -1);
		}
		child_exit();
	}
	for (i = 0; i < pubs; i++)
		nl_reap(pids[i], "publisher");

	for (k = 0; k < 2; k++) {
		int got = 0, bad = 0;

		memset(next, 0, sizeof(next));
		phase = "subscriber reading the events";
		while (got < total &&
		       !next_event(&sub[k], RECV_MS, buf, sizeof(buf), &seq)) {
			char *dash = strrchr(buf, '-');

			got++;
			if (seq != s0.events + got && !bad++)
				fail("subscriber %d: event %d has seq %llu, expected %llu",
				     k, got, (unsigned long long)seq,
				     (unsigned long long)(s0.events + got));
			if (!dash || dash == buf)
				continue;
			*dash = '\0';
			j = atoi(dash + 1);
			dash = strrchr(buf, '-');
			i = dash ? atoi(dash + 1) : -1;
			if (i < 0 || i >= pubs || j != next[i]++) {
				if (!bad++)
					fail("subscriber %d: got %s-%d out of order",
					     k, buf, j);
			}
		}
		printf("subscriber %d: %d of %d events, %s\n", k, got, total,
		       bad ? "out of order" : "seq without gaps, each publisher in order");
		if (got != total)
			fail("subscriber %d: got %d events, expected %d", k,
			     got, total);
		if (!nl_quiet(&sub[k]))
			fail("subscriber %d: more events than published", k);
	}
}

/* Run a program (rmmod, insmod) and wait for it; its exit status. */
static int run(const char *const argv[])
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	phase = argv[0];
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The next nlctrl notification on @n: its command and family name. */
static int ctrl_event(struct nl *n, char *name, size_t size)
{
	for (;;) {
		struct nlmsghdr *nlh;
		struct nlattr *fam;
		int len = nl_recv(n, RECV_MS);

		if (len < 0)
			return len;
		nlh = (struct nlmsghdr *)n->rx;
		if (!NLMSG_OK(nlh, len) || nlh->nlmsg_type != GENL_ID_CTRL)
			continue;
		fam = genl_attr(nlh, CTRL_ATTR_FAMILY_NAME);
		snprintf(name, size, "%s", fam ? (char *)attr_data(fam) : "");
		if (genl_cmd(nlh) == CTRL_CMD_NEWFAMILY ||
		    genl_cmd(nlh) == CTRL_CMD_DELFAMILY)
			return genl_cmd(nlh);
	}
}

/*
 * reload WORD MS: rmmod while a socket is subscribed and a delayed event
 * is pending, insmod again; the same socket works after a new lookup.
 */
static void cmd_reload(char **argv)
{
	static const char *const rmmod[] = { "rmmod", "ipclab", NULL };
	static const char *const insmod[] = {
		"insmod", "/lib/modules/ipclab.ko", NULL
	};
	const char *word = arg_word(argv[0]);
	long ms = arg_num(argv[1], 1, IPCLAB_NL_DELAY_MAX_MS, "MS");
	char buf[IPCLAB_NL_WORD_MAX + 1], name[GENL_NAMSIZ];
	struct family f, ctrl;
	struct timespec t0;
	struct nl nl, notify, pub;
	__u64 seq;
	int ret;

	nl_open(&nl);
	nl_join(&nl, nl.group);
	nl_open_raw(&notify);
	if (nl_lookup(&notify, "nlctrl", &ctrl) || !ctrl.notify) {
		fail("nlctrl: no group notify");
		return;
	}
	nl_join(&notify, ctrl.notify);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	publish_ok(&nl, word, ms);
	ret = run(rmmod);
	printf("rmmod, subscribed, event pending: exit %d\n", ret);
	if (ret)
		fail("rmmod: exit %d, expected 0", ret);
	ret = ctrl_event(&notify, name, sizeof(name));
	printf("nlctrl notify: %s %s\n", ret == CTRL_CMD_DELFAMILY ?
	       "DELFAMILY" : ret == CTRL_CMD_NEWFAMILY ? "NEWFAMILY" :
	       errname(-ret), name);

	ret = -nl_lookup(&nl, IPCLAB_NL_FAMILY_NAME, &f);
	printf("lookup after rmmod: %s\n", ret ? errname(ret) : "found");
	msg_start(&req, nl.family, 0, IPCLAB_NL_CMD_ECHO, IPCLAB_NL_VERSION);
	msg_attr(&req, IPCLAB_NL_A_PAYLOAD, word, strlen(word));
	expect_reject(&nl, "echo to the old family id", ENOENT);

	ret = run(insmod);
	printf("insmod: exit %d\n", ret);
	if (ret) {
		fail("insmod: exit %d, expected 0", ret);
		exit(KSFT_FAIL);
	}
	ret = ctrl_event(&notify, name, sizeof(name));
	printf("nlctrl notify: %s %s\n", ret == CTRL_CMD_NEWFAMILY ?
	       "NEWFAMILY" : ret == CTRL_CMD_DELFAMILY ? "DELFAMILY" :
	       errname(-ret), name);

	ret = -nl_lookup(&nl, IPCLAB_NL_FAMILY_NAME, &f);
	if (ret) {
		fail("lookup after insmod: %s", errname(ret));
		exit(KSFT_FAIL);
	}
	nl.family = f.id;
	nl.group = f.events;
	if (echo_check(&nl, word, strlen(word), "echo after reload") == 0)
		printf("echo after reload, same socket: %s\n", word);

	/*
	 * Unloading dropped the membership: nothing until we join again.
	 * (A publisher's own socket would read past events while it waits
	 * for its ACK, so publish from another one.)
	 */
	nl_open(&pub);
	publish_ok(&pub, word, -1);
	printf("old membership: %s\n", nl_quiet(&nl) ? "gone" : "still there");
	nl_join(&nl, nl.group);
	publish_ok(&pub, word, -1);
	ret = next_event(&nl, RECV_MS, buf, sizeof(buf), &seq);
	printf("joined again: %s seq %llu\n", ret ? errname(-ret) : buf,
	       (unsigned long long)seq);

	/* The cancelled event never comes, even after its delay. */
	ret = next_event(&nl, ms + 500 - elapsed_ms(&t0) > QUIET_MS ?
			 ms + 500 - elapsed_ms(&t0) : QUIET_MS,
			 buf, sizeof(buf), &seq);
	printf("event from before rmmod: %s\n",
	       ret == -ETIMEDOUT ? "never came" : buf);
	if (ret != -ETIMEDOUT)
		fail("an event came after the reload: %s", buf);
}

static const struct command commands[] = {
	{ "family", "NAME", 1, cmd_family },
	{ "echo", "WORD", 1, cmd_echo },
	{ "echo-sizes", "SEED SIZE...", -2, cmd_echo_sizes },
	{ "stats", "WORD K", 2, cmd_stats },
	{ "ack", "SEQ WORD", 2, cmd_ack },
	{ "multicast", "N BEFORE WORD", 3, cmd_multicast },
	{ "delayed", "WORD MS", 2, cmd_delayed },
	{ "overrun", "COUNT WORD", 2, cmd_overrun },
	{ "resync", "COUNT WORD", 2, cmd_resync },
	{ "bad-input", "WORD", 1, cmd_bad_input },
	{ "concurrent", "PROCS COUNT SEED", 3, cmd_concurrent },
	{ "concurrent-publish", "PUBS COUNT WORD", 3, cmd_concurrent_publish },
	{ "reload", "WORD MS", 2, cmd_reload },
};

int main(int argc, char **argv)
{
	labtest_start();

	return run_command("netlink", commands, ARRAY_SIZE(commands), argc,
			   argv);
}
