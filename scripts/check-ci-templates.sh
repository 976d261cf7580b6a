#!/bin/sh
# Check the CI templates: each parses as YAML, every make target and
# every variable it passes to make exists in the Makefile, and then its
# jobs run here, as far as they are shell (scripts/ci-local.py): every
# matrix instance, with two small tests (CI_TESTS) so that the kernels'
# shards are real and one of them empty, then the merge job over their
# artifacts, which must give one report with a testsuite per kernel.
#
# usage: check-ci-templates.sh [WORKDIR]
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC1091 # linted on its own
. "$TOP/scripts/check-lib.sh"

main() {
	mkdir -p "${1:-$TOP/out/ci-templates}"
	targets=$(sed -n 's/^\([a-z][a-z0-9 -]*\):.*/\1/p' "$TOP/Makefile" "$TOP"/mk/*.mk | tr ' ' '\n' | sort -u)
	vars=$(sed -n 's/^\([A-Z_][A-Z0-9_]*\) ?=.*/\1/p' "$TOP/Makefile" "$TOP"/mk/*.mk | sort -u)
	for t in "$TOP"/ci-templates/*.yml; do
		problem=""
		python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$t" 2>/dev/null ||
			problem="not valid YAML"
		# The make commands: "run: make ...", "- make ...", "$(make ...";
		# CI expressions like ${{ matrix.kernel }} are values, not words.
		for word in $(grep -v '^ *#' "$t" | sed 's/\${{[^}]*}}/X/g' |
			grep -oE '(run: |- |\$\()make [^"|;)>]*' | sed 's/^.*make //' |
			tr ' ' '\n' | grep -v '^-' | grep . | sed 's/=.*/=/' | sort -u); do
			case "$word" in
			*=) echo "$vars" | grep -qx "${word%=}" || problem="$problem; unknown variable ${word%=}" ;;
			*) echo "$targets" | grep -qx "$word" || problem="$problem; unknown target $word" ;;
			esac
		done
		if [ -z "$problem" ]; then
			ok "${t##*/}: YAML, targets, variables"
		else
			not_ok "${t##*/}: ${problem#; }"
		fi
	done
	work=${1:-$TOP/out/ci-templates}
	for t in "$TOP"/ci-templates/*.yml; do
		name=${t##*/}
		name=${name%.yml}
		start=$(date +%s)
		TESTS=${CI_TESTS:-chardev/write-read chardev/poll} nice -n 10 \
			python3 "$TOP/scripts/ci-local.py" "$t" "$work/$name" >"$work.$name.log" 2>&1
		rc=$?
		sed 's/^/    /' "$work.$name.log"
		junit=$(find "$work/$name" -path '*merge*' -name junit.xml | head -n 1)
		suites=$(grep -c '<testsuite ' "$junit" 2>/dev/null)
		if [ "$rc" = 0 ] && [ "${suites:-0}" -ge 2 ]; then
			ok "$name: every job ran ($(($(date +%s) - start)) s), merged report with $suites kernel testsuites"
		else
			not_ok "$name: jobs exit $rc, merged report with ${suites:-no} testsuites (log: $work/$name/jobs.log)"
		fi
	done
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
