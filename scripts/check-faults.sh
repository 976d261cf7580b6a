#!/bin/sh
# Test the tester end to end, with real QEMU boots: every broken module in
# examples/broken/ goes through the real runner (make test MODULE_DIR=...)
# and must get the verdict its 'verdict' file names, for every test, with a
# non-zero exit, a capped console log and no QEMU left behind; then faults
# injected at run time must get theirs while every other test passes.
#
# usage: [FAULTS=injected] check-faults.sh OUTDIR [MAKE ARGS...]
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
CONSOLE_CAP=4000000

check_one() {
	dir=$1 out=$2
	shift 2
	want=$(cat "$dir/verdict")
	name=$(basename "$dir")
	start=$(date +%s)
	make --no-print-directory -C "$TOP" _test MODULE_DIR="$dir" \
		TESTS='chardev/*' OUT="$out" "$@" >"$out.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	json="$out/results/results.json"
	problem=""
	[ "$rc" -ne 0 ] || problem="exit code 0"
	[ -f "$json" ] || problem="no results.json"
	if [ -f "$json" ]; then
		got=$(grep -o '"verdict": "[A-Z_]*"' "$json" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
		others=$(grep -o '"verdict": "[A-Z_]*"' "$json" | grep -vc "\"$want\"")
		[ "$others" -eq 0 ] || problem="verdicts:$got"
	fi
	size=$(wc -c <"$out/results/console.log" 2>/dev/null || echo 0)
	[ "$size" -le $((CONSOLE_CAP + 200000)) ] || problem="console.log is $size bytes"
	pgrep -f "qemu-system.*$out/" >/dev/null && problem="QEMU still running"
	if [ -z "$problem" ]; then
		echo "ok - $name: every test $want, exit $rc, $secs s, console.log $size bytes"
		PASSED=$((PASSED + 1))
	else
		echo "not ok - $name: expected $want: $problem (log: $out.log)"
		FAILED=$((FAILED + 1))
	fi
}

# Faults injected at run time into the lab's own module, among all the
# testcases: faults/<verdict>[-<how>] must get that verdict, everything else
# PASS (without PROFILE=debug, the faults that need a detector may SKIP).
check_injected() {
	out=$1
	shift
	start=$(date +%s)
	make --no-print-directory -C "$TOP" _test EXTRA_TESTS="$TOP/runner/inject" \
		MODULE_ARGS=fault_inject=1 OUT="$out" "$@" >"$out.log" 2>&1
	secs=$(($(date +%s) - start))
	tap="$out/results/results.tap"
	bad=$(grep -E '^(not )?ok ' "$tap" 2>/dev/null | while read -r line; do
		name=$(echo "$line" | sed 's/^\(not \)\{0,1\}ok [0-9]* - \([^ ]*\).*/\2/')
		case "$name" in
		faults/alive-*) want=PASS ;;
		faults/*) want=$(echo "${name#faults/}" | sed 's/-.*//' | tr '[:lower:]' '[:upper:]') ;;
		# The suite's own SKIPs (e.g. no kmemleak in PROFILE=min) stay SKIPs.
		*) want="PASS SKIP" ;;
		esac
		# Without PROFILE=debug the kernel has no detector for these.
		case "$PROFILE:$name" in
		debug:*) ;;
		*:faults/leak | *:faults/*-*) want="$want SKIP" ;;
		esac
		got=PASS
		case "$line" in
		"not ok"*) got=${line##*# } ;;
		*"# SKIP"*) got=SKIP ;;
		esac
		case " $want " in
		*" $got "*) ;;
		*) printf ' %s=%s' "$name" "$got" ;;
		esac
	done)
	[ -f "$tap" ] || bad=" no results.tap"
	if [ -z "$bad" ]; then
		echo "ok - injected faults: each got its verdict, every other test passed, $secs s"
		PASSED=$((PASSED + 1))
	else
		echo "not ok - injected faults: wrong verdicts:$bad (log: $out.log)"
		FAILED=$((FAILED + 1))
	fi
}

main() {
	[ $# -ge 1 ] || { echo "usage: check-faults.sh OUTDIR [MAKE ARGS...]" >&2; exit 2; }
	outdir=$1
	shift
	PROFILE=min
	for arg in "$@"; do
		case "$arg" in
		PROFILE=*) PROFILE=${arg#PROFILE=} ;;
		esac
	done
	PASSED=0
	FAILED=0
	mkdir -p "$outdir"
	# FAULTS=injected skips the broken modules (CI runs them once, with
	# the min profile).
	if [ "${FAULTS:-all}" != injected ]; then
		for dir in "$TOP"/examples/broken/*/; do
			check_one "${dir%/}" "$outdir/$(basename "$dir")" "$@"
		done
	fi
	check_injected "$outdir/injected" "$@"
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
