// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "ipclab": a socket between the kernel and user
 * space that works both ways and asynchronously, where the kernel can start
 * the conversation by multicasting events to every subscriber of a group.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

/* Generic netlink groups are indices into the family's mcgrps[] array. */
enum { NETLINK_GRP_EVENTS };

static struct genl_family netlink_family;

static struct {
	atomic64_t echoes;
	atomic64_t echo_bytes;
	atomic64_t unheard;
	atomic64_t overruns;

	/*
	 * Serialises numbering and sending events, so every subscriber sees
	 * them in SEQ order, and guards the delayed event below.
	 */
	struct mutex publish_lock;
	u64 events;			/* the last SEQ sent */
	bool stopping;			/* module exit: queue no more work */
	bool delayed_pending;
	char delayed_word[IPCLAB_NL_WORD_MAX + 1];
	struct delayed_work delayed;
} nl;

/*
 * Send one EVENT to the group "events". Caller holds publish_lock.
 * genlmsg_multicast() consumes the skb whatever it returns.
 */
static int netlink_send_event(const char *word)
{
	size_t len = strlen(word) + 1;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	lockdep_assert_held(&nl.publish_lock);

	msg = genlmsg_new(nla_total_size(len) + nla_total_size_64bit(8),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &netlink_family, 0, IPCLAB_NL_CMD_EVENT);
	if (!hdr)
		goto too_small;
	if (nla_put_string(msg, IPCLAB_NL_A_WORD, word) ||
	    nla_put_u64_64bit(msg, IPCLAB_NL_A_SEQ, nl.events + 1,
			      IPCLAB_NL_A_PAD))
		goto too_small;
	genlmsg_end(msg, hdr);

	nl.events++;
	ret = genlmsg_multicast(&netlink_family, msg, 0, NETLINK_GRP_EVENTS,
				GFP_KERNEL);
	/*
	 * Multicast is fire and forget: -ESRCH (delivered to no one: no
	 * subscriber, or every one's buffer was full) and -ENOBUFS (a
	 * subscriber with NETLINK_BROADCAST_ERROR could not take it) are
	 * facts about the listeners, not failures of the sender. A full
	 * subscriber is told ENOBUFS on its next recv. Count and carry on.
	 */
	if (ret == -ESRCH)
		atomic64_inc(&nl.unheard);
	else if (ret == -ENOBUFS)
		atomic64_inc(&nl.overruns);
	else if (ret)
		return ret;
	return 0;

too_small:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* The kernel starts the conversation: no request is in flight now. */
static void netlink_delayed_work(struct work_struct *work)
{
	int ret;

	mutex_lock(&nl.publish_lock);
	nl.delayed_pending = false;
	ret = netlink_send_event(nl.delayed_word);
	mutex_unlock(&nl.publish_lock);
	if (ret)
		pr_warn("netlink: delayed event not sent: %d\n", ret);
}

static int netlink_echo(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *payload;
	struct sk_buff *msg;
	void *hdr;
	int len, ret;

	if (GENL_REQ_ATTR_CHECK(info, IPCLAB_NL_A_PAYLOAD))
		return -EINVAL;
	payload = info->attrs[IPCLAB_NL_A_PAYLOAD];
	len = nla_len(payload);
	if (!len) {
		NL_SET_ERR_MSG_ATTR(info->extack, payload, "empty payload");
		return -EINVAL;
	}

	msg = genlmsg_new(nla_total_size(len), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &netlink_family, 0,
				IPCLAB_NL_CMD_ECHO);
	if (!hdr || nla_put(msg, IPCLAB_NL_A_PAYLOAD, len, nla_data(payload))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);

	/* Consumes msg even when it fails (socket gone, buffer full). */
	ret = genlmsg_reply(msg, info);
	if (ret)
		return ret;
	atomic64_inc(&nl.echoes);
	atomic64_add(len, &nl.echo_bytes);
	return 0;
}

static int netlink_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	u64 events;
	void *hdr;

	msg = genlmsg_new(5 * nla_total_size_64bit(8), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &netlink_family, 0,
				IPCLAB_NL_CMD_STATS);
	if (!hdr)
		goto too_small;

	mutex_lock(&nl.publish_lock);
	events = nl.events;
	mutex_unlock(&nl.publish_lock);

	if (nla_put_u64_64bit(msg, IPCLAB_NL_A_ECHOES,
			      atomic64_read(&nl.echoes), IPCLAB_NL_A_PAD) ||
	    nla_put_u64_64bit(msg, IPCLAB_NL_A_ECHO_BYTES,
			      atomic64_read(&nl.echo_bytes), IPCLAB_NL_A_PAD) ||
	    nla_put_u64_64bit(msg, IPCLAB_NL_A_EVENTS, events,
			      IPCLAB_NL_A_PAD) ||
	    nla_put_u64_64bit(msg, IPCLAB_NL_A_UNHEARD,
			      atomic64_read(&nl.unheard), IPCLAB_NL_A_PAD) ||
	    nla_put_u64_64bit(msg, IPCLAB_NL_A_OVERRUNS,
			      atomic64_read(&nl.overruns), IPCLAB_NL_A_PAD))
		goto too_small;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

too_small:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int netlink_publish(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *word, *delay;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, IPCLAB_NL_A_WORD))
		return -EINVAL;
	word = info->attrs[IPCLAB_NL_A_WORD];
	delay = info->attrs[IPCLAB_NL_A_DELAY_MS];
	/* The policy guarantees the NUL and the length. */
	if (!*(char *)nla_data(word)) {
		NL_SET_ERR_MSG_ATTR(info->extack, word, "empty word");
		return -EINVAL;
	}

	mutex_lock(&nl.publish_lock);
	if (nl.stopping) {
		ret = -ENODEV;
	} else if (!delay) {
		ret = netlink_send_event(nla_data(word));
	} else if (nl.delayed_pending) {
		NL_SET_ERR_MSG_ATTR(info->extack, delay,
				    "a delayed event is already pending");
		ret = -EBUSY;
	} else {
		nla_strscpy(nl.delayed_word, word, sizeof(nl.delayed_word));
		nl.delayed_pending = true;
		schedule_delayed_work(&nl.delayed,
				      msecs_to_jiffies(nla_get_u32(delay)));
		ret = 0;
	}
	mutex_unlock(&nl.publish_lock);
	return ret;
}

static const struct nla_policy netlink_echo_policy[] = {
	[IPCLAB_NL_A_PAYLOAD] = { .type = NLA_BINARY,
				  .len = IPCLAB_NL_PAYLOAD_MAX },
};

static const struct nla_policy netlink_publish_policy[] = {
	[IPCLAB_NL_A_WORD] = { .type = NLA_NUL_STRING,
			       .len = IPCLAB_NL_WORD_MAX },
	[IPCLAB_NL_A_DELAY_MS] = NLA_POLICY_MAX(NLA_U32,
						IPCLAB_NL_DELAY_MAX_MS),
};

/*
 * A policy per op; an op without one (STATS) rejects every attribute. The
 * family leaves resv_start_op at 0, so every command is validated strictly.
 */
static const struct genl_ops netlink_ops[] = {
	{
		.cmd	 = IPCLAB_NL_CMD_ECHO,
		.doit	 = netlink_echo,
		.policy	 = netlink_echo_policy,
		.maxattr = ARRAY_SIZE(netlink_echo_policy) - 1,
	},
	{
		.cmd	 = IPCLAB_NL_CMD_STATS,
		.doit	 = netlink_stats,
	},
	{
		.cmd	 = IPCLAB_NL_CMD_PUBLISH,
		.doit	 = netlink_publish,
		.policy	 = netlink_publish_policy,
		.maxattr = ARRAY_SIZE(netlink_publish_policy) - 1,
	},
};

static const struct genl_multicast_group netlink_mcgrps[] = {
	[NETLINK_GRP_EVENTS] = { .name = IPCLAB_NL_MCGRP_EVENTS },
};

static struct genl_family netlink_family = {
	.name		= IPCLAB_NL_FAMILY_NAME,
	.version	= IPCLAB_NL_VERSION,
	.module		= THIS_MODULE,
	/* The handlers use atomics and publish_lock, not genl_mutex. */
	.parallel_ops	= true,
	.ops		= netlink_ops,
	.n_ops		= ARRAY_SIZE(netlink_ops),
	.mcgrps		= netlink_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(netlink_mcgrps),
};

int ipclab_netlink_init(void)
{
	int ret;

	mutex_init(&nl.publish_lock);
	INIT_DELAYED_WORK(&nl.delayed, netlink_delayed_work);
	nl.events = 0;
	nl.stopping = false;
	nl.delayed_pending = false;
	atomic64_set(&nl.echoes, 0);
	atomic64_set(&nl.echo_bytes, 0);
	atomic64_set(&nl.unheard, 0);
	atomic64_set(&nl.overruns, 0);

	ret = genl_register_family(&netlink_family);
	if (ret)
		return ret;
	pr_info("netlink: generic netlink family %s ready\n",
		IPCLAB_NL_FAMILY_NAME);
	return 0;
}

void ipclab_netlink_exit(void)
{
	/* No PUBLISH may queue the work again once it is cancelled. */
	mutex_lock(&nl.publish_lock);
	nl.stopping = true;
	mutex_unlock(&nl.publish_lock);
	cancel_delayed_work_sync(&nl.delayed);

	/* Waits for running handlers; members of "events" are dropped. */
	genl_unregister_family(&netlink_family);
}
