#!/bin/sh
# Snapshot boots: the first run boots cold and saves the ready guest, the
# next restores it; a damaged snapshot is found out, never used, and
# replaced; SNAPSHOT=0 boots cold and leaves the snapshot alone; ISOLATE=1
# restores a guest for every test. Every run must pass its tests. The
# module is carried in after the restore: another module restores the same
# snapshot and is the one that runs; one too big to carry is refused.
#
# usage: check-snapshot.sh OUTDIR
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0

check() {
	if [ "$1" = 0 ]; then
		echo "ok - $2"
		passed=$((passed + 1))
	else
		echo "not ok - $2"
		failed=$((failed + 1))
	fi
}

# One test; its boot line ("cold" or "restored") on stdout.
run() {
	make --no-print-directory -C "$TOP" test TESTS=chardev/write-read OUT="$out" "$@" >"$out.log" 2>&1 ||
		{ echo "failed"; return; }
	sed -n 's/^# boot to shell: \([0-9]*\) ms (\([a-z]*\))$/\2 \1/p' "$out.log"
}

snapshot() {
	ls "$out"/*/snapshot/*.state 2>/dev/null
}

main() {
	[ $# -eq 1 ] || { echo "usage: check-snapshot.sh OUTDIR" >&2; exit 2; }
	out=$1
	rm -rf "$out"
	b=$(run)
	s=$(snapshot)
	case "$b" in cold*) [ -n "$s" ]; r=$? ;; *) r=1 ;; esac
	check "$r" "a first run boots cold and saves a snapshot ($b; ${s:-none})"
	b=$(run)
	case "$b" in restored*) r=0 ;; *) r=1 ;; esac
	check "$r" "the next run restores it ($b)"
	# A damaged snapshot: its first half.
	if [ -n "$s" ]; then
		head -c $(($(wc -c <"$s") / 2)) "$s" >"$s.half" && mv "$s.half" "$s"
	fi
	b=$(run)
	# The cold boot's own snapshot: its pages, and so its name, may differ.
	s=$(snapshot)
	case "$b" in
	cold*) grep -aq 'snapshot not usable' "$out/results/console.log" && [ -n "$s" ] &&
		[ "$(wc -c <"$s")" -gt 1000000 ]; r=$? ;;
	*) r=1 ;;
	esac
	check "$r" "a damaged snapshot is not used: a cold boot, which saves a whole one ($b)"
	before=$(stat -c %i.%Y.%s "$s" 2>/dev/null)
	b=$(run SNAPSHOT=0)
	case "$b" in cold*) [ "$(stat -c %i.%Y.%s "$s" 2>/dev/null)" = "$before" ]; r=$? ;; *) r=1 ;; esac
	check "$r" "SNAPSHOT=0 boots cold and leaves the snapshot as it was ($b)"
	b=$(run)
	case "$b" in restored*) r=0 ;; *) r=1 ;; esac
	check "$r" "then a run restores again ($b)"
	# Another module: the snapshot (taken before any module loads) is
	# still this kernel's and initramfs's; the module that runs is the new
	# one, whose warning at load every test gets.
	bad=$TOP/examples/broken/warn-at-load
	b=$(run MODULE_DIR="$bad")
	v=$(tclsh "$TOP/runner/query.tcl" tests "$out/results" | cut -f2)
	case "$b" in "failed") [ "$v" = "$(cat "$bad/verdict")" ] && [ "$(snapshot)" = "$s" ] &&
		grep -q 'boot to shell: [0-9]* ms (restored)' "$out.log"; r=$? ;; *) r=1 ;; esac
	check "$r" "another module restores the same snapshot and is the one that runs ($v)"
	head -c 9000000 /dev/zero >"$out.big.ko"
	make --no-print-directory -C "$TOP" test TESTS=chardev/write-read OUT="$out" \
		MODULE_PREBUILT="$out.big.ko" >"$out.log" 2>&1
	r=$?
	[ "$r" = 2 ] && grep -q '^runner: the module could not be carried into the guest: it is 9000000 bytes' "$out.log"
	check $? "a module too big to carry in: exit 2, one line that says so (exit $r)"
	rm -f "$out.big.ko"
	make --no-print-directory -C "$TOP" test TESTS='chardev/write-read chardev/capacity chardev/partial-read' \
		ISOLATE=1 OUT="$out" >"$out.log" 2>&1
	r=$?
	[ "$r" = 0 ] && grep -q '^# 3 boot(s)' "$out.log"
	check $? "ISOLATE=1: three tests, three restored guests, all passed (exit $r)"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}

main "$@"
