# Grading: make grade, grade-all, check-grade, gradescope (scripts/grade.sh).
# Included by the Makefile, after its core build graph and targets.

.PHONY: grade grade-all check-grade gradescope _grade _grade-all _check-grade

# A submission is graded by scripts/grade.sh: its *.c/*.h copied into
# $(OUT)/grade-work/<name>/src, built and run by the runner in the sandbox
# with the environment make hands it (below), the results in
# $(OUT)/grade/<name>/ (see docs/grading.md).

SUBMISSION ?=
SUBMISSIONS ?=
# A submission's path is the student's (an LMS export): make must never
# expand it ($(shell ...) in a directory name) nor the shell read it (a
# quote): never exported, used only as $(call quote-value,NAME), the
# variable's raw text in single quotes.
unexport SUBMISSION SUBMISSIONS
quote-value = '$(subst ','\'',$(value $(1)))'
# Each submission's wall-time budget in seconds: build, boots and tests.
GRADE_TIME ?= 900
# More GNU parallel options for grade-all, e.g. --sshloginfile FILE.
PARALLEL_ARGS ?=
# 1: build and run submissions without the sandbox (only for trusted code,
# on a machine without user namespaces).
UNSAFE_HOST_BUILD ?= 0
# A file of more kernel symbols a submission may import (module/allowed-symbols).
ALLOW_SYMBOLS ?=
# What a student sees of the hidden tests (EXTRA_TESTS) in report.md and
# results.json: verdict (a line each, no name or details) or none (their sum).
HIDDEN ?= verdict
# Grading uses the grading kernel (KFENCE, kmemleak, UBSAN, traces with
# file:line; kernel-config/grade.config) unless PROFILE is given.
GRADE_PROFILE := $(if $(filter command line environment,$(origin PROFILE)),$(PROFILE),grade)
# A test that fails on the grading kernel runs again on the debug kernel
# (KASAN, lockdep), only to explain the failure in report.md: the score
# stays the grading kernel's. EXPLAIN=0: no second run, no debug kernel.
EXPLAIN ?= 1
GRADE_EXPLAIN := $(if $(and $(filter 1,$(EXPLAIN)),$(filter grade,$(GRADE_PROFILE))),1,0)
# The debug kernel's paths for grade.sh, written by the debug profile's make.
GRADE_EXPLAIN_ENV := $(O)/grade-explain.env
GRADE_ENV = TOP='$(TOP)' GRADE_OUT='$(O)' GRADE_TIME='$(GRADE_TIME)' \
	GRADE_PROFILE='$(GRADE_PROFILE)' GRADE_EXTRA='$(abspath $(EXTRA_TESTS))' \
	GRADE_EXPLAIN='$(GRADE_EXPLAIN)' GRADE_EXPLAIN_ENV='$(GRADE_EXPLAIN_ENV)' \
	JOBS='$(JOBS)' PARALLEL_ARGS='$(PARALLEL_ARGS)' \
	UNSAFE_HOST_BUILD='$(UNSAFE_HOST_BUILD)' ALLOW_SYMBOLS='$(abspath $(ALLOW_SYMBOLS))' \
	GRADE_HIDDEN='$(HIDDEN)'

# A Gradescope autograder of the lab as committed: $(OUT)/gradescope/autograder.zip.
gradescope:
	$(Q)sh $(TOP)/scripts/gradescope.sh '$(TOP)' '$(O)/gradescope'

# The submission (or the directory of them) is checked before anything is
# built: a bad one is one "grade: ..." line and exit 2. The grading make
# has the grading profile, and never shards, repeats, isolates or passes
# MODULE_ARGS.
grade grade-all check-grade: SUB_MAKE_ARGS = PROFILE='$(GRADE_PROFILE)' SHARD= REPEAT=1 ISOLATE=0 MODULE_ARGS=
grade: deps
	+$(Q)$(GRADE_ENV) sh $(TOP)/scripts/grade.sh --check $(call quote-value,SUBMISSION) || exit 2; \
	$(SUB_MAKE)

grade-all: deps
	+$(Q)$(GRADE_ENV) sh $(TOP)/scripts/grade-all.sh --check $(call quote-value,SUBMISSIONS) || exit 2; \
	$(SUB_MAKE)

check-grade: deps
	+$(Q)$(SUB_MAKE)

# What the scripts are handed, in the grading make: the kernel's trees, the
# reference build and the file of the runner's environment for a graded run.
GRADE_REF := $(O)/grade-reference/$(notdir $(KBUILD))
# What a graded guest boots: the reference build's initramfs without the
# reference module (none of its bytes may reach a submission's guest, whose
# kernel runs the submission, nor its repro bundle); each run carries the
# submission's module in after restoring its snapshot, or appends it.
GRADE_BASE := $(GRADE_REF)/base.cpio
GRADE_RUN_ENV := $(O)/grade-run-$(PROFILE).env
GRADE_BUILD_ENV = GRADE_KBUILD='$(KBUILD)' GRADE_KSRC='$(KSRC)' GRADE_REF='$(GRADE_REF)' \
	GRADE_RUN_ENV='$(GRADE_RUN_ENV)'

# The reference build, in an OUT of its own: the module (whose imports on
# this kernel, one symbol a line, are the base of what a submission may
# import, module/allowed-symbols) and the lab's base initramfs, which each
# submission's run and repro bundle boot. Its own make decides what is
# stale.
$(GRADE_REF)/reference-imports: $(BZIMAGE) FORCE
	+$(Q)$(MAKE) --no-print-directory -f $(TOP)/Makefile module $(GRADE_BASE) \
		OUT='$(O)/grade-reference' MODULE_DIR='$(TOP)/module' MODULE_PREBUILT=
	$(Q)nm -u $(GRADE_REF)/module/ipclab.ko | sed -n 's/^ *U //p' >$@.tmp
	$(Q)mv $@.tmp $@

# The accelerator's probe boots the reference initramfs; the run's
# environment names the reference module, and its QEMU has neither kernel
# nor initramfs: grade.sh puts the submission's in their place.
_grade _grade-all _grade-explain: QEMU := $(subst -initrd $(INITRAMFS),-initrd $(GRADE_BASE),$(QEMU))
_grade _grade-all _grade-explain: RUN_QEMU = $(filter-out -kernel $(BZIMAGE) -initrd $(GRADE_BASE),$(QEMU))
_grade _grade-all _grade-explain: MODULE_KO = $(GRADE_REF)/module/ipclab.ko
_grade _grade-all _grade-explain: MODULE_DIR = $(TOP)/module
# grade.sh names the submission's module (LAB_MODULE), never the reference's.
_grade _grade-all _grade-explain: RUN_MODULE =
# KVM for root is not KVM for the sandbox's nobody (/dev/kvm's mode).
SANDBOX_KVM = if [ "$$accel" = kvm ] && [ '$(UNSAFE_HOST_BUILD)' != 1 ] && \
	! sh $(TOP)/scripts/sandbox.sh --dev /dev/kvm -- sh -c 'test -r /dev/kvm && test -w /dev/kvm'; then \
	echo 'grade: the sandbox cannot open /dev/kvm (hint: make it group kvm, mode 0660): TCG'; accel=tcg; fi
# The runner's environment (RUN_ENV) as a file the shell sources (export -p:
# quoted for it), written before the scripts run; the sandboxed runs source
# it too, since the sandbox passes no environment through. Then the graded
# guest's snapshot, which every graded run restores (grade.sh --snapshot).
GRADE_WRITE_ENV = $(FIND_ACCEL) && { $(SANDBOX_KVM); } && $(ACCEL_APPEND) && \
	echo "qemu: $(KNAME) $(PROFILE) kernel, accel=$$accel" && \
	env -i $(RUN_ENV) /bin/sh -c 'unset PWD; export -p' >'$(GRADE_RUN_ENV)'
GRADE_PREPARE = $(GRADE_WRITE_ENV) && $(GRADE_ENV) $(GRADE_BUILD_ENV) sh $(TOP)/scripts/grade.sh --snapshot

# EXPLAIN=1: the debug kernel, its reference build and runner's environment
# too, from a make of the debug profile; grade.sh makes its snapshot when a
# failure first needs it.
.PHONY: _grade-explain-env _grade-explain
_grade _grade-all: $(if $(filter 1,$(GRADE_EXPLAIN)),_grade-explain-env)
_grade-explain-env:
	+$(Q)$(MAKE) --no-print-directory -f $(TOP)/Makefile _grade-explain PROFILE=debug
_grade-explain: $(GRADE_REF)/reference-imports $(TSC_KHZ)
	$(Q)$(GRADE_WRITE_ENV) && env -i $(GRADE_BUILD_ENV) /bin/sh -c 'unset PWD; export -p' >'$(GRADE_EXPLAIN_ENV)'

_grade: $(GRADE_REF)/reference-imports $(TSC_KHZ)
	$(Q)$(GRADE_PREPARE) && \
	$(GRADE_ENV) $(GRADE_BUILD_ENV) sh $(TOP)/scripts/grade.sh $(call quote-value,SUBMISSION)

_grade-all: $(GRADE_REF)/reference-imports $(TSC_KHZ)
	$(Q)$(GRADE_PREPARE) && \
	$(GRADE_ENV) $(GRADE_BUILD_ENV) sh $(TOP)/scripts/grade-all.sh $(call quote-value,SUBMISSIONS)

_check-grade:
	$(Q)$(GRADE_ENV) $(GRADE_BUILD_ENV) sh $(TOP)/scripts/check-grade.sh
