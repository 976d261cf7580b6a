#!/bin/sh
# Pack the guest's base initramfs without root privileges, with the
# kernel's own gen_init_cpio: busybox, /init, the helper gate, the lab's
# helpers, the test programs; everything but the module under test, which
# the Makefile appends as a second archive (the kernel unpacks both) or the
# runner carries in after the boot (guest::carry).
#
# usage: pack.sh GEN_INIT_CPIO OUTPUT GATE BINDIR TESTCASES HELPER...
#   GATE is the lab's ipclab_gate.ko (rootfs/gate/), which /init loads first;
#   each HELPER is one of the lab's programs (rootfs/*.c), /bin/<its name>;
#   BINDIR holds one static test program per mechanism; TESTCASES holds
#   <mechanism>/demo.sh walk-throughs for make demo (in the order of their
#   settings' demo=N) and lib/demo-lib.sh, their shared narration helpers.
set -eu

die() {
	printf 'pack: %s\n' "$*" >&2
	exit 1
}

# make demo's place of a mechanism: "demo=N" (0..99) in its folder's
# settings, else 50 (after the others); the demo is installed as
# demo/NN-<mechanism>.sh, and /init runs demo/*.sh in that order.
demo_order() {
	n=50
	if [ -f "$1/settings" ]; then
		n=$(sed -n 's/^[[:space:]]*demo[[:space:]]*=[[:space:]]*\([^[:space:]]*\)[[:space:]]*$/\1/p' "$1/settings" |
			tail -n 1)
		n=${n:-50}
	fi
	case "$n" in
	[0-9] | [1-9][0-9]) ;;
	*) die "$1/settings: demo=$n is not a number 0..99" ;;
	esac
	printf '%02d' "$n"
}

file_list() {
	root=$(dirname "$0")
	echo "dir /bin 755 0 0"
	echo "file /bin/busybox $BUSYBOX 755 0 0"
	echo "file /init $root/init 755 0 0"
	names=" "
	for helper in $HELPERS; do
		echo "file /bin/${helper##*/} $helper 755 0 0"
		names="$names${helper##*/} "
	done
	# busybox's applets, linked here rather than by 'busybox --install' in
	# /init at each cold boot: /init to the gate's load in 161 ms instead of
	# 205 (medians of 5 probe boots, TCG). The lab's helpers win.
	printf '%s\n' "$APPLETS" | while IFS= read -r applet; do
		case "$applet" in
		busybox | "" | *[!A-Za-z0-9_.[-]*) continue ;;
		esac
		case "$names" in
		*" $applet "*) continue ;;
		esac
		echo "slink /bin/$applet busybox 777 0 0"
	done
	for d in /dev /proc /sys /tmp /root /etc /lib /lib/modules /opt \
		/opt/ipclab /opt/ipclab/demo /opt/ipclab/lib /sys/kernel /sys/kernel/debug; do
		echo "dir $d 755 0 0"
	done
	echo "nod /dev/console 600 0 0 c 5 1"
	# What real programs (LTP, kselftests) look up: root, nobody, nogroup,
	# localhost.
	for f in passwd group hosts; do
		echo "file /etc/$f $root/etc/$f 644 0 0"
	done
	echo "file /lib/modules/ipclab_gate.ko $GATE 644 0 0"
	for prog in "$BINDIR"/*; do
		[ -f "$prog" ] && echo "file /opt/ipclab/${prog##*/} $prog 755 0 0"
	done
	for demo in "$TESTCASES"/*/demo.sh; do
		[ -f "$demo" ] || continue
		dir=$(dirname "$demo")
		order=$(demo_order "$dir")
		echo "file /opt/ipclab/demo/$order-${dir##*/}.sh $demo 644 0 0"
	done
	# Not under demo/: rootfs/init runs every demo/*.sh as a demo.
	echo "file /opt/ipclab/lib/demo.sh $TESTCASES/lib/demo-lib.sh 644 0 0"
}

main() {
	[ $# -ge 6 ] || die "usage: pack.sh GEN_INIT_CPIO OUTPUT GATE BINDIR TESTCASES HELPER..."
	GEN=$1 OUTPUT=$2 GATE=$3 BINDIR=$4 TESTCASES=$5
	shift 5
	HELPERS=$*
	BUSYBOX=${BUSYBOX:-/bin/busybox}
	[ -f "$BUSYBOX" ] || die "$BUSYBOX is missing (hint: run 'make deps')"
	for f in "$GATE" "$@"; do
		[ -f "$f" ] || die "$f is missing"
	done
	# The host runs the guest's busybox (static, x86-64) to list them.
	APPLETS=$("$BUSYBOX" --list) || die "$BUSYBOX --list failed (hint: make deps installs busybox-static)"
	file_list >"$OUTPUT.list"
	"$GEN" "$OUTPUT.list" >"$OUTPUT.tmp"
	mv "$OUTPUT.tmp" "$OUTPUT"
}

main "$@"
