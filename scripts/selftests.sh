#!/bin/sh
# Build the kernel's own IPC-related kselftests from the lab kernel's source,
# statically, with the lab kernel's UAPI headers, and pack them as a cpio
# archive to append to the lab's initramfs (the kernel unpacks concatenated
# archives). Nothing is written into the source tree: kselftest's O= puts
# objects under OUTDIR/build, INSTALL_PATH the installed tree under
# OUTDIR/install.
#
# usage: selftests.sh KSRC KBUILD OUTDIR GEN_INIT_CPIO OUTPUT
#   KSRC is the unpacked kernel source, KBUILD its build (usr/include from
#   make headers); OUTPUT is the cpio archive, unpacked at /opt/selftests.
set -eu

# The collections: IPC between processes, and between user space and the
# kernel. The second list only exists in newer trees (6.12, not 6.1).
TARGETS="ipc mqueue pidfd futex net/af_unix sigaltstack"
NEWER_TARGETS="filesystems/eventfd connector"

die() {
	printf 'selftests: %s\n' "$*" >&2
	exit 1
}

# gen_init_cpio's list: the installed tree under /opt/selftests, and the
# GNU-style /usr/bin/timeout that kselftest's runner calls.
file_list() {
	install=$1 timeout=$2
	tree_list "$install" /opt/selftests
	echo "dir /usr 755 0 0"
	echo "dir /usr/bin 755 0 0"
	echo "file /usr/bin/timeout $timeout 755 0 0"
}

main() {
	[ $# -eq 5 ] || die "usage: selftests.sh KSRC KBUILD OUTDIR GEN_INIT_CPIO OUTPUT"
	KSRC=$1 KBUILD=$2 OUTDIR=$3 GEN=$4 OUTPUT=$5
	TOP=$(cd "$(dirname "$0")/.." && pwd)
	# shellcheck disable=SC1091 # linted on its own
	. "$TOP/scripts/cpio-lib.sh"
	SRC=$KSRC/tools/testing/selftests
	[ -f "$SRC/Makefile" ] || die "no kselftests in $KSRC (hint: make kernel unpacks the source)"
	[ -d "$KBUILD/usr/include" ] ||
		die "no UAPI headers in $KBUILD/usr/include (hint: make kernel runs make headers)"
	[ -f /usr/lib/x86_64-linux-gnu/libpopt.a ] ||
		die "libpopt.a is missing: mqueue needs it (hint: run 'make deps')"
	targets=$TARGETS
	for t in $NEWER_TARGETS; do
		[ -f "$SRC/$t/Makefile" ] && targets="$targets $t"
	done
	rm -rf "$OUTDIR"
	mkdir -p "$OUTDIR"
	echo "selftests: building $targets"
	# FORCE_TARGETS: a collection that does not build is an error, not a
	# silently shorter run.
	make -C "$SRC" CC="gcc -static" FORCE_TARGETS=1 TARGETS="$targets" \
		O="$OUTDIR/build" KHDR_INCLUDES="-isystem $KBUILD/usr/include" \
		INSTALL_PATH="$OUTDIR/install" install >"$OUTDIR/build.log" 2>&1 ||
		die "building the kselftests failed (hint: see $OUTDIR/build.log)"
	strip_elves "$OUTDIR/install"
	file_list "$OUTDIR/install" "$TOP/suites/selftests/timeout" >"$OUTPUT.list"
	"$GEN" "$OUTPUT.list" >"$OUTPUT.tmp"
	mv "$OUTPUT.tmp" "$OUTPUT"
}

main "$@"
