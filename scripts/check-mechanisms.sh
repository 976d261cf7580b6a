#!/bin/sh
# The lists of mechanisms written by hand, checked against the folders they
# describe (make lint): each mechanism file of the module, module/X.c (not
# main.c, nor fault.c, the lab's fault injector), has its testcase folder
# testcases/X/; README.md's tables name each testcase folder with its number
# of tests, "`X/*` (N)", and each mechanism file, "`module/X.c`".
# (make demo's order and the module's own list come from the folders and
# file names; docs/assignment.md's points table is generated, see
# scripts/assignment-points.sh.)
#
# usage: check-mechanisms.sh TOP
set -eu

main() {
	top=$1
	readme=$top/README.md
	bad=0
	for dir in "$top"/testcases/*/; do
		mech=$(basename "$dir")
		# lifecycle: the module's load and unload, not a mechanism.
		[ "$mech" != lifecycle ] || continue
		set -- "$dir"*.exp
		[ -f "$1" ] || continue
		n=$(cat "$@" | grep -c '^lab_test ' || true)
		if ! grep -qF "\`$mech/*\` ($n)" "$readme"; then
			echo "README.md: no table row says \`$mech/*\` ($n) (hint: testcases/$mech/ has $n tests)"
			bad=1
		fi
	done
	for src in "$top"/module/*.c; do
		mech=$(basename "$src" .c)
		case "$mech" in main | fault) continue ;; esac
		set -- "$top/testcases/$mech/"*.exp
		if [ ! -f "$1" ]; then
			echo "module/$mech.c: no testcases/$mech/*.exp (hint: a mechanism is one module file and one testcase folder)"
			bad=1
		fi
		if ! grep -qF "\`module/$mech.c\`" "$readme"; then
			echo "README.md: module/$mech.c is in no table"
			bad=1
		fi
	done
	return "$bad"
}

main "$@"
