#!/bin/sh
# fifo demo: a named pipe; a pipe with a name in the filesystem, so that
# processes that share no file descriptor can meet.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

FIFO=/opt/ipclab/fifo

main() {
	say "fifo: a pipe with a name (mkfifo)"
	show mkfifo /tmp/demo-fifo
	show ls -l /tmp/demo-fifo
	echo "p = named pipe. Any process that may open the name can use it:"
	show_sh 'echo "through the name" >/tmp/demo-fifo & cat /tmp/demo-fifo; wait'
	show rm /tmp/demo-fifo

	say "Opening waits for the other end"
	echo "O_RDONLY sleeps until a writer opens; O_NONBLOCK writers get ENXIO:"
	show "$FIFO" open-block demo-fifo meet
	show "$FIFO" enxio demo-fifo
	show "$FIFO" nonblock-read demo-fifo alone

	say "The name is only a meeting point: data stays in the kernel"
	show "$FIFO" no-disk demo-fifo inside
	show "$FIFO" unlinked demo-fifo inside

	say "Two unrelated programs started by the shell"
	show_sh "$FIFO make demo-fifo && { $FIFO send demo-fifo 500000 9 & $FIFO recv demo-fifo 500000 9 && wait; }"

	say "fifo: the point"
	echo "Pros: unrelated processes meet through a path, with file"
	echo "permissions. Cons: still one direction and a byte stream; the name"
	echo "must be created and removed (a stale name stays after a crash)."
}

main "$@"
