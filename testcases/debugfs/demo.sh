#!/bin/sh
# debugfs demo: the driver's internal variables as files under
# /sys/kernel/debug/ipclab/, for debugging only.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

D=/sys/kernel/debug/ipclab

main() {
	say "debugfs: a driver's internals, one line of code per file"
	show ls -l "$D"
	show_sh "echo 7 >$D/value && cat $D/value"
	show_sh "echo hello >$D/poke && cat $D/state"
	show_sh "echo 0 >$D/value"

	say "debugfs: the point"
	echo "Good for: looking at and poking a driver's state while developing"
	echo "it; debugfs_create_u32() and friends need no parsing code."
	echo "Limits: no ABI -- it may change or vanish any time, it needs root"
	echo "and a mounted debugfs, and production systems often disable it."
}

main "$@"
