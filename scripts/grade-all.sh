#!/bin/sh
# Grade every submission in SUBMISSIONS with make grade, JOBS at a time,
# fanned out by GNU parallel (PARALLEL_ARGS may add --sshloginfile FILE to
# spread the jobs over several machines). A submission is a directory or an
# archive (.zip, .tar, .tar.gz, .tgz, .tar.xz), named as an LMS exports it:
# spaces, non-ASCII, anything. Each gets a plain id (its name, or the name
# made plain plus a hash of it) under which it is graded, out/grade/<id>/;
# archives are unpacked safely (scripts/unpack.py, in the sandbox). Prints
# a progress line per submission, writes $GRADE_OUT/grade/summary.csv (with
# a lab_failure column), matrix.csv and matrix.md (student x test), and
# ends with the summary table.
#
# usage: grade-all.sh SUBMISSIONS   (make grade-all sets the env:
#   TOP GRADE_OUT JOBS PARALLEL_ARGS, and what grade.sh reads, once the
#   kernel and the reference are built: the jobs do not build them at once)
#        grade-all.sh --check SUBMISSIONS   only check it, before make builds
# Exit: 0 when every submission was graded (or the check passed), 1 when
# the lab failed on some.
set -eu

die() {
	echo "grade-all: $*" >&2
	exit 1
}

# A plain id for the submission named $1: the name when it is plain, else
# the name made plain (at most 40 characters) and 8 hex digits of its hash.
plain_id() {
	case "$1" in
	*[!A-Za-z0-9._-]* | .* | "") ;;
	*) printf '%s' "$1"; return ;;
	esac
	base=$(printf '%s' "$1" | LC_ALL=C tr -c 'A-Za-z0-9._-' '_' | cut -c1-40)
	printf '%s-%s' "${base#.}" "$(printf '%s' "$1" | sha1sum | cut -c1-8)"
}

# Make $GRADE_OUT/grade-in/<id> for the submission at $1 (a directory: a
# link to it; an archive: its files, unpacked in the sandbox), and
# <id>.name with its name. Adds the id to the list of those to grade, or,
# for an archive that is refused, to grade-all.refused, saying why.
prepare() {
	path=$1 name=${1##*/}
	case "$name" in
	*.tar.gz) name=${name%.tar.gz} ;;
	*.tar.xz) name=${name%.tar.xz} ;;
	*.zip | *.tar | *.tgz) name=${name%.*} ;;
	esac
	id=$(plain_id "$name")
	in=$GRADE_OUT/grade-in
	[ ! -e "$in/$id" ] || { say "$name: LAB FAILURE: its id $id is taken by another submission"; return; }
	printf '%s' "$name" >"$in/$id.name"
	if [ -d "$path" ]; then
		ln -s "$path" "$in/$id"
		printf '%s\n' "$id" >>"$list"
		return
	fi
	# The archive as a regular file of our own, then unpacked by a
	# program that cannot write anything but the new directory.
	mkdir -p "$in/$id.archive" "$in/$id"
	if cp -P "$path" "$in/$id.archive/a" && [ -f "$in/$id.archive/a" ] && [ ! -L "$in/$id.archive/a" ] &&
		sh "$TOP/scripts/sandbox.sh" --ro "$in/$id.archive" --ro "$TOP/scripts" --rw "$in/$id" /out \
			--wall 60 --fsize 67108864 -- python3 "$TOP/scripts/unpack.py" "$in/$id.archive/a" /out \
			>"$in/$id.unpack.log" 2>&1; then
		rm -rf "$in/$id.archive"
		printf '%s\n' "$id" >>"$list"
	else
		say "$name: LAB FAILURE: $(head -n 1 "$in/$id.unpack.log")"
		rm -rf "${in:?}/$id" "$in/$id.archive"
		printf '%s\n' "$id" >>"$GRADE_OUT/grade-all.refused"
	fi
}

say() {
	printf 'grade-all: %s\n' "$*" | tclsh "$TOP/runner/escape.tcl"
}

# Run by parallel for one submission: grade it, log to its work directory,
# print one progress line.
job() {
	id=$1 total=$2
	log=$GRADE_OUT/grade-work/$id.log
	mkdir -p "$GRADE_OUT/grade-work"
	start=$(date +%s)
	if sh "$TOP/scripts/grade.sh" "$GRADE_OUT/grade-in/$id" >"$log" 2>&1; then
		result=$(tail -n 1 "$log")
		echo graded >"$GRADE_OUT/grade-all.done/$id"
	else
		result="LAB FAILURE (see $log)"
		echo failed >"$GRADE_OUT/grade-all.done/$id"
	fi
	done=$(find "$GRADE_OUT/grade-all.done" -type f | wc -l)
	say "[$done/$total] $(cat "$GRADE_OUT/grade-in/$id.name"): $result ($(($(date +%s) - start)) s)"
}

# Is $1 a submission: a directory, or an archive that is a regular file?
is_submission() {
	[ -d "$1" ] || case "$1" in
		*.zip | *.tar | *.tar.gz | *.tgz | *.tar.xz) [ -f "$1" ] ;;
		*) false ;;
	esac
}

# What can be checked before anything is built.
check_input() {
	[ -n "$1" ] ||
		die "no directory given (hint: make grade-all SUBMISSIONS=dir-of-submissions)"
	[ -d "$1" ] || die "SUBMISSIONS=$1: no such directory"
	command -v parallel >/dev/null ||
		die "GNU parallel not found (hint: make deps, or apt-get install parallel)"
	for sub in "$1"/*; do
		! is_submission "$sub" || return 0
	done
	die "SUBMISSIONS=$1 has no submission (hint: a directory of directories or archives)"
}

main() {
	check_input "${1:-}"
	: "${TOP:?}" "${GRADE_OUT:?}" "${JOBS:=2}"
	dir=$(cd "$1" && pwd)
	list=$GRADE_OUT/grade-all.list
	mkdir -p "$GRADE_OUT/grade"
	rm -rf "$GRADE_OUT/grade-all.done" "$GRADE_OUT/grade-in" "$GRADE_OUT/grade-all.refused"
	mkdir -p "$GRADE_OUT/grade-all.done" "$GRADE_OUT/grade-in"
	: >"$list"
	: >"$GRADE_OUT/grade-all.refused"
	for sub in "$dir"/*; do
		! is_submission "$sub" || prepare "$sub"
	done
	total=$(wc -l <"$list")
	[ "$total" -gt 0 ] || [ -s "$GRADE_OUT/grade-all.refused" ] ||
		die "SUBMISSIONS=$1 has no submission (hint: a directory of directories or archives)"
	echo "grade-all: $total submission(s) from $dir, $JOBS at a time"
	start=$(date +%s)
	# The jobs read grade.sh's environment, which --env carries to other
	# machines (the runner's is in the file GRADE_RUN_ENV, under OUT).
	# GNU parallel keeps its state under OUT, not in $HOME.
	export TOP GRADE_OUT
	PARALLEL_HOME=$GRADE_OUT/.parallel
	export PARALLEL_HOME
	# shellcheck disable=SC2086 # PARALLEL_ARGS holds several options
	parallel --jobs "$JOBS" --env TOP --env GRADE_OUT --env GRADE_TIME \
		--env GRADE_PROFILE --env GRADE_EXTRA --env UNSAFE_HOST_BUILD --env ALLOW_SYMBOLS \
		--env GRADE_HIDDEN --env GRADE_KBUILD --env GRADE_KSRC --env GRADE_REF --env GRADE_RUN_ENV \
		$PARALLEL_ARGS sh "$TOP/scripts/grade-all.sh" --job {} "$total" \
		<"$list" || true
	secs=$(($(date +%s) - start))

	# The class's tables, from the result models (runner/query.tcl).
	# shellcheck disable=SC2046 # one argument per id
	tclsh "$TOP/runner/query.tcl" class "$GRADE_OUT" $(cat "$list" "$GRADE_OUT/grade-all.refused")
	csv=$GRADE_OUT/grade/summary.csv
	echo "grade-all: summary in $csv (and .md), student x test in $GRADE_OUT/grade/matrix.md"
	sed 's/^/  /' "$GRADE_OUT/grade/summary.md"
	rate=$(echo "$total $secs" | awk '{ printf "%.1f", $2 ? 60 * $1 / $2 : 0 }')
	echo "grade-all: $total submission(s) in $secs s ($rate per minute, JOBS=$JOBS)"
	! grep -q ',1$' "$csv"
}

if [ "${1:-}" = --job ]; then
	shift
	job "$@"
elif [ "${1:-}" = --check ]; then
	check_input "${2:-}"
else
	main "$@"
fi
