# make suite SUITE=DIR: any folder of static programs (LTP, a kselftest
# build, your own) in the lab; make check-suite: the lab's own suite of every
# outcome (suites/outcomes/). Included by the Makefile (docs/suites.md).

# SUITE_TIMEOUT: seconds per program (times the lab's time factor); empty:
# the suite's settings (timeout=), else 300.
SUITE ?=
SUITE_TIMEOUT ?=
SUITE_FORMAT ?= auto

.PHONY: suite _suite check-suite _check-suite

# Packed as a second cpio archive appended to the lab's initramfs, exactly
# as make selftests does (scripts/cpio-lib.sh): the programs at
# /opt/suite/bin, suites/suite/run, the selftests' /usr/bin/timeout.
ifneq ($(SUITE),)
SUITE_DIR := $(abspath $(SUITE))
SUITE_NAME := $(notdir $(SUITE_DIR))
SUITE_B := $(B)/suite-$(SUITE_NAME)-$(shell echo '$(SUITE_DIR)' | sha1sum | cut -c1-8)
# A folder of C files and no bin/ (suites/outcomes): each DIR/*.c is a
# program, built like the testcases' (static, musl, the lab kernel's UAPI)
# but alone: no labtest harness.
SUITE_SRCS := $(if $(wildcard $(SUITE_DIR)/bin),,$(wildcard $(SUITE_DIR)/*.c))
SUITE_BIN := $(SUITE_B)/bin
SUITE_PROGS := $(patsubst $(SUITE_DIR)/%.c,$(SUITE_BIN)/%,$(SUITE_SRCS))
SUITE_CPIO := $(SUITE_B)/suite.cpio
SUITE_INITRAMFS := $(SUITE_B)/initramfs.cpio

$(SUITE_BIN)/%: $(SUITE_DIR)/%.c $(wildcard $(SUITE_DIR)/*.h) $(BZIMAGE)
	@mkdir -p $(@D)
	$(Q)musl-gcc $(PROG_CFLAGS) -o $@ $<

# Packed again on every run: the folder's programs are not make's to track.
$(SUITE_CPIO): $(SUITE_PROGS) $(TOP)/scripts/suite.sh $(TOP)/scripts/cpio-lib.sh \
		$(TOP)/suites/suite/run $(TOP)/suites/selftests/timeout $(B)/gen_init_cpio FORCE
	$(Q)sh $(TOP)/scripts/suite.sh pack '$(SUITE_DIR)' '$(SUITE_BIN)' $(B)/gen_init_cpio \
		'$(SUITE_B)' $@ '$(SUITE_TIMEOUT)'

$(SUITE_INITRAMFS): $(INITRAMFS) $(SUITE_CPIO)
	$(Q)cat $^ >$@

# _test's recipe, with the bigger initramfs and only suites/suite/. A suite
# is bigger than the lab's programs (LTP's are a few MB each, unpacked into
# RAM from the cpio): the guest gets more memory, which QEMU only allocates
# as it is touched.
_suite: $(SUITE_INITRAMFS)
_suite: QEMU := $(subst -m 256M,-m 1G,$(subst -initrd $(INITRAMFS),-initrd $(SUITE_INITRAMFS),$(QEMU)))
_suite: TESTDIRS = $(TOP)/suites/suite
# Its initramfs holds the module (the Makefile's RUN_MODULE: none carried).
_suite: RUN_MODULE =
_suite: TEST_JOBS = 1
_suite: SNAPSHOT_DIR = $(SUITE_B)/snapshot
# What suites/suite/suite.exp reads (the Makefile's RUNNER_ENV passes it).
SUITE_LIST := $(SUITE_B)/list
endif
LINT_SH += $(TOP)/suites/suite/run $(TOP)/scripts/cpio-lib.sh
LINT_C += $(wildcard $(TOP)/suites/outcomes/*.[ch])

# The lab's own suite through make suite, every verdict compared with its
# expected one (suites/outcomes/expected) through runner/query.tcl.
_check-suite: $(BZIMAGE)
	$(Q)sh $(TOP)/scripts/check-suite.sh '$(O)/check-suite' KERNEL_VERSION=$(KERNEL_VERSION) PROFILE=$(PROFILE)
