#!/bin/sh
# sysfs demo: attributes of a device, one value per file, and a value the
# driver changes and announces with sysfs_notify().
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

DIR=/sys/class/misc/ipclab-sysfs

main() {
	say "sysfs: a device's attributes are files, one value each"
	show ls "$DIR"
	show_sh "echo 1234 >$DIR/value && cat $DIR/value"
	echo "The driver validates each write (store callback):"
	show_sh "echo 99999999999 >$DIR/value"

	say "An attribute the driver changes by itself, announced with sysfs_notify"
	echo "A reader sleeps in poll(POLLPRI) until the driver notifies,"
	echo "then seeks to 0 and reads again -- no busy polling:"
	show /opt/ipclab/sysfs notify 777 300
	show_sh "echo 0 >$DIR/value"

	say "sysfs: the point"
	echo "Good for: the stable, documented knobs and status of a device,"
	echo "readable by udev rules and shell scripts."
	echo "Limits: one text value per file (no structures, no streams),"
	echo "a page at most, and notification is only a hint to read again."
}

main "$@"
