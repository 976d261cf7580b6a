# Grading: make grade, grade-all, check-grade, gradescope (scripts/grade.sh).
# Included by the Makefile, after its core build graph and targets.

.PHONY: grade grade-all check-grade gradescope _grade _grade-all _check-grade \
	_grade-build-error _grade-env _grade-reference

# A submission is graded by make test itself: its *.c/*.h copied into
# $(OUT)/grade-work/<name>/src, MODULE_DIR set to that copy, the results in
# $(OUT)/grade/<name>/ (see scripts/grade.sh and docs/grading.md).

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
# Grading uses the debug kernel (KASAN, lockdep, kmemleak, traces with
# file:line) unless PROFILE is given.
GRADE_PROFILE := $(if $(filter command line environment,$(origin PROFILE)),$(PROFILE),debug)
GRADE_ENV = TOP='$(TOP)' GRADE_OUT='$(O)' GRADE_TIME='$(GRADE_TIME)' \
	GRADE_PROFILE='$(GRADE_PROFILE)' GRADE_EXTRA='$(abspath $(EXTRA_TESTS))' \
	JOBS='$(JOBS)' PARALLEL_ARGS='$(PARALLEL_ARGS)' LAB_TESTS='$(TESTS)' LAB_SEED='$(SEED)' \
	UNSAFE_HOST_BUILD='$(UNSAFE_HOST_BUILD)' ALLOW_SYMBOLS='$(abspath $(ALLOW_SYMBOLS))' \
	GRADE_HIDDEN='$(HIDDEN)'

# A Gradescope autograder of the lab as committed: $(OUT)/gradescope/autograder.zip.
gradescope:
	$(Q)sh $(TOP)/scripts/gradescope.sh '$(TOP)' '$(O)/gradescope'

grade grade-all check-grade: deps
	+$(Q)$(SUB_MAKE)

_grade:
	$(Q)$(GRADE_ENV) sh $(TOP)/scripts/grade.sh $(call quote-value,SUBMISSION)

_grade-all:
	$(Q)$(GRADE_ENV) sh $(TOP)/scripts/grade-all.sh $(call quote-value,SUBMISSIONS)

_check-grade:
	$(Q)$(GRADE_ENV) sh $(TOP)/scripts/check-grade.sh

# A submission that did not compile (LAB_BUILD_LOG): the runner writes
# BUILD_ERROR for every test without booting.
_grade-build-error:
	$(Q)$(RUNNER_ENV) LAB_OUT='$(RESULTS)' expect $(TOP)/runner/run.exp

# grade.sh: what the reference module imports on this kernel (one symbol a
# line), the base of the list a submission may import (module/allowed-symbols);
# and the lab's initramfs built on the host, the base of repro bundles.
_grade-reference: $(MODULE_KO) $(INITRAMFS)
	$(Q)nm -u $(MODULE_KO) | sed -n 's/^ *U //p' >$(B)/reference-imports.tmp
	$(Q)mv $(B)/reference-imports.tmp $(B)/reference-imports

# grade.sh: the kernel build and source, this kernel's output directory,
# the accelerator, the kernel's detectors, QEMU's command without kernel and
# initramfs, the kernel command line and the budget scale, one per line
# (resolved here: the sandbox, which sees neither dpkg's database nor the
# whole cache, is given them).
_grade-env: $(TSC_KHZ)
	@$(RESOLVE_ACCEL) && printf '%s\n' '$(KBUILD)' '$(KSRC)' '$(B)' "$$accel" \
		'$(strip $(DETECTORS))' '$(filter-out -kernel $(BZIMAGE) -initrd $(INITRAMFS),$(QEMU))' \
		"$$append" '$(LAB_SCALE)'

