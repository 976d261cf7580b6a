#!/bin/sh
# make bench-cold: the README's test command on a fresh cache, the figure
# bench.json calls cold_test_s. The packages are installed (make deps ran);
# everything the lab caches (the unpacked kernel source, the kernel build,
# the snapshots) starts empty, in a private CACHE_DIR and OUT under OUTDIR
# (on disk, as the real cache is: not a tmpfs /tmp), deleted afterwards.
# Writes OUTDIR/cold.json, which make bench then reads.
#
# usage: bench-cold.sh OUTDIR MAKE-ARGUMENT...
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)

die() {
	printf 'bench-cold: %s\n' "$*" >&2
	exit 1
}

main() {
	[ $# -ge 1 ] || die "usage: bench-cold.sh OUTDIR [MAKE ARGUMENT...]"
	outdir=$1
	shift
	mkdir -p "$outdir"
	tmp=$(cd "$outdir" && pwd)/cache.tmp
	rm -rf "$tmp"
	mkdir "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT TERM
	log=$outdir/cold.log
	echo "bench-cold: make test with an empty cache ($tmp; log: $log)"
	load0=$(cut -d ' ' -f 1 /proc/loadavg)
	t0=$(date +%s%3N)
	make -C "$TOP" --no-print-directory test "$@" CACHE_DIR="$tmp/cache" OUT="$tmp/out" \
		>"$log" 2>&1 || die "make test failed (log: $log)"
	ms=$(($(date +%s%3N) - t0))
	build=$(sed -n 's/^kernel: built in \([0-9]*\) s$/\1/p' "$log" | tail -n 1)
	# Only the runner's own summary line's characters go into the JSON.
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed[0-9a-z, ]*$' "$log" | tail -n 1)
	args=$(printf '%s' "$*" | sed 's/[\\"]/\\&/g')
	secs=$(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms / 1000 }')
	cat >"$outdir/cold.json" <<JSON
{
  "cold_test_s": $secs,
  "kernel_build_s": ${build:-null},
  "cpus": $(nproc),
  "host_load_start": $load0,
  "how": "make test $args with an empty CACHE_DIR and OUT, packages installed (make bench-cold)",
  "result": "$summary"
}
JSON
	echo "bench-cold: cold make test $secs s (kernel build ${build:-?} s): $summary"
}

main "$@"
