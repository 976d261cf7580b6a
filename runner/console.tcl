# The kernel console watch (namespace console): every console line is
# logged to the capped console.log and, while a test is watched, classified
# by the crash patterns; the kernel's verdict for that test (with the
# report's title, its lines and, once symbolized, the module's line it
# points at) is this part's. It reads no channel itself: guest.tcl feeds it
# the lines QEMU's console gives (console::line), check.tcl recorded ones.
# Sourced by lib.tcl; procs whose name starts with "_" are this file's own.
#
# Every console byte is the guest's, and the guest runs the student's module
# in ring 0: console text is only data here. It is classified as it came
# (the crash patterns see the kernel's own words), and escaped (lab_escape,
# runner/escape.tcl) wherever it leaves the runner; kernel reports are
# symbolized by runner/symbolize.tcl, which never hands it to a program.

namespace eval console {
	# Crash signatures, {VERDICT RE ...} (console::load_patterns).
	variable patterns {}
	# The test the console's lines count for ("": none), and the kernel's
	# verdict for it: the worst pattern seen, the first report's title,
	# its lines (report_lines more to come) and where it points (loc).
	variable watching ""
	variable verdict PASS
	variable title ""
	variable report ""
	variable loc ""
	variable report_lines 0
	# 1 once an OOPS or PANIC came: the guest gets a short grace to answer
	# (console::take_grace).
	variable grace 0
	# The mark the runner waits for (console::expect_mark), and whether it
	# came.
	variable mark ""
	variable seen 0
	# What the console printed since console::capture_begin (sysrq).
	variable capturing 0
	variable capture ""
	# console.log: its channel, its cap in bytes, what was written, and
	# past the cap the lines dropped and the last ones kept.
	variable fd ""
	variable cap 0
	variable bytes 0
	variable dropped 0
	variable tail {}
}

# Crash signatures: runner/crash-patterns, "VERDICT<tab>regex" per line.
proc console::load_patterns {file} {
	variable patterns
	set f [open $file]
	foreach line [split [read $f] \n] {
		if {[regexp {^([A-Z]+)\t+(.+)$} $line -> v re]} {
			lappend patterns $v $re
		}
	}
	close $f
}

# From here on, kernel reports on the console count for test NAME; its
# kernel verdict starts as PASS.
proc console::watch {name} {
	variable watching $name
	variable verdict PASS
	variable title ""
	variable report ""
	variable loc ""
	variable report_lines 0
}

# The name lines count for ("" none).
proc console::watched {} {
	variable watching
	return $watching
}

# Lines no longer count for a test; its kernel verdict stays readable.
proc console::unwatch {} {
	variable watching ""
}

# The kernel's word on the watched test: a dict of verdict, title, report
# (the report's console lines, symbolized once console::symbolize ran) and
# loc (the module's file:line it points at, or "").
proc console::kernel {} {
	variable verdict
	variable title
	variable report
	variable loc
	return [dict create verdict $verdict title $title report $report loc $loc]
}

# The host found the console silenced (guest::console_check): kernel
# reports may have been hidden, so the test gets at least OOPS, and TITLE
# says why.
proc console::silenced {why} {
	variable verdict
	variable title
	if {[results::rank OOPS] > [results::rank $verdict]} {
		set verdict OOPS
	}
	set title $why
}

# The kernel's taint FLAGS grew while the test ran: when no console line
# explained it, W (512) alone is a warning, anything else (D, L, ...) worse.
proc console::tainted {flags} {
	variable verdict
	variable title
	if {$flags && $verdict eq "PASS"} {
		set verdict [expr {$flags == 512 ? "WARN" : "OOPS"}]
		set title "kernel tainted (flags 0x[format %x $flags]) without a report on the console"
	}
}

# 1 once after an OOPS or a PANIC was classified, else 0.
proc console::take_grace {} {
	variable grace
	set was $grace
	set grace 0
	return $was
}

# The next console line holding MARK is the mark the runner waits for
# (console::line returns 0 for it); "" for none.
proc console::expect_mark {text} {
	variable mark $text
	variable seen 0
}

proc console::mark_seen {} {
	variable seen
	return $seen
}

# Keep what the console prints from now on (console::captured), until
# console::capture_end, which returns it.
proc console::capture_begin {} {
	variable capture ""
	variable capturing 1
}

proc console::captured {} {
	variable capture
	return $capture
}

proc console::capture_end {} {
	variable capturing 0
	variable capture
	return $capture
}

# Log and classify one console line. Returns 0 when it is the mark the
# runner waits for (guest::sync), else 1.
proc console::line {line} {
	variable capturing
	variable capture
	variable mark
	variable seen
	variable watching
	variable report_lines
	variable report
	variable patterns
	variable verdict
	variable grace
	variable title
	# The serial line's own \r before the newline goes; one inside the line
	# stays, to be shown (\x0d), not to overwrite what came before it.
	regsub {\r*(\n?)$} $line {\1} line
	record $line
	if {$capturing} {
		append capture $line
	}
	if {$mark ne "" && [string first $mark $line] >= 0} {
		set seen 1
		return 0
	}
	if {$watching eq ""} {
		return 1
	}
	if {$report_lines > 0} {
		append report $line
		incr report_lines -1
	}
	foreach {v re} $patterns {
		if {[regexp -- $re $line]} {
			if {[results::rank $v] > [results::rank $verdict]} {
				set verdict $v
				set grace [expr {$v in {OOPS PANIC}}]
			}
			if {$title eq ""} {
				set title [string trim [regsub {^\[[^\]]*\](\[[^\]]*\])? ?} $line ""]]
				set report $line
				set report_lines 60
			}
			break
		}
	}
	return 1
}

# The kernel's report with its frames symbolized (runner/symbolize.tcl:
# nm and addr2line on vmlinux and on the module, console text never handed
# to a program), the build copy's paths turned back into MODULE_DIR's.
# CONFIG as symbolize::report's. The report, title and loc become the
# symbolized ones (loc: the module's file:line); returns the report as a
# transcript section, or "" without one.
proc console::symbolize {config} {
	variable report
	variable title
	variable loc
	if {$report eq ""} {
		return ""
	}
	set r [symbolize::report $report $title $config]
	set report [dict get $r text]
	set title [dict get $r title]
	set loc [dict get $r where]
	return "--- kernel report ---\n$report"
}

# --- console.log

# console.log is capped: past CAP bytes only the last lines are kept
# (written by console::end_log), so a flood cannot fill the disk.
proc console::start_log {path limit} {
	variable fd [open $path w]
	# Written in the encoding the console was read with (expect decodes
	# with the system's). As "binary" it kept only each character's low
	# byte: U+251B became a raw ESC.
	fconfigure $fd -buffering line -encoding [encoding system] \
		-translation lf
	variable cap $limit
	variable bytes 0
	variable dropped 0
	variable tail {}
}

# TEXT (a console line, or a line of the runner's own) into console.log.
# Each line is escaped as it is logged (newlines kept): the file is safe to
# cat.
proc console::record {text} {
	variable fd
	variable cap
	variable bytes
	variable dropped
	variable tail
	set text [lab_escape $text]
	if {$bytes < $cap} {
		puts -nonewline $fd $text
		incr bytes [string length $text]
		return
	}
	incr dropped
	lappend tail $text
	if {[llength $tail] > 2000} {
		set tail [lrange $tail end-999 end]
	}
}

proc console::end_log {} {
	variable fd
	variable cap
	variable dropped
	variable tail
	set last [lrange $tail end-999 end]
	set cut [expr {$dropped - [llength $last]}]
	if {$dropped > 0} {
		puts $fd "\[ipclab: console.log capped at\
			$cap bytes; $cut lines cut, the last\
			[llength $last] follow\]"
		puts -nonewline $fd [join $last ""]
	}
	close $fd
}
