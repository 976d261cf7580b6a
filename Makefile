# ipclab: a QEMU lab that tests Linux kernel <-> user-space IPC.
# The only entry point; `make help` lists the targets and variables. The core
# build graph and the public targets are here; each feature (CI, grading,
# selftests, reproducing and measuring) is in its own mk/*.mk, included last.

# --- Variables (make help and README list them) -----------------------------

# Newest Debian kernel source installed, else bookworm's newest.
KERNEL_VERSION ?= $(or $(lastword $(sort $(patsubst /usr/src/linux-source-%.tar.xz,%,\
	$(wildcard /usr/src/linux-source-*.tar.xz)))),6.12)
KERNEL_SRC ?=
PROFILE ?= min
ACCEL ?= auto
TESTS ?= *
MODULE_DIR ?= module
MODULE_ARGS ?=
EXTRA_TESTS ?=
# check-faults: all, or injected (only the faults injected at run time).
FAULTS ?= all
# i/N: run only the i-th of N slices (CI matrices); balanced with DURATIONS.
SHARD ?=
DURATIONS ?= $(TOP)/runner/durations.tsv
# merge-results: the result directories of the shards to combine.
DIRS ?=
JOBS ?= $(shell nproc)
DEFAULT_CACHE_DIR := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/ipclab
CACHE_DIR ?= $(DEFAULT_CACHE_DIR)
OUT ?= out
# Where make test writes the result files (make grade: $(OUT)/grade/<name>).
RESULTS ?= $(abspath $(OUT))/results
SEED ?=
# REPEAT=N runs the selected tests N times in one boot, run i with seed
# SEED+i-1 (docs/reproducing.md).
REPEAT ?= 1
# SNAPSHOT=1: the first boot saves the ready guest (QEMU migration) in
# $(OUT)/<kernel>-<profile>-<key>/snapshot/ and later boots of the same
# kernel, initramfs, command line and QEMU restore it; SNAPSHOT=0: every
# boot is a cold one.
SNAPSHOT ?= 1
# ISOLATE=1: every test starts on a guest of its own (a restored snapshot),
# so none sees what another left behind.
ISOLATE ?= 0
V ?= 0

TOP := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
O := $(abspath $(OUT))
Q := $(if $(filter 1,$(V)),,@)

ifeq ($(filter $(PROFILE),min grade debug),)
$(error ipclab: PROFILE='$(PROFILE)' is not one of: min grade debug (hint: PROFILE=debug))
endif

# --- The kernel: Debian's source (or KERNEL_SRC), tinyconfig + fragments ----

# base.config: a bootable guest; ipc.config: what several mechanisms share;
# suites.config: what peer suites (LTP, kselftests) probe around IPC;
# testcases/<mechanism>/config: what only that mechanism needs (the lab's
# own folders, not EXTRA_TESTS: hidden tests run on the lab's kernel).
FRAGMENTS := $(addprefix $(TOP)/kernel-config/,base.config ipc.config suites.config) \
	$(sort $(wildcard $(TOP)/testcases/*/config))
# The profiles are layers: grade adds grade.config, debug adds debug.config
# on top of it (a later fragment's value wins).
ifneq ($(filter grade debug,$(PROFILE)),)
FRAGMENTS += $(TOP)/kernel-config/grade.config
endif
ifeq ($(PROFILE),debug)
FRAGMENTS += $(TOP)/kernel-config/debug.config
endif

ifneq ($(KERNEL_SRC),)
KSRC := $(abspath $(KERNEL_SRC))
KNAME := tree-$(shell echo '$(KSRC)' | sha1sum | cut -c1-8)
# Any tree may change under us (bisect): let its own make decide what is stale.
KERNEL_FORCE := FORCE
else
TARBALL := /usr/src/linux-source-$(KERNEL_VERSION).tar.xz
PKGVER := $(shell dpkg-query -W -f='$${Version}' linux-source-$(KERNEL_VERSION) 2>/dev/null)
ifeq ($(PKGVER),)
# Not installed yet: the version make deps would install, so that
# print-cache-key gives a CI cache its key before the packages are there.
PKGVER := $(shell apt-cache policy linux-source-$(KERNEL_VERSION) 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -vx '(none)')
endif
KSRC := $(CACHE_DIR)/src/linux-$(KERNEL_VERSION)-$(PKGVER)
KNAME := $(KERNEL_VERSION)
endif
# The cache key: source version, the profile, and the fragments' settings in
# the order they apply (not their comments: a comment edit rebuilds nothing).
KEY := $(shell { grep -h -e '^CONFIG_' -e '^[#] CONFIG_[A-Za-z0-9_]* is not set$$' $(FRAGMENTS); echo '$(PKGVER) $(PROFILE)'; } | sha1sum | cut -c1-10)
KBUILD := $(CACHE_DIR)/kernel/$(KNAME)-$(PROFILE)-$(KEY)
BZIMAGE := $(KBUILD)/arch/x86/boot/bzImage

# --- What goes into the guest ------------------------------------------------

# Built per kernel: switching KERNEL_VERSION or PROFILE never reuses a module
# built for another kernel.
B := $(O)/$(notdir $(KBUILD))
# make grade: a module the sandbox built from a submission; never built here.
MODULE_PREBUILT ?=
MODULE_KO := $(if $(MODULE_PREBUILT),$(abspath $(MODULE_PREBUILT)),$(B)/module/ipclab.ko)
# The lab's helper gate (rootfs/gate/), loaded before the module under test.
GATE_KO := $(B)/gate/ipclab_gate.ko
MODULE_SRCS := $(filter-out %/ipclab_uapi.h %/Kbuild,$(wildcard $(MODULE_DIR)/*.c $(MODULE_DIR)/*.h))
# One program per folder with C files, <folder>/*.c -> /opt/ipclab/<folder>;
# testcases/lib holds what the programs and demos share: not a mechanism.
# An EXTRA_TESTS folder's programs are built the same way, under names the
# lab's own programs do not take.
prog-names = $(filter-out lib,$(sort $(notdir $(patsubst %/,%,$(dir $(wildcard $(addsuffix /*/*.c,$(1))))))))
PROG_DIRS := $(TOP)/testcases $(abspath $(EXTRA_TESTS))
MECHS := $(call prog-names,$(TOP)/testcases)
EXTRA_PROGS := $(call prog-names,$(abspath $(EXTRA_TESTS)))
ifneq ($(filter $(MECHS),$(EXTRA_PROGS)),)
$(error ipclab: EXTRA_TESTS: $(filter $(MECHS),$(EXTRA_PROGS)) would replace the lab's program of that name (hint: rename that folder of C files))
endif
PROGS := $(addprefix $(B)/bin/,$(MECHS) $(EXTRA_PROGS))
INITRAMFS := $(B)/initramfs.cpio
# Test programs: static and small (musl), against the lab kernel's UAPI,
# with the shared harness from testcases/lib/labtest.h.
PROG_CFLAGS := -static -Os -Wall -Wextra -Werror -I$(TOP)/module -I$(TOP)/testcases/lib \
	-isystem $(KBUILD)/usr/include
PROG_DEPS := $(TOP)/testcases/lib/labtest.h $(TOP)/testcases/lib/labtest.c $(TOP)/module/ipclab_uapi.h

# --- QEMU: one concern per line -----------------------------------------------

QEMU := qemu-system-x86_64
# Only the devices we ask for: nothing to probe, nothing to reset.
QEMU += -nodefaults -no-user-config -display none
# qboot starts a -kernel guest faster than SeaBIOS (0.99 s -> 0.69 s).
QEMU += -bios /usr/share/qemu/qboot.rom
# Room for the test programs; two CPUs so concurrency tests really race.
QEMU += -m 256M -smp 2
# A guest reboot (reboot -f, or panic=-1) ends QEMU.
QEMU += -no-reboot
QEMU += -kernel $(BZIMAGE) -initrd $(INITRAMFS)

# Kernel console on ttyS0.
CMDLINE := console=ttyS0
# A second UART (ttyS1) carries the runner's shell.
CMDLINE += 8250.nr_uarts=2
# A panic reboots at once, which -no-reboot turns into QEMU's exit.
CMDLINE += panic=-1
# Warnings are classified by the runner, not fatal.
CMDLINE += panic_on_warn=0
# Every kernel message reaches the console whatever the console log level
# (a module could lower it to hide its warnings; the runner checks both).
CMDLINE += ignore_loglevel
ifneq ($(filter grade debug,$(PROFILE)),)
# kmemleak prints each leaked object on the console, where the runner sees it.
CMDLINE += kmemleak.verbose=1
# Soft lockups reported after 10 s instead of 20.
CMDLINE += watchdog_thresh=5
endif

# --- Targets -------------------------------------------------------------------

.PHONY: all help deps test demo shell list lint check-runner clean distclean suite check-suite \
	print-cache-key merge-results durations check-shards check-snapshot check-ci-templates check-cli \
	kernel module progs initramfs _test _demo _shell _list _lint _check-runner _check-faults FORCE
.DELETE_ON_ERROR:
.SECONDEXPANSION:

all: help

help:
	@echo 'ipclab: a QEMU lab that tests Linux kernel <-> user-space IPC'
	@echo
	@echo 'targets:'
	@echo '  make deps      check (as root: install) the Debian packages the lab needs'
	@echo '  make test      build what is stale, boot, run the testcases, write $(OUT)/results/'
	@echo '  make demo      boot and walk through each IPC mechanism'
	@echo '  make shell     boot with an interactive shell (module loaded, tests in /opt/ipclab)'
	@echo '  make list      the names of the tests make test would run (TESTS, SHARD)'
	@echo '  make lint      checkpatch, sparse + W=1, shellcheck, the lists of mechanisms'
	@echo '  make check-runner  classify the recorded consoles in runner/fixtures/'
	@echo '  make check-faults  run the broken modules in examples/broken/ through make test'
	@echo '  make check-shards  SHARD=1/3..3/3 merged must equal one full run'
	@echo '  make check-snapshot  snapshot boots: saved, restored, a damaged one replaced'
	@echo '  make check-ci-templates  the templates in ci-templates/ parse, name real targets and their jobs run here'
	@echo '  make merge-results DIRS="a/results b/results"  combine shard results into $(OUT)/results'
	@echo '  make print-cache-key  the kernel build key, for a CI cache of CACHE_DIR'
	@echo '  make durations     record test durations (runner/durations.tsv) to balance shards'
	@echo '  make gdb       boot stopped under gdb (module symbols loaded); make check-gdb: CI check'
	@echo '  make test-matrix  the suite on every Debian kernel source, one verdict table'
	@echo '  make bench     speed figures and mechanism latencies, $(OUT)/bench/bench.json'
	@echo '  make bench-cold  make test on an empty cache, timed (bench.json: cold_test_s)'
	@echo '  runner/bisect  for git bisect run on KERNEL_SRC (make bisect-run: one step)'
	@echo '  make grade SUBMISSION=DIR      grade one student module: $(OUT)/grade/<name>/'
	@echo '  make grade-all SUBMISSIONS=DIR grade every subdirectory, JOBS VMs at once'
	@echo '  make check-grade  grade the examples (submissions, attacks, cheats, hidden tests) and check the expected scores'
	@echo '  make gradescope   a Gradescope autograder of the lab: $(OUT)/gradescope/autograder.zip'
	@echo '  make selftests  run the kernel'"'"'s own IPC-related kselftests in the lab'
	@echo '  make suite SUITE=DIR  run a folder of static programs (LTP, ...) in the lab, a subtest each'
	@echo '  make check-suite  make suite on suites/outcomes/: every LTP/KTAP/exit outcome classified'
	@echo '  make check-cli  the command line: bad variables refused, exit codes, merges'
	@echo '  make clean     remove $(OUT)/;  make distclean: also the kernel cache (only'
	@echo '                 directories the lab made: .ipclab-out, .ipclab-cache)'
	@echo
	@echo 'exit status (test, selftests, suite, merge-results): 0 every test passed, 1 tests'
	@echo 'failed, 2 the lab could not run (bad variable, build failure, no QEMU);'
	@echo 'grade, grade-all: 0 graded, 2 could not grade. A bad variable is one'
	@echo '"ipclab: ..." line before anything is built or deleted.'
	@echo
	@echo 'variables: meaning, accepted values [now]:'
	@printf '  %-17s %s\n' \
		KERNEL_VERSION "Debian kernel source X.Y to build: $(MATRIX_VERSIONS) installed, make deps installs $(shell sh $(TOP)/scripts/deps.sh --kernels) [$(KERNEL_VERSION)]" \
		KERNEL_SRC "a kernel tree to build instead (git checkout, bisect); empty: KERNEL_VERSION [$(KERNEL_SRC)]" \
		PROFILE "min (small, fast), grade (the grader's: KFENCE, kmemleak, UBSAN...) or debug (KASAN, lockdep too; budgets x2) [$(PROFILE)]" \
		ACCEL "kvm, tcg, or auto (KVM if a probe boot reaches user space) [$(ACCEL)]" \
		TESTS "globs over test names, several separated by spaces or commas; each must match [$(TESTS)]" \
		MODULE_DIR "directory of .c/.h files built as the module under test [$(MODULE_DIR)]" \
		MODULE_ARGS "insmod parameters for the module under test, e.g. fault_inject=1 [$(MODULE_ARGS)]" \
		EXTRA_TESTS "more testcase folders, each holding <mechanism>/*.exp [$(EXTRA_TESTS)]" \
		SEED "non-negative integer seed of the host-chosen challenges; empty: random [$(SEED)]" \
		SHARD "i/N with 1 <= i <= N: only the i-th of N balanced slices; empty: all [$(SHARD)]" \
		REPEAT "positive integer: run the selected tests N times in one boot [$(REPEAT)]" \
		SNAPSHOT "1: restore the ready guest saved by the first boot; 0: every boot cold [$(SNAPSHOT)]" \
		ISOLATE "1: every test on a guest of its own (restored) [$(ISOLATE)]" \
		DURATIONS "file of name<TAB>seconds lines that SHARD balances with [$(DURATIONS)]" \
		DIRS "merge-results: the results/ directories of finished runs, space separated [$(DIRS)]" \
		FAULTS "check-faults: all, or injected (only the faults injected at run time) [$(FAULTS)]" \
		JOBS "positive integer: kernel build jobs, VMs at once for grade-all and (given here) make test [$(JOBS)]" \
		CACHE_DIR "kernel sources and builds; not /, the home directory or the checkout [$(CACHE_DIR)]" \
		OUT "where results and builds go; not empty, ., / or the home directory [$(OUT)]" \
		V "0 quiet, 1 show the commands and the kernel build output [$(V)]" \
		SUBMISSION "grade: a directory of a student's .c/.h files" \
		SUBMISSIONS "grade-all: a directory of submission directories" \
		GRADE_TIME "positive integer: seconds each submission may take in all [$(GRADE_TIME)]" \
		PARALLEL_ARGS "grade-all: more GNU parallel options, e.g. --sshloginfile FILE [$(PARALLEL_ARGS)]" \
		UNSAFE_HOST_BUILD "1: grade without the sandbox (trusted code only), 0: sandboxed [$(UNSAFE_HOST_BUILD)]" \
		ALLOW_SYMBOLS "grade: a file of more kernel symbols a submission may import [$(ALLOW_SYMBOLS)]" \
		HIDDEN "grade: verdict (a line per hidden test, no name) or none (their sum) [$(HIDDEN)]" \
		EXPLAIN "grade: 1 runs the failed tests again on the debug kernel to explain them (not scored), 0 not [$(EXPLAIN)]" \
		SUITE "suite: a folder of static programs, DIR/bin/* (DIR/runtest: which, in order) [$(SUITE)]" \
		SUITE_TIMEOUT "suite: seconds per program, times the lab's time factor; empty: settings, else 300 [$(SUITE_TIMEOUT)]" \
		SUITE_FORMAT "suite: auto, ltp, ktap or exit: how a program's result is read [$(SUITE_FORMAT)]"

deps:
	+$(Q)sh $(TOP)/scripts/deps.sh

# The public targets check the packages first, then start a fresh make, so
# that everything computed from installed packages is computed after them
# (mk/cli.mk: the variables were checked before, and how the exit status
# gets through).
test demo shell list lint check-runner check-faults selftests suite check-suite: deps
	+$(Q)$(SUB_MAKE)

kernel: $(BZIMAGE)
module: $(MODULE_KO)
progs: $(PROGS)
initramfs: $(INITRAMFS)

$(BZIMAGE): $(KERNEL_FORCE)
	$(Q)TARBALL='$(TARBALL)' JOBS='$(JOBS)' V='$(V)' \
		sh $(TOP)/scripts/build-kernel.sh '$(KSRC)' '$(KBUILD)' $(FRAGMENTS)

# The module is built from a copy: MODULE_DIR's sources, the lab's Kbuild and
# the lab's UAPI header (never a copy shipped with the sources). Only a file
# whose content changed is copied (and so rebuilt): an edit of one file
# recompiles that file, not the module (make module 8.3 s -> 2.2 s); a file
# no longer in MODULE_DIR goes, with its object (Kbuild's own files stay).
# Which sources the module was built from: another MODULE_DIR rebuilds it
# even when its files are older than the last build.
$(B)/module.src: FORCE
	@mkdir -p $(@D)
	@echo '$(abspath $(MODULE_SRCS))' | cmp -s - $@ || echo '$(abspath $(MODULE_SRCS))' >$@

ifeq ($(MODULE_PREBUILT),)
$(MODULE_KO): $(MODULE_SRCS) $(B)/module.src $(TOP)/module/Kbuild $(TOP)/module/ipclab_uapi.h $(BZIMAGE)
	@test -n '$(MODULE_SRCS)' || { echo 'module: no .c/.h files in MODULE_DIR=$(MODULE_DIR)' >&2; exit 1; }
	@echo 'module: building $(MODULE_DIR) against $(KNAME)'
	$(Q)mkdir -p $(B)/module && cd $(B)/module && \
	for f in *.c *.h; do \
		case " $(notdir $(MODULE_SRCS)) ipclab_uapi.h ipclab_mechanisms.h ipclab.mod.c " in \
		*" $$f "*) ;; *) rm -f "$$f" "$${f%.*}.o" ;; esac; \
	done && \
	for f in $(abspath $(MODULE_SRCS)) $(TOP)/module/Kbuild $(TOP)/module/ipclab_uapi.h; do \
		cmp -s "$$f" "$${f##*/}" || cp "$$f" .; \
	done
	$(Q)$(MAKE) -s -C $(KBUILD) M=$(B)/module modules
endif

$(GATE_KO): $(TOP)/rootfs/gate/ipclab_gate.c $(TOP)/rootfs/gate/Kbuild $(BZIMAGE)
	$(Q)rm -rf $(@D) && mkdir -p $(@D) && cp $(filter-out $(BZIMAGE),$^) $(@D)/
	$(Q)$(MAKE) -s -C $(KBUILD) M=$(@D) modules

$(B)/bin/%: $$(wildcard $$(addsuffix /$$*/*.c,$(PROG_DIRS)) $$(addsuffix /$$*/*.h,$(PROG_DIRS))) \
		$(PROG_DEPS) $(BZIMAGE)
	@mkdir -p $(@D)
	$(Q)musl-gcc $(PROG_CFLAGS) -o $@ $(filter %.c,$^)
	$(Q)strip $@

# The lab's own programs in the guest (rootfs/*.c, /bin/<name>):
# lab-exec starts what the lab runs in the background (the selftests'
# timeout, a test's `prog &`) with every signal at its default action;
# lab-xfer offers the pages the runner carries the module in by.
HELPERS := $(B)/helpers/lab-exec $(B)/helpers/lab-xfer
$(B)/helpers/%: $(TOP)/rootfs/%.c
	@mkdir -p $(@D)
	$(Q)musl-gcc -static -Os -Wall -Wextra -Werror -o $@ $<
	$(Q)strip $@

$(B)/gen_init_cpio: $(BZIMAGE)
	$(Q)mkdir -p $(@D) && cc -O2 -o $@ $(KSRC)/usr/gen_init_cpio.c

# The initramfs without the module under test (BASE_CPIO), and with it: the
# module in a second archive, which the kernel unpacks after the first (an
# edit of the module repacks only that). make test boots the base and
# carries the module in after the boot (RUN_MODULE).
BASE_CPIO := $(B)/base.cpio
$(BASE_CPIO): $(TOP)/rootfs/init $(TOP)/rootfs/pack.sh $(wildcard $(TOP)/rootfs/etc/*) $(GATE_KO) $(PROGS) $(HELPERS) \
		$(wildcard $(TOP)/testcases/*/demo.sh) $(TOP)/testcases/lib/demo-lib.sh $(B)/gen_init_cpio
	$(Q)sh $(TOP)/rootfs/pack.sh $(B)/gen_init_cpio $@ $(GATE_KO) $(B)/bin $(TOP)/testcases $(HELPERS)

$(INITRAMFS): $(BASE_CPIO) $(MODULE_KO)
	$(Q){ cat $(BASE_CPIO) && echo 'file /lib/modules/ipclab.ko $(MODULE_KO) 644 0 0' | \
		$(B)/gen_init_cpio -; } >$@.tmp && mv $@.tmp $@

# Resolve ACCEL=auto once per make invocation (the answer is cached), then
# the kernel command line for it: under TCG the guest reads the host's TSC
# but cannot calibrate it (no ACPI, no HPET) and would fall back to a 4 ms
# jiffies clock that drifts under load, after a 0.3 s delay-loop calibration;
# the host's measured TSC frequency gives it a real clock at once.
# Measured once per OUT (not in CACHE_DIR, which CI may carry to another CPU).
TSC_KHZ := $(O)/tsc-khz
FIND_ACCEL = accel=$$(sh $(TOP)/scripts/accel.sh '$(ACCEL)' '$(CACHE_DIR)/accel' $(QEMU))
ACCEL_APPEND = append='$(CMDLINE)' && \
	if [ "$$accel" = tcg ]; then append="$$append tsc=reliable tsc_early_khz=$$(cat $(TSC_KHZ))"; fi
RESOLVE_ACCEL = $(FIND_ACCEL) && $(ACCEL_APPEND)

$(TSC_KHZ): $(TOP)/scripts/tsc-khz.c
	$(Q)mkdir -p $(@D) && cc -O2 -o $@.bin $< && $@.bin >$@.tmp && mv $@.tmp $@
# Where the runner finds testcases (make selftests: its own folder).
TESTDIRS = $(TOP)/testcases $(abspath $(EXTRA_TESTS))
RUNNER_ENV = LAB_TESTDIRS='$(TESTDIRS)' LAB_TESTS='$(TESTS)' LAB_SEED='$(SEED)' \
	LAB_SHARD='$(SHARD)' LAB_DURATIONS='$(DURATIONS)' LAB_REPEAT='$(REPEAT)' \
	LAB_DETECTORS='$(strip $(DETECTORS))' LAB_PROGS_LIST='$(SUITE_LIST)' \
	LAB_PROGS_NAME='$(SUITE_NAME)' LAB_PROGS_FORMAT='$(SUITE_FORMAT)'
# The detectors the kernel has (lab_test -needs), read from its .config by
# the host, not asked of the guest.
DETECTORS = $(shell sed -n -e 's/^CONFIG_DEBUG_KMEMLEAK=y$$/kmemleak/p' -e 's/^CONFIG_KASAN=y$$/kasan/p' \
	-e 's/^CONFIG_PROVE_LOCKING=y$$/lockdep/p' -e 's/^CONFIG_UBSAN=y$$/ubsan/p' \
	-e 's/^CONFIG_KFENCE=y$$/kfence/p' $(KBUILD)/.config 2>/dev/null)
# The debug kernel is several times slower: every budget grows with it.
LAB_SCALE := $(if $(filter debug,$(PROFILE)),2,1)
# The runner's environment for a run of this kernel and module (make test;
# make grade writes it to a file for scripts/grade.sh), in a recipe after
# RESOLVE_ACCEL; LAB_OUT is the caller's.
# SNAPSHOT=1: the runner boots the base initramfs (whose snapshot an edit of
# the module leaves valid) and carries RUN_MODULE in after the boot or the
# restore (guest::carry); SNAPSHOT=0 boots the initramfs that holds it.
RUN_MODULE = $(if $(filter 1,$(SNAPSHOT)),$(MODULE_KO))
# One snapshot a directory: make selftests and make suite keep theirs apart.
SNAPSHOT_DIR = $(B)/snapshot
RUN_QEMU = $(if $(RUN_MODULE),$(subst -initrd $(INITRAMFS),-initrd $(BASE_CPIO),$(QEMU)),$(QEMU))
RUN_ENV = $(RUNNER_ENV) LAB_SUITE='$(KNAME)-$(PROFILE)' LAB_APPEND="$$append" LAB_SCALE=$(LAB_SCALE) \
	LAB_SNAPSHOT='$(if $(filter 1,$(SNAPSHOT)),$(SNAPSHOT_DIR))' LAB_ISOLATE='$(ISOLATE)' \
	LAB_MODULE='$(RUN_MODULE)' LAB_MODARGS='$(MODULE_ARGS)' LAB_VMLINUX='$(KBUILD)/vmlinux' LAB_KSRC='$(KSRC)' \
	LAB_MODDIR='$(patsubst %/,%,$(dir $(MODULE_KO)))' LAB_MODSRC='$(abspath $(MODULE_DIR))' \
	LAB_QEMU="$(RUN_QEMU) -accel $$accel"

# make test JOBS=N: the tests on N guests at once, in SHARD's balanced
# slices, merged into one result (scripts/jobs.sh). Only a JOBS the command
# line gives: its default (the CPU count) is for builds, and a SHARD is one
# slice already.
TEST_JOBS = $(if $(and $(filter command line,$(origin JOBS)),$(if $(SHARD),,x)),$(JOBS),1)
# The runner's status: 0 all passed, 1 some failed, 2 it could not run
# (RUNNER_STATUS, mk/cli.mk).
_test _selftests _suite: $(INITRAMFS) $(TSC_KHZ)
	$(Q){ $(RESOLVE_ACCEL); } || exit 2; echo "qemu: $(KNAME) $(PROFILE) kernel, accel=$$accel"; \
	$(RUN_ENV) sh $(TOP)/scripts/jobs.sh $(TEST_JOBS) '$(RESULTS)' expect $(TOP)/runner/run.exp; \
	$(RUNNER_STATUS)

_list:
	$(Q)$(RUNNER_ENV) LAB_LIST=1 expect $(TOP)/runner/run.exp

# Test the tester: recorded consoles through the runner's console watch.
_check-runner:
	$(Q)expect $(TOP)/runner/check.tcl

# Test the tester end to end: the broken modules in examples/broken/.
_check-faults: $(BZIMAGE)
	$(Q)FAULTS='$(FAULTS)' sh $(TOP)/scripts/check-faults.sh $(O)/faults \
		KERNEL_VERSION=$(KERNEL_VERSION) PROFILE=$(PROFILE)

_demo: $(INITRAMFS) $(TSC_KHZ)
	$(Q)$(RESOLVE_ACCEL) && \
	$(QEMU) -accel $$accel -serial stdio -append "$$append quiet ipclab.mode=demo" </dev/null

# The console is the shell; Ctrl-C goes to the guest, Ctrl-a x quits QEMU.
_shell: $(INITRAMFS) $(TSC_KHZ)
	@echo 'shell: type exit (or Ctrl-a x) to stop the guest'
	$(Q)$(RESOLVE_ACCEL) && \
	$(QEMU) -accel $$accel -chardev stdio,id=s0,mux=on,signal=off \
		-serial chardev:s0 -mon chardev=s0 -append "$$append quiet ipclab.mode=shell"

CHECKPATCH := $(KSRC)/scripts/checkpatch.pl --strict --no-tree --quiet \
	--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES,MACRO_ARG_REUSE
LINT_C := $(TOP)/scripts/tsc-khz.c $(wildcard $(TOP)/rootfs/*.c $(TOP)/rootfs/gate/*.c $(TOP)/module/*.c $(TOP)/module/*.h $(TOP)/testcases/*/*.[ch] $(TOP)/testcases/lib/*.[ch])
LINT_SH := $(TOP)/scripts/*.sh $(TOP)/rootfs/*.sh $(TOP)/rootfs/init $(TOP)/.ci/run \
	$(wildcard $(TOP)/testcases/*/*.sh $(TOP)/testcases/lib/*.sh)

_lint: $(BZIMAGE) $(PROGS)
	@echo 'lint: checkpatch --strict'
	$(Q)$(CHECKPATCH) -f $(LINT_C)
	@echo 'lint: module and helper gate with W=1 and sparse against $(KNAME)'
	$(Q)rm -rf $(B)/lint && mkdir -p $(B)/lint/module $(B)/lint/gate && \
		cp $(TOP)/module/*.[ch] $(TOP)/module/Kbuild $(B)/lint/module/ && cp $(TOP)/rootfs/gate/* $(B)/lint/gate/
	$(Q){ $(MAKE) -s -C $(KBUILD) M=$(B)/lint/module W=1 C=2 modules && \
		$(MAKE) -s -C $(KBUILD) M=$(B)/lint/gate W=1 C=2 modules; } 2>&1 | tee $(B)/lint/warnings.log
	$(Q)! grep -qE 'warning|error' $(B)/lint/warnings.log
	@echo 'lint: shellcheck'
	$(Q)shellcheck -s sh $(LINT_SH)
	@echo 'lint: the lists of mechanisms (README.md) against the folders'
	$(Q)sh $(TOP)/scripts/check-mechanisms.sh $(TOP)
	@echo 'lint: ok'

# Each feature in a file of its own; the variables they define are checked
# with the others (mk/cli.mk, last).
include $(TOP)/mk/ci.mk $(TOP)/mk/grade.mk $(TOP)/mk/selftests.mk $(TOP)/mk/suite.mk $(TOP)/mk/repro.mk
# Checking the variables first, and exit statuses that get through make.
include $(TOP)/mk/cli.mk
