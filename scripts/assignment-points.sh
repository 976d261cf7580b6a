#!/bin/sh
# Print the points table of docs/assignment.md from the testcases' lab_test
# lines (testcases/*/*.exp): make check-grade fails when the document is
# stale.
#
# usage: assignment-points.sh TOP
set -eu

main() {
	top=$1
	echo "| mechanism | test | points |"
	echo "| --- | --- | --- |"
	for exp in "$top"/testcases/*/*.exp; do
		# shellcheck disable=SC2016 # the backquotes are Markdown
		sed -n 's/^lab_test \([a-z0-9-]*\)\/\([a-z0-9-]*\) \([0-9]*\) .*/| \1 | `\1\/\2` | \3 |/p' "$exp"
	done
	sed -n 's/^lab_test [^ ]* \([0-9]*\) .*/\1/p' "$top"/testcases/*/*.exp | awk '{ s += $1; n++ } END { printf "| | **%d tests** | **%d** |\n", n, s }'
}

main "$@"
