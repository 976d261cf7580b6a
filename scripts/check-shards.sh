#!/bin/sh
# SHARD must partition the suite: the slices 1/3, 2/3, 3/3, merged, hold
# exactly the tests of one full run, once each, with the same totals.
#
# usage: check-shards.sh OUTDIR
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)

# The tests of a results/ directory, from its model (runner/query.tcl).
names() {
	tclsh "$TOP/runner/query.tcl" tests "$1" | cut -f 1 | sort
}

ntests() {
	names "$out/$1/results" | wc -l
}

main() {
	[ $# -eq 1 ] || { echo "usage: check-shards.sh OUTDIR" >&2; exit 2; }
	out=$1
	mkdir -p "$out"
	make -s --no-print-directory -C "$TOP" list >"$out.all" 2>/dev/null || {
		echo "check-shards: make list failed" >&2
		exit 1
	}
	dirs=""
	for i in 1 2 3; do
		make --no-print-directory -C "$TOP" test SHARD="$i/3" OUT="$out/$i" >"$out.$i.log" 2>&1
		dirs="$dirs $out/$i/results"
	done
	# shellcheck disable=SC2086 # one word per directory
	make --no-print-directory -C "$TOP" merge-results OUT="$out/merged" DIRS="$dirs" >"$out.merge.log" 2>&1
	names "$out/merged/results" >"$out.merged"
	sort "$out.all" >"$out.want"
	problem=""
	cmp -s "$out.want" "$out.merged" || problem="merged tests differ from 'make list': $(diff "$out.want" "$out.merged" | grep '^[<>]' | head -n 5 | tr '\n' ' ')"
	for i in 1 2 3; do
		[ -s "$out/$i/results/results.model" ] || problem="$problem; shard $i/3 wrote no results"
	done
	total=$(wc -l <"$out.want")
	summary=$(tail -n 1 "$out.merge.log")
	passed=${summary%% passed*}
	skipped=0
	case "$summary" in
	*skipped) skipped=${summary##*failed, } skipped=${skipped%% skipped} ;;
	esac
	case "$summary" in
	*" passed, 0 failed"*) [ $((passed + skipped)) -eq "$total" ] ||
		problem="$problem; merged summary '$summary' does not add up to $total" ;;
	*) problem="$problem; merged summary '$summary', expected no failures" ;;
	esac
	if [ -z "$problem" ]; then
		echo "ok - shards: 3 slices ($(ntests 1), $(ntests 2), $(ntests 3) tests) merge into the $total tests of one run"
		echo "1 passed, 0 failed"
	else
		echo "not ok - shards: $problem"
		echo "0 passed, 1 failed"
		exit 1
	fi
}

main "$@"
