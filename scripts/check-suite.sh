#!/bin/sh
# make check-suite: make suite on the lab's own suite of every outcome
# (suites/outcomes/: LTP-style pass, fail, broken, conf, warn; KTAP ok, not
# ok, skip; exit codes; a timeout; a crash; what a program inherits), each
# subtest's verdict (and the start of its reason) compared with
# suites/outcomes/expected through runner/query.tcl; then bad SUITEs, each
# refused with one line before anything is built.
#
# usage: check-suite.sh OUTDIR [MAKE ARGS...]
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC1091 # linted on its own
. "$TOP/scripts/check-lib.sh"
TAB=$(printf '\t')

# The outcomes: NAME VERDICT REASON lines of the run against expected's.
check_outcomes() {
	out=$1
	shift
	start=$(date +%s)
	make --no-print-directory -C "$TOP" suite SUITE="$TOP/suites/outcomes" \
		OUT="$out" "$@" >"$out.log" 2>&1
	rc=$?
	echo "# make suite SUITE=suites/outcomes: exit $rc in $(($(date +%s) - start)) s (log: $out.log)"
	if ! tclsh "$TOP/runner/query.tcl" reasons "$out/results" >"$out.got"; then
		not_ok "make suite wrote no results (exit $rc; see $out.log)"
		return
	fi
	if [ "$rc" = 1 ]; then
		ok "make suite: exit 1 (some programs fail)"
	else
		not_ok "make suite: exit $rc, expected 1 (some programs fail)"
	fi
	n=0
	while IFS="$TAB" read -r tag want why; do
		case "$tag" in
		'#'* | '') continue ;;
		esac
		n=$((n + 1))
		got="" reason=""
		while IFS="$TAB" read -r name verdict text; do
			if [ "$name" = "suite/outcomes/$tag" ]; then
				got=$verdict reason=$text
			fi
		done <"$out.got"
		case "$reason" in
		*"$why"*) matched=1 ;;
		*) matched=0 ;;
		esac
		if [ "$got" = "$want" ] && [ "$matched" = 1 ]; then
			ok "$tag: $want${why:+ ($why...)}"
		else
			not_ok "$tag: got ${got:-no result} ($reason), expected $want ($why)"
		fi
	done <"$TOP/suites/outcomes/expected"
	total=$(grep -c "^suite/outcomes/" "$out.got")
	if [ "$total" = "$n" ]; then
		ok "every program is a subtest, no other: $n"
	else
		not_ok "$total subtests for $n programs"
	fi
}

# make suite SUITE=$2 must exit 2 with one line saying $3, building nothing.
refused() {
	what=$1 suite=$2 says=$3
	shift 3
	msg=$(make --no-print-directory -C "$TOP" suite SUITE="$suite" OUT="$OUTDIR/refused" "$@" 2>&1)
	rc=$?
	lines=$(printf '%s\n' "$msg" | wc -l)
	case "$msg" in
	*"$says"*) said=1 ;;
	*) said=0 ;;
	esac
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && [ "$said" = 1 ] && [ ! -d "$OUTDIR/refused/results" ]; then
		ok "refused: $what, one line: $(printf '%s' "$msg" | LC_ALL=C tr -c '[:print:]' '?')"
	else
		not_ok "$what: exit $rc, $lines lines, expected 2 and one line saying '$says': $(printf '%s' "$msg" | head -n 3 | LC_ALL=C tr -c '[:print:]' '?')"
	fi
}

check_refused() {
	bad=$OUTDIR/bad
	rm -rf "$bad"
	mkdir -p "$bad/empty/bin" "$bad/dynamic/bin" "$bad/script/bin" "$bad/listed/bin"
	cp /bin/true "$bad/dynamic/bin/true"
	printf '#!/bin/sh\nexit 0\n' >"$bad/script/bin/hello.sh"
	chmod +x "$bad/script/bin/hello.sh"
	printf 'one missing-program\n' >"$bad/listed/runtest"
	refused "SUITE empty" "" "SUITE is empty"
	refused "no such directory" "$bad/none" "no such directory"
	refused "no programs" "$bad/empty" "no programs"
	refused "a dynamically linked program" "$bad/dynamic" "not a static ELF program"
	refused "a script" "$bad/script" "not a static ELF program"
	refused "a runtest line naming no program" "$bad/listed" "no such program"
	refused "SUITE_FORMAT" "$TOP/suites/outcomes" "SUITE_FORMAT='tap'" SUITE_FORMAT=tap
}

main() {
	[ $# -ge 1 ] || { echo "usage: check-suite.sh OUTDIR [MAKE ARGS...]" >&2; exit 2; }
	OUTDIR=$1
	shift
	mkdir -p "$OUTDIR"
	check_refused "$@"
	check_outcomes "$OUTDIR/outcomes" "$@"
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
