#!/bin/sh
# Check the CI templates: each parses as YAML, and every make target and
# every variable it passes to make exists in the Makefile.
#
# usage: check-ci-templates.sh
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)

main() {
	targets=$(sed -n 's/^\([a-z][a-z0-9 -]*\):.*/\1/p' "$TOP/Makefile" | tr ' ' '\n' | sort -u)
	vars=$(sed -n 's/^\([A-Z_][A-Z0-9_]*\) ?=.*/\1/p' "$TOP/Makefile" | sort -u)
	passed=0
	failed=0
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
			echo "ok - ${t##*/}"
			passed=$((passed + 1))
		else
			echo "not ok - ${t##*/}: ${problem#; }"
			failed=$((failed + 1))
		fi
	done
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

main "$@"
