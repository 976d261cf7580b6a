# The KTAP/TAP parser the suites share (make selftests, make suite): a
# program's own lines, one at a time, into its results. A state is a dict:
# results (a list of {name verdict message}), plan (the sum of its 1..N
# lines), seen (1 once a version or plan line came: the program speaks
# KTAP), diag (its recent other lines: a failed result's reason), bailed,
# run (the case kselftest_harness.h last said RUN), planline, taken and
# copy (the last plan line, the result lines it took, 1 while a copy of
# them runs). Only top-level results
# count: an indented (nested) line is diagnostics.

namespace eval ktap {}

proc ktap::new {} {
	return [dict create results {} plan 0 seen 0 diag {} bailed 0 run "" \
		planline "" taken {} copy 0]
}

# A KTAP test name as one result-name component: no spaces, no slashes.
proc ktap::name {text} {
	set text [string trim $text]
	regsub -all {[\s/]+} $text _ text
	return $text
}

# Feed LINE (without any prefix a runner added) to the state in VAR.
proc ktap::line {var line} {
	upvar 1 $var st
	set line [string trimright $line]
	# A child forked with the parent's output still in its stdio buffer
	# prints it again when it exits (6.1's pidfd_test: "1..8" and its
	# first seven results twice). So the same plan line again while that
	# plan is unfinished starts a copy, and within it a result line exactly
	# as one this plan already took is dropped; any other line ends it.
	if {[regexp {^1\.\.[0-9]+} $line]} {
		if {$line eq [dict get $st planline] &&
		    [llength [dict get $st results]] < [dict get $st plan]} {
			dict set st copy 1
			return
		}
		dict set st planline $line
		dict set st taken {}
	} elseif {[regexp {^(?:not ok|ok) [0-9]+} $line]} {
		if {[dict get $st copy] && $line in [dict get $st taken]} {
			return
		}
		dict lappend st taken $line
	}
	dict set st copy 0
	if {[regexp {^(?:K?TAP version [0-9]+)$} $line]} {
		dict set st seen 1
	} elseif {[regexp {^1\.\.([0-9]+)} $line -> n]} {
		dict incr st plan $n
		dict set st seen 1
	} elseif {[regexp {^#\s+RUN\s+(\S+) \.\.\.} $line -> run]} {
		dict set st run $run
	} elseif {[regexp {^(not ok|ok) [0-9]+ (?:- )?(.*)$} $line -> ok rest]} {
		set msg ""
		set name $rest
		set verdict [expr {$ok eq "ok" ? "PASS" : "FAIL"}]
		# ksft_test_result_error(): "not ok N # error NAME".
		regexp {^#\s*error\s+(.*)$} $rest -> name
		if {[regexp {^(.*?)\s*#\s*(SKIP|XFAIL|TODO)\M\s*(.*)$} $rest -> name what why]} {
			if {$what eq "SKIP"} {
				set verdict SKIP
				set msg [expr {$why ne "" ? $why : "skipped"}]
			} else {
				set verdict PASS
				set msg "$what $why"
			}
		}
		if {$verdict eq "FAIL"} {
			set msg [join [lrange [dict get $st diag] end-4 end] \n]
		}
		# Older kselftest_harness.h prints a skip without its name
		# ("ok 3 # SKIP why"): the name is in its RUN line.
		if {[name $name] eq ""} {
			set name [dict get $st run]
		}
		if {[name $name] eq ""} {
			set name "result[expr {[llength [dict get $st results]] + 1}]"
		}
		dict lappend st results [list [name $name] $verdict $msg]
		dict set st diag {}
	} elseif {[regexp {^(Bail out!.*\S)} $line -> text]} {
		# The reason it stopped, whatever it printed after.
		dict set st diag [list $text]
		dict set st bailed 1
	} elseif {![dict get $st bailed] && [regexp {^(?:# )*(.*\S)} $line -> text] &&
		  ![regexp {^(TAP version|KTAP version|1\.\.|timeout set to|Totals)} $text]} {
		dict lappend st diag $text
	}
}
