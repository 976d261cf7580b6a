#!/bin/sh
# Grade every subdirectory of SUBMISSIONS with make grade, JOBS at a time,
# fanned out by GNU parallel (PARALLEL_ARGS may add --sshloginfile FILE to
# spread the jobs over several machines). Prints a progress line per
# submission, writes $GRADE_OUT/grade/summary.csv and ends with a table.
#
# usage: grade-all.sh SUBMISSIONS   (make grade-all sets the env:
#   TOP GRADE_OUT JOBS PARALLEL_ARGS, and what grade.sh reads)
# Exit: 0 when every submission was graded, 1 when the lab failed on some.
set -eu

VERDICTS="PASS FAIL SKIP TIMEOUT WARN LEAK OOPS PANIC BUILD_ERROR"

die() {
	echo "grade-all: $*" >&2
	exit 1
}

# One CSV line: name,score,max,<count per verdict>.
csv_line() {
	name=$1 json=$2
	score=$(sed -n 's/^  "score": \(.*\),$/\1/p' "$json")
	max=$(sed -n 's/^  "max_score": \(.*\),$/\1/p' "$json")
	line="$name,$score,$max"
	for v in $VERDICTS; do
		line="$line,$(grep -c "\"verdict\": \"$v\"" "$json" || true)"
	done
	echo "$line"
}

# Run by parallel for one submission: grade it, log to its work directory,
# print one progress line.
job() {
	sub=$1 total=$2
	name=${sub##*/}
	log=$GRADE_OUT/grade-work/$name.log
	mkdir -p "$GRADE_OUT/grade-work"
	start=$(date +%s)
	if make --no-print-directory -C "$TOP" -f "$TOP/Makefile" _grade \
		SUBMISSION="$sub" >"$log" 2>&1; then
		result=$(tail -n 1 "$log")
	else
		result="LAB FAILURE (see $log)"
	fi
	touch "$GRADE_OUT/grade-all.done/$name"
	done=$(find "$GRADE_OUT/grade-all.done" -type f | wc -l)
	printf 'grade-all: [%s/%s] %s: %s (%s s)\n' "$done" "$total" "$name" "$result" \
		"$(($(date +%s) - start))" | tclsh "$TOP/runner/escape.tcl"
}

main() {
	[ -n "${1:-}" ] ||
		die "no directory given (hint: make grade-all SUBMISSIONS=dir-of-submissions)"
	[ -d "$1" ] || die "SUBMISSIONS=$1: no such directory"
	command -v parallel >/dev/null ||
		die "GNU parallel not found (hint: make deps, or apt-get install parallel)"
	: "${TOP:?}" "${GRADE_OUT:?}" "${JOBS:=2}"
	dir=$(cd "$1" && pwd)
	list=$GRADE_OUT/grade-all.list
	mkdir -p "$GRADE_OUT/grade"
	find "$dir" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | sort >"$list"
	total=$(wc -l <"$list")
	[ "$total" -gt 0 ] || die "SUBMISSIONS=$1 has no subdirectory"
	rm -rf "$GRADE_OUT/grade-all.done"
	mkdir -p "$GRADE_OUT/grade-all.done"

	# Built once here, not by every job at the same time: the kernel, and
	# the reference module whose imports a submission may use.
	make --no-print-directory -C "$TOP" -f "$TOP/Makefile" kernel \
		PROFILE="${GRADE_PROFILE:-debug}" ||
		die "the lab kernel did not build (hint: make kernel V=1)"
	make --no-print-directory -C "$TOP" -f "$TOP/Makefile" -s _grade-reference \
		OUT="$GRADE_OUT/grade-reference" MODULE_DIR="$TOP/module" \
		PROFILE="${GRADE_PROFILE:-debug}" ||
		die "the reference module did not build (hint: make module V=1)"
	echo "grade-all: $total submission(s) from $dir, $JOBS at a time"
	start=$(date +%s)
	# The jobs read TOP, GRADE_OUT and the make variables given on the
	# command line (MAKEFLAGS); --env carries them to other machines.
	export TOP GRADE_OUT
	# shellcheck disable=SC2086 # PARALLEL_ARGS holds several options
	parallel --jobs "$JOBS" --env TOP --env GRADE_OUT --env MAKEFLAGS \
		$PARALLEL_ARGS sh "$TOP/scripts/grade-all.sh" --job {} "$total" \
		<"$list" || true
	secs=$(($(date +%s) - start))

	csv=$GRADE_OUT/grade/summary.csv
	header="name,score,max"
	for v in $VERDICTS; do
		header="$header,$v"
	done
	{
		echo "$header"
		while IFS= read -r sub; do
			name=${sub##*/}
			json=$GRADE_OUT/grade/$name/results.json
			if [ -f "$json" ] && tail -n 1 "$GRADE_OUT/grade-work/$name.log" |
				grep -q '^Total: '; then
				csv_line "$name" "$json"
			else
				echo "$name,,,LAB FAILURE"
			fi
		done <"$list"
	} >"$csv.tmp"
	mv "$csv.tmp" "$csv"
	echo "grade-all: summary in $csv"
	column -s, -t <"$csv" | sed 's/^/  /'
	rate=$(echo "$total $secs" | awk '{ printf "%.1f", $2 ? 60 * $1 / $2 : 0 }')
	echo "grade-all: $total submission(s) in $secs s ($rate per minute, JOBS=$JOBS)"
	[ "$(grep -c ',LAB FAILURE$' "$csv")" -eq 0 ]
}

if [ "${1:-}" = --job ]; then
	shift
	job "$@"
else
	main "$@"
fi
