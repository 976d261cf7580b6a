# Reproducing bugs and measuring the lab: gdb, test-matrix, bisect, bench
# (docs/reproducing.md).
# Included by the Makefile, after its core build graph and targets.

# Failing tests leave a repro bundle in $(OUT)/repro/<test>/.
LINT_SH += $(TOP)/runner/bisect
# make gdb: the guest boots stopped (-S) with the gdb stub on a free port;
# nokaslr keeps vmlinux's addresses true whatever the kernel tree's config.
GDB_ENV = LAB_OUT='$(O)/gdb' LAB_APPEND="$$append nokaslr" LAB_SCALE=$(LAB_SCALE) \
	LAB_MODARGS='$(MODULE_ARGS)' LAB_VMLINUX='$(KBUILD)/vmlinux' LAB_MODDIR='$(B)/module' \
	LAB_GDB_SCRIPTS='$(KBUILD)/vmlinux-gdb.py'
# Debian's kernel sources installed: make test-matrix runs the suite on each.
MATRIX_VERSIONS := $(sort $(patsubst /usr/src/linux-source-%.tar.xz,%,\
	$(wildcard /usr/src/linux-source-*.tar.xz)))

.PHONY: gdb check-gdb test-matrix bench bench-cold bisect-run gdb-scripts _gdb _check-gdb _test-matrix _bench

gdb check-gdb test-matrix bench: deps
	+$(Q)$(SUB_MAKE)

# The kernel's own gdb helpers (lx-symbols, lx-dmesg, ...) without a kernel
# rebuild: CONFIG_GDB_SCRIPTS only decides whether scripts/gdb is built.
# They need the types of full debug info: PROFILE=debug (grade has only
# line tables).
gdb-scripts: $(BZIMAGE)
	$(Q)$(MAKE) -s -C $(KBUILD) scripts_gdb CONFIG_GDB_SCRIPTS=y

_gdb: $(INITRAMFS) $(TSC_KHZ) $(if $(filter debug,$(PROFILE)),gdb-scripts)
	$(Q)$(RESOLVE_ACCEL) && $(GDB_ENV) LAB_QEMU="$(QEMU) -accel $$accel" \
		expect $(TOP)/runner/gdb.exp interactive

_check-gdb: $(INITRAMFS) $(TSC_KHZ)
	$(Q)$(RESOLVE_ACCEL) && $(GDB_ENV) LAB_QEMU="$(QEMU) -accel $$accel" \
		expect $(TOP)/runner/gdb.exp check

# One verdict table, test x kernel; each kernel's results in $(OUT)/matrix/.
_test-matrix:
	$(Q)sh $(TOP)/scripts/test-matrix.sh '$(O)/matrix' $(MATRIX_VERSIONS) -- \
		PROFILE='$(PROFILE)' TESTS='$(TESTS)' SEED='$(SEED)'

# make bisect-run: for 'git bisect run' (see docs/reproducing.md); the script
# itself is runner/bisect, usable without make.
bisect-run:
	$(Q)KERNEL_SRC='$(KERNEL_SRC)' TESTS='$(TESTS)' PROFILE='$(PROFILE)' SEED='$(SEED)' \
		OUT='$(O)/bisect' sh $(TOP)/runner/bisect

# make bench-cold: make test on an empty cache (the packages installed),
# timed: cold_test_s, which make bench reports (its own directory: make
# bench starts from an empty one).
BENCH_COLD := $(O)/bench-cold
bench-cold: deps
	$(Q)sh $(TOP)/scripts/bench-cold.sh '$(BENCH_COLD)' KERNEL_VERSION='$(KERNEL_VERSION)' \
		PROFILE='$(PROFILE)' KERNEL_SRC='$(KERNEL_SRC)'

_bench: $(INITRAMFS) $(TSC_KHZ)
	$(Q)$(RESOLVE_ACCEL) && BENCH_QEMU="$(QEMU) -accel $$accel" \
		BENCH_APPEND="$$append" BENCH_ACCEL=$$accel BENCH_CACHE='$(CACHE_DIR)' \
		BENCH_MODULE='$(abspath $(MODULE_DIR))' BENCH_COLD='$(BENCH_COLD)/cold.json' \
		sh $(TOP)/scripts/bench.sh '$(O)/bench' \
		KERNEL_VERSION='$(KERNEL_VERSION)' PROFILE='$(PROFILE)' KERNEL_SRC='$(KERNEL_SRC)'

