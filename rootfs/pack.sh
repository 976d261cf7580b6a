#!/bin/sh
# Pack the guest's initramfs without root privileges, with the kernel's
# own gen_init_cpio: busybox, /init, the helper gate, the module, the test
# programs.
#
# usage: pack.sh GEN_INIT_CPIO OUTPUT MODULE GATE BINDIR TESTCASES LAB_EXEC
#   GATE is the lab's ipclab_gate.ko (rootfs/gate/), which /init loads first;
#   LAB_EXEC is rootfs/lab-exec.c's program, /bin/lab-exec;
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
	echo "file /bin/lab-exec $LAB_EXEC 755 0 0"
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
	# MODULE "none": a graded guest's base, to which the submission's
	# module is appended (scripts/grade.sh); no reference module in it.
	[ "$MODULE" = none ] || echo "file /lib/modules/ipclab.ko $MODULE 644 0 0"
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
	[ $# -eq 7 ] || die "usage: pack.sh GEN_INIT_CPIO OUTPUT MODULE GATE BINDIR TESTCASES LAB_EXEC"
	GEN=$1 OUTPUT=$2 MODULE=$3 GATE=$4 BINDIR=$5 TESTCASES=$6 LAB_EXEC=$7
	BUSYBOX=${BUSYBOX:-/bin/busybox}
	[ -f "$BUSYBOX" ] || die "$BUSYBOX is missing (hint: run 'make deps')"
	[ "$MODULE" = none ] || [ -f "$MODULE" ] || die "$MODULE is missing"
	[ -f "$GATE" ] || die "$GATE is missing"
	[ -f "$LAB_EXEC" ] || die "$LAB_EXEC is missing"
	file_list >"$OUTPUT.list"
	"$GEN" "$OUTPUT.list" >"$OUTPUT.tmp"
	mv "$OUTPUT.tmp" "$OUTPUT"
}

main "$@"
