#!/bin/sh
# repro.sh of a graded submission's repro bundle (scripts/grade.sh writes it
# to out/grade/<id>/repro/, or teacher/repro/ when there are hidden tests):
# replay the tests that did not pass, or the TESTs given, on the very
# kernel, initramfs and module the submission was graded with, with its
# seed, in the lab's sandbox as make grade ran them. The results go to
# replay/ beside this script.
#
# usage: repro.sh [TEST...]
# Exit: the runner's (0 all passed, 1 some failed, 2 it could not run).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
# LAB_TOP (the lab's checkout) and the run's settings, written by grade.sh.
# shellcheck source=/dev/null
. "$HERE/lab.env"

die() {
	printf 'repro: %s\n' "$*" >&2
	exit 2
}

(cd "$HERE" && sha256sum -c --quiet sha256sums) ||
	die "the bundle's files changed since grading (hint: sha256sums lists what they were)"
[ -f "$LAB_TOP/runner/run.exp" ] ||
	die "no lab at $LAB_TOP (hint: set LAB_TOP in $HERE/lab.env to the lab's checkout)"
tests=${*:-$(tr '\n' ' ' <"$HERE/failing")}
out=$HERE/replay
mkdir -p "$out"
ro=""
for d in "$LAB_TOP/runner" "$LAB_TOP/testcases" "$LAB_TOP/scripts" $LAB_EXTRA \
	"$(dirname "$LAB_VMLINUX")" "$LAB_KSRC"; do
	[ ! -e "$d" ] || ro="$ro --ro $d"
done
# shellcheck disable=SC2086 # one --ro per directory
exec sh "$LAB_TOP/scripts/sandbox.sh" --ro "$HERE" $ro --rw "$out" "$out" --dev /dev/kvm \
	--wall 3600 --cpu 7200 --mem 8589934592 --fsize 67108864 --nproc 1024 -- \
	env LAB_QEMU="$LAB_QEMU -kernel $HERE/bzImage -initrd $HERE/initramfs.cpio" \
	LAB_APPEND="$LAB_APPEND" LAB_SCALE="$LAB_SCALE" LAB_TESTDIRS="$LAB_TESTDIRS" \
	LAB_DETECTORS="$LAB_DETECTORS" LAB_SUITE="$LAB_SUITE" LAB_SEED="$LAB_SEED" \
	LAB_TESTS="$tests" LAB_SYSMAP="$HERE/System.map" LAB_VMLINUX="$LAB_VMLINUX" \
	LAB_KSRC="$LAB_KSRC" LAB_MODDIR="$HERE" LAB_OUT="$out/results" LAB_REPRO="$out/repro" \
	LAB_TOOL_WRAPPER="sh $LAB_TOP/scripts/sandbox.sh --ro $HERE --wall 30 --" \
	expect "$LAB_TOP/runner/run.exp"
