/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netlink program: generic netlink over raw sockets, no libnl (genl.c),
 * the cases of request and answer (requests.c), of events and of unloading
 * (events.c).
 */
#ifndef NETLINK_H
#define NETLINK_H

#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ipclab_uapi.h"
#include "labtest.h"

#define RECV_MS		5000	/* a reply later than this is lost */
#define QUIET_MS	100	/* "nothing arrives" is checked this long */
#define BUF_SIZE	(128 * 1024)
#define MAX_PROCS	16
#define MAX_EVENTS	2000
#define WORD_SIZE	(IPCLAB_NL_WORD_MAX + 1)
#define C(x)		IPCLAB_NL_CMD_##x
#define A(x)		IPCLAB_NL_A_##x

/* The request being built: struct nlmsghdr, genlmsghdr, attributes. */
extern struct msg {
	size_t len;
	unsigned char buf[BUF_SIZE];
} req;

struct nlmsghdr *msg_start(__u16 type, __u16 flags, __u8 cmd);
/* Appends one attribute; @nla_len is normally NLA_HDRLEN + @len. */
void msg_attr_raw(__u16 type, __u16 nla_len, const void *data, size_t len);
#define msg_attr(type, data, len) \
	msg_attr_raw(type, NLA_HDRLEN + (len), data, len)
#define msg_str(type, s)	msg_attr(type, s, strlen(s) + 1)

#define attr_data(nla)	((void *)((char *)(nla) + NLA_HDRLEN))
#define attr_len(nla)	((int)(nla)->nla_len - NLA_HDRLEN)
struct nlattr *genl_attr(const struct nlmsghdr *nlh, int type);
#define genl_cmd(nlh)	(((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd)

struct nl {
	int fd;
	__u32 portid;
	__u32 seq;
	__u16 family;		/* the family id of "ipclab" */
	__u32 group;		/* the id of its group "events" */
	unsigned char rx[BUF_SIZE];	/* the last datagram */
	unsigned char reply[BUF_SIZE];	/* the last reply, kept */
};

/* What came back for one request. */
struct answer {
	int reply;		/* a message of the family with our seq */
	int acked;		/* an NLMSG_ERROR with our seq came */
	int err;		/* its error: 0 (an ACK) or a positive errno */
	int miss_type;		/* extack: the missing attribute, or 0 */
	struct nlmsghdr *nlh;	/* the reply, kept in nl->reply */
};

struct family {
	__u16 id;
	__u32 version;
	int nops;
	__u32 ops[32];
	__u32 events;		/* group id of IPCLAB_NL_MCGRP_EVENTS, or 0 */
	__u32 notify;		/* group id of "notify" (nlctrl), or 0 */
};

void nl_open_raw(struct nl *nl);
/*
 * A socket that knows the family, a member of its group "events" if @join;
 * SKIP when the module is not loaded.
 */
void nl_open(struct nl *nl, int join);
/* Looks "ipclab" up into @f and @nl: as nl_lookup(). */
int nl_find(struct nl *nl, struct family *f);
void nl_opt(struct nl *nl, int level, int name, int val, const char *what);
#define NL_OPT(nl, level, name, val)	nl_opt(nl, level, name, val, #name)
#define nl_join(nl, group) \
	NL_OPT(nl, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)
/* One datagram within @ms: its length, or -errno (-ETIMEDOUT). */
int nl_recv(struct nl *nl, int ms);
/* Is nothing queued on the socket? For "nothing else came" checks. */
#define nl_quiet(nl)	(nl_recv(nl, QUIET_MS) == -ETIMEDOUT)
void nl_transact(struct nl *nl, struct answer *a, int ms);
/* CTRL_CMD_GETFAMILY: 0, or -1 and errno (ENOENT: no such family). */
int nl_lookup(struct nl *nl, const char *name, struct family *f);
/*
 * Sends req: prints "WHAT: ERRNO" (unless @what is NULL); FAIL unless
 * @want (0: ACK 0), missing attribute @miss (0: none).
 */
void expect_reject(struct nl *nl, const char *what, int want, int miss);

/* ---- the family's commands ---- */

#define ipclab_start(nl, flags, cmd)	msg_start((nl)->family, flags, cmd)

struct stats {
	__u64 echoes, echo_bytes, events, unheard, overruns;
};

/* With NLM_F_ACK, then expect_reject(@what, @want). */
void publish_ack(struct nl *nl, const char *what, const char *word,
		 long delay_ms, int want);
#define publish_ok(nl, word, delay_ms)	publish_ack(nl, NULL, word, delay_ms, 0)
void publish_many(struct nl *nl, const char *word, int count);
void get_stats(struct nl *nl, struct stats *s);
/* Echo @len bytes: 0 or -errno; FAIL unless the errno is @want (0: intact). */
int echo_check(struct nl *nl, const void *data, size_t len, int want,
	       const char *who);
/* The next EVENT on @nl within @ms: 0, -ETIMEDOUT or -errno (ENOBUFS). */
int next_event(struct nl *nl, int ms, char *word, __u64 *seq);
/* As next_event(), and prints "WHO: WORD"; FAIL unless @word came. */
int expect_event(struct nl *nl, int ms, const char *who, const char *word,
		 __u64 *seq);

#endif /* NETLINK_H */
