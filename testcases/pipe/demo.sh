#!/bin/sh
# pipe demo: the simplest process-to-process channel; a byte stream in one
# direction between related processes (the shell's |, pipe(2) + fork).
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

PIPE=/opt/ipclab/pipe

main() {
	say "pipe: a kernel buffer with a read end and a write end"
	echo "The shell's | is pipe(2) + fork: ls writes, wc reads."
	show_sh 'ls /opt/ipclab | wc -l'
	echo "Simple: no name, no setup; but only related processes (those that"
	echo "inherit the fds) can use it, and bytes flow one way only."

	say "A bounded buffer: 64 KB by default, F_SETPIPE_SZ changes it"
	show "$PIPE" capacity 0 7
	show "$PIPE" capacity 100000 7
	show "$PIPE" setpipe-ebusy

	say "Writes up to PIPE_BUF (4096) are atomic, whatever the writers"
	show "$PIPE" atomic 4 1000 4096 42
	echo "Larger writes may be split and interleave with other writers:"
	show "$PIPE" big 3 3 150000

	say "Ends: no reader -> EPIPE (or death by SIGPIPE); no writer -> EOF"
	show "$PIPE" epipe gone
	show "$PIPE" sigpipe
	show "$PIPE" eof closed 3
	show "$PIPE" eof-write-end-open closed
	echo "The last lines show the classic bug: a reader that keeps its own"
	echo "copy of the write end open never sees EOF."

	say "pipe: the point"
	echo "Pros: simple, fast, in every Unix; the kernel synchronises readers"
	echo "and writers. Cons: one direction, related processes only, a byte"
	echo "stream without message boundaries above PIPE_BUF."
}

main "$@"
