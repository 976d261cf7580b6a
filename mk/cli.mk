# The command line's contract (docs/results-and-verdicts.md, Exit status and
# checked variables): every variable is checked before anything runs, and
# make's exit status says what happened.

# --- Variables: checked once, when make starts --------------------------------
# scripts/check-vars.sh, for every public goal, before any recipe (not even
# make deps): a bad value stops make with one error line and exit 2, nothing
# built, nothing deleted. The internal goals (_test, ..., which the public
# targets run in a fresh make) are not checked again.
CHECKED_GOALS := $(filter-out help all FORCE _%,$(or $(MAKECMDGOALS),all))
VARS_ENV = TOP='$(TOP)' OUT='$(OUT)' CACHE_DIR='$(CACHE_DIR)' DEFAULT_CACHE_DIR='$(DEFAULT_CACHE_DIR)' \
	ACCEL='$(ACCEL)' JOBS='$(JOBS)' KERNEL_VERSION='$(KERNEL_VERSION)' KERNEL_SRC='$(KERNEL_SRC)' \
	MODULE_DIR='$(MODULE_DIR)' MODULE_PREBUILT='$(MODULE_PREBUILT)' EXTRA_TESTS='$(EXTRA_TESTS)' \
	V='$(V)' TESTS='$(TESTS)' SEED='$(SEED)' REPEAT='$(REPEAT)' SHARD='$(SHARD)' SNAPSHOT='$(SNAPSHOT)' ISOLATE='$(ISOLATE)' \
	DURATIONS='$(DURATIONS)' FAULTS='$(FAULTS)' GRADE_TIME='$(GRADE_TIME)' \
	UNSAFE_HOST_BUILD='$(UNSAFE_HOST_BUILD)' ALLOW_SYMBOLS='$(ALLOW_SYMBOLS)' DIRS='$(DIRS)' \
	HIDDEN='$(HIDDEN)' EXPLAIN='$(EXPLAIN)' SUITE='$(SUITE)' SUITE_TIMEOUT='$(SUITE_TIMEOUT)' SUITE_FORMAT='$(SUITE_FORMAT)'
ifneq ($(CHECKED_GOALS),)
VARS_ERROR := $(shell $(VARS_ENV) sh $(TOP)/scripts/check-vars.sh $(CHECKED_GOALS) 2>&1 >/dev/null)
ifneq ($(VARS_ERROR),)
$(error $(VARS_ERROR))
endif
endif

# --- Exit statuses --------------------------------------------------------------
# make test: 0 every test passed, 1 tests failed, 2 the lab could not run;
# make grade and grade-all: 0 graded, 2 could not grade; merge-results and
# selftests and suite as make test. GNU make exits 2 whenever a recipe fails, so a
# failing test would look like a broken lab. When every goal is one of
# STATUS_GOALS, make runs in question mode (-q): only the recipe lines
# marked + run (the public targets' and deps'), and a + line's status 1
# becomes make's exit status 1, silently, while 2 stays 2. The fresh make
# such a line starts runs without -q; the runner's status comes back from it
# in a file (LAB_STATUS), since that make would turn a 1 into 2.
STATUS_GOALS := test selftests suite merge-results grade grade-all check-cli
ifneq ($(MAKECMDGOALS),)
ifeq ($(filter-out $(STATUS_GOALS),$(MAKECMDGOALS)),)
MAKEFLAGS += -q
# The flags for the fresh make: the same, less q (the first word holds
# the one-letter flags; the command line's variables follow "--").
SUB_MAKEFLAGS = $(subst q,,$(firstword $(MAKEFLAGS))) $(wordlist 2,$(words $(MAKEFLAGS)),$(MAKEFLAGS))
endif
endif

# A public target's recipe: its internal twin _<target> in a fresh make
# (with SUB_MAKE_ARGS, the target's variables for it).
SUB_MAKE = status='$(O)/.status.'$$$$; mkdir -p '$(O)'; \
	$(if $(SUB_MAKEFLAGS),MAKEFLAGS='$(SUB_MAKEFLAGS)') LAB_STATUS="$$status" \
	$(MAKE) --no-print-directory -f $(TOP)/Makefile _$@ $(SUB_MAKE_ARGS); rc=$$?; \
	if [ $$rc = 0 ] && [ -f "$$status" ]; then rc=$$(cat "$$status"); fi; \
	rm -f "$$status"; exit $$rc

# After the runner (in _test's recipe): with LAB_STATUS, its status goes to
# that file and a 1 (tests failed) is not make's failure; without (make _test
# run by hand), a 1 fails the recipe.
RUNNER_STATUS = rc=$$?; $(if $(LAB_STATUS),echo $$rc >'$(LAB_STATUS)'; [ $$rc -le 1 ],exit $$rc)
# LAB_STATUS is for the fresh make only: never a make that one starts.
unexport LAB_STATUS
