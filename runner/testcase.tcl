# The testcase API, what a testcases/<mechanism>/*.exp file uses: declaring
# tests (lab_test), host-chosen challenges, verdicts raised in a test body,
# commands on the guest's shell (lab_run), assertions (lab_match) and the
# module helpers. Sourced by lib.tcl; the guest's side is guest.tcl.

# --- Randomness: the host makes every challenge, the guest can't know it.

proc lab_random_word {{len 8}} {
	set w ""
	for {set i 0} {$i < $len} {incr i} {
		append w [format %c [expr {97 + int(rand() * 26)}]]
	}
	return $w
}

proc lab_random_int {min max} {
	return [expr {$min + int(rand() * ($max - $min + 1))}]
}

# --- Declaring tests.

# lab_test NAME POINTS ?-needs DETECTORS? BODY: register a test; the driver
# decides what runs. DETECTORS (kmemleak, kasan, lockdep, ubsan, kfence)
# are what the test needs in the kernel: on a kernel without them (the host
# knows from the kernel's .config) the test is not run (SKIP) and not part
# of a grade's plan.
proc lab_test {name points args} {
	global lab
	if {![regexp {^[a-z0-9-]+/[a-z0-9-]+$} $name]} {
		error "test name '$name' is not <mechanism>/<case> in lower case"
	}
	if {[info exists lab(def,$name)]} {
		error "test $name is defined twice"
	}
	set needs {}
	set body [lindex $args end]
	foreach {opt val} [lrange $args 0 end-1] {
		switch -- $opt {
			-needs {set needs $val}
			default {error "lab_test $name: unknown option $opt"}
		}
	}
	lappend lab(tests) $name
	set lab(def,$name) [list $points $body $lab(settings) $needs]
	set lab(file,$name) [file normalize [info script]]
}

# What of NEEDS the kernel lacks (LAB_DETECTORS: the host's reading of
# its .config).
proc _lab_unmet {needs} {
	set have [env_or LAB_DETECTORS ""]
	set missing {}
	foreach n $needs {
		if {$n ni $have} {
			lappend missing $n
		}
	}
	return $missing
}

# Per-directory settings, kselftest style: "timeout=N", "order=N" lines.
proc _lab_read_settings {dir} {
	set settings [dict create timeout 45 order 50]
	if {[file exists $dir/settings]} {
		set f [open $dir/settings]
		foreach line [split [read $f] \n] {
			if {[regexp {^\s*([a-z_]+)\s*=\s*(\S+)\s*$} $line -> k v]} {
				dict set settings $k $v
			}
		}
		close $f
	}
	return $settings
}

# Testcase folders run in the order of their settings' "order" (default 50),
# then by name.
proc _lab_load_testcases {dirs} {
	global lab
	set found {}
	foreach dir $dirs {
		# A folder of testcase folders, or one testcase folder itself.
		set exps [glob -nocomplain -directory $dir *.exp]
		if {![llength $exps]} {
			set exps [glob -nocomplain -directory $dir */*.exp]
		}
		foreach exp $exps {
			set settings [_lab_read_settings [file dirname $exp]]
			lappend found [list [dict get $settings order] \
				[file tail [file dirname $exp]] $exp $settings]
		}
	}
	foreach item [lsort -integer -index 0 [lsort -index 1 $found]] {
		lassign $item order name exp lab(settings)
		uplevel #0 [list source $exp]
	}
}

# TESTS: globs over test names, separated by spaces or commas. The tests
# any of them matches, in the suite's order; an error names a glob that
# matches no test (a typo would otherwise drop tests without a word).
proc _lab_select {spec} {
	global lab
	set globs [lsearch -all -inline -not -exact [split $spec " ,\t\n"] ""]
	if {![llength $globs]} {
		set globs [list *]
	}
	set selected {}
	foreach name $lab(tests) {
		foreach g $globs {
			if {[string match $g $name]} {
				lappend selected $name
				break
			}
		}
	}
	foreach g $globs {
		if {[lsearch -glob $lab(tests) $g] < 0} {
			error "TESTS: '$g' matches no test" {} {LAB CONFIG}
		}
	}
	return $selected
}

# --- Verdicts raised inside a test body.

proc lab_fail {msg} {
	return -code error -errorcode {LAB FAIL} $msg
}

proc lab_skip {msg} {
	return -code error -errorcode {LAB SKIP} $msg
}

# lab_subtest NAME VERDICT ?MESSAGE?: a result of a suite that reports its
# own subtests (kselftest's KTAP), recorded as <test>/NAME. It counts like a
# test in the result files and is nested under its test in TAP.
proc lab_subtest {name verdict {msg ""}} {
	global lab
	lappend lab(subtests) [dict create name $lab(current)/$name points 0 \
		verdict $verdict message $msg duration 0.000 log "" ktitle "" \
		kreport "" kloc ""]
}

# lab_budget SECONDS: the rest of the current test gets SECONDS (scaled like
# every budget) from now on: for a suite that learns its length as it runs.
proc lab_budget {secs} {
	global lab
	set lab(budget) [expr {int($secs * $lab(scale))}]
	set lab(deadline) [expr {[clock milliseconds] + 1000 * $lab(budget)}]
	# SECS may come from the guest (kselftest's settings): never past the
	# submission's budget (runner/grade.tcl).
	if {[info procs _lab_grade_cap] ne ""} {
		set lab(deadline) [_lab_grade_cap $lab(deadline)]
	}
}

# A test's transcript is capped: a flood keeps its head and its tail.
proc _lab_log {text} {
	global lab
	append lab(log) $text \n
	set cap $lab(log_cap)
	if {[string length $lab(log)] > 2 * $cap} {
		set lab(log) "[string range $lab(log) 0 [expr {$cap / 2}]]\n\
			\[ipclab: transcript cut here\]\n[string range $lab(log) end-[expr {$cap / 2}] end]"
	}
}

# --- The guest shell.

# lab_run CMD ?-rc N?: run CMD in the guest, return what it printed.
# The test fails when the exit code is not N (default 0).
proc lab_run {cmd args} {
	global lab
	set want 0
	foreach {opt val} $args {
		switch -- $opt {
			-rc {set want $val}
			default {error "lab_run: unknown option $opt"}
		}
	}
	set tag "[pid]-[incr lab(seq)]"
	_lab_log "\$ $cmd"
	# The marker's digits exist only in the shell's output, never in an
	# echo of the command, so the match cannot come from the wrong place.
	# No subshell: a test may start a job in one lab_run and wait for
	# it in the next.
	send -i $lab(sh) -- "{ $cmd\n} </dev/null; echo \"@@$tag \$?@@\"\n"
	set out [_lab_wait_shell "@@$tag (\[0-9\]+)@@\r?\n" rc]
	if {$out ne ""} {
		_lab_log $out
	}
	if {$rc != $want} {
		lab_fail "'$cmd' exited with $rc, expected $want"
	}
	return $out
}

# --- Assertions.

# lab_match TEXT ?-no RE? RE ...: gradelib-style. Every RE must match a line
# of TEXT, no -no RE may. On failure, GOOD/BAD/MISSING lines say why.
proc lab_match {text args} {
	set lines [split $text \n]
	set want {}
	set forbid {}
	for {set i 0} {$i < [llength $args]} {incr i} {
		set a [lindex $args $i]
		if {$a eq "-no"} {
			lappend forbid [lindex $args [incr i]]
		} else {
			lappend want $a
		}
	}
	set report {}
	set bad 0
	foreach line $lines {
		set tag "     "
		foreach re $want {
			if {[regexp -- $re $line]} {
				set tag "GOOD "
			}
		}
		foreach re $forbid {
			if {[regexp -- $re $line]} {
				set tag "BAD  "
				set bad 1
			}
		}
		lappend report "$tag$line"
	}
	foreach re $want {
		set found 0
		foreach line $lines {
			if {[regexp -- $re $line]} {
				set found 1
				break
			}
		}
		if {!$found} {
			lappend report "MISSING '$re'"
			set bad 1
		}
	}
	if {$bad} {
		lab_fail "unexpected output:\n[join $report \n]"
	}
}

# lab_check CMD ?-no RE? RE ...: run a test program, then lab_match its
# output; a "FAIL: ..." line (one of the program's own checks) always fails.
# The program checks what it can know itself (errnos, sizes, orders); the
# REs hold what only the host knows: the words and numbers it chose.
proc lab_check {cmd args} {
	set out [lab_run $cmd]
	lab_match $out -no {^FAIL} {*}$args
	return $out
}

# --- Module and kernel log helpers.

# Load the module under test, by default with the run's MODULE_ARGS.
proc lab_insmod {{params ""}} {
	global lab
	if {$params eq ""} {
		set params $lab(modargs)
	}
	return [lab_run [string trim "insmod /lib/modules/ipclab.ko $params"]]
}

proc lab_rmmod {} {
	return [lab_run "rmmod ipclab"]
}

proc lab_dmesg {} {
	return [lab_run "dmesg"]
}
