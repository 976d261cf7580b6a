#!/bin/sh
# make bench: the lab's speed figures, medians of several runs in one go,
# as a table and as OUTDIR/bench.json.
#
# usage: bench.sh OUTDIR MAKE-ARGUMENT...
# Environment (from the Makefile): BENCH_QEMU (QEMU argv with -accel,
# -kernel and -initrd), BENCH_APPEND (kernel command line), BENCH_ACCEL,
# BENCH_CACHE (where Debian's cloud kernel is kept), BENCH_MODULE (the
# module's sources), BENCH_COLD (make bench-cold's cold.json, if any),
# RUNS (boots, default 5), SUITE_RUNS (full suites, module edits and
# gradings, default 3), GRADE_CLASS (copies of the module graded by
# grade-all, default 4).
set -eu

die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

now_ms() {
	date +%s%3N
}

# The median of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# {"min": .., "median": .., "max": ..} in seconds of the milliseconds in
# FILE; null for none.
spread() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		if (!NR) { printf "null"; exit }
		printf "{\"min\": %.3f, \"median\": %.3f, \"max\": %.3f}", v[1] / 1000, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000 }'
}

# The boot line's milliseconds of a make test log, when the boot was HOW
# (cold or restored).
boot_line() {
	sed -n "s/^# boot to shell: \([0-9]*\) ms ($1)\$/\1/p" "$2"
}

lab() {
	make -C "$TOP" --no-print-directory test "$@"
}

# make grade or grade-all (TARGET) with bench's make arguments, on the
# grading profile (the last PROFILE= given wins).
grade_lab() {
	target=$1
	shift
	make -C "$TOP" --no-print-directory "$target" "$@" PROFILE=grade
}

# make grade of the reference module (bench's make arguments "$@"), which
# must score full.
grade_reference() {
	grade_lab grade "$@" SUBMISSION="$BENCH_MODULE" OUT="$OUTDIR/grade" >"$log" 2>&1 ||
		die "make grade failed (log: $log)"
	total=$(sed -n 's/^Total: \([0-9]*\/[0-9]*\)$/\1/p' "$log" | tail -n 1)
	if [ -z "$total" ] || [ "${total%/*}" != "${total#*/}" ]; then
		die "the reference module did not score full: ${total:-no total} (log: $log)"
	fi
}

# make grade of the reference SUITE_RUNS times into OUTDIR/grade.ms, then
# grade-all of GRADE_CLASS copies: per_min.
bench_grading() {
	echo "bench: make grade, the reference module as a passing submission ($SUITE_RUNS runs)"
	# The first builds the grading kernel's reference and snapshot.
	grade_reference "$@"
	for i in $(seq "$SUITE_RUNS"); do
		t0=$(now_ms)
		grade_reference "$@"
		echo $(($(now_ms) - t0)) >>"$OUTDIR/grade.ms"
	done
	echo "bench: make grade-all JOBS=2, $GRADE_CLASS copies of the reference"
	rm -rf "$OUTDIR/class"
	for i in $(seq "$GRADE_CLASS"); do
		mkdir -p "$OUTDIR/class/student$i"
		cp "$BENCH_MODULE"/*.c "$BENCH_MODULE"/*.h "$OUTDIR/class/student$i/"
	done
	t0=$(now_ms)
	grade_lab grade-all "$@" SUBMISSIONS="$OUTDIR/class" JOBS=2 OUT="$OUTDIR/grade" >"$log" 2>&1 ||
		die "make grade-all failed (log: $log)"
	class_ms=$(($(now_ms) - t0))
	# Every student scored full (summary.csv: name,id,score,max,...).
	[ "$(awk -F, 'NR > 1 && $3 != "" && $3 == $4' "$OUTDIR/grade/grade/summary.csv" | wc -l)" = "$GRADE_CLASS" ] ||
		die "a copy of the reference did not score full ($OUTDIR/grade/grade/summary.csv)"
	per_min=$(awk -v n="$GRADE_CLASS" -v ms="$class_ms" 'BEGIN { printf "%.1f", n * 60000 / ms }')
}

ms_to_s() {
	awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'
}

# Boot to user space and power off (ipclab.mode=probe), timed from the host:
# KERNEL, same initramfs, same QEMU flags.
probe_ms() {
	# shellcheck disable=SC2086 # BENCH_QEMU is an argv
	set -- $BENCH_QEMU
	args=""
	t0=$(now_ms)
	while [ "$#" -gt 0 ]; do
		case "$1" in
		-kernel) shift; args="$args -kernel $KERNEL" ;;
		*) args="$args $1" ;;
		esac
		shift
	done
	# shellcheck disable=SC2086
	timeout 60 $args -serial stdio -append "$BENCH_APPEND ipclab.mode=probe" \
		</dev/null >"$OUTDIR/probe.log" 2>&1 || true
	t1=$(now_ms)
	grep -q 'ipclab: probe ok' "$OUTDIR/probe.log" || return 1
	echo $((t1 - t0))
}

# Debian's cloud kernel (linux-image-cloud-amd64's dependency), downloaded
# once into the cache and unpacked; its path on stdout.
distro_kernel() {
	dir=$BENCH_CACHE/distro
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || return 1
	mkdir -p "$dir"
	if ! ls "$dir/$pkg"_*.deb >/dev/null 2>&1; then
		(cd "$dir" && apt-get download "$pkg" >/dev/null 2>&1) || return 1
	fi
	if [ ! -d "$dir/$pkg" ]; then
		dpkg-deb -x "$dir/$pkg"_*.deb "$dir/$pkg.tmp" && mv "$dir/$pkg.tmp" "$dir/$pkg"
	fi
	for f in "$dir/$pkg"/boot/vmlinuz-*; do
		[ -f "$f" ] && echo "$f" && return 0
	done
	return 1
}

# A bar chart (SVG, gnuplot) of the "name<TAB>seconds" lines of $1, longest
# first, into $2: where a suite of $3 tests and $4 s spends its time.
chart() {
	gnuplot <<GNUPLOT || die "gnuplot could not draw $2"
set terminal svg size $(($3 * 9 + 160)),640 noenhanced font "sans,10"
set output "$2"
set datafile separator "\t"
set title "make test: each test's duration ($3 tests, $4 s in all, one guest)"
set ylabel "seconds"
set xtics rotate by 90 right font "sans,7"
set yrange [0:*]
set style fill solid 0.8
set boxwidth 0.8
unset key
plot "$1" using 0:2:xtic(1) with boxes
GNUPLOT
}

field() {
	awk -v k="$1" '$1 == k { print $2; exit }' "$OUTDIR/mechanisms.txt"
}

main() {
	OUTDIR=$1
	shift
	TOP=$(cd "$(dirname "$0")/.." && pwd)
	RUNS=${RUNS:-5}
	SUITE_RUNS=${SUITE_RUNS:-3}
	GRADE_CLASS=${GRADE_CLASS:-4}
	rm -rf "$OUTDIR"
	mkdir -p "$OUTDIR"
	log=$OUTDIR/bench.log
	# Other work on the host skews every figure: recorded with them.
	load0=$(cut -d ' ' -f 1 /proc/loadavg)

	echo "bench: cold boot, and restoring its snapshot, to the test shell ($RUNS runs each)"
	: >"$OUTDIR/boot.ms"
	: >"$OUTDIR/restore.ms"
	# The first run saves the snapshot the others restore.
	lab "$@" TESTS=chardev/write-read OUT="$OUTDIR/boot" >"$log" 2>&1 || die "make test failed (log: $log)"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		lab "$@" TESTS=chardev/write-read SNAPSHOT=0 OUT="$OUTDIR/boot" >"$log" 2>&1 ||
			die "make test failed (log: $log)"
		boot_line cold "$log" >>"$OUTDIR/boot.ms"
		lab "$@" TESTS=chardev/write-read OUT="$OUTDIR/boot" >"$log" 2>&1 ||
			die "make test failed (log: $log)"
		boot_line restored "$log" >>"$OUTDIR/restore.ms"
		i=$((i + 1))
	done
	[ "$(wc -l <"$OUTDIR/restore.ms")" = "$RUNS" ] || die "a run did not restore the snapshot (log: $log)"
	boot_ms=$(median <"$OUTDIR/boot.ms")

	echo "bench: boot to init and power off, lab kernel vs Debian's cloud kernel"
	distro=$(distro_kernel) || distro=""
	: >"$OUTDIR/probe.ms"
	: >"$OUTDIR/distro.ms"
	lab_kernel=$(printf '%s\n' "$BENCH_QEMU" | sed -n 's/.*-kernel \([^ ]*\).*/\1/p')
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		KERNEL=$lab_kernel probe_ms >>"$OUTDIR/probe.ms" || die "the lab kernel's probe boot failed ($OUTDIR/probe.log)"
		if [ -n "$distro" ]; then
			KERNEL=$distro probe_ms >>"$OUTDIR/distro.ms" || distro=""
		fi
		i=$((i + 1))
	done
	probe_ms=$(median <"$OUTDIR/probe.ms")
	distro_ms=$(median <"$OUTDIR/distro.ms")

	echo "bench: warm make test, full suite ($SUITE_RUNS runs)"
	: >"$OUTDIR/suite.ms"
	# Its OUT built (and its snapshot saved) first: the runs are warm ones.
	lab "$@" TESTS=chardev/write-read OUT="$OUTDIR/suite" >"$log" 2>&1 || die "make test failed (log: $log)"
	for i in $(seq "$SUITE_RUNS"); do
		t0=$(now_ms)
		lab "$@" OUT="$OUTDIR/suite" >"$log" 2>&1 || die "make test failed (log: $log)"
		echo $(($(now_ms) - t0)) >>"$OUTDIR/suite.ms"
	done
	suite_ms=$(median <"$OUTDIR/suite.ms")
	ntests=$(tclsh "$TOP/runner/query.tcl" tests "$OUTDIR/suite/results" | grep -c '	PASS	')
	echo "bench: each test's duration in the last suite: $OUTDIR/durations.svg"
	tclsh "$TOP/runner/durations.tcl" "$OUTDIR/suite/results/results.model" |
		sort -t '	' -k 2,2 -g -r >"$OUTDIR/durations.tsv"
	chart "$OUTDIR/durations.tsv" "$OUTDIR/durations.svg" "$ntests" "$(ms_to_s "$suite_ms")"
	echo "bench: warm make test JOBS=2, full suite on two guests ($SUITE_RUNS runs)"
	: >"$OUTDIR/jobs2.ms"
	for i in $(seq "$SUITE_RUNS"); do
		t0=$(now_ms)
		lab "$@" JOBS=2 OUT="$OUTDIR/suite" >"$log" 2>&1 || die "make test JOBS=2 failed (log: $log)"
		echo $(($(now_ms) - t0)) >>"$OUTDIR/jobs2.ms"
	done
	# Booting once per test: each test pays a boot on top of the suite.
	per_test_ms=$((suite_ms + ntests * boot_ms))

	echo "bench: module edit -> new results ($SUITE_RUNS runs)"
	rm -rf "$OUTDIR/module"
	cp -r "$BENCH_MODULE" "$OUTDIR/module"
	lab "$@" TESTS=chardev/write-read MODULE_DIR="$OUTDIR/module" OUT="$OUTDIR/edit" >"$log" 2>&1 ||
		die "make test failed (log: $log)"
	: >"$OUTDIR/edit.ms"
	for i in $(seq "$SUITE_RUNS"); do
		# A real edit: the file's content changes (make module copies and
		# recompiles only a file whose content did).
		echo "/* bench edit $i */" >>"$OUTDIR/module/chardev.c"
		t0=$(now_ms)
		lab "$@" TESTS=chardev/write-read MODULE_DIR="$OUTDIR/module" OUT="$OUTDIR/edit" >"$log" 2>&1 ||
			die "make test failed (log: $log)"
		echo $(($(now_ms) - t0)) >>"$OUTDIR/edit.ms"
	done
	edit_ms=$(median <"$OUTDIR/edit.ms")

	: >"$OUTDIR/grade.ms"
	per_min=null
	# Grading needs the sandbox: a machine without one (no user namespaces)
	# gets null grading figures, not a failed bench.
	if why=$(sh "$TOP/scripts/sandbox.sh" --probe 2>&1); then
		bench_grading "$@"
	else
		printf 'bench: no grading figures, no sandbox here: %s\n' "$why" | LC_ALL=C tr -c '\n[:print:]' '?'
	fi

	echo "bench: the mechanisms, inside the guest"
	rm -f "$OUTDIR/mechanisms.txt"
	LAB_BENCH=$OUTDIR/mechanisms.txt lab "$@" EXTRA_TESTS="$TOP/suites/bench" \
		TESTS='bench/*' OUT="$OUTDIR/mechanisms" >"$log" 2>&1 || die "the bench tests failed (log: $log)"

	# The cold figure is make bench-cold's (scripts/bench-cold.sh), if run.
	cold=$(sed -n 's/^  "cold_test_s": \([0-9.]*\),$/\1/p' "${BENCH_COLD:-}" 2>/dev/null || true)
	cold_shown="${cold:+$cold s}"
	cold_shown=${cold_shown:-'make bench-cold'}
	cold=${cold:-null}
	load1=$(cut -d ' ' -f 1 /proc/loadavg)
	boot_s=$(ms_to_s "$boot_ms")
	probe_s=$(ms_to_s "$probe_ms")
	distro_s=null
	ratio=null
	if [ -n "$distro_ms" ]; then
		distro_s=$(ms_to_s "$distro_ms")
		ratio=$(awk -v a="$distro_ms" -v b="$probe_ms" 'BEGIN { printf "%.2f", a / b }')
	fi
	suite_s=$(ms_to_s "$suite_ms")
	per_test_s=$(ms_to_s "$per_test_ms")
	speedup=$(awk -v a="$per_test_ms" -v b="$suite_ms" 'BEGIN { printf "%.1f", a / b }')
	edit_s=$(ms_to_s "$edit_ms")
	mech=""
	for k in chardev_us netlink_us umh_us signal_us shm_poll_us shm_poll_cpu_pct shm_busy_poll_us shm_busy_poll_cpu_pct shm_clock_step_ns exec_us; do
		mech="$mech    \"$k\": $(field "$k"),
"
	done
	cat >"$OUTDIR/bench.json" <<JSON
{
  "accel": "$BENCH_ACCEL",
  "runs": $RUNS,
  "suite_runs": $SUITE_RUNS,
  "host_load_start": $load0,
  "host_load_end": $load1,
  "cpus": $(nproc),
  "boot_s": $boot_s,
  "boot_spread_s": $(spread "$OUTDIR/boot.ms"),
  "restore_s": $(spread "$OUTDIR/restore.ms"),
  "boot_probe_s": $probe_s,
  "boot_distro_s": $distro_s,
  "distro_over_lab": $ratio,
  "warm_suite_s": $suite_s,
  "tests": $ntests,
  "per_test_boot_suite_s": $per_test_s,
  "per_test_boot_estimated": true,
  "suite_speedup": $speedup,
  "module_edit_s": $edit_s,
  "edit_to_results_s": $(spread "$OUTDIR/edit.ms"),
  "warm_suite_spread_s": $(spread "$OUTDIR/suite.ms"),
  "durations_chart": "$OUTDIR/durations.svg",
  "suite_jobs2_s": $(spread "$OUTDIR/jobs2.ms"),
  "grade_pass_s": $(spread "$OUTDIR/grade.ms"),
  "grade_per_min": $per_min,
  "grade_class": $GRADE_CLASS,
  "cold_test_s": $cold,
  "mechanisms": {
${mech%,
}
  }
}
JSON
	cat <<TABLE
$(printf '%-40s %-10s %s\n' figure measured goal \
	'restore to a ready test shell' "$(ms_to_s "$(median <"$OUTDIR/restore.ms")") s" '<= 0.3 s' \
	'cold boot to a ready test shell' "$boot_s s" '<= 0.6 s' \
	'boot to init and off, lab kernel' "$probe_s s" '' \
	'  Debian cloud kernel, same initramfs' "$distro_s s" ">= 2.5x the lab's (${ratio}x)" \
	"warm make test, $ntests tests" "$suite_s s" '<= 10 s' \
	'  booting once per test (estimated)' "$per_test_s s" ">= 5x the suite (${speedup}x)" \
	'module edit -> new results' "$edit_s s" '<= 3 s' \
	'warm make test, JOBS=2' "$(ms_to_s "$(median <"$OUTDIR/jobs2.ms")") s" '<= 7 s' \
	'grading, passing submission' "$(if [ -s "$OUTDIR/grade.ms" ]; then echo "$(ms_to_s "$(median <"$OUTDIR/grade.ms")") s"; else echo none; fi)" '<= 20 s' \
	"grade-all JOBS=2, $GRADE_CLASS submissions" "$([ "$per_min" = null ] && echo none || echo "$per_min/min")" '>= 6/min' \
	'cold make test after make deps' "$cold_shown" '<= 4 min')

mechanism (guest, $BENCH_ACCEL)                   per call
program run: open + one read (exec)         $(field exec_us) us
program run: chardev write + read           $(field chardev_us) us
program run: netlink echo                   $(field netlink_us) us
program run: helper spawn, UMH_WAIT_PROC    $(field umh_us) us
signal trigger -> sigwaitinfo (in process)  $(field signal_us) us
shm handoff, poll()                         $(field shm_poll_us) us median, $(field shm_poll_cpu_pct) % CPU
shm handoff, busy-poll                      $(field shm_busy_poll_us) us median, $(field shm_busy_poll_cpu_pct) % CPU
  (the guest clock's step: $(field shm_clock_step_ns) ns)
TABLE
	echo "bench: $OUTDIR/bench.json"
}

main "$@"
