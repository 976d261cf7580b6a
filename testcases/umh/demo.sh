#!/bin/sh
# umh demo: the user-mode helper. Here the kernel takes the initiative and
# starts a user program (call_usermodehelper), the way it runs modprobe or a
# hotplug helper: one-shot, as root, argv and envp in, an exit status out.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

UMH=/opt/ipclab/umh

main() {
	say "umh: the kernel starts a user program"
	echo "Device files, signals and shared memory all need a program that is"
	echo "already running. The user-mode helper API is the other way round:"
	echo "the kernel creates a new process from a path, like it does for"
	echo "/sbin/modprobe (request_module) or the hotplug and coredump helpers."
	show_sh 'cat /proc/sys/kernel/modprobe 2>/dev/null || true'
	echo "Our driver runs a helper when asked through /dev/ipclab-umh:"
	show ls -l /dev/ipclab-umh

	say "argv and envp are all the helper gets; one number comes back"
	echo "The helper (this same binary, 'umh helper ...') has no stdin or"
	echo "stdout, so it writes what it saw to a file; the exit status 42"
	echo "comes back through the ioctl. UMH_WAIT_PROC returns the raw wait"
	echo "status (42 << 8 = 10752): the driver has to decode it."
	show "$UMH" run proc demo 42 2 hello kernel GREETING=hi

	say "It runs as root, with the kernel's credentials, whoever asked"
	echo "The caller below is user nobody in /tmp; the helper is uid 0 in /,"
	echo "the child of a kernel worker, with no open files at all:"
	show "$UMH" credentials demo
	echo "So a world-writable device that ran any path would give root to"
	echo "everyone: the driver only runs programs under /opt/ipclab/."
	show "$UMH" refuse demo

	say "When does the caller get control back?"
	echo "UMH_WAIT_EXEC: as soon as the exec worked; the helper runs on and"
	echo "its exit status is lost (its parent is kthreadd):"
	show "$UMH" wait-exec demo 5
	echo "UMH_WAIT_PROC: only when the helper exited; meanwhile the caller"
	echo "sleeps uninterruptibly (state D), even a signal must wait:"
	show "$UMH" wait-signal demo 6
	echo "UMH_KILLABLE lets SIGKILL end that wait; the helper runs on:"
	show "$UMH" killable demo 7
	echo "No wait at all: no error comes back, the result only reaches the log:"
	show "$UMH" no-wait demo 8

	say "Errors of the exec come back as errno, never as an oops"
	show "$UMH" errors demo proc

	say "Several helpers at once, each result to its own caller"
	show "$UMH" concurrent demo 4 10

	say "umh: the point"
	echo "The kernel can start a program on its own initiative, but only as a"
	echo "one-shot: argv and envp go in, an exec error or a wait status comes"
	echo "out, the helper runs as root with nothing open. Anything richer"
	echo "(replies, data, a conversation) needs another channel: a file, a"
	echo "device, netlink. And a driver that lets user space choose the"
	echo "program must restrict it, or it hands out root."
}

main "$@"
