# The expect library: boot the guest, run commands on its shell, assert on
# their output, and watch the kernel console for crashes while doing so.
#
# Two channels from one QEMU: ttyS0 is the kernel console (QEMU's stdio),
# ttyS1 a pty with the guest's shell on it. lab(con) and lab(sh) are their
# spawn ids. Testcases use only the lab_* procs; _lab_* are private.
#
# Every console byte is the guest's, and the guest runs the student's module
# in ring 0: console text is only data here. It is classified as it came
# (the crash patterns see the kernel's own words), and escaped (lab_escape,
# runner/escape.tcl) wherever it leaves the runner; kernel reports are
# symbolized by runner/symbolize.tcl, which never hands it to a program.

source [file join [file dirname [file normalize [info script]]] escape.tcl]
source [file join [file dirname [file normalize [info script]]] symbolize.tcl]

log_user 0
set lab(tests) {}
set lab(seq) 0
set lab(kpatterns) {}
set lab(current) ""
set lab(con) ""
set lab(sh) ""
set lab(mon) ""
set lab(qemu_pid) 0
set lab(sync) ""
set lab(synced) 0
set lab(sync_waiting) 0
set lab(capturing) 0
set lab(kgrace) 0
set lab(draining) 0
set lab(log) ""
set lab(log_cap) 262144
set lab(modargs) ""
set lab(subtests) {}

# The value of environment variable NAME, or DEFAULT when unset or empty.
proc env_or {name default} {
	global env
	if {[info exists env($name)] && $env($name) ne ""} {
		return $env($name)
	}
	return $default
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
		foreach exp [glob -nocomplain -directory $dir */*.exp] {
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

# Wait for RE on the shell until the test's deadline; watch the console
# meanwhile. Returns the output before the match, with \r removed; the
# first subexpression goes to the caller's variable VAR.
proc _lab_wait_shell {re var} {
	global lab
	upvar $var sub
	set left [expr {($lab(deadline) - [clock milliseconds] + 999) / 1000}]
	if {$left <= 0} {
		_lab_timeout
	}
	set timeout $left
	expect {
		-i $lab(sh) -indices -re $re {
			set end [expr {$expect_out(0,start) - 1}]
			set out [string range $expect_out(buffer) 0 $end]
			if {[info exists expect_out(1,string)]} {
				set sub $expect_out(1,string)
			}
		}
		-i $lab(sh) eof {
			_lab_guest_died
		}
		timeout {
			_lab_timeout
		}
	}
	set out [string map {\r ""} $out]
	return [string trimright $out \n]
}

proc _lab_timeout {} {
	global lab
	_lab_log "--- sysrq w, t: blocked tasks, then all tasks ---\n[_lab_sysrq wt]"
	set lab(dead) 1
	return -code error -errorcode {LAB TIMEOUT} "the guest stopped answering (the test's budget is $lab(budget) s)"
}

# Ask a hung guest's kernel what its tasks are doing: a serial BREAK (QEMU's
# mux escape Ctrl-a b) then a sysrq key on the console. Returns what the
# console printed, read until it is quiet for a second (at most 5 s a key).
proc _lab_sysrq {keys} {
	global lab
	set lab(capture) ""
	set lab(capturing) 1
	foreach key [split $keys ""] {
		catch {
			send -i $lab(con) "\x01b"
			after 100
			send -i $lab(con) $key
			set timeout 1
			for {set i 0} {$i < 5} {incr i} {
				set before [string length $lab(capture)]
				expect -i $lab(con) timeout {}
				if {[string length $lab(capture)] == $before} {
					break
				}
			}
		}
	}
	set lab(capturing) 0
set lab(kgrace) 0
	return $lab(capture)
}

# The guest is gone (both channels end). Its last console lines, the panic
# among them, may still be unread: read them before giving the verdict.
proc _lab_guest_died {} {
	global lab
	if {$lab(draining)} {
		return
	}
	set lab(dead) 1
	set lab(draining) 1
	set timeout 2
	catch {expect -i $lab(con) eof {} timeout {}}
	set lab(draining) 0
	return -code error -errorcode {LAB PANIC} "the guest died"
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

# --- The kernel console watch.

# Crash signatures: runner/crash-patterns, "VERDICT<tab>regex" per line.
proc _lab_load_patterns {file} {
	global lab
	set f [open $file]
	foreach line [split [read $f] \n] {
		if {[regexp {^([A-Z]+)\t+(.+)$} $line -> verdict re]} {
			lappend lab(kpatterns) $verdict $re
		}
	}
	close $f
}

# How bad a verdict is: a test keeps the worst one it got.
proc _lab_rank {verdict} {
	set order {PASS SKIP FAIL WARN LEAK OOPS TIMEOUT PANIC BUILD_ERROR}
	return [lsearch $order $verdict]
}

# Log and classify one console line. Returns 0 when it is the sync mark the
# runner waits for (see sync_console in run.exp), else 1.
proc _lab_console_line {line} {
	global lab
	# The serial line's own \r before the newline goes; one inside the line
	# stays, to be shown (\x0d), not to overwrite what came before it.
	regsub {\r*(\n?)$} $line {\1} line
	_lab_console_log $line
	if {$lab(capturing)} {
		append lab(capture) $line
	}
	if {$lab(sync) ne "" && [string first $lab(sync) $line] >= 0} {
		set lab(synced) 1
		return 0
	}
	if {$lab(current) eq ""} {
		return 1
	}
	if {$lab(report_lines) > 0} {
		append lab(kreport) $line
		incr lab(report_lines) -1
	}
	foreach {verdict re} $lab(kpatterns) {
		if {[regexp -- $re $line]} {
			if {[_lab_rank $verdict] > [_lab_rank $lab(kverdict)]} {
				set lab(kverdict) $verdict
				set lab(kgrace) [expr {$verdict in {OOPS PANIC}}]
			}
			if {$lab(ktitle) eq ""} {
				set lab(ktitle) [string trim [regsub {^\[[^\]]*\](\[[^\]]*\])? ?} $line ""]]
				set lab(kreport) $line
				set lab(report_lines) 60
			}
			break
		}
	}
	return 1
}

# console.log is capped: past lab(console_cap) bytes only the last lines
# are kept (written by _lab_console_close), so a flood cannot fill the disk.
# Each line is escaped as it is logged (newlines kept): the file is safe to
# cat.
proc _lab_console_log {line} {
	global lab
	set line [lab_escape $line]
	if {$lab(console_bytes) < $lab(console_cap)} {
		puts -nonewline $lab(console_fd) $line
		incr lab(console_bytes) [string length $line]
		return
	}
	incr lab(console_dropped)
	lappend lab(console_tail) $line
	if {[llength $lab(console_tail)] > 2000} {
		set lab(console_tail) [lrange $lab(console_tail) end-999 end]
	}
}

proc _lab_console_open {path cap} {
	global lab
	set lab(console_fd) [open $path w]
	# Written in the encoding the console was read with (expect decodes
	# with the system's). As "binary" it kept only each character's low
	# byte: U+251B became a raw ESC.
	fconfigure $lab(console_fd) -buffering line -encoding [encoding system] \
		-translation lf
	set lab(console_cap) $cap
	set lab(console_bytes) 0
	set lab(console_dropped) 0
	set lab(console_tail) {}
}

proc _lab_console_close {} {
	global lab
	set tail [lrange $lab(console_tail) end-999 end]
	set cut [expr {$lab(console_dropped) - [llength $tail]}]
	if {$lab(console_dropped) > 0} {
		puts $lab(console_fd) "\[ipclab: console.log capped at\
			$lab(console_cap) bytes; $cut lines cut, the last\
			[llength $tail] follow\]"
		puts -nonewline $lab(console_fd) [join $tail ""]
	}
	close $lab(console_fd)
}

# Every expect call also consumes console lines, so the console is read
# (and logged, and classified) whatever the test waits for.
proc _lab_watch_console {} {
	global lab
	expect_before {
		-i $lab(con) -re "\[^\n\]*\n" {
			if {[_lab_console_line $expect_out(0,string)] ||
			    !$lab(sync_waiting)} {
				if {$lab(kgrace)} {
					# The kernel oopsed: give the guest 5 s, not the
					# rest of the test's budget, to answer.
					set lab(kgrace) 0
					set timeout [expr {max(1, min(5, ($lab(deadline) -
						[clock milliseconds]) / 1000))}]
					exp_continue
				}
				exp_continue -continue_timer
			}
		}
		-i $lab(con) eof {
			_lab_guest_died
		}
	}
}

# --- Booting and stopping the guest.

# Boot QEMU (argv in LAB_QEMU) and wait for the shell on the second serial
# port. Errors out with one line when the guest does not come up.
proc _lab_boot {} {
	global lab env spawn_id
	# The console is a mux on stdio so that Ctrl-a b can send a BREAK
	# (sysrq); the shell is a pty.
	# QEMU's monitor on a third pty: the host reads the guest kernel's
	# memory there (_lab_kread), not through anything the guest runs.
	set cmd [concat $env(LAB_QEMU) [list -append $env(LAB_APPEND)] \
		-chardev stdio,id=con,mux=on,signal=off -serial chardev:con \
		-serial pty -chardev pty,id=mon -mon chardev=mon,mode=readline]
	set lab(qemu_cmd) $cmd
	set lab(qemu_pid) [spawn -noecho {*}$cmd]
	set lab(con) $spawn_id
	match_max -i $lab(con) 100000
	set timeout 20
	array unset ptys
	while {![info exists ptys(serial1)] || ![info exists ptys(mon)]} {
		expect {
			-i $lab(con) -re {char device redirected to (/dev/pts/[0-9]+) \(label (serial1|mon)\)} {
				set ptys($expect_out(2,string)) $expect_out(1,string)
			}
			-i $lab(con) eof {
				error "QEMU exited before starting: [string trim $expect_out(buffer)]"
			}
			timeout {
				error "QEMU did not start within 20 s"
			}
		}
	}
	set pty $ptys(serial1)
	exec stty -F $ptys(mon) raw -echo
	spawn -noecho -open [open $ptys(mon) r+]
	set lab(mon) $spawn_id
	exec stty -F $pty raw -echo
	spawn -noecho -open [open $pty r+]
	set lab(sh) $spawn_id
	match_max -i $lab(sh) 4000000
	set lab(dead) 0
	set lab(pty) $pty
	# make gdb: attach the debugger to the stopped guest (runner/gdb.exp).
	if {[info exists lab(boot_hook)]} {
		uplevel #0 $lab(boot_hook)
	}
	_lab_watch_console
	set lab(budget) $lab(boot_timeout)
	set lab(deadline) [expr {[clock milliseconds] + 1000 * $lab(budget)}]
	_lab_wait_shell "(ipclab: ready)\r?\n" unused
}

# --- The host's own view of the guest kernel.
#
# Ring-0 code can lie through every channel inside the guest (its shell, its
# /proc, its console settings), so what decides a verdict is read by the
# host from the guest's memory, through QEMU's monitor. The lab kernel is not
# relocatable (no CONFIG_RELOCATABLE, so no KASLR): a symbol at virtual
# address V in System.map lives at physical V - __START_KERNEL_map.

set lab(kstart) 0xffffffff80000000
set lab(sysmap) {}

# The addresses of NAMES in System.map (LAB_SYSMAP, else beside
# LAB_VMLINUX): a dict NAME -> physical address; {} without a map.
proc _lab_sysmap {names} {
	global lab env
	set path [env_or LAB_SYSMAP ""]
	if {$path eq "" && [env_or LAB_VMLINUX ""] ne ""} {
		set path [file dirname $env(LAB_VMLINUX)]/System.map
	}
	set found [dict create]
	if {$path eq "" || ![file isfile $path]} {
		return $found
	}
	set f [open $path]
	while {[gets $f line] >= 0} {
		if {[regexp {^([0-9a-f]{16}) [a-zA-Z] ([A-Za-z_][A-Za-z0-9_]*)$} $line -> addr name] &&
		    $name in $names} {
			scan $addr %llx virt
			dict set found $name [expr {$virt - $lab(kstart)}]
		}
	}
	close $f
	return $found
}

# The value (unsigned) of the kernel variable NAME, SIZE bytes (1, 4 or 8),
# read by QEMU from the guest's memory; "" when the host cannot read it.
proc _lab_kread {name size} {
	global lab
	if {![dict exists $lab(sysmap) $name] || $lab(mon) eq ""} {
		return ""
	}
	set unit [dict get {1 b 2 h 4 w 8 g} $size]
	set addr [format 0x%x [dict get $lab(sysmap) $name]]
	send -i $lab(mon) "xp /1${unit}x $addr\r"
	set timeout 5
	set value ""
	expect {
		-i $lab(mon) -re {\n[0-9a-f]+: 0x([0-9a-f]+)\r?\n} {
			scan $expect_out(1,string) %llx value
		}
		-i $lab(mon) eof {}
		timeout {}
	}
	return $value
}

proc _lab_stop {} {
	global lab
	if {$lab(qemu_pid) == 0} {
		return
	}
	if {!$lab(dead)} {
		catch {send -i $lab(sh) "reboot -f\n"}
		set timeout 10
		catch {expect -i $lab(con) eof}
	}
	catch {exec kill -9 $lab(qemu_pid)}
	catch {close -i $lab(sh)}
	catch {close -i $lab(mon)}
	set lab(mon) ""
	catch {close -i $lab(con)}
	catch {wait -i $lab(con)}
	set lab(qemu_pid) 0
}
