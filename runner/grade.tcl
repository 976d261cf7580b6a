# Grading (make grade): a build error as a graded result, the submission's
# time budget, and report.md, the student-readable report. The runner calls
# these procs; with neither LAB_BUILD_LOG nor LAB_DEADLINE set (make test)
# they do nothing. report.md is written by runner/score.tcl, on the host,
# after the run. Namespace grade; procs whose name starts with "_" are this
# file's own.

namespace eval grade {
	# The submission's time budget ends then (epoch seconds, LAB_DEADLINE;
	# 0: no budget).
	variable deadline 0
}

# What each verdict means, for a student who has never seen the lab.
set grade::meaning {
	PASS "the test passed"
	SKIP "the test did not run and earns no points (a test the grading\
		kernel cannot run at all is not part of the grade: 0/0)"
	FAIL "the output differed from what the test expects (MISSING is an\
		expected line that never came, BAD a line that must not come,\
		GOOD a line that matched), or the kernel refused what the module\
		asked of it (ipclab_gate: no user-mode helper but the umh tests'\
		own runs)"
	BROKEN "the test itself could not run to its end (its setup failed):\
		an error of the test, not a failure of the module"
	WARN "the kernel printed a WARNING while this test ran"
	LEAK "kmemleak found memory that the module allocated and never freed"
	OOPS "the kernel reported a bug while this test ran (oops, NULL\
		dereference, KASAN, lockdep, UBSAN, ...); the guest was rebooted\
		for the next test"
	TIMEOUT "no answer within the test's time budget: a hang, a deadlock or\
		a lost wake-up (the transcript ends with the kernel's task dumps)"
	PANIC "the kernel died; the guest was rebooted for the next test"
	BUILD_ERROR "the module did not compile"
}

# Read the grading's environment. Returns the result every test takes
# without booting (the module did not compile: BUILD_ERROR; the driver
# gives it each test's name and points), or {}.
proc grade::init {} {
	variable deadline [env_or LAB_DEADLINE 0]
	set blog [env_or LAB_BUILD_LOG ""]
	if {$blog eq ""} {
		return {}
	}
	set f [open $blog]
	set text [read $f]
	close $f
	# The message carries the compiler's errors, the log all it said.
	set errors {}
	foreach line [split $text \n] {
		if {[regexp {(^|: )(fatal )?error:|ERROR:|No rule to make} $line] && [llength $errors] < 20} {
			lappend errors $line
		}
	}
	set msg "the module did not compile"
	if {[llength $errors]} {
		append msg ":\n[join $errors \n]"
	}
	# Nothing to boot: every test takes this verdict.
	return [results::new "" 0 BUILD_ERROR $msg \
		log "--- the compiler's messages ---\n$text"]
}

# A deadline in clock milliseconds, no later than the submission's budget.
proc grade::cap {ms} {
	variable deadline
	if {$deadline > 0} {
		return [expr {min($ms, 1000 * $deadline)}]
	}
	return $ms
}

# A test that starts after the submission's budget is spent is TIMEOUT
# without running; returns its result then (the driver stops the guest),
# else {}.
proc grade::spent {name points} {
	variable deadline
	if {$deadline <= 0 || [clock seconds] < $deadline} {
		return {}
	}
	return [results::new $name $points TIMEOUT "not run: the submission's\
		time budget (GRADE_TIME) was spent before this test"]
}

# --- report.md

proc grade::_md_block {text} {
	# A fence longer than any run of backquotes in the text.
	set fence ```
	while {[string first $fence $text] >= 0} {
		append fence `
	}
	return "$fence\n[string trimright $text]\n$fence\n"
}

# Guest text inline in Markdown: a code span, so that no character in it is
# markup (no link, image or HTML where report.md is rendered).
proc grade::_md_code {text} {
	set text [string map {\n " "} $text]
	set fence `
	while {[string first $fence $text] >= 0} {
		append fence `
	}
	return "$fence $text $fence"
}

# At most MAX lines: the head and the tail, the middle cut.
proc grade::_md_cut {text max} {
	set lines [split [string trimright $text] \n]
	if {[llength $lines] <= $max} {
		return [join $lines \n]
	}
	set half [expr {$max / 2}]
	return [join [concat [lrange $lines 0 $half-1] \
		[list "\[... [expr {[llength $lines] - 2 * $half}] lines cut ...\]"] \
		[lrange $lines end-[expr {$half - 1}] end]] \n]
}

# The trace for a student: no disassembly of the code bytes
# (a decodecode listing), no register dump; its head only.
proc grade::_md_trace {text} {
	set keep {}
	foreach line [split $text \n] {
		if {[regexp {^(All code|Code starting with the faulting instruction)$|^=+$|^\s+[0-9a-f]+:[*\s]|^\s*$|\] Code: } $line] ||
		    [regexp {\] +(R[SABCD][A-Z]|R[0-9]+|FS|CS|CR2|DR[0-9]): } $line]} {
			continue
		}
		lappend keep $line
	}
	if {[llength $keep] > 45} {
		set keep [concat [lrange $keep 0 44] [list "\[... [expr {[llength $keep] - 45}] more lines in console.log ...\]"]]
	}
	return [join $keep \n]
}

# A test's transcript for a student: the runner's own marks and checks
# left out, the kernel report (shown apart) cut off.
proc grade::_md_transcript {text} {
	set keep {}
	set skip_number 0
	foreach line [split $text \n] {
		if {$line eq "--- kernel report ---"} {
			break
		}
		if {$skip_number && [string is integer -strict $line]} {
			set skip_number 0
			continue
		}
		set skip_number 0
		if {[string match {$ echo 'ipclab-runner: *} $line]} {
			continue
		}
		if {$line eq {$ cat /proc/sys/kernel/tainted}} {
			set skip_number 1
			continue
		}
		lappend keep $line
	}
	return [join $keep \n]
}

# A failed test's run on the debug kernel (result R, score.tcl's
# "explained"), with STRIP's paths cut: what it adds to the failure.
proc grade::_md_explained {r strip} {
	set verdict [dict get $r verdict]
	set text "On the debug kernel (KASAN, lockdep), run again only to explain\
		this, not scored: [dict get $r name] gave $verdict"
	if {$verdict eq "PASS"} {
		return "$text there (the failure may depend on timing).\n\n"
	}
	append text ".\n\n"
	set msg [string map $strip [dict get $r message]]
	if {$msg ne ""} {
		append text [_md_block $msg] \n
	}
	set where [string map $strip [dict get $r kloc]]
	if {$where ne ""} {
		append text "Its report points at [_md_code $where] in your sources.\n\n"
	}
	if {[dict get $r kreport] ne ""} {
		append text "Its kernel report ([_md_code [string map $strip [dict get $r ktitle]]]),\
			symbolized:\n\n"
		append text [_md_block [string map $strip [_md_trace [dict get $r kreport]]]] \n
	}
	return $text
}

# report.md into DIR for RESULTS (the scored ones) and the run's SEED, each
# failure with its run on the debug kernel when EXPLAINED (name -> result)
# has one; returns {SCORE MAX}.
proc grade::report {dir results seed {explained {}}} {
	variable meaning
	# Paths of the build copy mean nothing to the student: file:line only.
	set strip {}
	foreach var {LAB_MODDIR LAB_MODSRC} {
		set p [env_or $var ""]
		if {$p ne ""} {
			lappend strip $p/ ""
		}
	}
	set name [env_or LAB_GRADE_NAME submission]
	lassign [results::score [results::flatten $results]] score max
	set passed 0
	set counted 0
	set mechs {}
	array set mgot {}
	array set mmax {}
	set rows {}
	set groups {}
	foreach r [results::flatten $results] {
		set points [dict get $r points]
		set verdict [dict get $r verdict]
		set got [results::earned $r]
		set mech [lindex [split [dict get $r name] /] 0]
		incr counted
		if {$mech ni $mechs} {
			lappend mechs $mech
			set mgot($mech) 0
			set mmax($mech) 0
		}
		incr mgot($mech) $got
		incr mmax($mech) $points
		incr passed [expr {$verdict eq "PASS"}]
		set v [expr {$verdict eq "PASS" ? $verdict : "**$verdict**"}]
		lappend rows "| [dict get $r name] | $v | $got/$points |"
		if {$verdict eq "PASS"} {
			continue
		}
		# Tests that failed for one reason (a build error, a module that
		# did not load, the budget spent) are explained once.
		set key [list $verdict [dict get $r message]]
		dict lappend groups $key [dict get $r name]
	}
	set text "# ipclab grade: $name\n\n"
	append text "**Total: $score/$max** — $passed of $counted tests passed.\
		Every challenge (words, sizes, seeds) was chosen at grading time;\
		seed $seed reproduces them (`SEED=$seed`).\n\n"
	append text "| mechanism | points |\n| --- | --- |\n"
	foreach m $mechs {
		append text "| $m | $mgot($m)/$mmax($m) |\n"
	}
	append text "\n## Tests\n\n| test | verdict | points |\n| --- | --- | --- |\n"
	append text [join $rows \n] \n
	if {[dict size $groups]} {
		append text "\n## What went wrong\n"
	}
	dict for {key names} $groups {
		lassign $key verdict msg
		foreach rr [results::flatten $results] {
			if {[dict get $rr name] eq [lindex $names 0]} {
				set r $rr
				break
			}
		}
		set log [dict get $r log]
		set kreport [_md_trace [dict get $r kreport]]
		set lost 0
		foreach rr [results::flatten $results] {
			if {[dict get $rr name] in $names} {
				set lost [expr {$lost + [dict get $rr points]}]
			}
		}
		if {[llength $names] == 1} {
			append text "\n### [lindex $names 0]: $verdict (0/$lost)\n\n"
		} else {
			append text "\n### [llength $names] tests: $verdict (0/$lost)\n\n"
			append text "[join $names {, }]\n\n"
		}
		append text "$verdict: [dict get $meaning $verdict].\n\n"
		if {$msg ne ""} {
			append text [_md_block [string map $strip $msg]] \n
		}
		# One bug often breaks many tests: its trace is shown once.
		set where [string map $strip [dict get $r kloc]]
		set same [expr {$where ne "" ? $where : [dict get $r ktitle]}]
		if {$where ne ""} {
			append text "The kernel's report points at [_md_code $where] in your sources.\n\n"
		}
		if {$kreport ne "" && [info exists shown($same)]} {
			append text "The kernel's report is the one shown for $shown($same).\n\n"
		} elseif {$kreport ne ""} {
			set shown($same) [lindex $names 0]
			append text "Kernel report ([_md_code [string map $strip [dict get $r ktitle]]]),\
				symbolized:\n\n"
			append text [_md_block [string map $strip $kreport]] \n
		}
		if {$log ne "" && $verdict ne "BUILD_ERROR"} {
			append text "Transcript (the commands the test ran and what they printed):\n\n"
			append text [_md_block [_md_cut [string map $strip [_md_transcript $log]] 80]] \n
		} elseif {$log ne ""} {
			append text [_md_block [_md_cut [string map $strip $log] 200]] \n
		}
		foreach n $names {
			if {[dict exists $explained $n]} {
				append text [_md_explained [dict get $explained $n] $strip]
				break
			}
		}
	}
	# The grading kernel has no KASAN or lockdep (kernel-config/grade.config):
	# the debug kernel says more of a failure, at a few times the cost
	# (make grade runs it itself unless EXPLAIN=0).
	set ran [lsearch -not -exact -index 0 [dict keys $groups] BUILD_ERROR]
	set detectors [env_or LAB_DETECTORS ""]
	if {$ran >= 0 && "kfence" in $detectors && "kasan" ni $detectors && ![dict size $explained]} {
		append text "\nThis grade ran on the grading kernel (KFENCE, kmemleak, UBSAN).\
			KASAN and lockdep may say more of a failure:\
			`make test MODULE_DIR=<your directory> PROFILE=debug`.\n"
	}
	append text "\nTotal: $score/$max\n"
	results::write_file $dir/report.md [lab_escape $text]
	return [list $score $max]
}
