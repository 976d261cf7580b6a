#!/bin/sh
# make test-matrix: the suite on every Debian kernel source installed, then
# one table, test x kernel -> verdict. Exits 0 only if every cell passed.
#
# usage: test-matrix.sh OUTDIR VERSION... -- MAKE-ARGUMENT...
set -eu

die() {
	printf 'test-matrix: %s\n' "$*" >&2
	exit 2
}

# "ok 3 - name" / "not ok 3 - name # VERDICT" / "ok 3 - name # SKIP ..."
verdicts() {
	sed -n 's/^ok [0-9]* - \([^ ]*\) # SKIP.*/\1 SKIP/p
		s/^ok [0-9]* - \([^ ]*\)$/\1 PASS/p
		s/^not ok [0-9]* - \([^ ]*\) # \([A-Z_]*\).*/\1 \2/p' "$1"
}

main() {
	OUTDIR=$1
	shift
	VERSIONS=""
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		VERSIONS="$VERSIONS $1"
		shift
	done
	[ "$#" -gt 0 ] && shift
	[ -n "$VERSIONS" ] ||
		die "no Debian kernel source in /usr/src (hint: run 'make deps')"
	TOP=$(cd "$(dirname "$0")/.." && pwd)
	mkdir -p "$OUTDIR"
	status=0
	for v in $VERSIONS; do
		echo "test-matrix: $v (log: $OUTDIR/$v.log)"
		rc=0
		make -C "$TOP" --no-print-directory test KERNEL_VERSION="$v" \
			OUT="$OUTDIR/$v" "$@" >"$OUTDIR/$v.log" 2>&1 || rc=$?
		tail -n 1 "$OUTDIR/$v.log"
		[ "$rc" = 0 ] || status=1
		tap=$OUTDIR/$v/results/results.tap
		if [ -f "$tap" ]; then
			verdicts "$tap" >"$OUTDIR/$v.verdicts"
		else
			: >"$OUTDIR/$v.verdicts"
		fi
	done
	# One row per test (in the first kernel's order), one column per kernel.
	# shellcheck disable=SC2086 # VERSIONS is a list of words
	set -- $VERSIONS
	files=""
	for v in "$@"; do
		files="$files $OUTDIR/$v.verdicts"
	done
	# shellcheck disable=SC2086
	awk -v kernels="$VERSIONS" '
		FNR == 1 { k++ }
		{ v[k, $1] = $2; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
		END {
			nk = split(kernels, kn, " ")
			printf "%-36s", "test"
			for (i = 1; i <= nk; i++) printf " %-8s", kn[i]
			printf "\n"
			for (t = 1; t <= n; t++) {
				printf "%-36s", order[t]
				for (i = 1; i <= nk; i++) {
					c = ((i, order[t]) in v) ? v[i, order[t]] : "-"
					printf " %-8s", c
				}
				printf "\n"
			}
		}' $files | tee "$OUTDIR/matrix.txt"
	exit "$status"
}

main "$@"
