#!/bin/sh
# Grade one student submission. Everything of the submission is hostile
# input, so each step that touches it runs where it cannot reach the host:
#   1. copy only its plain *.c/*.h files (nothing it ships is ever run);
#   2. refuse sources that ask for files not theirs (check-sources.tcl);
#   3. build them with the lab's Kbuild and UAPI header in the sandbox
#      (sandbox.sh: nobody, no network, only the kernel trees read-only),
#      and refuse a module that imports symbols the assignment does not
#      allow (module/allowed-symbols);
#   4. run the testcases on the module (the runner and QEMU, the lab's
#      guest restored from the snapshot made before any submission, the
#      module carried in; or its initramfs with the module appended) in
#      the sandbox too, which can write only the work directory;
#   5. after the guest is gone, score on the host from the run's result
#      model (runner/score.tcl): the result files, report.md and the
#      closing "Total: X/Y" line. A compile error is graded too;
#   6. with GRADE_EXPLAIN=1, steps 3 and 4 again on the debug kernel for
#      the failed tests score.tcl chose, whose results report.md shows
#      beside the failures (never scored).
#
# usage: grade.sh SUBMISSION   (make grade, mk/grade.mk, sets the env:
#   TOP GRADE_OUT GRADE_TIME GRADE_PROFILE GRADE_EXTRA UNSAFE_HOST_BUILD
#   ALLOW_SYMBOLS GRADE_HIDDEN GRADE_EXPLAIN, and what it built and
#   resolved first: GRADE_KBUILD GRADE_KSRC (the kernel's trees), GRADE_REF
#   (the reference build), GRADE_RUN_ENV (the file of the runner's
#   environment) and GRADE_EXPLAIN_ENV (the same four of the debug kernel))
#        grade.sh --check SUBMISSION   only check it, before make builds
#        grade.sh --snapshot   make the graded guest's snapshot (make does)
# Exit: 0 once grading finished (or the check passed), whatever the score;
# 1 when the lab itself could not grade.
set -eu

# A source file bigger than this is not student code.
MAX_SOURCE_BYTES=1048576
# At most this many source files: more is not student code either.
MAX_SOURCES=64
# The build's scratch space (a tmpfs): sources, objects, the module.
BUILD_TMPFS_BYTES=268435456
# The compiler's bounds, each process's: wall and CPU seconds, address
# space, the size of any one file it writes (a debug-profile module is about
# 3 MB). The same on every machine (only the jobs at once depend on it).
BUILD_WALL_S=300
BUILD_CPU_S=240
BUILD_AS_BYTES=2147483648
BUILD_FSIZE_BYTES=33554432
# Files compiled at once: the 15 of the reference in 10.0 s one at a time,
# 4.6 s two at a time (2 cores, min kernel; 9.7 and 5.4 s on the grading
# one). One per core, at most 4: at most 8 GB of compilers. Each one's
# messages come out whole (-Otarget), so a compile the wall time cuts short
# leaves none.
BUILD_JOBS=$(nproc)
[ "$BUILD_JOBS" -le 4 ] || BUILD_JOBS=4
# The biggest module the runner carries into a restored guest: the 4 huge
# pages rootfs/init offers (a bigger one boots cold, in the initramfs).
CARRY_MAX_BYTES=8388608
# The debug kernel's run of failed tests (explain): its wall-time budget.
EXPLAIN_TIME=300

die() {
	printf 'grade: %s\n' "$*" | escape >&2
	exit 1
}

# Text from the submission or the guest, safe for a terminal or a log.
escape() {
	tclsh "$TOP/runner/escape.tcl"
}

say() {
	printf 'grade: %s: %s\n' "$NAME" "$*" | escape
}

# Copy the submission's regular *.c/*.h files with plain names into $2; say
# what was left out. Symlinks are never followed.
copy_sources() {
	src=$1 dst=$2
	n=0
	skipped=""
	for f in "$src"/* "$src"/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		base=${f##*/}
		ok=0
		case "$base" in
		*[!A-Za-z0-9_-]*.[ch] | .*) ;;
		ipclab_uapi.h | Kbuild) ;;	# the lab's own copies are used
		*.c | *.h) ok=1 ;;
		esac
		# Copied first (a link stays a link), then checked: the
		# submission may change while it is graded.
		if [ "$ok" = 1 ] && [ "$n" -lt "$MAX_SOURCES" ] && cp -P "$f" "$dst/$base" &&
			[ -f "$dst/$base" ] && [ ! -L "$dst/$base" ] &&
			[ "$(wc -c <"$dst/$base")" -le "$MAX_SOURCE_BYTES" ]; then
			n=$((n + 1))
		else
			rm -f "$dst/$base"
			skipped="$skipped '$(printf '%s' "$base" | tclsh "$TOP/runner/escape.tcl" -line)'"
		fi
	done
	[ -z "$skipped" ] ||
		say "not used (only plain *.c/*.h files are, at most $MAX_SOURCES of $MAX_SOURCE_BYTES bytes; the lab's ipclab_uapi.h and Kbuild):$skipped"
	say "$n source file(s) copied"
}

# The module's build in the sandbox: the sources (with the lab's Kbuild and
# UAPI header) copied into a size-limited tmpfs at /build, the kernel trees
# read-only; only ipclab.ko comes out, into $MODBUILD. The compiler's
# messages with /build/ cut, escaped.
build_module() {
	cp "$TOP/module/Kbuild" "$TOP/module/ipclab_uapi.h" "$WORK/src/"
	mkdir -p "$MODBUILD"
	rc=0
	if ! tclsh "$TOP/scripts/check-sources.tcl" "$WORK/src" >"$WORK/build.raw"; then
		rc=1
	elif [ "$UNSAFE_HOST_BUILD" = 1 ]; then
		cp "$WORK/src"/* "$MODBUILD/"
		timeout "$BUILD_WALL_S" prlimit --cpu="$BUILD_CPU_S" --as="$BUILD_AS_BYTES" \
			--fsize="$BUILD_FSIZE_BYTES" make -s -j"$BUILD_JOBS" -Otarget -C "$KBUILD" M="$MODBUILD" modules \
			>"$WORK/build.raw" 2>&1 || rc=$?
	else
		# shellcheck disable=SC2016 # $1, $2, $3: the sandbox's shell expands them
		sh "$TOP/scripts/sandbox.sh" --ro "$KSRC" --ro "$KBUILD" --ro "$WORK/src" \
			--tmpfs /build "$BUILD_TMPFS_BYTES" --rw "$MODBUILD" /out \
			--wall "$BUILD_WALL_S" --cpu "$BUILD_CPU_S" --mem "$BUILD_AS_BYTES" \
			--fsize "$BUILD_FSIZE_BYTES" -- sh -c 'cp "$1"/* /build/ &&
				make -s -j"$3" -Otarget -C "$2" M=/build modules && cp /build/ipclab.ko /out/' \
			sh "$WORK/src" "$KBUILD" "$BUILD_JOBS" >"$WORK/build.raw" 2>&1 || rc=$?
	fi
	[ "$rc" -ne 124 ] || echo "grade: the build took more than $BUILD_WALL_S s" >>"$WORK/build.raw"
	sed -e "s|/build/||g" -e "s|$MODBUILD/||g" -e "/^make\[[0-9]*\]: \*\*\*/d" "$WORK/build.raw" |
		head -n 400 | escape >"$WORK/build.log"
	[ "$rc" -eq 0 ] && [ -f "$MODBUILD/ipclab.ko" ] && [ ! -L "$MODBUILD/ipclab.ko" ] &&
		check_imports >>"$WORK/build.log"
}

# The patterns of a symbol list file (module/allowed-symbols' format) that
# start with $2 ("" or "!"), without it, one per line.
patterns() {
	[ -n "$1" ] || return 0
	sed -e 's/[[:space:]]*#.*//' -e '/^[[:space:]]*$/d' "$1" |
		if [ -n "$2" ]; then sed -n "s/^$2//p"; else grep -v '^!'; fi
}

# Is symbol $1 matched by a pattern on the lines of $2?
matches() {
	printf '%s\n' "$2" | while IFS= read -r pat; do
		# shellcheck disable=SC2254 # the pattern is the point
		case "$1" in $pat) echo yes; break ;; esac
	done | grep -q yes
}

# The module may import only what the assignment allows: the reference
# module's imports on this kernel and module/allowed-symbols, less its
# "!" names, plus the teacher's ALLOW_SYMBOLS. nm reads the submission's
# object in the sandbox; its output is matched strictly.
check_imports() {
	ref=$GRADE_REF/reference-imports
	nm=$(sh "$TOP/scripts/sandbox.sh" --ro "$MODBUILD" --wall 60 -- nm -u "$MODBUILD/ipclab.ko") ||
		{ echo "ipclab.ko: error: its symbol table cannot be read"; return 1; }
	imports=$(printf '%s\n' "$nm" | sed -n 's/^ *U \([A-Za-z_][A-Za-z0-9_.]*\)$/\1/p')
	[ "$(printf '%s\n' "$imports" | grep -c .)" -eq "$(printf '%s\n' "$nm" | grep -c .)" ] ||
		{ echo "ipclab.ko: error: its symbol table has names that are not C identifiers"; return 1; }
	base=$(cat "$ref"; patterns "$TOP/module/allowed-symbols" "")
	never=$(patterns "$TOP/module/allowed-symbols" "!")
	extra=$(patterns "$ALLOW_SYMBOLS" "")
	refused=""
	for sym in $imports; do
		if matches "$sym" "$extra"; then
			continue
		fi
		if matches "$sym" "$never" || ! matches "$sym" "$base"; then
			refused="$refused $sym"
		fi
	done
	[ -z "$refused" ] && return 0
	echo "ipclab.ko: error: the module uses kernel symbols the assignment does not allow:$refused" \
		"(see module/allowed-symbols; a teacher allows more with ALLOW_SYMBOLS=file)"
	return 1
}

# The lab's initramfs without a module (base.cpio, made on the host from
# the reference build, mk/grade.mk) with the submission's appended: a
# second cpio archive, which the kernel unpacks over the first.
module_initramfs() {
	printf 'file /lib/modules/ipclab.ko %s 644 0 0\n' "$MODBUILD/ipclab.ko" >"$WORK/module.list"
	{ cat "$GRADE_REF/base.cpio" && "$GRADE_REF/gen_init_cpio" "$WORK/module.list"; } >"$1"
	rm "$WORK/module.list"
}

# The runner on the built module with make's environment (GRADE_RUN_ENV),
# in the sandbox when it is safe: QEMU and the runner write only $BOX,
# never the final results nor any file the host writes or reads unchecked
# later ($WORK's own files). The tools that read the module's object (nm,
# addr2line) run in a sandbox of their own inside, which cannot write even
# $BOX. The run's own repro bundles would be written by the guest's side:
# none (write_bundle makes the submission's on the host).
run_tests() {
	# With snapshots, the guest is make grade's snapshot (save_snapshot),
	# only read, and the runner carries the module in after each boot
	# (guest::carry). Without, or for a module too big to carry, the module
	# is in its initramfs.
	if [ -n "${LAB_SNAPSHOT:-}" ] && [ "$(wc -c <"$MODBUILD/ipclab.ko")" -le "$CARRY_MAX_BYTES" ]; then
		initrd=$GRADE_REF/base.cpio module=$MODBUILD/ipclab.ko snapshot=$GRADE_REF/snapshot
		mkdir -p "$snapshot"
	else
		initrd=$WORK/initramfs.cpio module='' snapshot=''
		module_initramfs "$initrd"
	fi
	set -- env LAB_OUT="$BOX/run" LAB_MODDIR="$MODBUILD" LAB_MODSRC=/build LAB_REPRO=none \
		LAB_TESTS="${EXPLAIN_TESTS:-${LAB_TESTS:-}}" \
		LAB_SNAPSHOT="$snapshot" LAB_SNAPSHOT_KEEP=1 LAB_MODULE="$module" \
		LAB_QEMU="$(graded_qemu "$initrd")" expect "$TOP/runner/run.exp"
	if [ "$UNSAFE_HOST_BUILD" = 1 ]; then
		timeout $((GRADE_TIME + 120)) "$@"
		return
	fi
	ro=""
	for d in $GRADE_EXTRA; do
		ro="$ro --ro $d"
	done
	# The lab's parts the run needs, not the reference module's sources.
	for f in runner testcases scripts; do
		ro="$ro --ro $TOP/$f"
	done
	# The sandbox passes no environment through: its shell reads make's.
	# shellcheck disable=SC2086,SC2016 # one --ro per folder; $1: the sandbox's shell's
	sh "$TOP/scripts/sandbox.sh" --ro "$KSRC" --ro "$KBUILD" --ro "$MODBUILD" $ro \
		--ro "$GRADE_RUN_ENV" --ro "$initrd" ${snapshot:+--ro "$snapshot"} \
		--rw "$BOX" "$BOX" --dev /dev/kvm --wall $((GRADE_TIME + 120)) \
		--cpu $((2 * GRADE_TIME + 240)) --mem 8589934592 --fsize 67108864 \
		--nproc 1024 -- sh -c '. "$1" && shift && exec "$@"' sh "$GRADE_RUN_ENV" \
		env LAB_GRADE_NAME="$NAME" LAB_DEADLINE="$deadline" \
		LAB_TOOL_WRAPPER="sh $TOP/scripts/sandbox.sh --ro $MODBUILD --wall 30 --" "$@"
}

# The QEMU argv of a graded guest: the lab's kernel, initramfs $1.
graded_qemu() {
	printf '%s' "$LAB_QEMU -kernel $KBUILD/arch/x86/boot/bzImage -initrd $1"
}

# make grade's snapshot of the graded guest, before any submission: booted
# by the host from the lab's kernel and base initramfs, no module loaded
# (LAB_BOOT_ONLY); every graded run restores it, read-only. A boot that
# finds a valid one only restores it.
save_snapshot() {
	[ -n "${LAB_SNAPSHOT:-}" ] || return 0
	LAB_OUT="$GRADE_REF/snapshot-boot" LAB_SNAPSHOT="$GRADE_REF/snapshot" LAB_BOOT_ONLY=1 \
		LAB_MODULE='' LAB_QEMU="$(graded_qemu "$GRADE_REF/base.cpio")" expect "$TOP/runner/run.exp" ||
		die "the graded guest's snapshot could not be made (hint: make test shows why the guest does not boot)"
}

# The failed tests score.tcl chose ($WORK/explain-tests) again on the debug
# kernel (GRADE_EXPLAIN_ENV: its trees, reference build and runner's
# environment), as the grading ran them: built and run in the sandbox, from
# the debug kernel's snapshot (made here by the first failure that needs
# it), in $WORK/explain. In a subshell: the grading's paths stay. Succeeds
# when the run left results to show.
explain() {
	tests=$(cat "$WORK/explain-tests" 2>/dev/null) || return 1
	[ -n "$tests" ] || return 1
	say "explaining $(printf '%s\n' "$tests" | wc -l) failed test(s) on the debug kernel (EXPLAIN=0 skips this)"
	mkdir -p "$WORK/explain/box"
	cp -R "$WORK/src" "$WORK/explain/src"
	(explain_run "$WORK/explain" "$(printf '%s\n' "$tests" | tr '\n' ' ')") || true
	[ -f "$WORK/explain/box/run/results.model" ]
}

# explain's run, in a subshell: $1 its work directory, $2 the tests.
explain_run() {
	# shellcheck source=/dev/null # written by make: export lines
	. "$GRADE_EXPLAIN_ENV"
	# shellcheck source=/dev/null # written by make: export lines
	. "$GRADE_RUN_ENV"
	KBUILD=$GRADE_KBUILD KSRC=$GRADE_KSRC WORK=$1 BOX=$1/box MODBUILD=$1/build
	{ flock 9 && save_snapshot; } 9>"$GRADE_REF/.snapshot.lock"
	deadline=$(($(date +%s) + EXPLAIN_TIME))
	export LAB_DEADLINE="$deadline"
	build_module && EXPLAIN_TESTS=$2 run_tests >"$WORK/run.log" 2>&1
}

# score.tcl on the run into $RES.new (the closing line into $WORK/total),
# with $1 for LAB_EXPLAIN_LIST and $2 for LAB_EXPLAINED.
score() {
	LAB_GRADE_NAME="$NAME" LAB_HIDDEN="$GRADE_EXTRA" LAB_HIDDEN_SHOW="${GRADE_HIDDEN:-verdict}" \
		LAB_SUITE="$KEYDIR" LAB_MODSRC=/build LAB_MODDIR="$MODBUILD" \
		LAB_EXPLAIN_LIST="$1" LAB_EXPLAINED="$2" \
		expect "$TOP/runner/score.tcl" "$BOX/run" "$RES.new" >"$WORK/total"
}

# A value for a file the shell sources: in single quotes.
shq() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# The repro bundle of a submission that lost points, made on the host from
# what the host trusts: the kernel it built, its System.map, the lab's
# initramfs built on the host with the submission's module appended in its
# place (a second cpio archive, which the kernel unpacks over the first),
# the module, the seed and the tests that did not pass, and repro.sh
# (scripts/grade-replay.sh), which replays them in the sandbox. Beside the
# results, or in teacher/ when hidden tests would be named.
write_bundle() {
	failing=$(tclsh "$TOP/runner/query.tcl" tests "$RES" | awk -F '\t' '$2 != "PASS" && $2 != "SKIP" && $2 != "BUILD_ERROR" && $1 !~ /\/.*\// {print $1}')
	[ -n "$failing" ] || return 0
	dir=$RES/repro
	[ ! -d "$RES/teacher" ] || dir=$RES/teacher/repro
	mkdir -p "$dir"
	cp "$KBUILD/arch/x86/boot/bzImage" "$KBUILD/System.map" "$MODBUILD/ipclab.ko" "$dir/"
	module_initramfs "$dir/initramfs.cpio"
	printf '%s\n' "$failing" >"$dir/failing"
	seed=$(sed -n 's/^\([0-9][0-9]*\)$/\1/p' "$BOX/run/seed" 2>/dev/null | head -n 1)
	# The run's environment, then what the replay needs besides.
	{
		cat "$GRADE_RUN_ENV"
		for v in LAB_TOP="$TOP" LAB_SUITE="$KEYDIR" LAB_SEED="$seed" LAB_EXTRA="$GRADE_EXTRA"; do
			printf '%s=%s\n' "${v%%=*}" "$(shq "${v#*=}")"
		done
	} >"$dir/lab.env"
	cp "$TOP/scripts/grade-replay.sh" "$dir/repro.sh"
	chmod 755 "$dir/repro.sh"
	(cd "$dir" && sha256sum bzImage System.map initramfs.cpio ipclab.ko >sha256sums)
	say "repro bundle: $dir/repro.sh ($(du -sh "$dir" | cut -f1))"
}

# What can be checked before anything is built: the submission's directory
# and name, where OUT is, the sandbox. Sets SUB, NAME, WORK and RES.
check_submission() {
	[ -n "$1" ] ||
		die "no submission given (hint: make grade SUBMISSION=path/to/dir)"
	[ -d "$1" ] || die "SUBMISSION=$1: no such directory (hint: a directory holding the student's .c/.h files)"
	SUB=$(cd "$1" && pwd)
	NAME=${SUB##*/}
	case "$NAME" in
	"" | *[!A-Za-z0-9._-]* | .*)
		die "SUBMISSION=$1: the directory name is not a plain name (hint: rename it to letters, digits, . _ -)" ;;
	esac
	WORK=$GRADE_OUT/grade-work/$NAME
	RES=$GRADE_OUT/grade/$NAME
	case "$WORK" in
	"$SUB"/*) die "OUT is inside the submission $SUB (hint: OUT=out)" ;;
	esac
	if [ "$UNSAFE_HOST_BUILD" != 1 ]; then
		sh "$TOP/scripts/sandbox.sh" --probe ||
			die "refusing to build and run untrusted code without a sandbox (hint: enable user namespaces, or pass UNSAFE_HOST_BUILD=1 for code you trust)"
	fi
}

main() {
	: "${TOP:?}" "${GRADE_OUT:?}" "${GRADE_TIME:=900}" "${GRADE_PROFILE:=grade}"
	: "${GRADE_EXTRA:=}" "${UNSAFE_HOST_BUILD:=0}" "${ALLOW_SYMBOLS:=}"
	NAME=submission
	if [ "${1:-}" = --check ]; then
		check_submission "${2:-}"
		return
	fi
	[ "${1:-}" = --snapshot ] || check_submission "${1:-}"
	# make built the kernel and the reference and resolved the run's
	# environment (mk/grade.mk): its failure was the lab's, not the student's.
	[ -f "${GRADE_RUN_ENV:-}" ] || GRADE_REF=""
	[ -f "${GRADE_REF:-}/reference-imports" ] ||
		die "no kernel, reference build or runner environment from make (hint: make grade SUBMISSION=$1)"
	# shellcheck source=/dev/null # written by make: export lines
	. "$GRADE_RUN_ENV"
	KBUILD=${GRADE_KBUILD:?} KSRC=${GRADE_KSRC:?} KEYDIR=${GRADE_REF##*/}
	if [ "$1" = --snapshot ]; then
		save_snapshot
		return
	fi
	deadline=$(($(date +%s) + GRADE_TIME))
	# $WORK: the host's own files (logs, the copy of the sources, the run's
	# initramfs) and two directories the sandboxes write: build/
	# (ipclab.ko) and box/ (the run), whose content the host only reads
	# through score.tcl's checks.
	rm -rf "$WORK"
	mkdir -p "$WORK/src" "$WORK/box"
	BOX=$WORK/box
	MODBUILD=$WORK/build
	copy_sources "$SUB" "$WORK/src"

	export LAB_GRADE_NAME="$NAME" LAB_DEADLINE="$deadline"
	rc=0
	if build_module; then
		say "module built, testing with PROFILE=$GRADE_PROFILE"
		run_tests >"$WORK/run.log" 2>&1 || rc=$?
	else
		say "the module did not compile (BUILD_ERROR):"
		grep -E '(^|: )(fatal )?error:|ERROR:|No rule to make' "$WORK/build.log" | head -n 10 | sed 's/^/  /'
		# No boot: the runner writes BUILD_ERROR for every test.
		LAB_BUILD_LOG="$WORK/build.log" LAB_OUT="$BOX/run" LAB_MODDIR="$MODBUILD" LAB_MODSRC=/build \
			expect "$TOP/runner/run.exp" >"$WORK/run.log" 2>&1 || rc=$?
	fi
	# The guest's output shown to the grader: escaped, never raw.
	escape <"$WORK/run.log"
	# Scores come from the host's own plan of tests and points; the run
	# only says what each test's verdict was (LAB_TESTDIRS, LAB_TESTS and
	# LAB_DETECTORS: the run's environment).
	list=""
	[ "${GRADE_EXPLAIN:-0}" != 1 ] || [ ! -f "$MODBUILD/ipclab.ko" ] || list=$WORK/explain-tests
	score "$list" "" || die "the runner failed (exit $rc; hint: see $WORK/run.log)"
	if [ -n "$list" ] && explain; then
		score "" "$WORK/explain/box/run" || die "the runner failed (hint: see $WORK/explain/run.log)"
	fi
	rm -rf "$RES"
	mv "$RES.new" "$RES"
	[ ! -f "$MODBUILD/ipclab.ko" ] || write_bundle
	say "report in $RES/report.md"
	cat "$WORK/total"
}

main "$@"
