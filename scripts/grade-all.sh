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
	if sh "$TOP/scripts/grade.sh" "$sub" >"$log" 2>&1; then
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
	# Names are the students': one with a character outside the plain set
	# (a newline would split it in the list) is refused here, escaped.
	: >"$list"
	: >"$list.refused"
	for sub in "$dir"/*/; do
		[ -d "$sub" ] || continue
		sub=${sub%/}
		name=${sub##*/}
		case "$name" in
		*[!A-Za-z0-9._-]* | .*) printf '%s' "$name" | tclsh "$TOP/runner/escape.tcl" -line >>"$list.refused"
			echo >>"$list.refused" ;;
		*) printf '%s\n' "$sub" >>"$list" ;;
		esac
	done
	total=$(wc -l <"$list")
	[ "$total" -gt 0 ] || [ -s "$list.refused" ] || die "SUBMISSIONS=$1 has no subdirectory"
	while IFS= read -r name; do
		echo "grade-all: $name: LAB FAILURE: not a plain name (hint: rename it to letters, digits, . _ -)"
	done <"$list.refused"
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
	# The jobs read grade.sh's environment and the make variables given
	# on the command line (MAKEFLAGS); --env carries them to other
	# machines. GNU parallel keeps its state under OUT, not in $HOME.
	export TOP GRADE_OUT
	PARALLEL_HOME=$GRADE_OUT/.parallel
	export PARALLEL_HOME
	# shellcheck disable=SC2086 # PARALLEL_ARGS holds several options
	parallel --jobs "$JOBS" --env TOP --env GRADE_OUT --env MAKEFLAGS --env GRADE_TIME \
		--env GRADE_PROFILE --env GRADE_EXTRA --env UNSAFE_HOST_BUILD --env ALLOW_SYMBOLS \
		--env LAB_TESTS --env LAB_SEED --env GRADE_HIDDEN \
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
		sed 's/$/,,,LAB FAILURE/' "$list.refused"
	} >"$csv.tmp"
	mv "$csv.tmp" "$csv"
	echo "grade-all: summary in $csv"
	column -s, -t <"$csv" | sed 's/^/  /' | tclsh "$TOP/runner/escape.tcl"
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
