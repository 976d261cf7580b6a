#!/bin/sh
# configfs demo: user space creates kernel objects with mkdir, configures
# them by writing their attributes and destroys them with rmdir.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

DIR=/sys/kernel/config/ipclab

main() {
	grep -q ' /sys/kernel/config configfs ' /proc/mounts || mount -t configfs none /sys/kernel/config

	say "configfs: mkdir makes a kernel object, its attributes come with it"
	show ls "$DIR"
	show mkdir "$DIR/demo"
	show ls -l "$DIR/demo"
	echo "Writes are validated by the driver's store callbacks; the kernel"
	echo "computes what is read-only (a checksum of the word, a count):"
	show_sh "echo hello >$DIR/demo/word && cat $DIR/demo/word $DIR/demo/checksum $DIR/demo/writes"
	echo "A capacity under the word's length is EBUSY, one over the limit EINVAL:"
	show_sh "echo 3 >$DIR/demo/capacity"
	show_sh "echo 99 >$DIR/demo/capacity"
	show cat "$DIR/items"

	say "While the kernel holds an object, it cannot be removed"
	show_sh "echo 1 >$DIR/demo/hold && rmdir $DIR/demo"
	show_sh "echo 0 >$DIR/demo/hold && rmdir $DIR/demo"
	show ls "$DIR"

	say "configfs: the point"
	echo "Good for: objects whose number and names user space decides"
	echo "(targets, gadgets, bindings), each configured with echo and"
	echo "removed with rmdir; the kernel refuses what it cannot accept."
	echo "Limits: one text value per attribute and write (no transactions"
	echo "across attributes), no notification, and configfs must be mounted."
}

main "$@"
