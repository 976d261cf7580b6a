#!/bin/sh
# uevent demo: the driver broadcasts a KOBJ_CHANGE uevent with its own
# environment variables, heard by every NETLINK_KOBJECT_UEVENT listener.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

main() {
	say "uevent: the kernel announces device events to udev-like listeners"
	echo "A listener binds a NETLINK_KOBJECT_UEVENT socket to group 1;"
	echo "a write to /dev/ipclab-uevent makes the driver send one:"
	show /opt/ipclab/uevent change hello world
	echo "Words the driver refuses (EINVAL) send nothing:"
	show /opt/ipclab/uevent bad 100 again

	say "Many writers at once: every uevent reaches the listener once"
	show /opt/ipclab/uevent concurrent one two three four

	say "uevent: the point"
	echo "Good for: broadcast notification that something about a device"
	echo "changed; udev runs rules on it, any number may listen."
	echo "Limits: one way (kernel -> listeners), small KEY=value text,"
	echo "no delivery guarantee (a full socket buffer drops events), and"
	echo "who listens is unknown to the driver."
}

main "$@"
