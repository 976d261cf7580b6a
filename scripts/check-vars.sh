#!/bin/sh
# Check every make variable the lab reads, before anything is built, booted
# or deleted: the public targets run this first. A bad value is one line,
# "ipclab: what is wrong (hint: what to write)", on stderr, and exit 2.
# The runner's own variables (TESTS, SHARD, SEED, REPEAT) are checked by
# the runner itself (LAB_CHECK=1: the same code as a run, the same test
# loader), without writing anything.
#
# usage: check-vars.sh GOAL...   (the targets make was asked for)
# Environment: the variables, as the Makefile passes them (TOP, OUT,
# CACHE_DIR, ACCEL, ...), and LAB_TESTDIRS for the runner's check.
# On success, marks OUT and CACHE_DIR as the lab's (.ipclab-out,
# .ipclab-cache) when they are new, empty or the defaults, so that make
# clean and distclean remove only directories the lab made.
set -u

bad() {
	printf 'ipclab: %s\n' "$*" >&2
	exit 2
}

# one_of VAR VALUE WORD...
one_of() {
	var=$1 value=$2
	shift 2
	for w in "$@"; do
		[ "$value" = "$w" ] && return 0
	done
	bad "$var='$value' is not one of: $* (hint: $var=$1)"
}

positive() {
	case "$2" in
	"" | *[!0-9]* | 0*) bad "$1='$2' is not a positive integer (hint: $1=$3)" ;;
	esac
	[ "${#2}" -le 6 ] || bad "$1='$2' is too large (hint: $1=$3)"
}

# The absolute, normalised path of $1 (which need not exist).
absolute() {
	case "$1" in
	/*) p=$1 ;;
	*) p=$(pwd)/$1 ;;
	esac
	realpath -m -- "$p"
}

# A directory the lab would fill, and make clean or distclean remove:
# never /, the checkout, the home directory or one of their parents.
safe_dir() {
	var=$1 value=$2 hint=$3
	[ -n "$value" ] || bad "$var is empty (hint: $hint)"
	dir=$(absolute "$value")
	for keep in / "$TOP" "${HOME:-/}"; do
		keep=$(absolute "$keep")
		what="the checkout $keep"
		[ "$keep" = "$TOP" ] || what="$keep"
		[ "$keep" = "$(absolute "${HOME:-/}")" ] && what="the home directory $keep"
		[ "$keep" = / ] && what="the root directory"
		[ "$dir" = "$keep" ] || what="$dir, which holds $what"
		case "$keep/" in
		"$dir"/*) bad "$var=$value is $what: the lab would fill it and make clean or distclean delete it (hint: $hint)" ;;
		esac
	done
	[ ! -e "$dir" ] || [ -d "$dir" ] || bad "$var=$value is not a directory (hint: $hint)"
}

# Mark DIR as the lab's when it is new, empty or the lab's default place.
mark() {
	dir=$(absolute "$1") marker=$2 default=$3
	[ -f "$dir/$marker" ] && return 0
	if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] && [ "$dir" != "$(absolute "$default")" ]; then
		return 0
	fi
	mkdir -p "$dir" && printf 'made by ipclab: make clean/distclean may remove this directory\n' >"$dir/$marker"
}

# make clean and distclean remove only what the lab made (scripts/clean.sh
# checks again).
owned() {
	dir=$(absolute "$2")
	[ ! -e "$dir" ] || [ -f "$dir/$3" ] ||
		bad "$1=$2 was not made by ipclab (no $3 in $dir): not removed (hint: remove it yourself if it should go)"
}

check_kernel() {
	if [ -n "${KERNEL_SRC:-}" ]; then
		[ -f "$KERNEL_SRC/Makefile" ] ||
			bad "KERNEL_SRC=$KERNEL_SRC is not a kernel source tree (no Makefile) (hint: a git checkout of Linux)"
		return 0
	fi
	[ -f "/usr/src/linux-source-$KERNEL_VERSION.tar.xz" ] && return 0
	installable=$(sh "$TOP/scripts/deps.sh" --kernels)
	for v in $installable; do
		[ "$v" = "$KERNEL_VERSION" ] && return 0
	done
	installed=$(for f in /usr/src/linux-source-*.tar.xz; do
		[ -f "$f" ] || continue
		f=${f#/usr/src/linux-source-}
		printf ' %s' "${f%.tar.xz}"
	done)
	installed=${installed# }
	bad "KERNEL_VERSION=$KERNEL_VERSION: no Debian kernel source (installed: ${installed:-none}; make deps installs: $installable) (hint: KERNEL_VERSION=${installable%% *}, or KERNEL_SRC=path/to/linux)"
}

check_module() {
	[ -n "${MODULE_PREBUILT:-}" ] && return 0
	[ -n "$MODULE_DIR" ] || bad "MODULE_DIR is empty (hint: MODULE_DIR=module)"
	[ -d "$MODULE_DIR" ] || bad "MODULE_DIR=$MODULE_DIR: no such directory (hint: MODULE_DIR=module, or a directory of .c/.h files)"
	for f in "$MODULE_DIR"/*.c; do
		[ -f "$f" ] && return 0
	done
	bad "MODULE_DIR=$MODULE_DIR: no sources (no .c file in it) (hint: MODULE_DIR=module)"
}

check_extra() {
	for d in $EXTRA_TESTS; do
		[ -d "$d" ] || bad "EXTRA_TESTS: $d: no such directory (hint: EXTRA_TESTS=dir holding <mechanism>/*.exp)"
		found=0
		for f in "$d"/*.exp "$d"/*/*.exp; do
			[ -f "$f" ] && found=1 && break
		done
		[ "$found" = 1 ] || bad "EXTRA_TESTS: $d holds no *.exp nor <mechanism>/*.exp (hint: EXTRA_TESTS=dir holding <mechanism>/*.exp)"
	done
}

check_dirs() {
	[ -n "$DIRS" ] || bad 'DIRS is empty (hint: DIRS="out/s1/results out/s2/results")'
	for d in $DIRS; do
		[ -f "$d/results.model" ] ||
			bad "DIRS: $d has no results.model (hint: DIRS names the results/ directories of finished runs)"
	done
}

# make suite: SUITE a folder of static programs (scripts/suite.sh says
# what is wrong with it), before anything is built.
check_suite() {
	one_of SUITE_FORMAT "$SUITE_FORMAT" auto ltp ktap exit
	[ -z "$SUITE_TIMEOUT" ] || positive SUITE_TIMEOUT "$SUITE_TIMEOUT" 300
	why=$(sh "$TOP/scripts/suite.sh" check "$SUITE" 2>&1) || bad "$why"
	check_runner "$TOP/suites/suite"
}

# The runner's variables, by the runner: TESTS must match, SHARD be i/N...
check_runner() {
	command -v expect >/dev/null || return 0
	LAB_CHECK=1 LAB_TESTDIRS="$1" LAB_TESTS="$TESTS" LAB_SEED="$SEED" \
		LAB_REPEAT="$REPEAT" LAB_SHARD="$SHARD" LAB_DURATIONS="$DURATIONS" \
		expect "$TOP/runner/run.exp" || exit 2
}

main() {
	: "${TOP:?}" "${OUT=}" "${CACHE_DIR=}" "${ACCEL:=auto}" "${JOBS:=1}"
	: "${KERNEL_VERSION:=}" "${MODULE_DIR:=module}" "${EXTRA_TESTS:=}" "${V:=0}"
	: "${TESTS:=*}" "${SEED:=}" "${REPEAT:=1}" "${SHARD:=}" "${DURATIONS:=}"
	: "${FAULTS:=all}" "${GRADE_TIME:=900}" "${UNSAFE_HOST_BUILD:=0}" "${ALLOW_SYMBOLS:=}"
	: "${DIRS:=}" "${DEFAULT_CACHE_DIR:=}" "${HIDDEN:=verdict}" "${SNAPSHOT:=1}" "${ISOLATE:=0}"
	: "${EXPLAIN:=1}"
	: "${SUITE:=}" "${SUITE_TIMEOUT:=}" "${SUITE_FORMAT:=auto}"
	safe_dir OUT "$OUT" "OUT=out, or a new directory"
	safe_dir CACHE_DIR "$CACHE_DIR" "CACHE_DIR=~/.cache/ipclab, or a new directory"
	[ "$(absolute "$OUT")" != "$(absolute "$CACHE_DIR")" ] ||
		bad "OUT and CACHE_DIR are both $OUT: make clean would delete the kernel cache (hint: OUT=out)"
	one_of ACCEL "$ACCEL" auto kvm tcg
	positive JOBS "$JOBS" 2
	one_of V "$V" 0 1
	one_of SNAPSHOT "$SNAPSHOT" 0 1
	one_of ISOLATE "$ISOLATE" 0 1
	one_of FAULTS "$FAULTS" all injected
	positive GRADE_TIME "$GRADE_TIME" 900
	one_of UNSAFE_HOST_BUILD "$UNSAFE_HOST_BUILD" 0 1
	one_of HIDDEN "$HIDDEN" verdict none
	one_of EXPLAIN "$EXPLAIN" 0 1
	[ -z "$ALLOW_SYMBOLS" ] || [ -f "$ALLOW_SYMBOLS" ] ||
		bad "ALLOW_SYMBOLS=$ALLOW_SYMBOLS: no such file (hint: a file of symbol names, one a line)"
	[ -z "$DURATIONS" ] || [ -f "$DURATIONS" ] ||
		bad "DURATIONS=$DURATIONS: no such file (hint: leave it unset: runner/durations.tsv)"
	check_kernel
	check_module
	check_extra
	extra=""
	for d in $EXTRA_TESTS; do
		extra="$extra $(absolute "$d")"
	done
	for goal in "$@"; do
		case "$goal" in
		test | list | grade | grade-all | test-matrix | bisect-run)
			check_runner "$TOP/testcases$extra" ;;
		selftests) check_runner "$TOP/suites/selftests" ;;
		suite) check_suite ;;
		merge-results) check_dirs ;;
		clean) owned OUT "$OUT" .ipclab-out ;;
		distclean)
			owned OUT "$OUT" .ipclab-out
			owned CACHE_DIR "$CACHE_DIR" .ipclab-cache
			;;
		esac
	done
	case " $* " in
	*" clean "* | *" distclean "*) ;;
	*)
		mark "$OUT" .ipclab-out "$TOP/out"
		mark "$CACHE_DIR" .ipclab-cache "${DEFAULT_CACHE_DIR:-$CACHE_DIR.none}"
		;;
	esac
}

main "$@"
