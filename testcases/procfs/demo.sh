#!/bin/sh
# procfs demo: /proc/ipclab shows live statistics as text and
# /proc/ipclab_ctl takes one validated number: the classic "knob and
# report" files of a driver.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

main() {
	say "procfs: text files whose content the driver computes on every read"
	show cat /proc/ipclab
	echo "A write runs the driver's proc_write(), which parses and checks it:"
	show_sh 'echo 42 >/proc/ipclab_ctl && cat /proc/ipclab_ctl'
	show cat /proc/ipclab
	echo "Bad input is refused with EINVAL; the value stays:"
	show_sh 'echo banana >/proc/ipclab_ctl'
	show_sh 'cat /proc/ipclab_ctl; grep rejected /proc/ipclab'
	show_sh 'echo 0 >/proc/ipclab_ctl'

	say "procfs: the point"
	echo "Good for: a human or a script reads state with cat, sets a knob"
	echo "with echo; no special program, no ioctl numbers."
	echo "Limits: text only (every value is parsed and printed), one value"
	echo "per write, no notification (readers must read again), and /proc"
	echo "is meant for processes: new driver knobs belong in sysfs."
}

main "$@"
