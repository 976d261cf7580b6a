#!/bin/sh
# eventfd demo: user space hands the driver an eventfd; the driver adds to
# its counter and poll/epoll/read wake up.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

EVENTFD=/opt/ipclab/eventfd

main() {
	say "eventfd: a counter in the kernel that user space can wait on"
	echo "The program creates an eventfd and passes it to the driver with an"
	echo "ioctl; the driver keeps a reference and adds to the counter:"
	show "$EVENTFD" ioctl-signal 5
	echo "Later, from a kernel work item (a timer): epoll wakes up:"
	show "$EVENTFD" timer 300 3
	echo "and it adds the whole count (1 at a time: all 6.12's API can do):"
	show "$EVENTFD" timer-count 50 3
	echo "EFD_SEMAPHORE: one read per signal, each returns 1:"
	show "$EVENTFD" semaphore 4
	echo "Wrong fds are refused: EBADF, EINVAL for what is no eventfd:"
	show "$EVENTFD" errors 500

	say "eventfd: the point"
	echo "Good for: a cheap wakeup from kernel to user space that fits"
	echo "poll/epoll loops (KVM irqfd, vhost and io_uring use it)."
	echo "Limits: it carries only a count -- the data must travel another"
	echo "way (shared memory, read); signals coalesce into one number."
}

main "$@"
