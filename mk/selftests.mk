# make selftests: the kernel's own IPC-related kselftests.
# Included by the Makefile, after its core build graph and targets.

.PHONY: selftests _selftests

# Built statically from KSRC with the lab kernel's headers (scripts/selftests.sh),
# packed as a second cpio archive appended to the lab's initramfs (the kernel
# unpacks both), so make test's initramfs stays small. suites/selftests/ holds
# the testcase (one test per collection, one subtest per kselftest result) and
# the skip list; the results are make test's files and verdicts.
SELFTESTS_CPIO := $(B)/selftests.cpio
SELFTESTS_INITRAMFS := $(B)/initramfs-selftests.cpio

$(SELFTESTS_CPIO): $(TOP)/scripts/selftests.sh $(TOP)/suites/selftests/timeout $(BZIMAGE) $(B)/gen_init_cpio
	$(Q)sh $(TOP)/scripts/selftests.sh '$(KSRC)' '$(KBUILD)' $(B)/selftests $(B)/gen_init_cpio $@

$(SELFTESTS_INITRAMFS): $(INITRAMFS) $(SELFTESTS_CPIO)
	$(Q)cat $^ >$@

# _test's recipe, with the bigger initramfs and only suites/selftests/.
_selftests: $(SELFTESTS_INITRAMFS)
_selftests: QEMU := $(subst -initrd $(INITRAMFS),-initrd $(SELFTESTS_INITRAMFS),$(QEMU))
_selftests: TESTDIRS = $(TOP)/suites/selftests
# Its initramfs holds the module (the Makefile's RUN_MODULE: none carried).
_selftests: RUN_MODULE =
_selftests: TEST_JOBS = 1
_selftests: SNAPSHOT_DIR = $(B)/snapshot-selftests
LINT_SH += $(TOP)/suites/selftests/timeout

# Only directories the lab made (scripts/check-vars.sh marks them).
clean:
	$(Q)sh $(TOP)/scripts/clean.sh '$(O)' .ipclab-out OUT

distclean: clean
	$(Q)sh $(TOP)/scripts/clean.sh '$(abspath $(CACHE_DIR))' .ipclab-cache CACHE_DIR

FORCE:

