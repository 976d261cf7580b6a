#!/bin/sh
# sysv demo: System V IPC (message queues, semaphores, shared memory); the
# old API whose objects live in the kernel, found by key, until removed.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

SYSV=/opt/ipclab/sysv

main() {
	say "sysv: message queues with types"
	echo "Messages carry a type; msgrcv picks in order, by lowest type, or"
	echo "one type only:"
	show "$SYSV" msg 0 3:low 1:urgent 2:normal 1:again 3:later
	show "$SYSV" msg -3 3:low 1:urgent 2:normal 1:again 3:later
	show "$SYSV" msg 1 3:low 1:urgent 2:normal 1:again 3:later

	say "Semaphores with SEM_UNDO: a process that dies holding one"
	echo "A holder takes 3 of 5 and is killed; the kernel undoes its"
	echo "operations and wakes a waiter. Without SEM_UNDO they are lost:"
	show "$SYSV" sem-undo 5 3
	show "$SYSV" sem-lost 5 3

	say "Shared memory: a segment attached before fork is shared"
	show "$SYSV" shm-fork 1000000 11

	say "Kernel-persistent objects: they outlive their processes"
	show "$SYSV" by-key 4242
	echo "The kernel lists every object here until IPC_RMID:"
	show_sh 'head -1 /proc/sysvipc/msg'

	say "sysv: the point"
	echo "Pros: everywhere, message types, semaphore sets with SEM_UNDO."
	echo "Cons: an old API (keys, ids, IPC_RMID, its own namespace, no file"
	echo "descriptors so no poll/select); objects outlive a crashed program"
	echo "and must be removed by hand (ipcs/ipcrm)."
}

main "$@"
