# The driver's (run.exp) configuration (namespace config, no state): the
# run's variables read from the environment (env.tcl lists them) and
# checked before anything is written. The result directory's staging is
# the results part's (report.tcl).

namespace eval config {}

# A run's variables that must be whole numbers (SEED, REPEAT, SHARD's): the
# number, read as decimal (Tcl 8.6 would read 010 as octal), or a
# configuration error naming the variable.
proc config::number {var value min hint} {
	if {![regexp {^[0-9]{1,9}$} $value] || [scan $value %d] < $min} {
		set what [expr {$min ? "a positive integer" : "a non-negative integer"}]
		error "$var='$value' is not $what (hint: $hint)" {} {LAB CONFIG}
	}
	return [scan $value %d]
}

# The run's configuration from the environment, every value checked before
# anything is deleted, written or booted: a dict of out, seed, repeat,
# shard, selected. make's variable check (scripts/check-vars.sh) asks this
# same proc (LAB_CHECK=1), so a bad value stops make before it builds.
proc config::from_env {} {
	set c [dict create out [env_or LAB_OUT out/results] shard [env_or LAB_SHARD ""]]
	dict set c seed [number SEED [env_or LAB_SEED [expr {[clock seconds] % 100000}]] 0 \
		"SEED=42, or leave it empty for a random seed"]
	dict set c repeat [number REPEAT [env_or LAB_REPEAT 1] 1 REPEAT=3]
	testcase::load_dirs [env_or LAB_TESTDIRS testcases]
	if {[catch {testcase::select [env_or LAB_TESTS *]} selected]} {
		error "$selected (hint: 'make list' shows the test names; several globs:\
			TESTS='chardev/poll signal/*')" {} {LAB CONFIG}
	}
	set shard [dict get $c shard]
	if {$shard ne ""} {
		set hint "SHARD=2/3, the second of 3 slices"
		if {![regexp {^([0-9]{1,6})/([0-9]{1,6})$} $shard -> si sn]} {
			error "SHARD='$shard' is not i/N with 1 <= i <= N (hint: $hint)" {} {LAB CONFIG}
		}
		if {[scan $si %d] < 1 || [scan $si %d] > [scan $sn %d]} {
			error "SHARD='$shard' is not i/N with 1 <= i <= N (hint: $hint)" {} {LAB CONFIG}
		}
		set si [scan $si %d]
		set sn [scan $sn %d]
		# A slice may hold no test (more slices than tests): its results
		# are empty, valid and mergeable.
		set selected [shard::slice $selected $si $sn [env_or LAB_DURATIONS ""]]
	}
	dict set c selected $selected
	return $c
}
