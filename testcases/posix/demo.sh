#!/bin/sh
# posix demo: POSIX message queues, shared memory and named semaphores; the
# cleaner successor of System V IPC, with names, priorities and unlink.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

POSIX=/opt/ipclab/posix

main() {
	say "posix: message queues with priorities (mq_open, mq_send)"
	echo "Each message has a priority; mq_receive returns the highest first:"
	show "$POSIX" mq-priority demo-mq 1:low 9:urgent 5:normal 9:urgent2
	echo "mq_notify: a signal when an empty queue gets a message:"
	show "$POSIX" notify demo-mq 42 ping
	echo "Limits are errors, not surprises: EAGAIN when full, EMSGSIZE:"
	show "$POSIX" mq-limits demo-mq 3 64
	show "$POSIX" mq-emsgsize demo-mq 64

	say "posix: shared memory by name (shm_open + mmap)"
	show "$POSIX" shm demo-shm 1000000 5

	say "posix: named semaphores (sem_open) as a lock between processes"
	show "$POSIX" sem demo-sem 4 20000

	say "The names live in filesystems the kernel provides"
	show_sh 'mount | grep -E "mqueue|/dev/shm"'

	say "posix: the point"
	echo "Pros: a cleaner API than System V: names instead of keys, reference"
	echo "counted objects removed with unlink, priorities, notification, a"
	echo "queue is a file descriptor on Linux. Cons: still kernel-persistent"
	echo "until unlinked; shared memory still needs a lock of its own."
}

main "$@"
