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
# shellcheck disable=SC1091 # linted on its own
. "$TOP/scripts/check-lib.sh"
CONSOLE_CAP=4000000

check_one() {
	dir=$1 out=$2
	shift 2
	want=$(cat "$dir/verdict")
	name=$(basename "$dir")
	start=$(date +%s)
	make --no-print-directory -C "$TOP" test MODULE_DIR="$dir" \
		TESTS='chardev/*' OUT="$out" "$@" >"$out.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	problem=""
	[ "$rc" -ne 0 ] || problem="exit code 0"
	if verdicts=$(tclsh "$TOP/runner/query.tcl" tests "$out/results" | cut -f2); then
		got=$(printf '%s\n' "$verdicts" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
		[ "$(printf '%s\n' "$verdicts" | grep -vcx "$want")" -eq 0 ] || problem="verdicts:$got"
	else
		problem="no results"
	fi
	size=$(wc -c <"$out/results/console.log" 2>/dev/null || echo 0)
	[ "$size" -le $((CONSOLE_CAP + 200000)) ] || problem="console.log is $size bytes"
	pgrep -f "qemu-system.*$out/" >/dev/null && problem="QEMU still running"
	none_or_fail "$problem" "$name: every test $want, exit $rc, $secs s, console.log $size bytes" \
		"$name: expected $want (log: $out.log)"
}

# Faults injected at run time into the lab's own module, among all the
# testcases: faults/<verdict>[-<how>] must get that verdict, everything else
# PASS (on a kernel without a detector, a fault that needs one may SKIP).
check_injected() {
	out=$1
	shift
	start=$(date +%s)
	make --no-print-directory -C "$TOP" test EXTRA_TESTS="$TOP/suites/faults" \
		MODULE_ARGS=fault_inject=1 OUT="$out" "$@" >"$out.log" 2>&1
	secs=$(($(date +%s) - start))
	results=$(tclsh "$TOP/runner/query.tcl" tests "$out/results") || results=""
	bad=$(printf '%s\n' "$results" | while IFS="	" read -r name got _; do
		[ -n "$name" ] || continue
		case "$name" in
		faults/alive-*) want=PASS ;;
		faults/*) want=$(echo "${name#faults/}" | sed 's/-.*//' | tr '[:lower:]' '[:upper:]') ;;
		# The suite's own SKIPs (e.g. no kmemleak in PROFILE=min) stay SKIPs.
		*) want="PASS SKIP" ;;
		esac
		# The debug kernel has every detector, the grading kernel all but
		# KASAN (uaf) and lockdep, the min kernel none.
		case "$PROFILE:$name" in
		debug:*) ;;
		grade:faults/oops-uaf | grade:faults/oops-lockdep) want=SKIP ;;
		grade:*) ;;
		*:faults/leak | *:faults/oops-*) want=SKIP ;;
		esac
		case " $want " in
		*" $got "*) ;;
		*) printf ' %s=%s' "$name" "$got" ;;
		esac
	done)
	[ -n "$results" ] || bad=" no results"
	none_or_fail "$bad" "injected faults: each got its verdict, every other test passed, $secs s" \
		"injected faults: wrong verdicts (log: $out.log)"
	# shellcheck disable=SC2086 # words NAME=VERDICT, no glob characters
	show_logs "$out/results/logs" $bad
}

# The end of each wrong test's log, for a CI whose files are gone after the
# run: printable ASCII only (the log holds guest text).
show_logs() {
	dir=$1
	shift
	for item in "$@"; do
		log="$dir/${item%=*}.log"
		[ -f "$log" ] || continue
		echo "# --- the last lines of $log:"
		tail -n 30 "$log" | LC_ALL=C tr -c '\n[:print:]' '?' | sed 's/^/#   /'
	done
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
	mkdir -p "$outdir"
	# FAULTS=injected skips the broken modules (CI runs them once, with
	# the min profile).
	if [ "${FAULTS:-all}" != injected ]; then
		for dir in "$TOP"/examples/broken/*/; do
			check_one "${dir%/}" "$outdir/$(basename "$dir")" "$@"
		done
	fi
	# One directory a profile: a run that fails early never reads another
	# profile's results.
	rm -rf "$outdir/injected-$PROFILE"
	check_injected "$outdir/injected-$PROFILE" "$@"
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
