# CI integration: cache key, merging shards, durations, the CI checks.
# Included by the Makefile, after its core build graph and targets.

# The key of the kernel build (source version, fragments, profile): a CI cache
# of CACHE_DIR keyed by it skips the kernel build. Run after make deps.
print-cache-key:
	@echo '$(KNAME)-$(PROFILE)-$(KEY)'

# Combine the result directories of several runs (SHARD=1/N .. N/N).
# Exit 0 all passed, 1 some failed, 2 bad input (DIRS is checked first).
merge-results:
	+$(Q)tclsh $(TOP)/runner/merge.tcl $(O)/results $(DIRS)

# Rewrite DURATIONS from the last full run, to balance the shards.
durations:
	$(Q)tclsh $(TOP)/runner/durations.tcl $(O)/results/results.model >$(DURATIONS)

# The templates in ci-templates/ parse and name only real targets/variables.
check-ci-templates: deps
	$(Q)sh $(TOP)/scripts/check-ci-templates.sh $(O)/ci-templates

# The command line (scripts/check-cli.sh): bad variables, exit codes,
# selection, empty shards, merges across kernels. Run as a user runs make.
check-cli: deps
	+$(Q)env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS sh $(TOP)/scripts/check-cli.sh $(O)/check-cli

# Snapshot boots: saved, restored, a damaged one replaced, SNAPSHOT=0 cold.
check-snapshot: deps
	$(Q)sh $(TOP)/scripts/check-snapshot.sh $(O)/check-snapshot

# Test the shards: SHARD=1/3, 2/3, 3/3 merged equal one full run.
check-shards: deps
	$(Q)sh $(TOP)/scripts/check-shards.sh $(O)/shards

