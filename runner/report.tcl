# The results part (namespace results): the result model, its writers
# (TAP, JUnit XML and Gradescope JSON from one model), and the staging of a
# run's result directory (OUT.new, OUT, OUT.prev).
#
# A result is a dict made by results::new: name points duration subtests
# verdict message log ktitle kreport kloc (the kernel's report: title,
# trace, first module frame); subtests is a list of results (lab_subtest),
# empty but for a suite that reports its own. Only some have: suite, when
# results of several kernels are merged (runner/merge.tcl); visibility and
# earned, in a grade (runner/score.tcl). During a run, results.tap and
# results.model grow by one record per test (results::add) and the JSON and
# JUnit files are written once, at its end or interruption
# (results::finish), so a run killed half-way leaves the records of what
# finished; results::read_model reads them back.

source [file join [file dirname [file normalize [info script]]] escape.tcl]

namespace eval results {
	# The run's result directory (results::stage) and whether OUT.new
	# has become OUT yet.
	variable out ""
	variable published 0
	# JSON string escapes: the short forms, then every other control
	# character.
	variable json_map [apply {{} {
		set map {\\ \\\\ \" \\\" \n \\n \r \\r \t \\t}
		for {set c 0} {$c < 0x20} {incr c} {
			if {[format %c $c] ni {\n \r \t}} {
				lappend map [format %c $c] [format "\\u%04x" $c]
			}
		}
		return $map
	}}]
}

# results::new NAME POINTS VERDICT MESSAGE ?KEY VALUE ...?: a result with
# every key of the model, the ones not given at their defaults (duration
# 0.000, the others empty). The keys keep this order, so results.model
# reads the same whichever part made a result.
proc results::new {name points verdict message args} {
	set r [dict create name $name points $points duration 0.000 \
		subtests {} verdict $verdict message $message log "" \
		ktitle "" kreport "" kloc ""]
	if {[llength $args] % 2} {
		error "results::new: a key without a value: $args"
	}
	foreach {key value} $args {
		if {![dict exists $r $key] && $key ni {suite visibility earned}} {
			error "results::new: $key is no key of a result"
		}
		dict set r $key $value
	}
	return $r
}

# Every verdict, least bad first: a test keeps the worst one it got.
# BROKEN is a test's own error (LTP's TBROK: its setup failed), not a
# failure of the kernel: anything the kernel or a check says beats it.
proc results::verdicts {} {
	return {PASS SKIP BROKEN FAIL WARN LEAK OOPS TIMEOUT PANIC BUILD_ERROR}
}

proc results::rank {verdict} {
	return [lsearch [verdicts] $verdict]
}

proc results::passed {verdict} {
	return [expr {$verdict in {PASS SKIP}}]
}

# The points a result earns: its points when it passed; a SKIP earns none
# (a test the kernel cannot run has 0 points to begin with). A summary line
# (the hidden tests' sum, runner/score.tcl) says what it earned.
proc results::earned {r} {
	if {[dict exists $r earned]} {
		return [dict get $r earned]
	}
	return [expr {[dict get $r verdict] eq "PASS" ? [dict get $r points] : 0}]
}

# {SCORE MAX} of a flat list of results: MAX counts every test's points.
proc results::score {results} {
	set score 0
	set max 0
	foreach r $results {
		incr score [earned $r]
		incr max [dict get $r points]
	}
	return [list $score $max]
}

# The name a result is shown under: with its suite when it has one
# ("6.1-min/chardev/poll"), so merged kernels do not collide.
proc results::shown_name {r} {
	if {[dict exists $r suite] && [dict get $r suite] ne ""} {
		return [dict get $r suite]/[dict get $r name]
	}
	return [dict get $r name]
}

# Each test, then its subtests (lab_subtest), as one flat list.
proc results::flatten {results} {
	set flat {}
	foreach r $results {
		lappend flat $r
		if {[dict exists $r subtests]} {
			lappend flat {*}[dict get $r subtests]
		}
	}
	return $flat
}

proc results::write_file {path text} {
	set f [open $path.tmp w]
	fconfigure $f -encoding utf-8
	puts -nonewline $f $text
	close $f
	file rename -force $path.tmp $path
}

# logs/<test>.log: the verdict, the message, the transcript, escaped.
proc results::write_log {dir r} {
	set path $dir/logs/[dict get $r name].log
	file mkdir [file dirname $path]
	set text "# [dict get $r name]: [dict get $r verdict]\
		in [dict get $r duration] s\n"
	if {[dict get $r message] ne ""} {
		append text "# [join [split [dict get $r message] \n] "\n# "]\n"
	}
	write_file $path [lab_escape "$text[dict get $r log]"]
}

# TAP version 13 / KTAP: "ok N - name", diagnostics as "# " lines; the
# subtests of a test come first, indented, with their own plan (KTAP nesting).
# Every line is one the lab made: what came from the guest (a subtest's
# name, a message) is escaped, so it holds no line break, and a name no "#"
# (a TAP directive) and no newline.
proc results::tap_line {n r} {
	set subs {}
	if {[dict exists $r subtests]} {
		set subs [dict get $r subtests]
	}
	set text ""
	if {[llength $subs]} {
		append text "    KTAP version 1\n    1..[llength $subs]\n"
		set i 0
		foreach sub $subs {
			set line [tap_one [incr i] $sub]
			append text "    [join [split $line \n] "\n    "]\n"
		}
	}
	return "$text[tap_one $n $r]"
}

proc results::tap_one {n r} {
	set name [lab_escape [shown_name $r] "#\n"]
	set verdict [dict get $r verdict]
	set msg [dict get $r message]
	switch -- $verdict {
		PASS {set line "ok $n - $name"}
		SKIP {set line "ok $n - $name # SKIP [lab_escape [lindex [split $msg \n] 0]]"}
		default {set line "not ok $n - $name # $verdict"}
	}
	if {![passed $verdict] && $msg ne ""} {
		foreach l [split $msg \n] {
			append line "\n# [lab_escape $l]"
		}
	}
	return $line
}

proc results::write_tap {path results total} {
	set text "TAP version 13\n1..$total\n"
	set n 0
	foreach r $results {
		append text [tap_line [incr n] $r] \n
	}
	write_file $path $text
}

proc results::xml {s} {
	# XML 1.0 forbids most control characters even as &#N;: lab_escape
	# leaves none of them, nor a lone surrogate, U+FFFE or U+FFFF.
	return [string map {& &amp; < &lt; > &gt; \" &quot;} [lab_escape $s]]
}

# One <testsuite> per suite (one kernel's run): "ipclab", or
# "ipclab-6.1-min" for merged kernels, in the order they first come.
proc results::write_junit {path results} {
	set suites {}
	foreach r $results {
		set suite [expr {[dict exists $r suite] ? [dict get $r suite] : ""}]
		if {![dict exists $suites $suite]} {
			dict set suites $suite [dict create tests 0 failures 0 errors 0 \
				skipped 0 time 0.0 body ""]
		}
		dict with suites $suite {
			incr tests
			set name [dict get $r name]
			set verdict [dict get $r verdict]
			set msg [dict get $r message]
			set dur [dict get $r duration]
			set time [expr {$time + $dur}]
			# A subtest keeps its whole path: selftests / pidfd/pidfd_wait/...
			regexp {^([^/]*)/(.*)$} $name -> class case
			append body "    <testcase classname=\"[xml $class]\"\
				name=\"[xml $case]\" time=\"$dur\">\n"
			set first [xml [lindex [split $msg \n] 0]]
			switch -- $verdict {
				PASS {}
				SKIP {
					incr skipped
					append body "      <skipped message=\"$first\"/>\n"
				}
				FAIL - BUILD_ERROR {
					incr failures
					append body "      <failure type=\"$verdict\" message=\"$first\">[xml $msg]</failure>\n"
				}
				default {
					# Kernel crashes, timeouts and a test's own
					# errors (BROKEN) are errors, not assertion failures.
					incr errors
					append body "      <error type=\"$verdict\" message=\"$first\">[xml $msg]</error>\n"
				}
			}
			append body "      <system-out>[xml [dict get $r log]]</system-out>\n"
			append body "    </testcase>\n"
		}
	}
	if {![dict size $suites]} {
		dict set suites "" [dict create tests 0 failures 0 errors 0 skipped 0 \
			time 0.0 body ""]
	}
	set text "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
	dict for {suite d} $suites {
		dict with d {
			set sname [expr {$suite eq "" ? "ipclab" : "ipclab-$suite"}]
			append text "  <testsuite name=\"[xml $sname]\" tests=\"$tests\" failures=\"$failures\"\
				errors=\"$errors\" skipped=\"$skipped\" time=\"[format %.3f $time]\">\n"
			append text "$body  </testsuite>\n"
		}
	}
	write_file $path "$text</testsuites>\n"
}

# Escaped first, as every other file: a JSON reader sees \x1b, not an ESC.
proc results::json {s} {
	variable json_map
	return "\"[string map $json_map [lab_escape $s]]\""
}

# Gradescope's "visibility" of a test, when the result says it (grading).
proc results::json_visibility {r} {
	if {![dict exists $r visibility]} {
		return ""
	}
	return ", \"visibility\": [json [dict get $r visibility]]"
}

# Gradescope autograder format, plus verdict, duration_s, kernel_report.
# EXTRA: more top-level members, as JSON text ("\"key\": value, ...").
proc results::write_json {path results elapsed {extra ""}} {
	lassign [score $results] score max
	set tests {}
	foreach r $results {
		set points [dict get $r points]
		set verdict [dict get $r verdict]
		set got [earned $r]
		set output [dict get $r message]
		if {$output ne ""} {
			append output "\n\n"
		}
		append output [dict get $r log]
		set kr null
		if {[dict get $r ktitle] ne ""} {
			set kr "{\"title\": [json [dict get $r ktitle]],\
				\"location\": [json [dict get $r kloc]],\
				\"trace\": [json [dict get $r kreport]]}"
		}
		lappend tests "    {\"name\": [json [shown_name $r]],\
			\"score\": $got, \"max_score\": $points,\
			\"status\": \"[expr {$got == $points ? "passed" : "failed"}]\",\
			\"verdict\": \"$verdict\", \"duration_s\": [dict get $r duration],\
			\"output\": [json $output], \"kernel_report\": $kr[json_visibility $r]}"
	}
	set text "{\n  \"score\": $score,\n  \"max_score\": $max,\n"
	append text "  \"execution_time\": [format %.3f $elapsed],\n"
	if {$extra ne ""} {
		append text "  $extra,\n"
	}
	append text "  \"tests\": \[\n[join $tests ",\n"]\n  \]\n}\n"
	write_file $path $text
}

# results.model keeps the model itself, so runner/merge.tcl, query.tcl and
# score.tcl read what a run found with these same writers: one record a
# line, KEY VALUE as a Tcl list with its backslashes and newlines escaped
# (results::model_record), written in this order and appended to as a run
# goes:
#   ipclab-model 2     the format
#   suite SUITE        the run's kernel and profile ("6.12-min")
#   result R           one per test (REPEAT: a later record of the same
#                      test replaces its earlier one)
#   elapsed SECONDS    once the run is over
proc results::model_record {key value} {
	return "[string map {\\ \\\\ \n \\n} [list $key $value]]\n"
}

proc results::model_text {results elapsed suite} {
	set text "ipclab-model 2\n[model_record suite $suite]"
	foreach r $results {
		append text [model_record result $r]
	}
	return "$text[model_record elapsed $elapsed]"
}

# Every result file of a finished list of results (make merge-results, a
# grade's scoring, a run without tests).
proc results::write {dir results total elapsed {suite ""}} {
	write_tap $dir/results.tap $results $total
	write_junit $dir/junit.xml [flatten $results]
	write_json $dir/results.json [flatten $results] $elapsed
	write_file $dir/results.model [model_text $results $elapsed $suite]
}

# A run's files as it goes: begin with the TAP plan (PLANNED lines) and the
# model's head, add each test's TAP line, model record and log, finish with
# the JSON and JUnit files of RESULTS and the elapsed time.
proc results::begin {dir planned suite} {
	write_file $dir/results.tap "TAP version 13\n1..$planned\n"
	write_file $dir/results.model "ipclab-model 2\n[model_record suite $suite]"
}

proc results::add {dir tap r} {
	append_file $dir/results.tap "$tap\n"
	append_file $dir/results.model [model_record result $r]
	write_log $dir $r
}

proc results::finish {dir results elapsed} {
	write_junit $dir/junit.xml [flatten $results]
	write_json $dir/results.json [flatten $results] $elapsed
	append_file $dir/results.model [model_record elapsed $elapsed]
}

# TEXT at the end of PATH, in one write (Tcl's buffer holds up to 1 MB:
# a kill tears at most the last line, which results::read_model drops).
proc results::append_file {path text} {
	set text [encoding convertto utf-8 $text]
	set f [open $path {WRONLY APPEND CREAT}]
	fconfigure $f -translation binary -buffersize [expr {max(4096, [string length $text])}]
	puts -nonewline $f $text
	close $f
}

# {ELAPSED RESULTS SUITE} of a model's TEXT (results::model_text, or what a
# run appended); an error (errorcode LAB MODEL) when TEXT is not one. Each
# line is decoded on its own, so the cost is linear in TEXT. A run killed
# inside a record leaves its last line unfinished: dropped; one killed
# before its end has no elapsed record: the sum of its tests' durations.
# STRICT (grading: the run's directory was the sandbox's): neither is
# accepted, and at most MAX results.
proc results::read_model {text {strict 0} {max 1000000}} {
	set lines [split $text \n]
	if {[lindex $lines end] ne ""} {
		if {$strict} {
			return -code error -errorcode {LAB MODEL} "its last record is unfinished"
		}
	}
	set lines [lrange $lines 0 end-1]
	if {[lindex $lines 0] ne "ipclab-model 2"} {
		return -code error -errorcode {LAB MODEL} "not a result model of this lab's version (run it again)"
	}
	set suite ""
	set elapsed ""
	set order {}
	set byname [dict create]
	foreach line [lrange $lines 1 end] {
		if {[catch {subst -nocommands -novariables $line} rec] ||
		    [catch {llength $rec} n] || $n != 2} {
			return -code error -errorcode {LAB MODEL} "a line that is not a record"
		}
		lassign $rec key value
		switch -- $key {
			suite {set suite $value}
			elapsed {set elapsed $value}
			result {
				if {[catch {dict get $value name} name]} {
					return -code error -errorcode {LAB MODEL} "a result without a name"
				}
				if {![dict exists $byname $name]} {
					if {[llength $order] >= $max} {
						return -code error -errorcode {LAB MODEL} "more than $max results"
					}
					lappend order $name
				}
				dict set byname $name $value
			}
			default {
				return -code error -errorcode {LAB MODEL} "an unknown record: [lab_escape $key]"
			}
		}
	}
	set results {}
	set sum 0.0
	foreach name $order {
		set r [dict get $byname $name]
		lappend results $r
		if {[dict exists $r duration] && [regexp {^[0-9]+(\.[0-9]+)?$} [dict get $r duration]]} {
			set sum [expr {$sum + [dict get $r duration]}]
		}
	}
	if {![regexp {^[0-9]+(\.[0-9]+)?$} $elapsed]} {
		if {$strict} {
			return -code error -errorcode {LAB MODEL} "the run did not finish (no elapsed time)"
		}
		set elapsed [format %.3f $sum]
	}
	return [list $elapsed $results $suite]
}

# The model in the file PATH (read_model).
proc results::read_model_file {path} {
	set f [open $path]
	fconfigure $f -encoding utf-8
	set text [read $f]
	close $f
	return [read_model $text]
}

# The closing line "N passed, N failed[, N broken][, N skipped]" and the
# count of results that did not pass (failed and broken: either fails the
# run).
proc results::summary {results} {
	set passed 0
	set failed 0
	set broken 0
	set skipped 0
	foreach r [flatten $results] {
		switch -- [dict get $r verdict] {
			PASS {incr passed}
			SKIP {incr skipped}
			BROKEN {incr broken}
			default {incr failed}
		}
	}
	set line "$passed passed, $failed failed"
	if {$broken} {
		append line ", $broken broken"
	}
	if {$skipped} {
		append line ", $skipped skipped"
	}
	return [list $line [expr {$failed + $broken}]]
}

# OUT.new, complete, takes the place of OUT; the results it replaces are
# kept as OUT.prev (one run back), so no run loses the last one's files.
proc results::replace {out} {
	file delete -force $out.prev
	if {[file exists $out]} {
		file rename $out $out.prev
	}
	file rename $out.new $out
}

# A run writes into OUT.new (results::stage makes it, empty but for logs/);
# once it has a result of its own (the first test's, or the end of a run
# without tests), results::publish makes the previous results OUT.prev and
# OUT.new OUT. Bad input, a QEMU that does not start or a Ctrl-C before the
# first result leave the previous results as they were. Open files
# (console.log) follow the rename.
proc results::stage {dir} {
	variable out $dir
	variable published 0
	file delete -force $out.new
	file mkdir $out.new/logs
}

# Where the run's files go now: OUT.new, or OUT once published.
proc results::dir {} {
	variable out
	variable published
	return [expr {$published ? $out : "$out.new"}]
}

proc results::publish {} {
	variable out
	variable published
	if {$published} {
		return
	}
	replace $out
	set published 1
}

# The end of a run that never got a result: its staging directory goes.
proc results::abandon {} {
	variable out
	variable published
	if {$out ne "" && !$published} {
		file delete -force $out.new
	}
}

# The tests that did not pass, one line each, for the end of a run's
# output: verdict, name, the first line of the reason, the log.
proc results::not_passed {results dir} {
	set lines {}
	foreach r $results {
		set verdict [dict get $r verdict]
		if {[passed $verdict]} {
			continue
		}
		set why [lab_escape [lindex [split [dict get $r message] \n] 0]]
		set name [lab_escape [shown_name $r] "#\n"]
		lappend lines [format "# %-7s %s: %s (log: %s)" $verdict $name \
			[expr {$why eq "" ? "no reason given" : $why}] \
			[lab_escape $dir/logs/[shown_name $r].log]]
	}
	if {[llength $lines]} {
		set lines [linsert $lines 0 "# not passed: [llength $lines]"]
	}
	return $lines
}
