#!/bin/sh
# make check-cli: the lab's command line, as a user meets it. Every bad
# variable is refused with one error line and exit 2, before anything is
# built or deleted; make clean refuses what the lab did not make; make test
# exits 0, 1 or 2 through make (one tiny real run each); TESTS takes several
# globs; an empty shard gives valid, mergeable results; the runs of two
# kernels merge into one report; make help, README and the Makefile name the
# same variables, and make help and docs/results-and-verdicts.md give the
# exit codes; a configure cut short is redone.
#
# usage: check-cli.sh WORKDIR
# ok and not_ok always succeed, so "test && ok || not_ok" is if-then-else;
# the backquotes in single quotes are the Markdown of README.md and
# docs/results-and-verdicts.md, not commands.
# shellcheck disable=SC2015,SC2016
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC1091 # linted on its own
. "$TOP/scripts/check-lib.sh"

# The lab's make as a user runs it: no flags of the make that runs us.
lab() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS nice -n 10 \
		make --no-print-directory -C "$TOP" "$@"
}

# Whether results.json (read as JSON) names test $2.
has_test() {
	python3 - "$1" "$2" <<'PY'
import json
import sys

tests = json.load(open(sys.argv[1], encoding="utf-8"))["tests"]
sys.exit(0 if any(t.get("name") == sys.argv[2] for t in tests) else 1)
PY
}

# What a directory holds, to prove nothing was built or deleted (the
# checkout's out/, where this check itself writes, apart).
listing() {
	find "$@" \( -path "$TOP/out" -o -path '*/.git' \) -prune -o -print 2>/dev/null | sort
}

# refused WHAT MAKE-ARGS...: exit 2, one stderr line naming WHAT, nothing
# on stdout, no file of the checkout, of SENT (a previous run's results)
# or of the kernel cache changed, within a few seconds.
refused() {
	what=$1
	shift
	before=$(listing "$TOP" "$SENT" "$CACHE/kernel")
	start=$(date +%s)
	lab "$@" >"$W/out" 2>"$W/err"
	rc=$?
	secs=$(($(date +%s) - start))
	after=$(listing "$TOP" "$SENT" "$CACHE/kernel")
	lines=$(wc -l <"$W/err")
	msg=$(head -n 1 "$W/err")
	problem=""
	[ "$rc" = 2 ] || problem="exit $rc"
	[ "$lines" = 1 ] || problem="$problem; $lines stderr lines"
	[ ! -s "$W/out" ] || problem="$problem; stdout: $(head -n 1 "$W/out")"
	case "$msg" in
	*"ipclab: "*"$what"*"(hint: "*) ;;
	*) problem="$problem; message '$msg'" ;;
	esac
	[ "$before" = "$after" ] || problem="$problem; files changed: $(printf '%s\n%s\n' "$before" "$after" | sort | uniq -u | head -n 3 | tr '\n' ' ')"
	[ "$secs" -le 10 ] || problem="$problem; took $secs s"
	if [ -z "$problem" ]; then
		ok "make $*: exit 2, ${msg#*\*\*\* }"
	else
		not_ok "make $*: ${problem#; }"
	fi
}

check_bad_inputs() {
	SENT=$W/sentinel
	mkdir -p "$SENT/results"
	echo keep >"$SENT/results/results.tap"
	mkdir -p "$W/empty" "$W/noexp/chardev"
	o="OUT=$SENT"
	refused "ACCEL='bogus'" test ACCEL=bogus "$o"
	refused "SEED='abc'" test SEED=abc "$o"
	refused "SEED='-1'" test SEED=-1 "$o"
	refused "REPEAT='0'" test REPEAT=0 "$o"
	refused "SNAPSHOT='yes'" test SNAPSHOT=yes "$o"
	refused "ISOLATE='2'" test ISOLATE=2 "$o"
	refused "EXPLAIN='yes'" grade EXPLAIN=yes SUBMISSION=module "$o"
	refused "REPEAT='x'" selftests REPEAT=x "$o"
	refused "JOBS='0'" test JOBS=0 "$o"
	refused "JOBS='two'" test JOBS=two "$o"
	refused "SHARD='4/3'" test SHARD=4/3 "$o"
	refused "SHARD='0/3'" test SHARD=0/3 "$o"
	refused "SHARD='half'" test SHARD=half "$o"
	refused "'nope' matches no test" test TESTS=nope "$o"
	refused "'nope/*' matches no test" test "TESTS=chardev/poll nope/*" "$o"
	refused "KERNEL_VERSION=5.99" test KERNEL_VERSION=5.99 "$o"
	refused "KERNEL_SRC=$W/empty" test "KERNEL_SRC=$W/empty" "$o"
	refused "PROFILE='fast'" test PROFILE=fast "$o"
	refused "V='2'" test V=2 "$o"
	refused "no such directory" test EXTRA_TESTS=/nonexistent "$o"
	refused "holds no *.exp nor <mechanism>/*.exp" test "EXTRA_TESTS=$W/noexp" "$o"
	refused "MODULE_DIR=/nonexistent: no such directory" test MODULE_DIR=/nonexistent "$o"
	refused "no sources" test "MODULE_DIR=$W/empty" "$o"
	refused "DURATIONS=/nonexistent" test DURATIONS=/nonexistent "$o"
	refused "FAULTS='some'" check-faults FAULTS=some "$o"
	refused "GRADE_TIME='0'" grade GRADE_TIME=0 "$o"
	refused "UNSAFE_HOST_BUILD='yes'" grade UNSAFE_HOST_BUILD=yes "$o"
	refused "OUT is empty" test OUT=
	refused "OUT=. is the checkout" test OUT=.
	refused "OUT=/ is the root directory" test OUT=/
	refused "OUT=$HOME is the home directory" test "OUT=$HOME"
	refused "CACHE_DIR=$HOME is the home directory" test "CACHE_DIR=$HOME" "$o"
	refused "CACHE_DIR=/ is the root directory" test CACHE_DIR=/ "$o"
	refused "DIRS is empty" merge-results "$o"
	refused "SUITE is empty" suite "$o"
	refused "SUITE_FORMAT='tap'" suite SUITE="$TOP/suites/outcomes" SUITE_FORMAT=tap "$o"
	refused "SUITE_TIMEOUT='0'" suite SUITE="$TOP/suites/outcomes" SUITE_TIMEOUT=0 "$o"
	refused "has no results.model" merge-results DIRS=/nonexistent "$o"
	refused "OUT=. is the checkout" clean OUT=.
	refused "was not made by ipclab" clean "OUT=$W/empty"
	refused "CACHE_DIR=$HOME is the home directory" distclean "CACHE_DIR=$HOME" "OUT=$W/gone"
	refused "was not made by ipclab" distclean "CACHE_DIR=$W/empty" "OUT=$W/gone"
	[ -d "$W/empty" ] && [ "$(cat "$SENT/results/results.tap")" = keep ] &&
		ok "the refused runs and cleans left the previous results and the unmarked directory" ||
		not_ok "a refused run or clean deleted something"
}

# What make list prints for TESTS, against the lab_test lines themselves.
check_list() {
	want=$(sed -n 's/^lab_test \([^ ]*\) .*/\1/p' "$TOP"/testcases/*/*.exp |
		grep -E '^(chardev/poll|signal/c.*|pipe/.*)$' | sort)
	got=$(lab -s list TESTS='chardev/poll signal/c*,pipe/*' 2>&1 | sort)
	[ "$got" = "$want" ] && ok "make list TESTS='chardev/poll signal/c*,pipe/*': the $(echo "$want" | wc -l) tests that would run" ||
		not_ok "make list with several globs: got $(echo "$got" | tr '\n' ' ')"
	got=$(lab -s list TESTS='lifecycle/*' SHARD=3/3 2>&1)
	rc=$?
	[ "$rc" = 0 ] && [ -z "$got" ] && ok "make list SHARD=3/3 TESTS='lifecycle/*': an empty slice, exit 0" ||
		not_ok "make list of an empty slice: exit $rc, '$got'"
	one=$(lab -s list TESTS='chardev/*' SHARD=1/2 2>&1)
	two=$(lab -s list TESTS='chardev/*' SHARD=2/2 2>&1)
	all=$(lab -s list TESTS='chardev/*' 2>&1)
	[ "$(printf '%s\n%s\n' "$one" "$two" | sort)" = "$(echo "$all" | sort)" ] &&
		ok "make list SHARD=1/2 and 2/2 partition TESTS='chardev/*'" ||
		not_ok "make list's shards do not partition the selection"
}

# make selftests REPEAT=3 passes REPEAT on (a target-specific RUNNER_ENV
# hid it); no target-specific RUNNER_ENV is left to hide another.
check_repeat() {
	# make -n still runs the module's sub-make, which needs a built OUT:
	# check_runs's.
	got=$(lab -n selftests REPEAT=3 SHARD=1/2 OUT="$W/o" 2>/dev/null | grep -o "LAB_REPEAT='3'\|LAB_SHARD='1/2'" | sort -u | tr '\n' ' ')
	if [ "$got" = "LAB_REPEAT='3' LAB_SHARD='1/2' " ] &&
		! grep -qE '^[^#]*: *RUNNER_ENV *[:+]?=' "$TOP/Makefile" "$TOP"/mk/*.mk; then
		ok "make selftests REPEAT=3 SHARD=1/2 hands both to the runner; no target-specific RUNNER_ENV"
	else
		not_ok "make selftests REPEAT=3: the runner gets '$got'"
	fi
}

# The variables of make help, of README's table and the Makefile's ?=; the
# exit codes of make help and of docs/results-and-verdicts.md's table.
check_help() {
	internal="RESULTS MODULE_PREBUILT"
	mk=$(sed -n 's/^\([A-Z_][A-Z0-9_]*\) ?=.*/\1/p' "$TOP/Makefile" "$TOP"/mk/*.mk | sort -u)
	for v in $internal; do
		mk=$(echo "$mk" | grep -vx "$v")
	done
	readme=$(sed -n '/^| variable | default | meaning |/,/^$/s/^| `\([A-Z_]*\)` |.*/\1/p' "$TOP/README.md" | sort -u)
	help=$(lab -s help 2>/dev/null | sed -n '/^variables:/,$s/^  \([A-Z_][A-Z0-9_]*\) .*/\1/p' | sort -u)
	if [ "$mk" = "$readme" ] && [ "$mk" = "$help" ]; then
		ok "make help, README's variables table and the Makefile name the same $(echo "$mk" | wc -l) variables"
	else
		not_ok "variables differ: Makefile/README: $(printf '%s\n%s\n' "$mk" "$readme" | sort | uniq -u | tr '\n' ' ')Makefile/help: $(printf '%s\n%s\n' "$mk" "$help" | sort | uniq -u | tr '\n' ' ')"
	fi
	lab -s help 2>/dev/null | grep -q '0 every test passed, 1 tests' &&
		grep -q '| `make test`, `make selftests`, `make suite`, `make merge-results` | every test passed | tests failed |' "$TOP/docs/results-and-verdicts.md" &&
		ok "make help and docs/results-and-verdicts.md give the exit codes" ||
		not_ok "exit codes missing in make help or docs/results-and-verdicts.md"
	# make deps: apt's lines are the progress, not thrown away.
	grep -E '^[^#]*apt-get (update|install)' "$TOP/scripts/deps.sh" | grep -q '>/dev/null' &&
		not_ok "make deps hides apt's progress" || ok "make deps shows apt's progress and download size"
}

# A configure cut short (a .config without the fragments' symbols) is
# redone; a complete .config without the stamp is only stamped. A fake
# kernel tree records what the script asked of it.
check_stamp() {
	src=$W/fake-src build=$W/fake-build
	rm -rf "$src" "$build"
	mkdir -p "$src/scripts/kconfig" "$build"
	printf 'CONFIG_A=y\n# CONFIG_B is not set\n' >"$W/frag.config"
	printf '%s:\n\t@%s\n' \
		tinyconfig 'echo tinyconfig >>$(O)/calls; echo CONFIG_TINY=y >$(O)/.config' \
		olddefconfig 'echo olddefconfig >>$(O)/calls' \
		bzImage 'echo build >>$(O)/calls' modules : headers : >"$src/Makefile"
	cat >"$src/scripts/kconfig/merge_config.sh" <<-'EOF'
		#!/bin/sh
		# merge_config.sh -m -O DIR BASE FRAGMENT...: append the fragments.
		out=$3 base=$4
		shift 4
		cat "$@" >>"$base"
	EOF
	chmod +x "$src/scripts/kconfig/merge_config.sh"
	echo 'CONFIG_TINY=y' >"$build/.config"
	sh "$TOP/scripts/build-kernel.sh" "$src" "$build" "$W/frag.config" >/dev/null 2>&1
	first=$(tr '\n' ' ' <"$build/calls" 2>/dev/null)
	rm -f "$build/calls" "$build/.ipclab-configured"
	sh "$TOP/scripts/build-kernel.sh" "$src" "$build" "$W/frag.config" >/dev/null 2>&1
	second=$(tr '\n' ' ' <"$build/calls" 2>/dev/null)
	if [ "$first" = "tinyconfig olddefconfig build " ] && [ "$second" = "build " ] &&
		[ -f "$build/.ipclab-configured" ]; then
		ok "build-kernel: a cut-short .config is configured again; a complete one without the stamp is kept"
	else
		not_ok "build-kernel stamp: first run '$first', second '$second'"
	fi
}

# run NAME EXPECTED-STATUS MAKE-ARGS...: a real make test, its status and
# its last line.
run() {
	name=$1 want=$2
	shift 2
	start=$(date +%s)
	lab "$@" >"$W/$name.log" 2>&1
	rc=$?
	last=$(tail -n 1 "$W/$name.log")
	if [ "$rc" = "$want" ]; then
		ok "make $* -> exit $rc ($(($(date +%s) - start)) s): $last"
		return 0
	fi
	not_ok "make $*: exit $rc, expected $want (log: $W/$name.log)"
	return 1
}

check_runs() {
	o=$W/o
	x=$W/xfail
	mkdir -p "$x/xfail" "$W/badmod"
	printf '# xfail: a test that fails on purpose, for check-cli.\nlab_test xfail/always 1 {\n\tlab_fail "deliberate failure\\nsecond line"\n}\n' >"$x/xfail/xfail.exp"
	echo 'this is not C;' >"$W/badmod/main.c"
	t='chardev/write-read chardev/poll'
	run pass 0 test TESTS="$t" SHARD=1/2 OUT="$o" &&
		cp -r "$o/results" "$W/r612-1"
	run fail 1 test TESTS="xfail/*,chardev/write-read" EXTRA_TESTS="$x" OUT="$o" &&
		cp -r "$o/results" "$W/r-fail"
	tail -n 3 "$W/fail.log" | head -n 2 | tr '\n' '|' | grep -q "^# not passed: 1|# FAIL    xfail/always: deliberate failure (log: $o/results/logs/xfail/always.log)|$" &&
		grep -q '^ok 1 - chardev/write-read$' "$W/fail.log" && grep -q '^not ok 2 - xfail/always # FAIL$' "$W/fail.log" &&
		ok "two globs ran both tests; the failure is listed (verdict, name, reason, log) before the closing line" ||
		not_ok "the list of failures: $(tail -n 3 "$W/fail.log" | tr '\n' '|')"
	grep -q '^ok 1 - chardev/' "$o/results.prev/results.tap" 2>/dev/null &&
		ok "the previous run's results are kept as results.prev" || not_ok "no results.prev after a second run"
	run jobs 1 test TESTS="xfail/*,chardev/write-read,chardev/poll" EXTRA_TESTS="$x" JOBS=2 OUT="$W/oj"
	grep -q '^# JOBS=2: ' "$W/jobs.log" && grep -c '^# guest [12]: boot to shell' "$W/jobs.log" | grep -qx 2 &&
		grep -q '^1\.\.3$' "$W/oj/results/results.tap" && grep -q '^not ok [0-9] - xfail/always # FAIL$' "$W/jobs.log" &&
		grep -q '^# FAIL    xfail/always: deliberate failure' "$W/jobs.log" &&
		tail -n 1 "$W/jobs.log" | grep -qx '2 passed, 1 failed' &&
		ok "JOBS=2: two guests, one TAP stream of the three tests, the failure listed, exit 1" ||
		not_ok "JOBS=2: $(grep -v '^ok' "$W/jobs.log" | tail -n 4 | tr '\n' '|')"
	run build 2 test TESTS=chardev/write-read MODULE_DIR="$W/badmod" OUT="$W/o-bad"
	run shard 0 test TESTS="$t" SHARD=2/2 OUT="$o" && cp -r "$o/results" "$W/r612-2"
	run empty 0 test TESTS='lifecycle/*' SHARD=3/3 OUT="$o" &&
		grep -qx '1\.\.0' "$o/results/results.tap" && xmllint --noout "$o/results/junit.xml" &&
		cp -r "$o/results" "$W/r-empty" &&
		ok "an empty shard wrote valid empty results" || not_ok "an empty shard's results"
	run k61 0 test TESTS="$t" SHARD=1/2 KERNEL_VERSION=6.1 OUT="$W/o61" &&
		cp -r "$W/o61/results" "$W/r61-1"
	run merge-pass 0 merge-results DIRS="$W/r612-1 $W/r-empty $W/r612-2" OUT="$W/m0"
	run merge-fail 1 merge-results DIRS="$W/r-fail $W/r-empty" OUT="$W/m1"
	run merge-dup 2 merge-results DIRS="$W/r612-1 $W/r612-1" OUT="$W/m2"
	grep -q 'chardev/[a-z-]* is in both' "$W/merge-dup.log" ||
		not_ok "merging one kernel's shard twice: no 'is in both' message"
	run merge-kernels 0 merge-results DIRS="$W/r612-1 $W/r612-2 $W/r61-1" OUT="$W/mk"
	j=$W/mk/results/junit.xml
	if grep -q '<testsuite name="ipclab-6.12-min" tests="2"' "$j" &&
		grep -q '<testsuite name="ipclab-6.1-min" tests="1"' "$j" && xmllint --noout "$j" &&
		grep -q '^ok [0-9] - 6.1-min/chardev/' "$W/mk/results/results.tap" &&
		has_test "$W/mk/results/results.json" 6.12-min/chardev/poll; then
		ok "two kernels merged: one JUnit testsuite each, TAP and JSON names prefixed by the kernel"
	else
		not_ok "the cross-kernel merge: $(grep -o '<testsuite [^>]*>' "$j" 2>/dev/null | tr '\n' ' ')"
	fi
	before=$(listing "$o")
	lab test SEED=abc TESTS=chardev/poll OUT="$o" >/dev/null 2>&1
	[ "$before" = "$(listing "$o")" ] && ok "make test SEED=abc leaves the last results as they were" ||
		not_ok "make test SEED=abc changed $o"
	lab clean OUT="$W/o-bad" >/dev/null 2>&1
	[ ! -e "$W/o-bad" ] && ok "make clean removes an OUT the lab made" || not_ok "make clean kept $W/o-bad"
}

main() {
	[ $# -eq 1 ] || { echo "usage: check-cli.sh WORKDIR" >&2; exit 2; }
	W=$1
	CACHE=${CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ipclab}
	began=$(date +%s)
	rm -rf "$W"
	mkdir -p "$W"
	check_bad_inputs
	check_list
	check_help
	check_stamp
	check_runs
	check_repeat
	echo "# check-cli: $(($(date +%s) - began)) s"
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
