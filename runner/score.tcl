# Score a graded run on the host, after the guest and the sandboxed runner
# are gone (scripts/grade.sh). The run's directory was writable by the
# sandbox, so everything in it is data to check, never trusted: the plan
# (which tests, how many points) comes from the lab's own testcases, the
# run's results.model only says what each planned test's verdict was. The
# result files, report.md and the closing "Total: X/Y" line are written
# here, into a directory the run never could write.
#
# usage: expect score.tcl RUNDIR OUTDIR
# Prints the closing "Total: X/Y" line.
#   env (runner/env.tcl): LAB_TESTDIRS LAB_TESTS LAB_DETECTORS (the plan),
#   LAB_GRADE_NAME, LAB_SUITE, LAB_MODDIR and LAB_MODSRC (paths cut from
#   what the student sees), LAB_HIDDEN (the folders of hidden tests,
#   EXTRA_TESTS) and LAB_HIDDEN_SHOW (verdict: a line per hidden test with
#   its verdict and points; none: only their sum); LAB_EXPLAIN_LIST (a file
#   to write the failed tests to run again on the debug kernel, one a line)
#   and LAB_EXPLAINED (that run's directory, whose results report.md shows
#   beside the failures they explain; never scored)
#
# With hidden tests, OUTDIR's report.md and results.json are the student's:
# a hidden test is "hidden/N" there, without its name, inputs, transcript
# or kernel report; everything in full (and junit.xml, results.tap, logs/,
# console.log, which name them) goes to OUTDIR/teacher/.
# Exit: 0 scored; 2 the run is incomplete or its record malformed.

set here [file dirname [file normalize [info script]]]
source $here/lib.tcl
source $here/grade.tcl

# A model bigger than this is not one the runner wrote (logs are capped).
set max_model_bytes 268435456
set verdicts [results::verdicts]

# What cannot be scored: main's caller prints it and exits 2.
proc die {msg} {
	return -code error -errorcode {LAB SCORE} $msg
}

# The content of a regular file the sandbox wrote in its directory (never
# through a link: neither the file nor the directory may be one).
proc read_data {path max} {
	if {[catch {file lstat [file dirname $path] dt}] || $dt(type) ne "directory" ||
	    [catch {file lstat $path st}] || $st(type) ne "file" || $st(size) > $max} {
		die "$path is missing, not a regular file in a directory, or too large"
	}
	set f [open $path rb]
	set data [encoding convertfrom utf-8 [read $f]]
	close $f
	return $data
}

# One result as the writers want it, from a dict the run wrote: only the
# known keys, strings as strings, a known verdict, the plan's points.
proc clean_result {r name points} {
	global verdicts
	if {[catch {dict size $r}]} {
		die "the result of $name is not a record"
	}
	foreach key {verdict message duration log ktitle kreport kloc} {
		set $key [expr {[dict exists $r $key] ? [dict get $r $key] : ""}]
	}
	set out [results::new $name $points $verdict $message duration $duration \
		log $log ktitle $ktitle kreport $kreport kloc $kloc]
	if {[dict get $out verdict] ni $verdicts} {
		die "the result of $name has no valid verdict"
	}
	if {![regexp {^[0-9]{1,6}\.[0-9]{3}$} [dict get $out duration]]} {
		dict set out duration 0.000
	}
	set subs {}
	if {[dict exists $r subtests]} {
		if {[catch {llength [dict get $r subtests]}]} {
			die "the subtests of $name are not a list"
		}
		foreach sub [dict get $r subtests] {
			# Names the guest's suite chose: plain ones only, as
			# they appear in report.md's tables.
			if {[catch {dict get $sub name} subname] ||
			    [string first $name/ $subname] != 0 ||
			    ![regexp {^[A-Za-z0-9/_.:+-]{1,200}$} $subname]} {
				die "a subtest of $name is not named $name/ and plain characters"
			}
			set s [clean_result $sub $subname 0]
			dict unset s subtests
			lappend subs $s
		}
	}
	dict set out subtests $subs
	return $out
}

proc main {argv} {
	global max_model_bytes
	lassign $argv rundir outdir
	if {$outdir eq ""} {
		die "usage: score.tcl RUNDIR OUTDIR"
	}
	testcase::load_dirs [env_or LAB_TESTDIRS testcases]
	# The runner's own selection (several globs: TESTS='chardev/* signal/*').
	if {[catch {testcase::select [env_or LAB_TESTS *]} plan]} {
		die $plan
	}
	# Of those, the tests this kernel can run (LAB_DETECTORS, the host's
	# reading of its .config), whatever the run says it had.
	set runnable {}
	foreach name $plan {
		if {![llength [testcase::unmet [lindex [testcase::def $name] 3]]]} {
			lappend runnable $name
		}
	}
	set plan $runnable
	set model [read_data $rundir/results.model $max_model_bytes]
	if {[catch {results::read_model $model 1 100000} model]} {
		die "$rundir/results.model: $model"
	}
	lassign $model elapsed results
	set ran [dict create]
	foreach r $results {
		if {![catch {dict get $r name} name] && $name in $plan} {
			dict set ran $name $r
		}
	}
	set scored {}
	foreach name $plan {
		if {![dict exists $ran $name]} {
			die "the run did not finish: [dict size $ran] of [llength $plan] tests have a result"
		}
		lappend scored [clean_result [dict get $ran $name] $name \
			[lindex [testcase::def $name] 0]]
	}
	set seed [string trim [read_data $rundir/seed 64]]
	if {![string is integer -strict $seed]} {
		die "$rundir/seed is not a number"
	}
	set console [read_data $rundir/console.log $max_model_bytes]
	file delete -force $outdir
	set hidden [hidden_tests $plan]
	set explained [explained [env_or LAB_EXPLAINED ""] $plan $hidden]
	set full [expr {[llength $hidden] ? "$outdir/teacher" : $outdir}]
	write_all $full $scored $elapsed $console $seed $explained
	set shown $scored
	if {[llength $hidden]} {
		set shown [student_view $scored $hidden [env_or LAB_HIDDEN_SHOW verdict]]
		results::write_json $outdir/results.json [results::flatten $shown] $elapsed
		grade::report $outdir $shown $seed $explained
	}
	set list [env_or LAB_EXPLAIN_LIST ""]
	if {$list ne ""} {
		results::write_file $list [join [to_explain $scored $hidden] \n]
	}
	write_gradescope $outdir $shown $elapsed $seed
	lassign [results::score [results::flatten $scored]] score max
	puts "Total: $score/$max"
}

# gradescope.json: what a Gradescope autograder returns (make gradescope):
# the student's results.json with report.md as the top-level output in
# Markdown and the lab's own fields under extra_data.
proc write_gradescope {outdir shown elapsed seed} {
	set f [open $outdir/report.md]
	fconfigure $f -encoding utf-8
	set md [read $f]
	close $f
	set extra "\"output\": [results::json $md], \"output_format\": \"md\",\
		\"extra_data\": {\"seed\": $seed,\
		\"suite\": [results::json [env_or LAB_SUITE ""]],\
		\"lab\": \"ipclab\"}"
	results::write_json $outdir/gradescope.json [results::flatten $shown] $elapsed $extra
}

# The failed tests worth running again on the debug kernel: not hidden
# (their explanation would show in the student's report), not a build
# error (no module), the first of each kernel report's place in the
# sources, else of each title, else of each verdict and message (one bug
# often fails many tests), at most 6 (each may spend its budget).
proc to_explain {scored hidden} {
	set names {}
	set seen {}
	foreach r $scored {
		set key [list [dict get $r verdict] [dict get $r message]]
		foreach what {ktitle kloc} {
			if {[dict get $r $what] ne ""} {
				set key [list $what [dict get $r $what]]
			}
		}
		if {[dict get $r verdict] in {PASS SKIP BUILD_ERROR} ||
		    [dict get $r name] in $hidden || $key in $seen} {
			continue
		}
		lappend seen $key
		lappend names [dict get $r name]
		if {[llength $names] == 6} {
			break
		}
	}
	return $names
}

# The debug kernel's results of the debug run in DIR (grade.sh: the tests
# of to_explain), checked as a graded run's, by name: only planned tests
# that are not hidden. A run cut short explains what it finished; a
# missing or malformed one explains nothing.
proc explained {dir plan hidden} {
	global max_model_bytes
	set out [dict create]
	if {$dir eq "" || [catch {read_data $dir/results.model $max_model_bytes} model] ||
	    [catch {results::read_model $model 0 100000} model]} {
		return $out
	}
	foreach r [lindex $model 1] {
		if {![catch {dict get $r name} name] && $name in $plan && $name ni $hidden &&
		    ![catch {clean_result $r $name 0} r]} {
			dict set out $name $r
		}
	}
	return $out
}

# Every result file, in full, into DIR.
proc write_all {dir scored elapsed console seed explained} {
	file mkdir $dir/logs
	results::write $dir $scored [llength $scored] $elapsed
	foreach r $scored {
		results::write_log $dir $r
	}
	# The serial record: the runner wrote it escaped; any line that is
	# not is escaped on its way.
	results::write_file $dir/console.log [lab_escape_shown $console]
	grade::report $dir $scored $seed $explained
}

# The tests of PLAN declared in a LAB_HIDDEN folder.
proc hidden_tests {plan} {
	set dirs {}
	foreach d [env_or LAB_HIDDEN ""] {
		lappend dirs [file normalize $d]/
	}
	set hidden {}
	foreach name $plan {
		foreach d $dirs {
			if {[string first $d [testcase::script $name]] == 0} {
				lappend hidden $name
				break
			}
		}
	}
	return $hidden
}

# The results as the student may see them: each hidden test as hidden/N,
# its verdict and points only (SHOW verdict), or all of them as one
# "hidden/all" line with their sum (SHOW none); Gradescope's visibility
# says the same.
proc student_view {scored hidden show} {
	set out {}
	set n 0
	# The hidden tests' sum (SHOW none): their points, PASS if all passed.
	set sum_points 0
	set sum_verdict PASS
	foreach r $scored {
		if {[dict get $r name] ni $hidden} {
			dict set r visibility visible
			lappend out $r
			continue
		}
		if {$show eq "none"} {
			# One line for them all: PASS only if every one passed.
			incr sum_points [dict get $r points]
			if {[dict get $r verdict] ne "PASS"} {
				set sum_verdict FAIL
			}
			continue
		}
		lappend out [results::new hidden/[incr n] [dict get $r points] \
			[dict get $r verdict] "a hidden test: its details go to the\
			teacher only" visibility visible]
	}
	if {$show eq "none"} {
		# A single line cannot carry partial credit: its points are what
		# the hidden tests earned, out of their sum.
		set got 0
		foreach r $scored {
			if {[dict get $r name] in $hidden} {
				incr got [results::earned $r]
			}
		}
		lappend out [results::new hidden/all $sum_points $sum_verdict \
			"[llength $hidden] hidden tests: $got of $sum_points points" \
			visibility visible earned $got]
	}
	return $out
}

if {[catch {main $argv} err opts]} {
	if {[dict get $opts -errorcode] ne {LAB SCORE}} {
		error $err [dict get $opts -errorinfo] [dict get $opts -errorcode]
	}
	puts stderr "score: [lab_escape $err]"
	exit 2
}
