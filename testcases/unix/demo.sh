#!/bin/sh
# unix demo: Unix domain sockets; both directions on one connection, names
# in the filesystem or the abstract namespace, and what only they carry:
# open file descriptors and the peer's credentials.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

UNIX=/opt/ipclab/unix

main() {
	say "unix: sockets between processes on one machine"
	echo "socketpair(2) gives two connected ends; each end reads and writes:"
	show "$UNIX" stream 1000000 3 "reply"

	say "Datagrams keep their boundaries; a stream does not"
	show "$UNIX" dgram 10 2000 7 300
	show "$UNIX" dgram-trunc 2000
	show "$UNIX" stream-merge 10 2000 7 300

	say "Names: a socket file in /tmp, or the abstract namespace (no file)"
	show "$UNIX" named-path demo-sock hello
	show "$UNIX" named-abstract demo-sock hello
	show "$UNIX" dgram-autobind demo-sock hello
	echo "A name nobody listens on: ECONNREFUSED (a stale socket file too)."
	show "$UNIX" econnrefused demo-sock

	say "What only a Unix socket carries: open files and credentials"
	echo "SCM_RIGHTS passes an open file to a process that never had it,"
	echo "even after its name was removed:"
	show "$UNIX" rights demo-file "secret content"
	echo "SO_PEERCRED: the kernel tells the server who connected:"
	show "$UNIX" peercred demo-sock 1000 100

	say "unix: the point"
	echo "Pros: both directions, streams or datagrams, names with file"
	echo "permissions, fd passing and trustworthy peer credentials (the base"
	echo "of D-Bus, systemd, X11). Cons: one machine only; more setup than"
	echo "a pipe (socket, bind, listen, accept, connect)."
}

main "$@"
