# Symbolize the stack frames of a kernel report without trusting the console.
#
# The guest kernel runs a student's module in ring 0, so every console byte
# is the attacker's. Nothing of it is interpreted here: a frame is
# recognised by a strict pattern; its symbol is only a key looked up in the
# object's own symbol table (nm, run once per object, parsed strictly); the
# address is computed here; the tools get, as exec word lists, only paths
# the lab chose and numbers computed here. (The kernel's
# scripts/decode_stacktrace.sh splices symbol names into an awk program and
# evaluates text in $((...)): console text became host code.)
#
# A frame is SYM+0xOFF/0xLEN, optionally followed by " [MOD]", preceded by
# the line's start, a blank, "(" or ":" (as in "RIP: 0010:SYM+...") and
# followed by the line's end, a blank, ")" or "]". SYM is
# [A-Za-z_.][A-Za-z0-9_.]*, OFF and LEN have 1 to 16 hex digits, MOD is
# [A-Za-z0-9_-]+; "? " before it marks one of the kernel's guesses. Lines
# longer than a printk line (1024) hold no frames. Anything else is left as
# it is.
#
# The address is SYM's + OFF, as decode_stacktrace.sh and faddr2line
# compute it: neither subtracts 1 for a return address, so neither does
# this. In a module (a relocatable object, every section at 0) that is an
# offset into SYM's section, which addr2line is told with -j, as faddr2line
# does (decode_stacktrace.sh does not, and gets .init.text and .exit.text
# wrong).
#
# A resolved frame keeps its text; its source locations follow in
# parentheses, innermost (inlined) first, as decode_stacktrace.sh lists them:
#   RIP: 0010:fault_write+0x13b/0x42d [ipclab] (/home/s/lab/fault.c:107)
#   schedule+0xe7/0x113 (arch/x86/include/asm/preempt.h:84 kernel/sched/core.c:6828 kernel/sched/core.c:6842)

# Namespace symbolize; procs whose name starts with "_" are this file's
# own. Its state, array state: the bounds (seconds per tool call and for all
# of one report's, characters read from nm (on the kernel, on a module) and
# from addr2line, frames per line and per report, addr2line calls per
# object (one per section)), the current report's deadline, and nm's
# tables, cached (nm,KEY).
namespace eval symbolize {
	variable state
}
array set symbolize::state {
	timeout 20
	budget 60
	nm_max 67108864
	nm_max_rel 8388608
	a2l_max 4194304
	per_line 4
	per_report 256
	calls 8
	line_max 1024
	deadline 0
}

# Run a tool: timeout, then WRAPPER (a list of words the lab chose, e.g. a
# sandbox), then WORDS. Returns at most MAX characters of its stdout and
# whether it said more; its stderr is dropped and its exit status ignored:
# the caller parses strictly whatever came. Nothing runs once the report's
# budget (state(deadline), clock seconds) is spent. Tcl's exec reads
# words starting with < > | 2> and a final & as redirections: none may
# reach it.
proc symbolize::_run {wrapper words max} {
	variable state
	set left [expr {min($state(timeout), $state(deadline) - [clock seconds])}]
	if {$left <= 0} {
		return [list "" 0]
	}
	set cmd [concat [list timeout -k 5 $left] $wrapper $words]
	foreach w $cmd {
		if {$w eq "" || $w eq "&" || [regexp {^(<|>|\||2>)} $w]} {
			error "symbolize: refusing to run a word exec would read as a redirection: '$w'"
		}
	}
	set fd [open |[concat $cmd [list 2>/dev/null]] r]
	fconfigure $fd -encoding utf-8 -translation lf
	set out [read $fd $max]
	set more [expr {![eof $fd]}]
	catch {close $fd}
	return [list $out $more]
}

# The text symbols of an object, cached per path and modification time: a
# dict SYM -> list of {ADDR SIZE SECTION} (hex strings; SECTION only for a
# relocatable object). Lines of nm's output that are not exactly what is
# expected are skipped. symbolize::symbols runs it with a report's budget
# of its own.
proc symbolize::symbols {obj} {
	variable state
	set state(deadline) [expr {[clock seconds] + $state(budget)}]
	return [_table $obj]
}

proc symbolize::_table {obj} {
	variable state
	set path [dict get $obj path]
	set rel [dict get $obj rel]
	set key [list $path [file mtime $path] [file size $path] $rel]
	if {[info exists state(nm,$key)]} {
		return $state(nm,$key)
	}
	if {$rel} {
		# System V format: the only one of nm's that names the section.
		set words [list nm -f sysv --defined-only $path]
		set re {^([A-Za-z_.][A-Za-z0-9_.]*) *\|([0-9a-f]{1,16})\| +[tTwW] +\| +(?:FUNC|NOTYPE)\|([0-9a-f]{0,16})\| *\|(\.[A-Za-z0-9_.]{1,64})$}
	} else {
		# "ADDR [SIZE] TYPE NAME", split on single blanks (a regexp per
		# line of a kernel's 50000 took 1 s).
		set words [list nm -S --defined-only $path]
	}
	if {[clock seconds] >= $state(deadline)} {
		# The report's budget is spent: nothing to cache.
		return {}
	}
	set max [expr {$rel ? $state(nm_max_rel) : $state(nm_max)}]
	lassign [_run [dict get $obj wrapper] $words $max] out more
	set lines [split $out \n]
	if {$more} {
		# Cut mid-line: the last one is not whole.
		set lines [lrange $lines 0 end-1]
	}
	set table [dict create]
	foreach line $lines {
		if {$rel} {
			if {![regexp $re $line -> sym addr size sec]} {
				continue
			}
		} else {
			set w [split $line " "]
			switch -- [llength $w] {
				3 {lassign $w addr type sym; set size ""}
				4 {lassign $w addr size type sym}
				default {continue}
			}
			set sec ""
			if {$type ni {t T w W} || ![regexp {^[0-9a-f]{1,16}$} $addr] ||
			    ![regexp {^[0-9a-f]{0,16}$} $size] ||
			    ![regexp {^[A-Za-z_.][A-Za-z0-9_.]*$} $sym]} {
				continue
			}
		}
		if {![dict exists $table $sym]} {
			dict set table $sym {}
		}
		if {[llength [dict get $table $sym]] < 16} {
			dict lappend table $sym [list $addr $size $sec]
		}
	}
	set state(nm,$key) $table
	return $table
}

# The frames of one line: a list of dicts with
#   start end   indices of the frame's text in LINE (end: its last char)
#   sym off len mod   as printed (OFF, LEN: hex digits; MOD may be "")
#   rip         1 on "RIP: 0010:" (the faulting instruction)
#   maybe       1 after "? " (a stale address the unwinder found)
#   alone       1 when the frame is all the line says besides the printk
#               prefix (and kmemleak's "kmemleak:"): a trace line
proc symbolize::_frames_in {line} {
	variable state
	if {[string length $line] > $state(line_max)} {
		return {}
	}
	# A " [" after LEN must be a whole module name: it cannot fall back to
	# a frame without one.
	set re {(?:^|[\s(:])(\?\s+)?([A-Za-z_.][A-Za-z0-9_.]*)\+0x([0-9a-f]{1,16})/0x([0-9a-f]{1,16})(?:\s\[([A-Za-z0-9_-]+)\](?=$|[\s)\]])|(?=$|[)\]]|\s(?!\[)))}
	set frames {}
	foreach {all q sym off len mod} [regexp -all -inline -indices $re $line] {
		if {[llength $frames] >= $state(per_line)} {
			break
		}
		set start [lindex $sym 0]
		if {[lindex $q 0] >= 0} {
			set start [lindex $q 0]
		}
		set end [lindex $all 1]
		set before [string range $line 0 [expr {[lindex $sym 0] - 1}]]
		set rip [regexp {RIP: [0-9a-f]{4}:$} $before]
		set lead [regsub {^\[[^\]]*\](\[[^\]]*\])?} [string range $line 0 [expr {$start - 1}]] ""]
		set alone [expr {[regexp {^\s*(kmemleak:\s*)?$} $lead] &&
			[string trim [string range $line [expr {$end + 1}] end]] eq ""}]
		set f [dict create start $start end $end rip $rip \
			maybe [expr {[lindex $q 0] >= 0}] alone $alone \
			sym [string range $line {*}$sym] \
			off [string range $line {*}$off] len [string range $line {*}$len] \
			mod ""]
		if {[lindex $mod 0] >= 0} {
			dict set f mod [string range $line {*}$mod]
		}
		lappend frames $f
	}
	return $frames
}

# Which of TABLE's entries for the frame's SYM it is, as {ADDR SECTION}, or
# {} when none fits or several do. OFF must lie within LEN, the size the
# kernel printed: the distance to its next symbol, which is the symbol's
# size plus its padding. So the entry whose size is LEN, else the one whose
# size is a little less (up to 256 bytes of padding); one without a size
# only when it is the only entry. A module whose functions do not have the
# sizes the kernel printed is not the one that ran: nothing resolves.
proc symbolize::_pick {table f} {
	set sym [dict get $f sym]
	if {![dict exists $table $sym]} {
		return {}
	}
	scan [dict get $f off] %llx off
	scan [dict get $f len] %llx len
	if {$off > $len} {
		return {}
	}
	set cands [dict get $table $sym]
	set exact {}
	set padded {}
	foreach c $cands {
		set size [lindex $c 1]
		if {$size eq ""} {
			continue
		}
		scan $size %llx size
		if {$size == $len} {
			lappend exact $c
		} elseif {$size < $len && $len - $size <= 256} {
			lappend padded $c
		}
	}
	if {[llength $exact] == 1} {
		set pick [lindex $exact 0]
	} elseif {![llength $exact] && [llength $padded] == 1} {
		set pick [lindex $padded 0]
	} elseif {[llength $cands] == 1 && [lindex $cands 0 1] eq ""} {
		set pick [lindex $cands 0]
	} else {
		return {}
	}
	lassign $pick addr size sec
	scan $addr %llx base
	return [list [expr {($base + $off) & 0xffffffffffffffff}] $sec]
}

# addr2line on OBJ for ADDRS (numbers) in SECTION ("" for an executable):
# a dict ADDR -> list of {FUNC FILE LINE}, innermost first, FILE with the
# object's strip prefixes cut. An answer that does not come back in exactly
# the shape asked for resolves nothing.
proc symbolize::_lines {obj sec addrs} {
	variable state
	set words [list addr2line -e [dict get $obj path] -f -i -a]
	if {$sec ne ""} {
		if {![regexp {^\.[A-Za-z0-9_.]{1,64}$} $sec]} {
			return {}
		}
		lappend words -j $sec
	}
	foreach a $addrs {
		lappend words [format 0x%llx $a]
	}
	lassign [_run [dict get $obj wrapper] $words $state(a2l_max)] out more
	if {$more} {
		return {}
	}
	set lines [split [string trimright $out \n] \n]
	set result [dict create]
	set i 0
	set n [llength $lines]
	foreach a $addrs {
		if {$i >= $n || ![regexp {^0x([0-9a-f]{1,16})$} [lindex $lines $i] -> got] ||
		    [scan $got %llx] != $a} {
			return {}
		}
		incr i
		set locs {}
		while {$i + 1 < $n && ![regexp {^0x[0-9a-f]{1,16}$} [lindex $lines $i]]} {
			set func [lindex $lines $i]
			set loc [lindex $lines [expr {$i + 1}]]
			incr i 2
			if {![regexp {^(.+):([0-9]+)(?: \(discriminator [0-9]+\))?$} $loc -> file line] ||
			    $file eq "??" || $line == 0} {
				continue
			}
			foreach p [dict get $obj strip] {
				if {[string first $p $file] == 0} {
					set file [string range $file [string length $p] end]
					break
				}
			}
			regsub {^(\./)+} $file "" file
			lappend locs [list $func $file $line]
		}
		dict set result $a $locs
	}
	if {$i != $n} {
		return {}
	}
	return $result
}

# symbolize::resolve TEXT OBJECTS: TEXT with its frames' source locations, and
# the frames. OBJECTS is a dict: module name ("" for the kernel itself) ->
# dict of
#   path     the object (vmlinux, or the module's .ko)
#   rel      1 for a relocatable object (a .ko), 0 for vmlinux
#   wrapper  words to run the tools under (e.g. a sandbox), or {}
#   strip    path prefixes cut from the locations (e.g. the kernel source)
# Returns {TEXT FRAMES}: FRAMES as from _frames_in, each with
# "line" (its line's index in TEXT) and "locs" (list of {FUNC FILE LINE},
# innermost first; {} when unresolved).
proc symbolize::resolve {text objects} {
	variable state
	set state(deadline) [expr {[clock seconds] + $state(budget)}]
	set lines [split $text \n]
	set frames {}
	# Pass 1: the frames, and the addresses to ask each object about.
	set ask [dict create]
	set count 0
	set i 0
	foreach line $lines {
		foreach f [_frames_in $line] {
			if {[incr count] > $state(per_report)} {
				break
			}
			dict set f line $i
			dict set f locs {}
			set mod [dict get $f mod]
			if {[dict exists $objects $mod]} {
				set pick [_pick [_table [dict get $objects $mod]] $f]
				if {$pick ne {}} {
					dict set f addr [lindex $pick 0]
					dict set f sec [lindex $pick 1]
					dict lappend ask [list $mod [lindex $pick 1]] [lindex $pick 0]
				}
			}
			lappend frames $f
		}
		incr i
	}
	# Pass 2: one addr2line call per object and section, a few sections
	# an object.
	set found [dict create]
	set calls [dict create]
	dict for {key addrs} $ask {
		lassign $key mod sec
		dict set found $key {}
		dict incr calls $mod
		if {[dict get $calls $mod] <= $state(calls)} {
			dict set found $key [_lines [dict get $objects $mod] \
				$sec [lsort -unique -integer $addrs]]
		}
	}
	# Pass 3: the locations into the frames and after their text, from
	# each line's end so that the indices stay right.
	set out {}
	foreach f $frames {
		if {[dict exists $f addr]} {
			set res [dict get $found [list [dict get $f mod] [dict get $f sec]]]
			if {[dict exists $res [dict get $f addr]]} {
				dict set f locs [dict get $res [dict get $f addr]]
			}
		}
		lappend out $f
	}
	set frames $out
	foreach f [lreverse $frames] {
		set locs [dict get $f locs]
		if {![llength $locs]} {
			continue
		}
		set where {}
		foreach l $locs {
			lappend where [lindex $l 1]:[lindex $l 2]
		}
		set n [dict get $f line]
		set line [lindex $lines $n]
		set end [dict get $f end]
		lset lines $n "[string range $line 0 $end] ([join $where " "])[string range $line [expr {$end + 1}] end]"
	}
	return [list [join $lines \n] $frames]
}

# symbolize::where FRAMES MOD DIR: where a report points in module MOD, as
# "FILE:LINE (FUNC)": the faulting instruction (the RIP frame) when it is in
# MOD, else MOD's first trace line that is not a guess; of the frame's
# inlined locations the innermost in DIR (the module's own sources), else
# the outermost (the line in the frame's function). "" when no such frame
# was resolved. FUNC is addr2line's name for it, or the frame's SYM.
proc symbolize::where {frames mod dir} {
	set pick {}
	foreach want {rip alone} {
		foreach f $frames {
			if {[dict get $f mod] eq $mod && [dict get $f $want] &&
			    ![dict get $f maybe] && [llength [dict get $f locs]]} {
				set pick $f
				break
			}
		}
		if {$pick ne {}} {
			break
		}
	}
	if {$pick eq {}} {
		return ""
	}
	set locs [dict get $pick locs]
	set loc [lindex $locs end]
	foreach l $locs {
		if {$dir ne "" && [string first $dir [lindex $l 1]] == 0} {
			set loc $l
			break
		}
	}
	lassign $loc func file line
	if {![regexp {^[A-Za-z_.][A-Za-z0-9_.]*$} $func]} {
		set func [dict get $pick sym]
	}
	return "$file:$line ($func)"
}

# symbolize::report TEXT TITLE CONFIG: a kernel report (its console lines) and
# its title, symbolized for the lab's kernel and module. CONFIG is a dict:
#   vmlinux  the kernel (built by the lab: its tools run directly)
#   ksrc     the kernel source tree, cut from the kernel's locations
#   moddir   where the module under test was built (ipclab.ko), and
#   modsrc   the student's directory its paths are shown as
#   wrapper  words (a Tcl list) the tools on ipclab.ko, an object the
#            student's code produced, run under (a sandbox); when it is not
#            a list, the module's frames stay unresolved
# Returns a dict: text title (with moddir's paths as modsrc's) and where
# ("FILE:LINE (FUNC)" of the module, see symbolize::where, or "").
proc symbolize::report {text title config} {
	set objects [dict create]
	set vmlinux [dict get $config vmlinux]
	if {$vmlinux ne "" && [file isfile $vmlinux]} {
		set strip {}
		foreach dir [list [dict get $config ksrc] [file dirname $vmlinux]] {
			if {$dir ne ""} {
				lappend strip [file normalize $dir]/
			}
		}
		dict set objects "" [dict create path [file normalize $vmlinux] rel 0 \
			wrapper {} strip $strip]
	}
	set moddir [dict get $config moddir]
	set wrapper [dict get $config wrapper]
	if {$moddir ne "" && [file isfile $moddir/ipclab.ko] &&
	    ![catch {llength $wrapper}]} {
		dict set objects ipclab [dict create \
			path [file normalize $moddir/ipclab.ko] rel 1 \
			wrapper $wrapper strip {}]
	}
	lassign [resolve $text $objects] text frames
	set dir [expr {$moddir eq "" ? "" : "[file normalize $moddir]/"}]
	set where [where $frames ipclab $dir]
	set modsrc [dict get $config modsrc]
	if {$moddir ne "" && $modsrc ne ""} {
		set paths [list $dir $modsrc/]
		if {"$moddir/" ne $dir} {
			lappend paths $moddir/ $modsrc/
		}
		set text [string map $paths $text]
		set title [string map $paths $title]
		set where [string map $paths $where]
	}
	return [dict create text $text title $title where $where]
}
