#!/bin/sh
# Test the grader: build the example submissions (module/ plus each
# examples/submissions/<name>.patch, the reference module itself, an empty
# directory), grade them all with make grade-all, and check each score and
# verdict against the patch's "ipclab-expect:" lines:
#	ipclab-expect: score MIN MAX
#	ipclab-expect: report TEXT	(report.md says TEXT)
#	ipclab-expect: GLOB VERDICT...	(first matching GLOB wins)
# examples/attacks/ holds hostile submissions, one per class of attack on
# the grading host; each must score what an honest submission of the same
# code would, and check_attacks checks their goals failed. Also: a missing
# SUBMISSION is one error line and a non-zero exit.
#
# usage: check-grade.sh   (make check-grade sets the env, as for grade-all)
set -u

# shellcheck disable=SC1091 # linted on its own
. "$(dirname "$0")/check-lib.sh"

# The submissions: each a copy of module/ with one patch applied
# (examples/submissions/, examples/attacks/*.patch and the cheats of
# examples/cheats/), the attack folders
# of examples/attacks/ as they are, the reference module itself, an empty
# directory, and the reference with hostile file names beside its sources.
make_submissions() {
	subs=$1
	rm -rf "$subs"
	# As an LMS exports a class: a folder name with a comma, spaces and
	# non-ASCII letters, archives (one unpacked, one that climbs out).
	empty="$subs/empty, Ünïcode name"
	mkdir -p "$subs/reference" "$empty" "$subs/evil-names"
	cp "$TOP"/module/*.c "$TOP"/module/*.h "$subs/reference/"
	printf 'ipclab-expect: score full\nipclab-expect: * PASS\n' >"$subs/reference.expect"
	printf 'ipclab-expect: score 0 0\nipclab-expect: * BUILD_ERROR\n' >"$empty.expect"
	python3 -c 'import sys, zipfile
zipfile.ZipFile(sys.argv[1], "w").writestr("../../../../../tmp/ipclab-zipslip", "pwned")' "$subs/zip-slip.zip"
	printf 'ipclab-expect: refused\n' >"$subs/zip-slip.expect"
	# A student's Makefile is never run: this one would leave a file behind.
	printf 'all:\n\ttouch %s\n' "$subs/ran-student-makefile" >"$subs/reference/Makefile"
	# File names that would print a forged total, retitle the terminal and
	# clear it when echoed raw: left out, and named escaped.
	cp "$TOP"/module/*.c "$TOP"/module/*.h "$subs/evil-names/"
	printf 'int x;\n' >"$subs/evil-names/$(printf 'x\nTotal: 998 of 998\n\033]0;pwned\007.c')"
	printf 'int y;\n' >"$subs/evil-names/$(printf '\033[2J\233.h')"
	printf 'ipclab-expect: score full\nipclab-expect: * PASS\n' >"$subs/evil-names.expect"
	for p in "$TOP"/examples/submissions/*.patch "$TOP"/examples/attacks/*.patch \
		"$TOP"/examples/cheats/*.patch; do
		name=$(basename "$p" .patch)
		mkdir -p "$subs/$name"
		cp "$TOP"/module/*.c "$TOP"/module/*.h "$subs/$name/"
		patch -s -p1 -d "$subs/$name" <"$p" ||
			{ not_ok "$name: $p does not apply to module/"; rm -rf "${subs:?}/$name"; continue; }
		cp "$p" "$subs/$name.expect"
	done
	for d in "$TOP"/examples/attacks/*/ "$TOP"/examples/cheats/*/; do
		name=$(basename "$d")
		cp -r "$d" "$subs/$name"
		mv "$subs/$name/expect" "$subs/$name.expect"
	done
	# A submission handed in as a zip of its folder.
	(cd "$subs" && python3 -m zipfile -c compile-error.zip compile-error && rm -r compile-error)
}

# The id grade-all graded the submission named $1 under (grade-in/<id>.name).
id_of() {
	for f in "$GRADE_OUT"/grade-in/*.name; do
		if [ "$(cat "$f")" = "$1" ]; then
			basename "$f" .name
			return
		fi
	done
}

# An archive that must be refused: a lab_failure row, nothing unpacked.
check_refused() {
	id=$(id_of "$1")
	row=$(grep "^$id,$id," "$GRADE_OUT/grade/summary.csv")
	if [ -n "$id" ] && [ "${row##*,}" = 1 ] && [ ! -e /tmp/ipclab-zipslip ] &&
		[ ! -e "$GRADE_OUT/grade-in/$id" ]; then
		ok "$1: refused before grading, a lab_failure row in summary.csv, nothing written"
	else
		not_ok "$1: not refused as expected (id '$id', row '$row')"
	fi
}

# What the grading host holds outside OUT, as "path size mtime" lines: the
# checkout, the grading kernel's trees, /etc, /var/tmp and the home directory.
# $1, $2: the kernel build and source trees; the rest of the kernel cache
# (other kernels a CI run may be building) is left out.
host_listing() {
	cache=$(dirname "$(dirname "$1")")
	find "$TOP" "$1" "$2" /etc /var/tmp "$HOME" \( -path "$GRADE_OUT" -o -path "$TOP/out" -o \
		-path "$TOP/.git" -o -name '.ci-*' -o -path "$cache" -o \
		-path /var/tmp/ipclab-canary \) -prune -o -printf '%p %s %T@\n' 2>/dev/null | sort
}

# The attacks' goals, checked on the whole grading: no canary byte or
# environment secret in any output, no file over the sandbox's size limit,
# no control character on the grader's stdout, no forged Total line, no
# payload file on the host.
check_attacks() {
	stdout=$1 canary=$2
	none_or_fail "$(grep -rlF -e "$canary" -e "$CANARY_ENV" "$GRADE_OUT" "$stdout" 2>/dev/null | head -n 3)" \
		"no canary byte and no secret of the grader's environment in any output" \
		"canary or environment found in"
	none_or_fail "$(find "$GRADE_OUT/grade-work" "$GRADE_OUT/grade" -type f -size +32M 2>/dev/null | head -n 3)" \
		"no file over the sandbox's 32 MiB limit" "files over 32 MiB"
	none_or_fail "$(LC_ALL=C grep -cP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$stdout" \
		"$GRADE_OUT"/grade-work/*.log "$GRADE_OUT"/grade/*/report.md | grep -v ':0$' | head -n 3)" \
		"no control character on the grader's output, in its logs or in report.md" \
		"control characters in"
	forged=""
	for log in "$GRADE_OUT"/grade-work/*.log; do
		n=$(grep -c '^Total: ' "$log")
		if [ "$n" -gt 1 ] || { [ "$n" -eq 1 ] && ! tail -n 1 "$log" | grep -q '^Total: '; }; then
			forged="$forged ${log##*/}"
		fi
	done
	[ "$(grep -c '^Total: ' "$stdout")" -eq 0 ] || forged="$forged (grade-all's stdout)"
	none_or_fail "$forged" "every Total line is the grader's own, last in its log" \
		"forged or extra Total lines in"
	none_or_fail "$(find /tmp "$HOME" -maxdepth 1 -name 'ipclab-pwned*' 2>/dev/null | head -n 3)" \
		"no payload of a printk ran on the host" "payload files exist"
}

# Check one graded submission against its expectations.
check_one() {
	name=$1 expect=$2 res=$3
	if [ ! -f "$res/results.json" ] || [ ! -f "$res/junit.xml" ] || [ ! -f "$res/report.md" ]; then
		not_ok "$name: result files missing in $res"
		return
	fi
	# The results as the query command reads them from the result model.
	tests=$(tclsh "$TOP/runner/query.tcl" tests "$res")
	total=$(tclsh "$TOP/runner/query.tcl" score "$res")
	score=${total% *} max=${total#* }
	problem=""
	range=$(sed -n 's/^ipclab-expect: score //p' "$expect")
	# "score LO HI", where LO and HI may say "max" or "max-N": the suite
	# grows, the points a bug costs do not.
	case "$range" in
	full) lo=$max hi=$max ;;
	*) lo=$(($(echo "${range% *}" | sed "s/max/$max/"))) hi=$(($(echo "${range#* }" | sed "s/max/$max/"))) ;;
	esac
	[ "$score" -ge "$lo" ] && [ "$score" -le "$hi" ] ||
		problem="$problem score $score not in $lo..$hi;"
	[ "$(tail -n 1 "$res/report.md")" = "Total: $score/$max" ] ||
		problem="$problem report.md does not end with Total: $score/$max;"
	# "report TEXT": report.md must say TEXT (e.g. the refused symbol).
	sed -n 's/^ipclab-expect: report //p' "$expect" | while IFS= read -r text; do
		grep -qF -- "$text" "$res/report.md" || echo "report.md does not mention $text;"
	done >"$res.report-check"
	problem="$problem$(cat "$res.report-check")"
	rm -f "$res.report-check"
	rules=$(sed -n '/^ipclab-expect: \(score\|report\) /d; s/^ipclab-expect: //p' "$expect")
	bad=$(printf '%s\n' "$tests" |
		while IFS="	" read -r test verdict _; do
			echo "$rules" | while read -r glob allowed; do
				# shellcheck disable=SC2254 # the glob is the point
				case "$test" in
				$glob)
					case " $allowed " in
					*" $verdict "*) ;;
					*) printf ' %s=%s' "$test" "$verdict" ;;
					esac
					break ;;
				esac
			done
		done)
	[ -z "$bad" ] || problem="$problem unexpected verdicts:$bad;"
	counts=$(printf '%s\n' "$tests" | cut -f2 | sort | uniq -c |
		awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
	if [ -z "$problem" ]; then
		ok "$name: $score/$max ($counts)"
	else
		not_ok "$name: $score/$max ($counts):$problem"
	fi
}

# Hidden tests (examples/hidden-tests, as EXTRA_TESTS) stay hidden: the
# student's report.md and results.json show hidden/N lines with their
# verdicts and the same total, never a name or a transcript; the teacher's
# copy (teacher/) has them all.
check_hidden() {
	out=$GRADE_OUT/hidden
	make --no-print-directory -C "$TOP" -f "$TOP/Makefile" grade SUBMISSION="$1" \
		OUT="$out" EXTRA_TESTS="$TOP/examples/hidden-tests" EXPLAIN=0 \
		TESTS='chardev/write-read hiddenchar/*' >"$out.log" 2>&1
	res=$out/grade/${1##*/}
	total=$(tail -n 1 "$out.log")
	problem=""
	[ "$total" = "Total: 4/5" ] || problem="$problem total '$total', expected 'Total: 4/5';"
	! grep -l xylophone "$res/report.md" "$res/results.json" >/dev/null ||
		problem="$problem a hidden test's name in the student's files;"
	[ "$(grep -c '| hidden/[123] |' "$res/report.md")" -eq 3 ] ||
		problem="$problem report.md has no line per hidden test;"
	[ "$(tail -n 1 "$res/report.md")" = "$total" ] || problem="$problem report.md's total differs;"
	grep -q 'hiddenchar/xylophone-impossible' "$res/teacher/report.md" ||
		problem="$problem the teacher's report.md lacks the hidden tests;"
	for f in junit.xml results.tap console.log logs; do
		[ ! -e "$res/$f" ] || problem="$problem $f (which names them) beside the student's files;"
	done
	none_or_fail "$problem" "hidden tests: the student sees hidden/N lines and $total, the teacher all" \
		"hidden tests"
}

# The archives (1, 2, ...) of a concatenated newc cpio file that hold
# lib/modules/ipclab.ko, one a line.
cpio_modules() {
	python3 - "$1" <<'PY'
import sys
data, pos, n = open(sys.argv[1], "rb").read(), 0, 1
while True:
	pos = data.find(b"070701", pos)
	if pos < 0:
		break
	namesize, filesize = int(data[pos + 94:pos + 102], 16), int(data[pos + 54:pos + 62], 16)
	name = data[pos + 110:pos + 110 + namesize - 1].decode("latin-1")
	pos = (pos + 110 + namesize + 3) & ~3
	pos = (pos + filesize + 3) & ~3
	if name == "TRAILER!!!":
		n += 1
	elif name.lstrip("/") == "lib/modules/ipclab.ko":
		print(n)
PY
}

# A submission that lost points has a repro bundle, made on the host, that
# replays its first failing test to the same verdict (examples/submissions/
# null-read: an OOPS); one with full marks has none.
check_repro() {
	res=$GRADE_OUT/grade/$(id_of null-read)
	ref=$GRADE_OUT/grade/$(id_of reference)
	test=$(head -n 1 "$res/repro/failing" 2>/dev/null)
	problem=""
	[ -n "$test" ] || problem="$problem no repro/failing;"
	[ ! -e "$ref/repro" ] || problem="$problem the reference module has a repro bundle;"
	# The reference module reaches neither a graded guest nor a bundle:
	# the base the guests boot holds no ipclab.ko, a bundle's initramfs
	# one, the submission's, in its appended archive.
	base=$(cpio_modules "${GRADE_REF:?}/base.cpio")
	bundle=$(cpio_modules "$res/repro/initramfs.cpio")
	[ "$base" = "" ] || problem="$problem base.cpio holds ipclab.ko (archives: $base);"
	[ "$bundle" = 2 ] || problem="$problem the bundle's initramfs holds ipclab.ko in archives '$bundle', expected only the second;"
	if [ -n "$test" ]; then
		graded=$(tclsh "$TOP/runner/query.tcl" tests "$res" | awk -F '\t' -v t="$test" '$1 == t {print $2}')
		sh "$res/repro/repro.sh" "$test" >"$GRADE_OUT/repro.log" 2>&1
		replayed=$(tclsh "$TOP/runner/query.tcl" tests "$res/repro/replay/results" |
			awk -F '\t' -v t="$test" '$1 == t {print $2}')
		[ -n "$graded" ] && [ "$replayed" = "$graded" ] ||
			problem="$problem $test replayed as '$replayed', graded '$graded' (see $GRADE_OUT/repro.log);"
	fi
	none_or_fail "$problem" "repro bundle: null-read's $test replays as $graded ($(du -sh "$res/repro" | cut -f1)); the reference module is in neither its initramfs nor the graded guests' base" \
		"repro bundle"
}

# EXPLAIN=1, make grade's default: the failed tests run again on the debug
# kernel, only to explain them. null-read's report.md (a copy graded under
# another name) shows that run's OOPS and kernel report beside the
# failure, and no hint to run it by hand; the score is the grading
# kernel's, as grade-all gave it with EXPLAIN=0.
check_explain() {
	src=$GRADE_OUT/explain/null-read-explained
	rm -rf "$GRADE_OUT/explain"
	mkdir -p "$src"
	cp "$1"/*.c "$1"/*.h "$src/"
	t0=$(date +%s)
	make --no-print-directory -C "$TOP" -f "$TOP/Makefile" grade SUBMISSION="$src" \
		OUT="$GRADE_OUT" >"$GRADE_OUT/explain.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	res=$GRADE_OUT/grade/${src##*/}
	graded=$(tclsh "$TOP/runner/query.tcl" score "$GRADE_OUT/grade/$(id_of null-read)")
	problem=""
	[ "$rc" -eq 0 ] || problem="$problem make grade exited $rc;"
	[ "$(tail -n 1 "$GRADE_OUT/explain.log")" = "Total: ${graded% *}/${graded#* }" ] ||
		problem="$problem its total is not grade-all's ${graded% *}/${graded#* };"
	grep -q '^grade: null-read-explained: explaining [1-6] failed test(s) on the debug kernel' \
		"$GRADE_OUT/explain.log" || problem="$problem no 'explaining' line;"
	grep -q '^On the debug kernel (KASAN, lockdep), run again only to explain' "$res/report.md" &&
		grep -q 'gave OOPS\.$' "$res/report.md" && grep -q '^Its kernel report (' "$res/report.md" ||
		problem="$problem report.md lacks the debug kernel's OOPS and report;"
	! grep -qF -- 'PROFILE=debug`.' "$res/report.md" ||
		problem="$problem report.md still hints at running the debug kernel by hand;"
	none_or_fail "$problem" "EXPLAIN=1: null-read's failures explained by the debug kernel's OOPS in report.md, same score (${secs} s)" \
		"EXPLAIN=1 (see $GRADE_OUT/explain.log, $res/report.md)"
}

# make gradescope's autograder, run on a simulated /autograder tree (the
# reference module as the submission, one test): results/results.json is
# Gradescope's, with report.md as its Markdown output and the same score.
check_gradescope() {
	make --no-print-directory -C "$TOP" -f "$TOP/Makefile" gradescope OUT="$GRADE_OUT" \
		>"$GRADE_OUT/gradescope.log" 2>&1
	ag=$GRADE_OUT/autograder
	rm -rf "$ag"
	mkdir -p "$ag/source" "$ag/submission"
	cp -r "$GRADE_OUT/gradescope/ipclab" "$ag/source/"
	cp "$1"/*.c "$1"/*.h "$ag/submission/"
	AUTOGRADER_ROOT=$ag sh "$GRADE_OUT/gradescope/run_autograder" TESTS='chardev/write-read' \
		>>"$GRADE_OUT/gradescope.log" 2>&1
	json=$ag/results/results.json
	problem=""
	[ -f "$GRADE_OUT/gradescope/autograder.zip" ] || problem="$problem no autograder.zip;"
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["output_format"] == "md" and r["output"].startswith("# ipclab grade")
assert r["score"] == 1 and r["tests"][0]["name"] == "chardev/write-read"
assert r["extra_data"]["lab"] == "ipclab"' "$json" 2>>"$GRADE_OUT/gradescope.log" ||
		problem="$problem $json is not the expected Gradescope result (see $GRADE_OUT/gradescope.log);"
	none_or_fail "$problem" "make gradescope: run_autograder on a simulated /autograder writes Gradescope's results.json" \
		"make gradescope"
}

main() {
	: "${TOP:?}" "${GRADE_OUT:?}"
	subs=$GRADE_OUT/grade-examples
	mkdir -p "$GRADE_OUT"
	make_submissions "$subs"

	# A missing directory: one clear line on stderr, a non-zero exit.
	err=$(make --no-print-directory -C "$TOP" -f "$TOP/Makefile" grade \
		SUBMISSION="$subs/no-such-dir" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 0 ] && echo "$err" | grep -q '^grade: SUBMISSION=.*: no such directory'; then
		ok "missing submission: exit $rc, '$(echo "$err" | head -n 1)'"
	else
		not_ok "missing submission: exit $rc, stderr: $err"
	fi

	# The grading kernel's build and source trees (make check-grade's).
	kb=${GRADE_KBUILD:-} ks=${GRADE_KSRC:-}
	# A host file and an environment secret that no output may show.
	canary=ipclab-canary-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	printf '%s\n' "$canary" >/var/tmp/ipclab-canary
	CANARY_ENV=ipclab-secret-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	export IPCLAB_CHECK_SECRET="$CANARY_ENV"
	rm -f /tmp/ipclab-pwned* "$HOME"/ipclab-pwned* /tmp/ipclab-zipslip
	host_listing "$kb" "$ks" >"$GRADE_OUT/host.before"
	# No debug kernel's runs here: check_explain has one.
	make --no-print-directory -C "$TOP" -f "$TOP/Makefile" grade-all \
		SUBMISSIONS="$subs" EXPLAIN=0 >"$GRADE_OUT/grade-all.stdout" 2>&1
	cat "$GRADE_OUT/grade-all.stdout"
	for exp in "$subs"/*.expect; do
		name=$(basename "$exp" .expect)
		if grep -q '^ipclab-expect: refused$' "$exp"; then
			check_refused "$name"
		else
			check_one "$name" "$exp" "$GRADE_OUT/grade/$(id_of "$name")"
		fi
	done
	host_listing "$kb" "$ks" >"$GRADE_OUT/host.after"
	rm -f /var/tmp/ipclab-canary
	check_attacks "$GRADE_OUT/grade-all.stdout" "$canary"

	# Nothing written outside OUT: not in the repository, not in the
	# kernel trees, /etc, /var/tmp or the home directory; the student's
	# Makefile never ran.
	changed=$(diff "$GRADE_OUT/host.before" "$GRADE_OUT/host.after" | grep '^[<>]' | head -n 5)
	[ ! -e "$subs/ran-student-makefile" ] || changed="$changed the student's Makefile ran"
	if [ -z "$changed" ] && [ -n "$kb" ]; then
		ok "no file outside OUT changed ($(wc -l <"$GRADE_OUT/host.after") files listed before and after: checkout, kernel trees, /etc, /var/tmp, \$HOME)"
	else
		not_ok "files changed outside OUT: ${changed:-no kernel build dir to check}"
	fi
	snap=$(ls "$GRADE_OUT"/grade-reference/*/snapshot/*.state 2>/dev/null)
	snap0=$(stat -c %i.%Y.%s "$snap" 2>/dev/null)
	check_repro
	check_hidden "$subs/reference"
	# The graded guests were restored from the one snapshot the host made,
	# which no run replaced (the next make grade only restored it too).
	log=$GRADE_OUT/grade-work/$(id_of reference)/run.log
	if [ -n "$snap0" ] && [ "$(stat -c %i.%Y.%s "$snap" 2>/dev/null)" = "$snap0" ] &&
		grep -q '^# boot to shell: [0-9]* ms (restored)$' "$log"; then
		ok "graded guests restore the host's snapshot, which no run changed ($(basename "$snap"))"
	else
		not_ok "the grading snapshot: '${snap:-none}' ($snap0), reference's boot: $(grep '^# boot to shell' "$log" 2>/dev/null | head -n 1)"
	fi
	check_gradescope "$subs/reference"
	check_explain "$subs/null-read"
	# On the grading kernel (PROFILE=grade), a report with a failure names the
	# debug kernel's run, and one without failures or with only a build error
	# not; on another kernel none does.
	hint='PROFILE=debug`.'
	want=0
	# The grading kernel: KFENCE without KASAN.
	grep -q '^CONFIG_KFENCE=y$' "$kb/.config" 2>/dev/null &&
		! grep -q '^CONFIG_KASAN=y$' "$kb/.config" && want=1
	got=""
	for n in null-read reference compile-error; do
		got="$got $(grep -cF -- "$hint" "$GRADE_OUT/grade/$(id_of "$n")/report.md")"
	done
	if [ "$got" = " $want 0 0" ]; then
		ok "report.md names the debug kernel's run where a test failed on the grading kernel (null-read, reference, compile-error:$got)"
	else
		not_ok "the debug kernel's hint in report.md (null-read, reference, compile-error): $got, want $want 0 0"
	fi

	# The assignment's points table is the testcases' own.
	doc=$TOP/docs/assignment.md
	sh "$TOP/scripts/assignment-points.sh" "$TOP" >"$GRADE_OUT/assignment-points.md"
	if sed '1,/^<!-- generated by scripts\/assignment-points.sh/d' "$doc" |
		cmp -s - "$GRADE_OUT/assignment-points.md"; then
		ok "docs/assignment.md: the points table matches the testcases"
	else
		not_ok "docs/assignment.md: the points table is stale (hint: regenerate it with scripts/assignment-points.sh)"
	fi
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
