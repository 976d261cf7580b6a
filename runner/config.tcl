# The driver's (run.exp) configuration and result directory: the run's
# variables read from the environment and checked before anything is
# written, and the staging of the results (OUT.new, OUT, OUT.prev).

# A run's variables that must be whole numbers (SEED, REPEAT, SHARD's): the
# number, read as decimal (Tcl 8.6 would read 010 as octal), or a
# configuration error naming the variable.
proc config_number {var value min hint} {
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
proc config {} {
	global lab
	set c [dict create out [env_or LAB_OUT out/results] shard [env_or LAB_SHARD ""]]
	dict set c seed [config_number SEED [env_or LAB_SEED [expr {[clock seconds] % 100000}]] 0 \
		"SEED=42, or leave it empty for a random seed"]
	dict set c repeat [config_number REPEAT [env_or LAB_REPEAT 1] 1 REPEAT=3]
	_lab_load_testcases [env_or LAB_TESTDIRS testcases]
	if {[catch {_lab_select [env_or LAB_TESTS *]} selected]} {
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
		set selected [shard_slice $selected $si $sn [env_or LAB_DURATIONS ""]]
	}
	dict set c selected $selected
	return $c
}

# A run writes into OUT.new; once it has a result of its own (the first
# test's, or the end of a run without tests), the previous results become
# OUT.prev and OUT.new becomes OUT. Bad input, a QEMU that does not start
# or a Ctrl-C before the first result leave the previous results as they
# were. Open files (console.log) follow the rename.
proc results_dir {} {
	global lab
	return [expr {$lab(published) ? $lab(out) : "$lab(out).new"}]
}

proc results_publish {} {
	global lab
	if {$lab(published)} {
		return
	}
	_lab_results_replace $lab(out)
	set lab(published) 1
}

# The end of a run that never got a result: its staging directory goes.
proc results_abandon {} {
	global lab
	if {[info exists lab(out)] && !$lab(published)} {
		file delete -force $lab(out).new
	}
}
