# The testcase API, what a testcases/<mechanism>/*.exp file uses: declaring
# tests (lab_test), host-chosen challenges, verdicts raised in a test body,
# commands on the guest's shell (lab_run), assertions (lab_match) and the
# module helpers. Sourced by lib.tcl; the guest's side is guest.tcl.
#
# The API is the global lab_* procs. Its state is namespace testcase's: the
# declared tests, and the current test's name, transcript, subtests, time
# budget and deadline. The driver (run.exp) and the guest (guest.tcl) use
# it through the testcase:: procs below; those whose name starts with "_"
# are this file's own.

namespace eval testcase {
	# The declared tests in the suite's order; per test, def(NAME) is
	# {POINTS BODY SETTINGS NEEDS} and script(NAME) the .exp declaring it.
	variable tests {}
	variable def
	variable script
	array set def {}
	array set script {}
	# The settings of the testcase folder being sourced (lab_test).
	variable settings
	# The factor for every time budget (LAB_SCALE) and insmod's default
	# parameters (LAB_MODARGS): testcase::configure.
	variable scale 1
	variable modargs ""
	# The current test (testcase::begin): its name, transcript (capped at
	# log_cap, see testcase::log), subtests (lab_subtest), lab_run's
	# command counter, the mark its first command writes to the kernel log.
	variable current ""
	variable log ""
	variable log_cap 262144
	variable subtests {}
	variable seq 0
	variable mark ""
	# Its time: budget in seconds, deadline in clock milliseconds; what
	# the guest's shell waits until (testcase::limit).
	variable budget 0
	variable deadline 0
	# When the module last worked for the suite (clock milliseconds): its
	# last insmod, or the end of the last test of a folder that uses it;
	# at first, when the runner started.
	variable module_busy [clock milliseconds]
}

# The run's factor for every time budget and the module's default insmod
# parameters.
proc testcase::configure {factor params} {
	variable scale $factor
	variable modargs $params
}

proc testcase::scale {} {
	variable scale
	return $scale
}

# {POINTS BODY SETTINGS NEEDS} of test NAME.
proc testcase::def {name} {
	variable def
	return $def($name)
}

# The .exp file that declared test NAME (normalized).
proc testcase::script {name} {
	variable script
	return $script($name)
}

# From here on the test is NAME: its transcript and subtests start empty;
# MARK, when given, goes to the kernel log with its first command.
proc testcase::begin {name {first_mark ""}} {
	variable current $name
	variable log ""
	variable subtests {}
	variable mark $first_mark
}

# The current test's transcript, and its subtests (lab_subtest's results).
proc testcase::transcript {} {
	variable log
	return $log
}

proc testcase::subtests {} {
	variable subtests
	return $subtests
}

# testcase::limit ?-uncapped? SECS ?FROM?: the current test has SECS
# seconds (whole, already scaled) from FROM (clock milliseconds, default
# now); the deadline is never past the submission's budget (grade::cap,
# when grade.tcl is loaded) unless -uncapped.
proc testcase::limit {args} {
	variable budget
	variable deadline
	set capped 1
	if {[lindex $args 0] eq "-uncapped"} {
		set capped 0
		set args [lrange $args 1 end]
	}
	lassign $args secs from
	if {$from eq ""} {
		set from [clock milliseconds]
	}
	set budget $secs
	set deadline [expr {$from + 1000 * $budget}]
	if {$capped && [info commands ::grade::cap] ne ""} {
		set deadline [grade::cap $deadline]
	}
}

# The current budget in seconds (what a TIMEOUT's message names).
proc testcase::budget {} {
	variable budget
	return $budget
}

# testcase::deadline ?MS?: when the current test's time ends (clock
# milliseconds); with MS, it ends then.
proc testcase::deadline {args} {
	variable deadline
	if {[llength $args]} {
		set deadline [lindex $args 0]
	}
	return $deadline
}

# The module worked for the suite until now (testcase::module_busy), or
# (lab_module_idle) how many seconds ago it last did: what kmemleak's
# minimum age still asks lifecycle/no-leaks to wait.
proc testcase::module_busy {} {
	variable module_busy [clock milliseconds]
}

proc lab_module_idle {} {
	return [expr {([clock milliseconds] - $testcase::module_busy) / 1000.0}]
}

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

# lab_wait_ms MIN MAX: a deliberate wait the host chooses for a test (a
# delayed event, a timer): MIN..MAX milliseconds at random, times the run's
# scale factor (LAB_SCALE: 2 on the debug kernel), as every budget is.
proc lab_wait_ms {min max} {
	return [expr {[lab_random_int $min $max] * [testcase::scale]}]
}

# --- Declaring tests.

# lab_test NAME POINTS ?-needs DETECTORS? BODY: register a test; the driver
# decides what runs. DETECTORS (kmemleak, kasan, lockdep, ubsan, kfence)
# are what the test needs in the kernel: on a kernel without them (the host
# knows from the kernel's .config) the test is not run (SKIP) and not part
# of a grade's plan.
proc lab_test {name points args} {
	upvar #0 testcase::tests tests testcase::def def testcase::script script \
		testcase::settings settings
	if {![regexp {^[a-z0-9-]+/[a-z0-9-]+$} $name]} {
		error "test name '$name' is not <mechanism>/<case> in lower case"
	}
	if {[info exists def($name)]} {
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
	lappend tests $name
	set def($name) [list $points $body $settings $needs]
	set script($name) [file normalize [info script]]
}

# What of NEEDS the kernel lacks (LAB_DETECTORS: the host's reading of
# its .config).
proc testcase::unmet {needs} {
	set have [env_or LAB_DETECTORS ""]
	set missing {}
	foreach n $needs {
		if {$n ni $have} {
			lappend missing $n
		}
	}
	return $missing
}

# Per-directory settings, kselftest style: "timeout=N", "order=N",
# "uses_module=no" lines.
proc testcase::_settings {dir} {
	set settings [dict create timeout 45 order 50 uses_module yes]
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
proc testcase::load_dirs {dirs} {
	variable settings
	set found {}
	foreach dir $dirs {
		# A folder of testcase folders, or one testcase folder itself.
		set exps [glob -nocomplain -directory $dir *.exp]
		if {![llength $exps]} {
			set exps [glob -nocomplain -directory $dir */*.exp]
		}
		foreach exp $exps {
			set s [_settings [file dirname $exp]]
			lappend found [list [dict get $s order] \
				[file tail [file dirname $exp]] $exp $s]
		}
	}
	foreach item [lsort -integer -index 0 [lsort -index 1 $found]] {
		lassign $item order name exp settings
		uplevel #0 [list source $exp]
	}
}

# TESTS: globs over test names, separated by spaces or commas. The tests
# any of them matches, in the suite's order; an error names a glob that
# matches no test (a typo would otherwise drop tests without a word).
proc testcase::select {spec} {
	variable tests
	set globs [lsearch -all -inline -not -exact [split $spec " ,\t\n"] ""]
	if {![llength $globs]} {
		set globs [list *]
	}
	set selected {}
	foreach name $tests {
		foreach g $globs {
			if {[string match $g $name]} {
				lappend selected $name
				break
			}
		}
	}
	foreach g $globs {
		if {[lsearch -glob $tests $g] < 0} {
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

# lab_subtest NAME VERDICT ?MESSAGE? ?SECONDS?: a result of a suite that
# reports its own subtests (kselftest's KTAP, make suite's programs),
# recorded as <test>/NAME, SECONDS long (the guest's time, "1.230"). It
# counts like a test in the result files and is nested under its test in TAP.
proc lab_subtest {name verdict {msg ""} {secs 0.000}} {
	upvar #0 testcase::subtests subtests testcase::current current
	lappend subtests [results::new $current/$name 0 $verdict $msg duration $secs]
}

# lab_budget SECONDS: the rest of the current test gets SECONDS (scaled like
# every budget) from now on: for a suite that learns its length as it runs.
# SECS may come from the guest (kselftest's settings): never past the
# submission's budget (testcase::limit, runner/grade.tcl).
proc lab_budget {secs} {
	testcase::limit [expr {int($secs * [testcase::scale])}]
}

# TEXT and a newline onto the current test's transcript. It is capped: a
# flood keeps its head and its tail.
proc testcase::log {text} {
	variable log
	variable log_cap
	append log $text \n
	set cap $log_cap
	if {[string length $log] > 2 * $cap} {
		set log "[string range $log 0 [expr {$cap / 2}]]\n\
			\[ipclab: transcript cut here\]\n[string range $log end-[expr {$cap / 2}] end]"
	}
}

# --- The guest shell.

# lab_run CMD ?-rc N?: run CMD in the guest, return what it printed.
# The test fails when the exit code is not N (default 0).
proc lab_run {cmd args} {
	set want 0
	foreach {opt val} $args {
		switch -- $opt {
			-rc {set want $val}
			default {error "lab_run: unknown option $opt"}
		}
	}
	set tag "[pid]-[incr testcase::seq]"
	testcase::log "\$ $cmd"
	# The marker's digits exist only in the shell's output, never in an
	# echo of the command, so the match cannot come from the wrong place.
	# No subshell: a test may start a job in one lab_run and wait for
	# it in the next.
	# The test's begin mark in the kernel log (console.log) rides on its
	# first command: no round trip of its own.
	set pre ""
	if {$testcase::mark ne ""} {
		set pre "echo '$testcase::mark' >/dev/kmsg; "
		set testcase::mark ""
	}
	guest::shell_send "$pre{ $cmd\n} </dev/null; echo \"@@$tag \$?@@\"\n"
	set out [guest::wait_shell "@@$tag (\[0-9\]+)@@\r?\n" rc]
	if {$out ne ""} {
		testcase::log $out
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
	if {$params eq ""} {
		set params $testcase::modargs
	}
	# Even an insmod that fails ran the module's init.
	catch {lab_run [string trim "insmod /lib/modules/ipclab.ko $params"]} out opts
	testcase::module_busy
	return -options $opts $out
}

proc lab_rmmod {} {
	return [lab_run "rmmod ipclab"]
}

proc lab_dmesg {} {
	return [lab_run "dmesg"]
}
