# The runner's environment interface: every LAB_* variable a runner file
# reads, in one place. The Makefile sets them (RUNNER_ENV and RUN_ENV in
# the Makefile, mk/*.mk); make grade writes RUN_ENV to a file that
# scripts/grade.sh runs the runner with, and the repro bundles' repro.sh
# (scripts/grade-replay.sh) sets them from the bundle's copy of it. Unset and empty are the
# same: the default. check.tcl checks that this list names every LAB_*
# variable in runner/ and in the lab's suites (suites/*/*.exp).
#
# The run (run.exp; the parts it reads them in):
#   LAB_QEMU          QEMU argv without the serial ports (guest)
#   LAB_APPEND        the kernel command line (guest)
#   LAB_SNAPSHOT      the directory of the ready guest's snapshot ("": every
#                     boot is cold) (guest)
#   LAB_SNAPSHOT_KEEP 1: LAB_SNAPSHOT's snapshots are another run's (make
#                     grade's, saved before any submission's code ran):
#                     restore them, never save, replace or delete one
#   LAB_BOOT_ONLY     1: boot (saving or restoring the snapshot), then stop
#                     the guest and exit: make grade's snapshot
#   LAB_ISOLATE       1: every test on a guest of its own, booted (restored)
#                     for it (run.exp)
#   LAB_TESTDIRS      directories holding <mechanism>/*.exp, or one
#                     testcase folder (config; default testcases)
#   LAB_TESTS         globs over test names, separated by spaces or commas
#                     (config; default *)
#   LAB_SHARD         i/N: only the i-th of N balanced slices (config)
#   LAB_DURATIONS     "name<tab>seconds" lines SHARD balances with (config)
#   LAB_OUT           result directory; written as LAB_OUT.new and renamed
#                     once the run has a result, the previous one kept as
#                     LAB_OUT.prev (config; default out/results)
#   LAB_SEED          seed for the host-chosen challenges (config; default
#                     random)
#   LAB_REPEAT        run the selected tests N times (default 1), in one
#                     boot, run i with seed SEED+i-1 (config)
#   LAB_LIST          1: only print the names of the tests that would run
#   LAB_CHECK         1: only check the configuration (exit 0, or 2 with one
#                     "ipclab: ..." line on stderr); nothing is written
#   LAB_SCALE         factor for every time budget (TCG, the debug kernel
#                     are slower; default 1)
#   LAB_MODARGS       insmod parameters for the module under test
#   LAB_MODULE        the module under test (ipclab.ko), carried into the
#                     guest after each boot (guest::carry); empty: the
#                     initramfs holds it
#   LAB_DETECTORS     the detectors the kernel has (kmemleak kasan lockdep
#                     ubsan kfence), the host's reading of its .config: a
#                     test that needs others is SKIP (testcase)
#   LAB_SUITE         the kernel and profile, e.g. 6.12-min, recorded in
#                     results.model for merging the runs of several kernels
#   LAB_CONSOLE_CAP   console.log's cap in bytes (default 4000000)
#   LAB_REPRO         where failing tests' repro bundles go (default:
#                     OUT/../repro); none: no bundles (make grade makes its
#                     own on the host)
#   LAB_VMLINUX       the kernel, to symbolize reports (runner/symbolize.tcl)
#                     and, beside it, System.map for the host's reads
#   LAB_SYSMAP        System.map, when not beside LAB_VMLINUX (guest)
#   LAB_KSRC          the kernel's source tree, cut from its paths
#   LAB_MODDIR        the module's build directory (ipclab.ko)
#   LAB_MODSRC        the module's sources, shown instead of LAB_MODDIR
#   LAB_TOOL_WRAPPER  a Tcl list of words that nm and addr2line on the
#                     module (which the student's build made) run under,
#                     e.g. a sandbox; empty: run directly
#   LAB_BUILD_LOG     (make grade) the module did not compile: every test
#                     is BUILD_ERROR with this file's compiler messages, no
#                     boot (grade)
#   LAB_DEADLINE      (make grade) epoch seconds: the submission's time
#                     budget ends then; tests not finished by then are
#                     TIMEOUT (grade)
#
# make suite (suites/suite/suite.exp), besides LAB_SCALE:
#   LAB_PROGS_LIST    the programs: "tag<TAB>seconds<TAB>command [arg]..."
#                     lines (scripts/suite.sh)
#   LAB_PROGS_NAME    the suite's folder name: the test is suite/<name>
#   LAB_PROGS_FORMAT  auto, ltp, ktap or exit: how a result is read
#
# make bench (suites/bench/bench.exp):
#   LAB_BENCH         the file its "key value unit" lines go to
# A repro bundle's repro.sh sets LAB_QEMU, LAB_APPEND, LAB_TESTDIRS,
# LAB_SCALE, LAB_MODULE, LAB_MODARGS, LAB_VMLINUX, LAB_KSRC, LAB_MODDIR, LAB_MODSRC as
# the failing run had them (and make suite's LAB_PROGS_*, its list copied
# into the bundle), and LAB_TESTS, LAB_SEED, LAB_OUT (repro.tcl).
#
# Scoring a graded run (score.tcl), besides LAB_TESTDIRS, LAB_TESTS,
# LAB_DETECTORS, LAB_SUITE, LAB_MODDIR and LAB_MODSRC:
#   LAB_GRADE_NAME    the submission's name in report.md (default
#                     submission)
#   LAB_HIDDEN        the folders of hidden tests (EXTRA_TESTS)
#   LAB_HIDDEN_SHOW   verdict: a line per hidden test with its verdict and
#                     points; none: only their sum (default verdict)
#   LAB_EXPLAIN_LIST  a file for the failed tests to run again on the
#                     debug kernel, one a line (make grade's EXPLAIN=1)
#   LAB_EXPLAINED     the directory of that run, whose results report.md
#                     shows beside the failures (not scored)
#
# make gdb (gdb.exp), besides LAB_QEMU, LAB_APPEND, LAB_SCALE, LAB_MODARGS,
# LAB_VMLINUX, LAB_MODDIR and LAB_OUT (default out/gdb):
#   LAB_GDB_SCRIPTS   the kernel build's vmlinux-gdb.py (lx-symbols,
#                     lx-dmesg), sourced when it exists
#
# The runner's self-checks (check.tcl):
#   LAB_CHECK_VMLINUX the kernel to check symbolization on (default: the
#                     newest debug build in the lab's cache)

# The value of environment variable NAME, or DEFAULT when unset or empty.
proc env_or {name default} {
	global env
	if {[info exists env($name)] && $env($name) ne ""} {
		return $env($name)
	}
	return $default
}
