#!/bin/sh
# Grade one student submission with make test itself: copy only its *.c and
# *.h files (nothing it ships is ever run on the host), build them with the
# lab's Kbuild and UAPI header (make module), run the testcases on them
# (make _test, results in $GRADE_OUT/grade/<name>/) and print "Total: X/Y"
# last. A compile error is graded too (every test BUILD_ERROR).
#
# usage: grade.sh SUBMISSION   (the Makefile's make grade sets the env:
#   TOP GRADE_OUT GRADE_TIME GRADE_PROFILE GRADE_EXTRA)
# Exit: 0 once grading finished, whatever the score; 1 when the lab itself
# could not grade.
set -eu

# A source file bigger than this is not student code.
MAX_SOURCE_BYTES=1048576
# The compiler's bounds: wall and CPU seconds, address space.
BUILD_WALL_S=300
BUILD_CPU_S=240
BUILD_AS_BYTES=4294967296

die() {
	echo "grade: $*" >&2
	exit 1
}

lab_make() {
	make --no-print-directory -C "$TOP" -f "$TOP/Makefile" "$@"
}

# Copy the submission's regular *.c/*.h files with plain names into $2; say
# what was left out. Symlinks are never followed.
copy_sources() {
	src=$1 dst=$2
	n=0
	skipped=""
	for f in "$src"/* "$src"/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		base=${f##*/}
		ok=0
		case "$base" in
		*[!A-Za-z0-9_-]*.[ch] | .*) ;;
		ipclab_uapi.h) ;;	# the lab's own copy is used
		*.c | *.h) ok=1 ;;
		esac
		if [ "$ok" = 1 ] && [ -f "$f" ] && [ ! -L "$f" ] &&
			[ "$(wc -c <"$f")" -le "$MAX_SOURCE_BYTES" ]; then
			cp "$f" "$dst/$base"
			n=$((n + 1))
		else
			skipped="$skipped $base"
		fi
	done
	[ -z "$skipped" ] ||
		echo "grade: $NAME: not used (only plain *.c/*.h files are, the lab's ipclab_uapi.h and Kbuild):$skipped"
	echo "grade: $NAME: $n source file(s) copied to $dst"
}

# The module's build, bounded; the compiler's messages with the build
# copy's paths cut to file names.
build_module() {
	set +e
	timeout "$BUILD_WALL_S" prlimit --cpu="$BUILD_CPU_S" --as="$BUILD_AS_BYTES" \
		make --no-print-directory -C "$TOP" -f "$TOP/Makefile" module \
		OUT="$WORK" MODULE_DIR="$WORK/src" PROFILE="$GRADE_PROFILE" \
		>"$WORK/build.raw" 2>&1
	rc=$?
	set -e
	sed -e "s|$WORK/[^/ ]*/module/||g" -e "s|$WORK/src/||g" -e "/^make\[[0-9]*\]: \*\*\*/d" "$WORK/build.raw" |
		head -n 400 >"$WORK/build.log"
	[ "$rc" -ne 124 ] || echo "grade: the build took more than $BUILD_WALL_S s" >>"$WORK/build.log"
	return "$rc"
}

main() {
	[ -n "${1:-}" ] ||
		die "no submission given (hint: make grade SUBMISSION=path/to/dir)"
	[ -d "$1" ] || die "SUBMISSION=$1: no such directory (hint: a directory holding the student's .c/.h files)"
	: "${TOP:?}" "${GRADE_OUT:?}" "${GRADE_TIME:=900}" "${GRADE_PROFILE:=debug}"
	SUB=$(cd "$1" && pwd)
	NAME=${SUB##*/}
	case "$NAME" in
	"" | *[!A-Za-z0-9._-]* | .*)
		die "SUBMISSION=$1: the directory name '$NAME' is not a plain name (hint: rename it to letters, digits, . _ -)" ;;
	esac
	WORK=$GRADE_OUT/grade-work/$NAME
	RES=$GRADE_OUT/grade/$NAME
	case "$WORK" in
	"$SUB"/*) die "OUT is inside the submission $SUB (hint: OUT=out)" ;;
	esac
	deadline=$(($(date +%s) + GRADE_TIME))

	rm -rf "$WORK" "$RES"
	mkdir -p "$WORK/src" "$RES"
	copy_sources "$SUB" "$WORK/src"

	# The lab kernel first: its failure is the lab's, not the student's.
	lab_make kernel PROFILE="$GRADE_PROFILE" ||
		die "the lab kernel did not build (hint: make kernel PROFILE=$GRADE_PROFILE V=1)"

	export LAB_GRADE_NAME="$NAME" LAB_REPORT_MD=1 LAB_DEADLINE="$deadline"
	extra="$GRADE_EXTRA"
	if build_module; then
		echo "grade: $NAME: module built, testing with PROFILE=$GRADE_PROFILE"
		set +e
		timeout $((GRADE_TIME + 120)) make --no-print-directory -C "$TOP" \
			-f "$TOP/Makefile" _test OUT="$WORK" MODULE_DIR="$WORK/src" \
			RESULTS="$RES" PROFILE="$GRADE_PROFILE" EXTRA_TESTS="$extra"
		rc=$?
		set -e
	else
		echo "grade: $NAME: the module did not compile (BUILD_ERROR):"
		grep -E '(^|: )(fatal )?error:|ERROR:|No rule to make' "$WORK/build.log" | head -n 10 | sed 's/^/  /'
		set +e
		LAB_BUILD_LOG="$WORK/build.log" lab_make _grade-build-error \
			OUT="$WORK" RESULTS="$RES" PROFILE="$GRADE_PROFILE" EXTRA_TESTS="$extra"
		rc=$?
		set -e
	fi
	# make says 2 for failed tests as for a broken lab: graded means every
	# planned test has its line in results.tap.
	json=$RES/results.json
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$RES/results.tap" 2>/dev/null || true)
	done=$(grep -cE '^(not )?ok ' "$RES/results.tap" 2>/dev/null || true)
	if [ -z "$plan" ] || [ "$plan" != "$done" ] || [ ! -f "$json" ]; then
		die "$NAME: the runner failed (exit $rc, ${done:-0} of ${plan:-?} tests; hint: see the output above and $WORK)"
	fi
	score=$(sed -n 's/^  "score": \(.*\),$/\1/p' "$json")
	max=$(sed -n 's/^  "max_score": \(.*\),$/\1/p' "$json")
	echo "grade: $NAME: report in $RES/report.md"
	echo "Total: $score/$max"
}

main "$@"
