#!/bin/sh
# Test the grader: build the example submissions (module/ plus each
# examples/submissions/<name>.patch, the reference module itself, an empty
# directory), grade them all with make grade-all, and check each score and
# verdict against the patch's "ipclab-expect:" lines:
#	ipclab-expect: score MIN MAX
#	ipclab-expect: GLOB VERDICT...	(first matching GLOB wins)
# Also: a missing SUBMISSION is one error line and a non-zero exit, and
# grading writes nothing outside OUT (the repository, the kernel build).
#
# usage: check-grade.sh   (make check-grade sets the env, as for grade-all)
set -u

PASSED=0
FAILED=0

ok() {
	echo "ok - $*"
	PASSED=$((PASSED + 1))
}

not_ok() {
	echo "not ok - $*"
	FAILED=$((FAILED + 1))
}

# The submissions: each a copy of module/ with one patch applied.
make_submissions() {
	subs=$1
	rm -rf "$subs"
	mkdir -p "$subs/reference" "$subs/empty"
	cp "$TOP"/module/*.c "$TOP"/module/*.h "$subs/reference/"
	printf 'ipclab-expect: score full\nipclab-expect: * PASS\n' >"$subs/reference.expect"
	printf 'ipclab-expect: score 0 0\nipclab-expect: * BUILD_ERROR\n' >"$subs/empty.expect"
	# A student's Makefile is never run: this one would leave a file behind.
	printf 'all:\n\ttouch %s\n' "$subs/ran-student-makefile" >"$subs/reference/Makefile"
	for p in "$TOP"/examples/submissions/*.patch; do
		name=$(basename "$p" .patch)
		mkdir -p "$subs/$name"
		cp "$TOP"/module/*.c "$TOP"/module/*.h "$subs/$name/"
		patch -s -p1 -d "$subs/$name" <"$p" ||
			{ not_ok "$name: $p does not apply to module/"; rm -rf "${subs:?}/$name"; continue; }
		cp "$p" "$subs/$name.expect"
	done
}

# Check one graded submission against its expectations.
check_one() {
	name=$1 expect=$2 res=$3
	json=$res/results.json
	if [ ! -f "$json" ] || [ ! -f "$res/junit.xml" ] || [ ! -f "$res/report.md" ]; then
		not_ok "$name: result files missing in $res"
		return
	fi
	score=$(sed -n 's/^  "score": \(.*\),$/\1/p' "$json")
	max=$(sed -n 's/^  "max_score": \(.*\),$/\1/p' "$json")
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
	rules=$(sed -n '/^ipclab-expect: score /d; s/^ipclab-expect: //p' "$expect")
	bad=$(sed -n 's/^    {"name": "\([^"]*\)".*"verdict": "\([A-Z_]*\)".*/\1 \2/p' "$json" |
		while read -r test verdict; do
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
	counts=$(grep -o '"verdict": "[A-Z_]*"' "$json" | sed 's/.*: "\(.*\)"/\1/' |
		sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
	if [ -z "$problem" ]; then
		ok "$name: $score/$max ($counts)"
	else
		not_ok "$name: $score/$max ($counts):$problem"
	fi
}

main() {
	: "${TOP:?}" "${GRADE_OUT:?}"
	subs=$GRADE_OUT/grade-examples
	stamp=$GRADE_OUT/check-grade.stamp
	mkdir -p "$GRADE_OUT"
	make_submissions "$subs"

	# A missing directory: one clear line on stderr, a non-zero exit.
	err=$(make --no-print-directory -C "$TOP" -f "$TOP/Makefile" _grade \
		SUBMISSION="$subs/no-such-dir" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 0 ] && echo "$err" | grep -q '^grade: SUBMISSION=.*: no such directory'; then
		ok "missing submission: exit $rc, '$(echo "$err" | head -n 1)'"
	else
		not_ok "missing submission: exit $rc, stderr: $err"
	fi

	touch "$stamp"
	sleep 1
	make --no-print-directory -C "$TOP" -f "$TOP/Makefile" _grade-all \
		SUBMISSIONS="$subs"
	for exp in "$subs"/*.expect; do
		name=$(basename "$exp" .expect)
		check_one "$name" "$exp" "$GRADE_OUT/grade/$name"
	done

	# Nothing written outside OUT: not in the repository, not in the
	# kernel build, and the student's Makefile never ran.
	kb=$(make --no-print-directory -C "$TOP" -f "$TOP/Makefile" -s _grade-kbuild \
		PROFILE="${GRADE_PROFILE:-debug}" 2>/dev/null)
	outside=$(find "$TOP" "$kb" \( -path "$GRADE_OUT" -o -path "$TOP/out" -o \
		-path "$TOP/.git" -o -name '.ci-*' \) -prune -o \
		-type f -newer "$stamp" -print 2>/dev/null | head -n 5)
	[ ! -e "$subs/ran-student-makefile" ] || outside="$outside the student's Makefile ran"
	if [ -z "$outside" ] && [ -n "$kb" ]; then
		ok "nothing written outside OUT (repository and $kb unchanged)"
	else
		not_ok "files written outside OUT: ${outside:-no kernel build dir to check}"
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
