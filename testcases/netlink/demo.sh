#!/bin/sh
# netlink demo: the generic netlink family "ipclab", a socket between the
# kernel and user space: asynchronous, both directions, and the kernel can
# start the conversation by multicasting events to many listeners.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

NETLINK=/opt/ipclab/netlink

main() {
	say "netlink: talking to a driver through a socket, not a file"
	echo "At insmod the module registered a generic netlink family:"
	show_sh 'dmesg | grep "ipclab: netlink"'
	echo "No /dev node: a program opens socket(AF_NETLINK, SOCK_RAW,"
	echo "NETLINK_GENERIC) and asks the controller (nlctrl) for the family's"
	echo "id and its multicast groups, which are assigned at registration:"
	show "$NETLINK" family no-such-family

	say "Request and reply: a message goes in, a message comes back"
	echo "ECHO carries a payload attribute; the reply carries the same bytes,"
	echo "addressed to our port with our sequence number:"
	show "$NETLINK" echo hello-kernel
	echo "Sizes up to 64000 bytes (the attribute length is 16 bits):"
	show "$NETLINK" echo-sizes 2024 1 4096 60000 64000 64001

	say "ACKs: ask with NLM_F_ACK and an 'error 0' message confirms"
	echo "Errors are always reported; success only when asked for:"
	show "$NETLINK" ack 100 acked

	say "The kernel starts the conversation: multicast to many listeners"
	echo "Three processes join the group \"events\"; one PUBLISH reaches all."
	echo "An event published before they joined is gone: nothing is stored."
	show "$NETLINK" multicast 3 news
	show "$NETLINK" membership too-early news
	echo "Here the kernel sends from a timer, after the requester has exited:"
	echo "no system call into the driver is in progress at that moment."
	show "$NETLINK" delayed from-a-timer 1000

	say "The price of asynchronous: multicast is fire and forget"
	echo "A subscriber that does not read fills its receive buffer; later"
	echo "events are dropped for it. It learns so from ENOBUFS and from the"
	echo "gaps in the events' sequence numbers:"
	show "$NETLINK" overrun 200 flood
	echo "Remedies: a bigger buffer, and sequence numbers + a state query"
	echo "(STATS) to resynchronise even when ENOBUFS is switched off:"
	show "$NETLINK" big-buffer 200 flood
	show "$NETLINK" resync 200 flood

	say "Bad input: the family's policy rejects it, the kernel never oopses"
	show "$NETLINK" bad-input still-alive

	say "Many processes at once, each with its own socket and replies"
	show "$NETLINK" concurrent 4 20 2024
	show "$NETLINK" stats counted 3

	say "netlink: the point"
	echo "A device file is a function call in disguise: user space opens,"
	echo "reads, writes, and the kernel can only answer or wake a waiter."
	echo "A netlink socket carries messages both ways, asynchronously:"
	echo "requests and replies, ACKs on demand, and events the kernel sends"
	echo "on its own to every subscriber of a group. The price: events are"
	echo "not stored or guaranteed, so listeners check sequence numbers."
}

main "$@"
