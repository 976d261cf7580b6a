#!/bin/sh
# make test JOBS=N: the runner N times at once, each on a guest of its own
# with one of N balanced slices of the tests (LAB_SHARD=i/N, as SHARD
# slices them), then their results merged into one (runner/merge.tcl) and
# printed as one TAP stream. With N = 1, the runner alone.
#
# usage: jobs.sh N RESULTS RUNNER [ARG]...   (the runner's environment set)
#   RESULTS is the results directory; slice i's is RESULTS.jobs/i/results,
#   its output RESULTS.jobs/i.log.
# Exit: the runner's: 0 every test passed, 1 some failed, 2 the lab could
# not run (a slice could not, or the merge failed).
set -u

n=$1 results=$2
shift 2
if [ "$n" = 1 ]; then
	LAB_OUT=$results exec "$@"
fi
dir=$results.jobs
rm -rf "$dir"
mkdir -p "$dir" || exit 2
echo "# JOBS=$n: the tests on $n guests at once"
i=1
while [ "$i" -le "$n" ]; do
	{
		LAB_SHARD=$i/$n LAB_OUT=$dir/$i/results "$@" >"$dir/$i.log" 2>&1
		echo $? >"$dir/$i.rc"
	} &
	i=$((i + 1))
done
wait
status=0
dirs=""
i=1
while [ "$i" -le "$n" ]; do
	rc=$(cat "$dir/$i.rc" 2>/dev/null || echo 2)
	# The runner's own lines (escaped by it): its boots, and why it stopped.
	sed -n -e "s/^# \(boot to shell: .*\)/# guest $i: \1/p" -e "s/^# \([0-9]* boot(s).*\)/# guest $i: \1/p" \
		-e "s/^runner: /runner (guest $i): /p" "$dir/$i.log"
	[ "$rc" -le 1 ] || status=2
	dirs="$dirs $dir/$i/results"
	i=$((i + 1))
done
[ "$status" = 0 ] || { echo "jobs: a guest could not run its tests (see $dir/*.log)" >&2; exit 2; }
# shellcheck disable=SC2086 # one word per directory
tclsh "$(dirname "$0")/../runner/merge.tcl" "$results" $dirs >"$dir/merge.log" 2>&1
rc=$?
[ "$rc" -le 1 ] || { sed 's/^/jobs: /' "$dir/merge.log" >&2; exit 2; }
cat "$results/results.tap"
# What did not pass, then the totals (the merge's lines, less its own).
grep -v '^merge: ' "$dir/merge.log"
exit "$rc"
