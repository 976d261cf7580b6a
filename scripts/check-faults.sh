#!/bin/sh
# Test the tester end to end: every broken module in examples/broken/ goes
# through the real runner (make test MODULE_DIR=...) and must get the verdict
# its 'verdict' file names, for every test, with a non-zero exit, a capped
# console log and no QEMU left behind.
#
# usage: check-faults.sh OUTDIR [MAKE ARGS...]
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

main() {
	[ $# -ge 1 ] || { echo "usage: check-faults.sh OUTDIR [MAKE ARGS...]" >&2; exit 2; }
	outdir=$1
	shift
	PASSED=0
	FAILED=0
	mkdir -p "$outdir"
	for dir in "$TOP"/examples/broken/*/; do
		check_one "${dir%/}" "$outdir/$(basename "$dir")" "$@"
	done
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
