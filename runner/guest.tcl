# The guest's control: the kernel console watch (crash patterns, the
# capped console.log), booting and stopping QEMU, and the host's own reads
# of the guest kernel's memory through QEMU's monitor. Sourced by lib.tcl.

# --- The guest shell's protocol: waiting for its answer, and what a
# timeout or a dead guest does.

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
