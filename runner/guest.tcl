# The guest's control (namespace guest): booting and stopping QEMU, the
# guest shell's protocol, the marks that tie console lines to a test, and
# the host's own reads of the guest kernel's memory through QEMU's monitor.
# Every console line it reads goes to the console watch (console.tcl).
# Sourced by lib.tcl; procs whose name starts with "_" are this file's own.
#
# Two channels from one QEMU: ttyS0 is the kernel console (QEMU's stdio),
# ttyS1 the guest's shell, plus QEMU's monitor on a third. The shell and
# the monitor are FIFOs in a private directory: QEMU reads a pty only once
# it notices the other end open (it looks once a second), which a restored
# guest, that writes nothing first, would wait for. make gdb's shell is a
# pty, for the user's terminal (guest::use_pty).
#
# Snapshot boots (LAB_SNAPSHOT): the first boot of a kernel, initramfs,
# command line and QEMU saves the guest, ready and before the module under
# test is loaded, with QEMU's migration; every later boot with the same key
# (the reboot after a crash, the next run) restores it instead.
#
# The module under test (LAB_MODULE) is carried in after the boot or the
# restore, through guest memory (guest::carry), so a snapshot outlives an
# edit of the module and every guest is ready before any of its code runs.

namespace eval guest {
	# The spawn ids of the console, the shell and the monitor; QEMU's pid
	# (0: none running), its argv (guest::qemu_cmd) and the shell's pty.
	variable con ""
	variable sh ""
	variable mon ""
	variable qemu_pid 0
	variable qemu_cmd ""
	variable pty ""
	# Where the shell's and the monitor's FIFOs are (guest::boot), and
	# the channels the host writes them with.
	variable fifo_dir ""
	variable sh_in ""
	variable mon_in ""
	# 1: the shell is on a pty (make gdb).
	variable use_pty 0
	# The snapshot files' path of this boot's key, less its suffix ("": no
	# snapshots), and how the last boot came up: cold or restored.
	variable snapshot ""
	variable how ""
	# argv -> snapshot path (guest::_snapshot_file); 1 once a save failed.
	variable snapshot_files {}
	variable snapshot_failed 0
	# The guest-physical addresses of the huge pages the module is carried
	# in by, read off this boot's ready line (rootfs/lab-xfer.c), or off
	# its snapshot's name; their size.
	variable xfer {}
	variable xfer_page [expr {2 << 20}]
	# 1 when the guest is gone or not to be trusted with a command (not
	# booted, stopped, timed out, died): guest::alive.
	variable dead 1
	# Reading the last console lines of a guest that died.
	variable draining 0
	# guest::sync waits for its mark on the console.
	variable sync_waiting 0
	# The lab kernel is not relocatable (no CONFIG_RELOCATABLE, so no
	# KASLR): a symbol at virtual address V in System.map lives at
	# physical V - __START_KERNEL_map. sysmap: NAME -> physical address
	# (guest::load_sysmap).
	variable kstart 0xffffffff80000000
	variable sysmap {}
	# The console settings after boot (guest::console_baseline).
	variable loglevel0 ""
	variable ignore0 ""
}

# 1 while the guest runs and answers.
proc guest::alive {} {
	variable dead
	return [expr {!$dead}]
}

# The console's spawn id (make gdb hands it to the user), the shell's pty,
# and the QEMU argv of the last boot ("" before one).
proc guest::console_id {} {
	variable con
	return $con
}

proc guest::pty {} {
	variable pty
	return $pty
}

proc guest::qemu_cmd {} {
	variable qemu_cmd
	return $qemu_cmd
}

# --- The guest shell's protocol: waiting for its answer, and what a
# timeout or a dead guest does.

# TEXT to the guest's shell, as it is.
proc guest::shell_send {text} {
	variable sh
	variable sh_in
	if {$sh_in eq ""} {
		send -i $sh -- $text
	} else {
		puts -nonewline $sh_in $text
		flush $sh_in
	}
}

# make gdb: the next boots put the shell on a pty (guest::pty).
proc guest::use_pty {} {
	variable use_pty 1
}

# How the last boot came up: "cold" or "restored" (a snapshot).
proc guest::how {} {
	variable how
	return $how
}

# 1 when the last boot was restored from a snapshot or saved one.
proc guest::saved {} {
	variable how
	variable snapshot
	return [expr {$how eq "restored" || ($snapshot ne "" &&
		[file isfile [_state_file $snapshot]])}]
}

# Wait for RE on the shell until the test's deadline (testcase::deadline);
# watch the console meanwhile. Returns the output before the match, with \r
# removed; the first subexpression goes to the caller's variable VAR.
proc guest::wait_shell {re var} {
	variable sh
	upvar $var sub
	set left [expr {([testcase::deadline] - [clock milliseconds] + 999) / 1000}]
	if {$left <= 0} {
		_timeout
	}
	set timeout $left
	expect {
		-i $sh -indices -re $re {
			set end [expr {$expect_out(0,start) - 1}]
			set out [string range $expect_out(buffer) 0 $end]
			if {[info exists expect_out(1,string)]} {
				set sub $expect_out(1,string)
			}
		}
		-i $sh eof {
			::guest::_died
		}
		timeout {
			::guest::_timeout
		}
	}
	set out [string map {\r ""} $out]
	return [string trimright $out \n]
}

proc guest::_timeout {} {
	variable dead
	testcase::log "--- sysrq w, t: blocked tasks, then all tasks ---\n[_sysrq wt]"
	set dead 1
	return -code error -errorcode {LAB TIMEOUT} "the guest stopped answering (the test's budget is [testcase::budget] s)"
}

# Ask a hung guest's kernel what its tasks are doing: a serial BREAK (QEMU's
# mux escape Ctrl-a b) then a sysrq key on the console. Returns what the
# console printed, read until it is quiet for a second (at most 5 s a key).
proc guest::_sysrq {keys} {
	variable con
	console::capture_begin
	foreach key [split $keys ""] {
		catch {
			send -i $con "\x01b"
			after 100
			send -i $con $key
			set timeout 1
			for {set i 0} {$i < 5} {incr i} {
				set before [string length [console::captured]]
				expect -i $con timeout {}
				if {[string length [console::captured]] == $before} {
					break
				}
			}
		}
	}
	set text [console::capture_end]
	console::take_grace
	return $text
}

# The guest is gone (both channels end). Its last console lines, the panic
# among them, may still be unread: read them before giving the verdict.
proc guest::_died {} {
	variable draining
	variable dead
	variable con
	if {$draining} {
		return
	}
	set dead 1
	set draining 1
	set timeout 2
	catch {expect -i $con eof {} timeout {}}
	set draining 0
	return -code error -errorcode {LAB PANIC} "the guest died"
}

# Every expect call also consumes console lines, so the console is read
# (and logged, and classified: console::line) whatever the test waits for.
# The actions run in the scope of whichever proc called expect: they call
# only guest's procs, by their full names.
proc guest::_watch_console {} {
	variable con
	expect_before {
		-i $con -re "\[^\n\]*\n" {
			switch -- [::guest::_on_line $expect_out(0,string)] {
				grace {
					# The kernel oopsed: give the guest 5 s, not the
					# rest of the test's budget, to answer.
					set timeout [::guest::_grace]
					exp_continue
				}
				more {
					exp_continue -continue_timer
				}
			}
		}
		-i $con eof {
			::guest::_died
		}
	}
}

# What the expect that read console LINE does next: "more" (go on waiting),
# "grace" (go on, with a short timeout: the kernel oopsed), or "done" (it
# was the mark guest::sync waits for).
proc guest::_on_line {line} {
	variable sync_waiting
	if {[console::line $line] || !$sync_waiting} {
		if {[console::take_grace]} {
			return grace
		}
		return more
	}
	return done
}

proc guest::_grace {} {
	return [expr {max(1, min(5, ([testcase::deadline] -
		[clock milliseconds]) / 1000))}]
}

# Wait until the console shows MARK, which the guest wrote to /dev/kmsg:
# then every console line the test caused has been read and classified.
proc guest::sync {mark} {
	variable con
	variable sync_waiting
	# A nonce the module cannot guess, so it cannot print the mark early
	# and have its later lines counted for no test.
	set f [open /dev/urandom rb]
	binary scan [read $f 8] H* nonce
	close $f
	append mark " $nonce"
	console::expect_mark $mark
	lab_run "echo '$mark' >/dev/kmsg"
	if {![console::mark_seen]} {
		set sync_waiting 1
		set timeout 10
		set code [catch {expect -i $con timeout {}} err opts]
		set sync_waiting 0
		if {$code} {
			return -options $opts $err
		}
	}
	console::expect_mark ""
}

# --- Booting and stopping the guest.

# Boot QEMU (argv in LAB_QEMU, kernel command line LAB_APPEND) and wait up
# to SECS for the shell on the second serial port; HOOK (a script, run
# globally once QEMU is up) e.g. attaches a debugger (runner/gdb.exp).
# With a snapshot of this boot's key, restore it instead (a boot with a
# HOOK never does); without one, save one once the guest is ready (not
# with LAB_SNAPSHOT_KEEP=1: the snapshots are another run's, only read).
# Errors out with one line when the guest does not come up.
proc guest::boot {secs {hook ""}} {
	global env
	variable snapshot
	variable how
	set cmd [concat $env(LAB_QEMU) [list -append $env(LAB_APPEND)]]
	set snapshot [expr {$hook eq "" ? [_snapshot_file $cmd] : ""}]
	set keep [expr {[env_or LAB_SNAPSHOT_KEEP 0] eq "1"}]
	set file ""
	if {$snapshot ne ""} {
		set file [lindex [glob -nocomplain -types f -- $snapshot*.state] 0]
	}
	if {$file ne ""} {
		if {![catch {_restore $cmd $secs $file} err]} {
			set how restored
			return
		}
		# Not this QEMU's, or broken: never used again; what its console
		# said counts for nothing.
		console::record "=== ipclab: snapshot not usable ($err): a cold boot ===\n"
		stop -kill
		console::watch [console::watched]
		if {!$keep} {
			file delete -force $file
		}
	}
	if {$keep} {
		set snapshot ""
	}
	set how cold
	_start $cmd
	if {$hook ne ""} {
		uplevel #0 $hook
	}
	_watch_console
	testcase::limit -uncapped $secs
	set offer ""
	wait_shell "ipclab: ready(?: xfer((?: 0x\[0-9a-f\]+)+))?\r?\n" offer
	_set_xfer [string trim $offer]
	if {$snapshot ne ""} {
		if {[catch {_save $snapshot} err]} {
			console::record "=== ipclab: no snapshot saved ($err) ===\n"
			variable snapshot_failed 1
		}
		# What follows (insmod) gets the boot's whole budget again.
		testcase::limit $secs
	}
}

# Start QEMU with the argv CMD (and EXTRA), its console on stdio, the
# shell and the monitor on their FIFOs (or the shell on a pty).
proc guest::_start {cmd {extra {}}} {
	global spawn_id
	variable qemu_cmd
	variable qemu_pid
	variable con
	variable mon
	variable mon_in
	variable sh
	variable sh_in
	variable dead
	variable pty
	variable fifo_dir
	variable use_pty
	set fifo_dir [exec mktemp -d [file join [env_or TMPDIR /tmp] ipclab-qemu.XXXXXX]]
	foreach f {sh.in sh.out mon.in mon.out} {
		exec mkfifo -m 0600 $fifo_dir/$f
	}
	# The console is a mux on stdio so that Ctrl-a b can send a BREAK
	# (sysrq). QEMU's monitor: the host reads the guest kernel's memory
	# there (guest::_kread), not through anything the guest runs.
	set serial [list -chardev pipe,id=sh,path=$fifo_dir/sh -serial chardev:sh]
	if {$use_pty} {
		set serial [list -serial pty]
	}
	set qemu_cmd [concat $cmd -chardev stdio,id=con,mux=on,signal=off \
		-serial chardev:con $serial \
		-chardev pipe,id=mon,path=$fifo_dir/mon -mon chardev=mon,mode=readline]
	set qemu_pid [spawn -noecho {*}$qemu_cmd {*}$extra]
	set dead 0
	set con $spawn_id
	match_max -i $con 100000
	# Every FIFO opened read-write, which never waits for QEMU (nor hangs
	# when it died first: its console's end says so); the host's writes do
	# not block either.
	set mon_in [_fifo $fifo_dir/mon.in]
	spawn -noecho -open [open $fifo_dir/mon.out RDWR]
	set mon $spawn_id
	set timeout 20
	if {$use_pty} {
		expect {
			-i $con -re {char device redirected to (/dev/pts/[0-9]+) \(label serial1\)} {
				set pty $expect_out(1,string)
			}
			-i $con eof {
				error "QEMU exited before starting: [string trim $expect_out(buffer)]"
			}
			timeout {
				error "QEMU did not start within 20 s"
			}
		}
		exec stty -F $pty raw -echo
		spawn -noecho -open [open $pty r+]
		set sh_in ""
	} else {
		set sh_in [_fifo $fifo_dir/sh.in]
		spawn -noecho -open [open $fifo_dir/sh.out RDWR]
		set pty ""
	}
	set sh $spawn_id
	match_max -i $sh 4000000
	expect {
		-i $mon "(qemu) " {}
		-i $con eof {
			error "QEMU exited before starting: [string trim $expect_out(buffer)]"
		}
		timeout {
			error "QEMU did not start within 20 s"
		}
	}
}

# The host's end of a FIFO it writes: never blocking.
proc guest::_fifo {path} {
	set ch [open $path RDWR]
	fconfigure $ch -blocking 0 -buffering none
	return $ch
}

# One command to QEMU's monitor; its answer (the lines before the next
# prompt, the echoed command left out).
proc guest::_monitor {cmd} {
	variable mon
	variable mon_in
	variable con
	if {$mon eq ""} {
		return ""
	}
	# A late answer to an earlier command is not this one's.
	set timeout 0
	expect -i $mon -re {.+} {exp_continue} timeout {}
	puts -nonewline $mon_in "$cmd\n"
	flush $mon_in
	set timeout 5
	set out ""
	expect {
		-i $mon -re {\(qemu\) $} {
			set out $expect_out(buffer)
		}
		-i $mon eof {}
		-i $con eof {
			# QEMU is gone (its end of the FIFO never closes ours).
			set mon ""
		}
		timeout {
			# Not believed again: no answer rather than a wrong one.
			set mon ""
		}
	}
	set out [string map {\r ""} $out]
	return [join [lrange [split $out \n] 1 end-1] \n]
}

# The snapshot path for a boot of argv CMD, less the suffix that the
# snapshot's name adds (guest::_save): a hash of the argv, the kernel's, the
# initramfs's and the firmware's contents and QEMU's version (computed once
# a run), in LAB_SNAPSHOT ("": snapshots are off).
proc guest::_snapshot_file {cmd} {
	variable snapshot_files
	variable snapshot_failed
	set dir [env_or LAB_SNAPSHOT ""]
	if {$dir eq "" || $snapshot_failed} {
		return ""
	}
	# The path goes into a monitor command and a shell's: only plain
	# characters (else no snapshots).
	if {![regexp {^/[A-Za-z0-9/._+-]+$} $dir]} {
		console::record "=== ipclab: no snapshots: LAB_SNAPSHOT is not an absolute\
			path of A-Z a-z 0-9 / . _ + - only ===\n"
		set snapshot_failed 1
		return ""
	}
	if {![dict exists $snapshot_files $cmd]} {
		set files {}
		foreach i [lsearch -all -regexp $cmd {^-(kernel|initrd|bios)$}] {
			lappend files [lindex $cmd [expr {$i + 1}]]
		}
		set key [list $cmd [exec sha256sum {*}$files] \
			[exec [lindex $cmd 0] --version]]
		dict set snapshot_files $cmd [file join $dir \
			[string range [exec sha256sum << $key] 0 15]]
	}
	return [dict get $snapshot_files $cmd]
}

# The snapshot file of path PATH (guest::_snapshot_file) for this boot:
# PATH, the addresses of the pages the module is carried in by
# (guest::carry), ".state".
proc guest::_state_file {path} {
	variable xfer
	return $path[join [linsert $xfer 0 ""] -].state
}

# Save the ready guest as the snapshot of path PATH: written beside it, then
# renamed, so no half of one is ever restored and its pages are always its
# own. Paused while QEMU writes its state, then on.
proc guest::_save {path} {
	variable xfer
	if {![llength $xfer]} {
		error "the guest offered no pages to carry the module in by"
	}
	set file [_state_file $path]
	file mkdir [file dirname $file]
	# One snapshot a directory (a build's): the others are stale.
	foreach old [glob -nocomplain -directory [file dirname $file] *.state] {
		file delete -force $old
	}
	set tmp $file.[pid].tmp
	_monitor stop
	# QEMU's default bandwidth is for a network: unlimited, a 28 MB save
	# takes 82 ms instead of 165 (QEMU's own "total time").
	_monitor "migrate_set_parameter max-bandwidth 100G"
	# Detached (-d): a waiting HMP migrate looks at its progress once a
	# second.
	_monitor "migrate -d \"exec:cat >$tmp\""
	set t0 [clock milliseconds]
	while {![regexp {Migration status: (completed|failed|cancelled)} [_monitor "info migrate"] -> st]} {
		if {[clock milliseconds] - $t0 > 20000} {
			set st "not done in 20 s"
			_monitor migrate_cancel
			break
		}
		after 10
	}
	_monitor cont
	if {$st eq "completed"} {
		file rename -force $tmp $file
	} else {
		file delete -force $tmp
		console::record "=== ipclab: no snapshot saved (migration $st) ===\n"
		# Not tried again this run: every boot stays cold.
		variable snapshot_failed 1
	}
}

# Restore the snapshot FILE of argv CMD (guest::_save) and wait up to SECS
# for the shell to answer; an error when the snapshot is not usable.
proc guest::_restore {cmd secs file} {
	if {![regexp {^[0-9a-f]{16}((?:-0x[0-9a-f]+)+)\.state$} [file tail $file] -> pages]} {
		error "not a snapshot's name (KEY-PAGE...state): [lab_escape [file tail $file]]"
	}
	_set_xfer [split [string trimleft $pages -] -]
	_start $cmd [list -incoming "exec:cat $file"]
	set t0 [clock milliseconds]
	while {[regexp {inmigrate} [set st [_monitor "info status"]]]} {
		if {[clock milliseconds] - $t0 > $secs * 1000} {
			error "still loading after $secs s"
		}
		after 5
	}
	if {![regexp {paused} $st]} {
		error "after loading: [string trim $st]"
	}
	_monitor cont
	_watch_console
	testcase::limit -uncapped $secs
	lab_run true
}

# --- Carrying a file in: the host writes it into the huge pages the guest
# offered before it was ready (rootfs/lab-xfer.c), through QEMU's own
# memory, and the guest copies it out of them. 10-20 ms for a module of
# 200 KB to 2 MB, where the guest's serial shell carries about 8 KB/s.

# The offered pages: OFFER is their guest-physical addresses ("0x..." each,
# 2 MB aligned, at most 8 of them; anything else offers none).
proc guest::_set_xfer {offer} {
	variable xfer {}
	variable xfer_page
	if {[llength $offer] > 8} {
		return
	}
	foreach gpa $offer {
		if {![regexp {^0x[0-9a-f]{1,12}$} $gpa] || $gpa % $xfer_page != 0} {
			return
		}
	}
	set xfer $offer
}

# The host virtual address, in QEMU, of guest-physical address GPA (an
# integer); "" when it is not guest RAM.
proc guest::_hva {gpa} {
	if {[regexp {is (0x[0-9a-f]+)\s*$} [_monitor [format "gpa2hva 0x%x" $gpa]] -> hva]} {
		return [expr {$hva}]
	}
	return ""
}

# guest::carry SRC DST: write the host's file SRC (the module under test;
# none if empty) to the guest's DST (a plain path) through the pages
# lab-xfer offered, then give the pages back to the guest's kernel, in one
# round trip: the tests see the huge page pool as the kernel had it (none).
# A restore brings the pages back. An error that says why when it cannot.
proc guest::carry {src dst} {
	set release "{ rm -f /dev/hugepages/xfer; echo 0 >/proc/sys/vm/nr_hugepages;\
		umount /dev/hugepages; } 2>/dev/null; true"
	if {$src eq ""} {
		lab_run $release
	} elseif {[catch {_carry $src $dst $release} err]} {
		error "the module could not be carried into the guest: $err\
			(hint: SNAPSHOT=0 boots an initramfs that holds it)"
	}
}

proc guest::_carry {src dst then} {
	variable xfer
	variable xfer_page
	variable qemu_pid
	set f [open $src rb]
	set data [read $f]
	close $f
	set size [string length $data]
	if {![llength $xfer]} {
		error "the guest offered no pages for it (rootfs/lab-xfer.c; the kernel\
			needs CONFIG_HUGETLBFS and CONFIG_PROC_PAGE_MONITOR)"
	}
	if {$size > [llength $xfer] * $xfer_page} {
		error "it is $size bytes, more than the [expr {[llength $xfer] * 2}] MB the lab carries"
	}
	set mem [open /proc/$qemu_pid/mem {WRONLY BINARY}]
	set code [catch {
		for {set off 0; set i 0} {$off < $size} {incr off $xfer_page; incr i} {
			# The page must be one piece of guest RAM in QEMU, end to end.
			set gpa [lindex $xfer $i]
			set hva [_hva $gpa]
			set last [_hva [expr {$gpa + $xfer_page - 1}]]
			if {$hva eq "" || $last eq "" || $last != $hva + $xfer_page - 1} {
				error "guest page $gpa is not guest RAM in QEMU"
			}
			seek $mem $hva
			puts -nonewline $mem [string range $data $off [expr {$off + $xfer_page - 1}]]
			flush $mem
		}
	} err opts]
	catch {close $mem}
	if {$code} {
		return -options $opts $err
	}
	# The bytes written, hashed by the host.
	set md5 [open |md5sum r+]
	fconfigure $md5 -translation binary
	puts -nonewline $md5 $data
	chan close $md5 write
	set sum [lindex [read $md5] 0]
	close $md5
	set out [lab_run "head -c $size /dev/hugepages/xfer >$dst && md5sum <$dst || echo failed; $then"]
	if {![regexp {^([0-9a-f]{32}) } $out -> got] || $got ne $sum} {
		error "it did not arrive whole (the guest's md5sum:\
			[lab_escape [string map {\n " "} $out]]; the host's: $sum)"
	}
}

# guest::stop ?-kill?: stop QEMU: the guest, while it answers, reboots
# first (-kill: not asked); then it is dead.
proc guest::stop {args} {
	variable qemu_pid
	variable dead
	variable sh
	variable sh_in
	variable con
	variable mon
	variable mon_in
	variable fifo_dir
	if {$args eq "-kill"} {
		set dead 1
	}
	if {$qemu_pid == 0} {
		return
	}
	if {!$dead} {
		catch {shell_send "reboot -f\n"}
		set timeout 10
		catch {expect -i $con eof}
	}
	catch {exec kill -9 $qemu_pid}
	catch {close -i $sh}
	catch {close -i $mon}
	foreach ch [list $sh_in $mon_in] {
		if {$ch ne ""} {
			catch {close $ch}
		}
	}
	set sh_in ""
	set mon_in ""
	set mon ""
	catch {close -i $con}
	catch {wait -i $con}
	if {$fifo_dir ne ""} {
		file delete -force $fifo_dir
		set fifo_dir ""
	}
	set qemu_pid 0
	set dead 1
}

# --- The host's own view of the guest kernel.
#
# Ring-0 code can lie through every channel inside the guest (its shell, its
# /proc, its console settings), so what decides a verdict is read by the
# host from the guest's memory, through QEMU's monitor.

# Find NAMES in System.map (LAB_SYSMAP, else beside LAB_VMLINUX) for
# guest::_kread; without a map the host reads nothing.
proc guest::load_sysmap {names} {
	global env
	variable kstart
	variable sysmap
	set path [env_or LAB_SYSMAP ""]
	if {$path eq "" && [env_or LAB_VMLINUX ""] ne ""} {
		set path [file dirname $env(LAB_VMLINUX)]/System.map
	}
	set found [dict create]
	if {$path ne "" && [file isfile $path]} {
		set f [open $path]
		set map [read $f]
		close $f
		# One search a name over the whole map (a loop over its lines took
		# 330 ms for the min kernel's 34540).
		foreach name $names {
			if {[regexp -line "^(\[0-9a-f\]{16}) \[a-zA-Z\] $name\$" $map -> addr]} {
				scan $addr %llx virt
				dict set found $name [expr {$virt - $kstart}]
			}
		}
	}
	set sysmap $found
}

# The value (unsigned) of the kernel variable NAME, SIZE bytes (1, 4 or 8),
# read by QEMU from the guest's memory; "" when the host cannot read it.
proc guest::_kread {name size} {
	variable sysmap
	variable mon
	if {![dict exists $sysmap $name] || $mon eq ""} {
		return ""
	}
	set unit [dict get {1 b 2 h 4 w 8 g} $size]
	set addr [format 0x%x [dict get $sysmap $name]]
	set value ""
	if {[regexp {(?:^|\n)[0-9a-f]+: 0x([0-9a-f]+)$} [_monitor "xp /1${unit}x $addr"] -> hex]} {
		scan $hex %llx value
	}
	return $value
}

# The kernel's taint flags, less O and E (every out-of-tree module sets
# them), as the host reads them from the guest's memory (tainted_mask); only
# without a System.map, through the guest's shell.
proc guest::taint {} {
	set t [_kread tainted_mask 8]
	if {$t eq ""} {
		set t [string trim [lab_run "cat /proc/sys/kernel/tainted"]]
	}
	return [expr {$t & ~(4096 | 8192)}]
}

# The console must still show every kernel report: the console log level
# (console_printk[0]) not lowered since the boot's baseline, ignore_loglevel
# (on the command line) not cleared, both read by the host. A module that
# hides reports this way gets OOPS for the test (console::silenced): the
# guest can no longer be believed.
proc guest::console_baseline {} {
	variable loglevel0 [_kread console_printk 4]
	variable ignore0 [_kread ignore_loglevel 1]
}

proc guest::console_check {} {
	variable loglevel0
	variable ignore0
	set level [_kread console_printk 4]
	set ignore [_kread ignore_loglevel 1]
	if {$level eq "" || $loglevel0 eq ""} {
		return
	}
	if {$level < $loglevel0 || $ignore < $ignore0} {
		console::silenced "the console was silenced (log level $loglevel0 -> $level,\
			ignore_loglevel $ignore0 -> $ignore): kernel reports may have been hidden"
	}
}
