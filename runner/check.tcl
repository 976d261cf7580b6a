# Test the tester without QEMU: classify recorded kernel consoles, and check
# that console text stays data: the symbolizer resolves real frames and
# runs nothing of a hostile console, and every file the runner writes holds
# it escaped.
#
# Each runner/fixtures/*.console starts with a line
#   # expect: VERDICT TITLE-REGEXP
# and the rest is console output recorded while one test ran. The check
# feeds it through the same console watch the runner uses.
# hostile-warn.console is a module's attack on the host: code in frames'
# symbols (once run by decode_stacktrace.sh), terminal escapes, forged TAP
# and grade lines, C1 bytes.
#
# Prints "ok - ..." and "not ok - ..." lines, "SKIP - ..." for a check this
# machine cannot run (not a pass), then "N passed, N failed[, N skipped]".
# LAB_CHECK_VMLINUX: the kernel to check symbolization on (default: the
# newest debug build in the lab's cache; runner/env.tcl).
# Exit: 0 when no check failed.

set here [file dirname [file normalize [info script]]]
source $here/lib.tcl

set passed 0
set failed 0
set skipped 0

proc check {ok what} {
	global passed failed
	if {$ok} {
		puts "ok - [lab_escape $what \n]"
		incr passed
	} else {
		puts "not ok - [lab_escape $what \n]"
		incr failed
	}
}

proc skip {what why} {
	global skipped
	puts "SKIP - $what: $why"
	incr skipped
}

proc slurp {path {enc utf-8}} {
	set f [open $path]
	# No line-end translation: a \r in a console is the guest's.
	fconfigure $f -encoding $enc -translation lf
	set text [read $f]
	close $f
	return $text
}

# --- The recorded consoles.

proc classify {file} {
	set text [slurp $file [encoding system]]
	console::watch fixture
	set lines [split $text \n]
	regexp {^# expect: (\S+) ?(.*)$} [lindex $lines 0] -> want title_re
	foreach line [lrange $lines 1 end] {
		console::line "$line\n"
	}
	set k [console::kernel]
	return [list $want $title_re [dict get $k verdict] [dict get $k title]]
}

console::start_log /dev/null 1000000000
console::load_patterns $here/crash-patterns
foreach file [lsort [glob -directory $here/fixtures *.console]] {
	lassign [classify $file] want title_re got title
	set name [file rootname [file tail $file]]
	check [expr {$got eq $want && [regexp -- $title_re $title]}] \
		"$name: $got ($title)[expr {$got eq $want ? "" : ", expected $want"}]"
}
console::end_log

# --- lab_escape: nothing a terminal or a parser acts on, and unambiguous.

# What no escaped text may hold: controls but \n and \t, DEL, C1, the line
# separators and bidi controls, what XML 1.0 cannot hold.
set unsafe {[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]}

# The inverse of lab_escape, as its comment defines it.
proc unescape {s} {
	set out ""
	set i 0
	set n [string length $s]
	while {$i < $n} {
		set c [string index $s $i]
		set d [string index $s $i+1]
		if {$c eq "\\" && $d eq "\\"} {
			append out "\\"
			incr i 2
		} elseif {$c eq "\\" && $d eq "x" &&
			  [regexp {^[0-9a-f]{2}$} [string range $s $i+2 $i+3]]} {
			append out [format %c 0x[string range $s $i+2 $i+3]]
			incr i 4
		} elseif {$c eq "\\" && $d eq "u" &&
			  [regexp {^[0-9a-f]{4}$} [string range $s $i+2 $i+5]]} {
			append out [format %c 0x[string range $s $i+2 $i+5]]
			incr i 6
		} else {
			append out $c
			incr i
		}
	}
	return $out
}

proc check_escape {} {
	global unsafe
	set alphabet [list "\\" x u 1 f # \n \t \r \x1b \x00 \x7f \x9b \u0085 \
		\u00e9 \u2028 \u202e \ud800 \uffff \u251b]
	expr {srand(1)}
	set bad {}
	for {set k 0} {$k < 3000 && [llength $bad] < 3} {incr k} {
		set s ""
		for {set j [expr {int(rand() * 8)}]} {$j > 0} {incr j -1} {
			append s [lindex $alphabet [expr {int(rand() * [llength $alphabet])}]]
		}
		foreach extra {"" #} {
			set e [lab_escape $s $extra]
			if {[unescape $e] ne $s || [regexp $unsafe $e] ||
			    ($extra eq "#" && [string first # $e] >= 0)} {
				lappend bad [list $s $extra $e]
			}
		}
	}
	check [expr {![llength $bad]}] "lab_escape: 6000 random strings escaped safe and read back exactly[expr {[llength $bad] ? ": [lindex $bad 0]" : ""}]"
	set e [lab_escape "\x1b\[2J \\x1b C:\\dir\ttab\n"]
	check [expr {$e eq "\\x1b\[2J \\\\x1b C:\\dir\ttab\n"}] \
		"lab_escape: ESC is \\x1b, a guest's own \\x1b is \\\\x1b, other backslashes stay ($e)"
}
check_escape

# --- The environment interface: env.tcl lists every LAB_* variable a
# runner file names, and names none that no runner file does.

proc check_env {} {
	global here
	set listed {}
	foreach line [split [slurp $here/env.tcl] \n] {
		if {[regexp {^#   (LAB_[A-Z_]+)} $line -> name]} {
			lappend listed $name
		}
	}
	set used {}
	# The runner's files, and the lab's suites (suites/*/*.exp: make
	# suite reads its own).
	foreach file [concat [glob -directory $here -types f *] \
			[glob -nocomplain [file join $here .. suites * *.exp]]] {
		if {[file tail $file] ne "env.tcl"} {
			lappend used {*}[regexp -all -inline {LAB_[A-Z_]+} [slurp $file]]
		}
	}
	set used [lsort -unique $used]
	set missing [lmap v $used {expr {$v in $listed ? [continue] : $v}}]
	set stale [lmap v $listed {expr {$v in $used ? [continue] : $v}}]
	check [expr {![llength $missing] && ![llength $stale] && [llength $listed]}] \
		"env.tcl: [llength $listed] LAB_* variables, each one a runner file or a suite uses[expr {[llength $missing] ? "; not listed: $missing" : ""}][expr {[llength $stale] ? "; used nowhere: $stale" : ""}]"
}
check_env

# --- The result model: results::new fills every key, refuses others.

proc check_result_new {} {
	set r [results::new t/x 2 FAIL why log L]
	check [expr {$r eq {name t/x points 2 duration 0.000 subtests {} verdict FAIL message why log L ktitle {} kreport {} kloc {}} &&
		[catch {results::new t/x 2 FAIL why kloc}] &&
		[catch {results::new t/x 2 FAIL why title T}]}] \
		"results::new: every key of the model in its order, defaults, no key without a value or outside the model"
}
check_result_new

# --- The model a run appends to: read back whole, after a kill inside a
# record, before the end; REPEAT's later record of a test replaces its
# earlier one; grading's strict reading takes only a finished run; anything
# else is refused, in time linear in its size.
proc check_model_stream {} {
	set a [results::new t/a 1 PASS "" duration 0.250 log "x\nresult \{y\\n"]
	set b [results::new t/b 2 FAIL "b\nresult z" duration 0.500]
	set text "ipclab-model 2\n[results::model_record suite 6.12-min]"
	foreach r [list $a $b [dict replace $a verdict FAIL]] {
		append text [results::model_record result $r]
	}
	set open $text
	append text [results::model_record elapsed 9.5]
	lassign [results::read_model $text 1] el res suite
	set verdicts [lmap r $res {string cat [dict get $r name]:[dict get $r verdict]}]
	set ok [expr {$el == 9.5 && $suite eq "6.12-min" && $verdicts eq {t/a:FAIL t/b:FAIL} &&
		[dict get [lindex $res 0] log] eq [dict get $a log]}]
	lassign [results::read_model $open] el res
	set ok [expr {$ok && $el == 0.750 && [llength $res] == 2}]
	# Killed half-way through the last record.
	set torn [string range $open 0 end-20]
	lassign [results::read_model $torn] el res
	set ok [expr {$ok && [lmap r $res {dict get $r verdict}] eq {PASS FAIL} &&
		[catch {results::read_model $torn 1}] && [catch {results::read_model $open 1}]}]
	foreach bad [list "" "1.0 {} 6.12-min\n" "ipclab-model 2\nsuite\n" \
			"ipclab-model 2\nexec {rm -rf /}\n" "ipclab-model 2\nresult {a b c}\n" "\{\n" \
			"ipclab-model 2\n[results::model_record elapsed Inf]"] {
		set ok [expr {$ok && [catch {results::read_model $bad 1} err opts] &&
			[dict get $opts -errorcode] eq {LAB MODEL}}]
	}
	# A hostile model: many short records, then lines full of "result"
	# (which a cut-and-retry reading took quadratic time on), and more
	# records than allowed: refused in well under a second.
	set big "ipclab-model 2\n[string repeat "result {name a}\n" 20000]"
	append big "result \{name b log \{[string repeat "\nresult " 20000]"
	set t0 [clock milliseconds]
	set ok [expr {$ok && [catch {results::read_model $big}] &&
		[catch {results::read_model [string range $big 0 320000] 1 10}]}]
	set ms [expr {[clock milliseconds] - $t0}]
	check [expr {$ok && $ms < 2000}] "results::read_model: a streamed model read whole, before its end and after a kill inside a record (strict: refused); a test's later record wins; other text refused; a 600 KB hostile model in $ms ms"
}
check_model_stream

# --- KTAP: a copy of an unfinished plan's lines (a forked child's stdio
# buffer) is dropped; a program that runs again after its plan counts again.
proc check_ktap_copy {} {
	set st [ktap::new]
	foreach line {{TAP version 13} 1..3 {ok 1 a} {ok 2 b} 1..3 {ok 1 a} {ok 2 b}
			{not ok 3 c} 1..1 {ok 1 a}} {
		ktap::line st $line
	}
	set names {}
	foreach r [dict get $st results] {
		lappend names [lindex $r 0]:[lindex $r 1]
	}
	check [expr {[dict get $st plan] == 4 && $names eq {a:PASS b:PASS c:FAIL a:PASS}}] \
		"ktap: a copy of an unfinished plan's lines counts once, a program run again counts (plan [dict get $st plan], $names)"
}
check_ktap_copy

# --- A stand-in for a module: a relocatable object with functions in
# .text and .init.text and an inlined helper, compiled here (like a .ko,
# every section at 0). The expected lines come from the source.

set tmp [file join [expr {[info exists env(TMPDIR)] ? $env(TMPDIR) : "/tmp"}] ipclab-check-[pid]]
file delete -force $tmp
file mkdir $tmp/mod
set src {/* A stand-in for a module object. */
static inline __attribute__((always_inline)) int helper(int x) { return x * 5 + 3; }
int mark_a(int x) { return x * 3 + 1; }
int mark_c(int x) { return helper(x) ^ 0x55; }
__attribute__((section(".init.text"))) int mark_b(int x) { return x + 7; }
}
set f [open $tmp/mod/m.c w]
puts -nonewline $f $src
close $f
foreach fn {helper mark_a mark_c mark_b} {
	set srcline($fn) [expr {[lsearch -regexp [split $src \n] "int $fn\\("] + 1}]
}
set have_obj [expr {![catch {exec sh -c {cd "$1" && cc -g -O2 -c m.c -o ipclab.ko} sh $tmp/mod 2>@1}]}]

# Every word a tool got, one a line: the wrapper (LAB_TOOL_WRAPPER) records
# them, then runs the tool.
set argvlog $tmp/argv.log
set recorder [list sh -c "printf '%s\\n' \"\$@\" >>'$argvlog'; exec \"\$@\"" wrap]

proc tool_words_ok {obj} {
	global argvlog
	if {![file exists $argvlog]} {
		return 0
	}
	foreach w [split [string trimright [slurp $argvlog] \n] \n] {
		if {$w ni [list nm -f sysv --defined-only -S addr2line -e -i -a -j $obj] &&
		    ![regexp {^0x[0-9a-f]{1,16}$|^\.[a-z.]+$} $w]} {
			return 0
		}
	}
	return 1
}

# --- The hostile console: WARN, nothing run, nothing resolved, all escaped.

proc check_hostile {} {
	global here tmp have_obj recorder argvlog unsafe
	set canary /tmp/ipclab-pwned
	file delete -force $canary
	console::start_log $tmp/console.log 1000000000
	set file $here/fixtures/hostile-warn.console
	lassign [classify $file] want title_re got title
	console::end_log
	set report [dict get [console::kernel] report]
	set config [dict create vmlinux "" ksrc "" moddir "" modsrc /home/student/lab \
		wrapper $recorder]
	if {$have_obj} {
		# The stand-in as both the kernel and the module: the tools run
		# and look every hostile symbol up.
		dict set config vmlinux $tmp/mod/ipclab.ko
		dict set config moddir $tmp/mod
	}
	set sym [symbolize::report $report $title $config]
	set objects [dict create]
	if {$have_obj} {
		set objects [dict create "" [dict create path $tmp/mod/ipclab.ko rel 0 \
			wrapper {} strip {}] ipclab [dict create path $tmp/mod/ipclab.ko \
			rel 1 wrapper $recorder strip {}]]
	}
	lassign [symbolize::resolve $report $objects] text frames
	set resolved 0
	foreach fr $frames {
		incr resolved [expr {[llength [dict get $fr locs]] > 0}]
	}
	check [expr {$got eq "WARN"}] "hostile-warn: classified as WARN from the raw line"
	check [expr {![file exists $canary]}] "hostile-warn: symbolizing ran nothing of the console ($canary not created)"
	# Well-formed: foo+0x1/0x2 (not in the kernel), ? mark_a+0x9/0x5
	# [ipclab] (past its end), system+0x1/0x2 [ipclab] (not in the
	# module). mark_a+0x1/0x5 [ipclab]$(...) is not a frame: it would
	# resolve.
	check [expr {$resolved == 0 && [llength $frames] == 3 && $text eq $report &&
		[dict get $sym text] eq $report && [dict get $sym where] eq ""}] \
		"hostile-warn: 3 well-formed frames, none resolved (not in the object, or past its end), the text as it came"
	if {$have_obj} {
		check [tool_words_ok [file normalize $tmp/mod/ipclab.ko]] \
			"hostile-warn: the tools got only lab words: options, the object, hex numbers"
	} else {
		skip "hostile-warn: the tools on an object" "no C compiler to make one"
	}

	# The result files of a test that saw this console.
	set all [slurp $file [encoding system]]
	set r [dict create name faults/hostile points 1 verdict WARN \
		message "the guest said:\n$all\nkernel: [dict get $sym title]" \
		duration 0.100 log "$all--- kernel report ---\n[dict get $sym text]" \
		ktitle [dict get $sym title] kreport [dict get $sym text] kloc "" \
		subtests [list [dict create name "faults/hostile/x\r\nok 9 - y # SKIP\x1b\[2J" \
			points 0 verdict FAIL message "ok 10 - z\rTotal: 998/998\u2028ok 11" \
			duration 0.000 log "" ktitle "" kreport "" kloc ""]]]
	file mkdir $tmp/out/logs
	set tap [results::tap_line 1 $r]
	results::write $tmp/out [list $r] 1 0.1
	results::write_log $tmp/out $r
	set files [list stdout $tap]
	foreach name {results.tap junit.xml results.json logs/faults/hostile.log} {
		lappend files $name [slurp $tmp/out/$name]
	}
	lappend files console.log [slurp $tmp/console.log [encoding system]]
	foreach {name text} $files {
		check [expr {![regexp $unsafe $text] && [string first "\\x1b" $text] >= 0}] \
			"hostile-warn: $name holds no control character but \\n and \\t, ESC shows as \\x1b"
	}
	check [expr {[string first {y\x0dok 2 - y} [dict get $files console.log]] >= 0 &&
		[string first {y\x0dok 2 - y} [dict get $files results.tap]] >= 0}] \
		"hostile-warn: a \\r inside a line shows as \\x0d (console.log, TAP), it overwrites nothing"
	# TAP: every line one the lab made; the guest's only after "# ".
	set shapes {^(TAP version 13|1\.\.1|(    )?(KTAP version 1|1\.\.1|(not )?ok 1 - [-a-z0-9/]+[^#]*( # [A-Z]+)?|# .*))$}
	set forged {}
	foreach line [split [string trimright [dict get $files results.tap] \n] \n] {
		if {![regexp $shapes $line]} {
			lappend forged $line
		}
	}
	check [expr {![llength $forged] && [regexp -all -line {^(    )?(not )?ok } [dict get $files results.tap]] == 2}] \
		"hostile-warn: results.tap is the lab's lines only (2 results), the guest's text after \"# \"[expr {[llength $forged] ? ": [lindex $forged 0]" : ""}]"
	if {[auto_execok jq] ne ""} {
		check [expr {![catch {exec jq -e .tests $tmp/out/results.json >/dev/null}]}] \
			"hostile-warn: results.json is valid JSON (jq)"
	} else {
		skip "hostile-warn: results.json parses" "no jq here"
	}
	if {[auto_execok xmllint] ne ""} {
		check [expr {![catch {exec xmllint --noout $tmp/out/junit.xml}]}] \
			"hostile-warn: junit.xml is well-formed XML 1.0 (xmllint)"
	} else {
		skip "hostile-warn: junit.xml parses" "no xmllint here"
	}
}
check_hostile

# --- BROKEN (a test's own error, LTP's TBROK) in every writer and count.

proc check_broken {} {
	global tmp
	set sub [dict create name suite/x/msgget03 points 0 verdict BROKEN \
		message "msgget03.c:40: TBROK: msgget failed" duration 0.000 log "" \
		ktitle "" kreport "" kloc ""]
	set r [dict create name suite/x points 0 verdict BROKEN message \
		"1 of 2 subtests broken" duration 0.100 log "" ktitle "" kreport "" \
		kloc "" subtests [list $sub [dict merge $sub [dict create \
		name suite/x/kill11 verdict PASS message ""]]]]
	file mkdir $tmp/broken
	results::write $tmp/broken [list $r] 1 0.1
	set tap [slurp $tmp/broken/results.tap]
	set junit [slurp $tmp/broken/junit.xml]
	set json [slurp $tmp/broken/results.json]
	check [expr {[results::rank BROKEN] < [results::rank FAIL] &&
		[results::rank BROKEN] > [results::rank SKIP] &&
		![results::passed BROKEN] && [results::earned $r] == 0}] \
		"broken: ranked between SKIP and FAIL (every kernel verdict beats it), not passed, earns nothing"
	check [expr {[string first "not ok 1 - suite/x/msgget03 # BROKEN" $tap] >= 0}] \
		"broken: TAP says not ok ... # BROKEN"
	check [expr {[regexp {<error type="BROKEN" message="msgget03.c:40: TBROK} $junit] &&
		[regexp {errors="2"} $junit] && [regexp {failures="0"} $junit]}] \
		"broken: JUnit has it as an <error>, not a <failure>"
	check [expr {[string first {"verdict": "BROKEN"} $json] >= 0}] \
		"broken: JSON carries the verdict"
	lassign [results::summary [list $r]] line failed
	check [expr {$line eq "1 passed, 0 failed, 2 broken" && $failed == 2}] \
		"broken: counted apart in the summary line, and it fails the run: $line"
}
check_broken

# --- Real frames: the stand-in module (always), the debug kernel (when
# built).

proc check_module {} {
	global tmp have_obj recorder srcline argvlog
	if {!$have_obj} {
		skip "symbolize a module" "no C compiler to make one"
		return
	}
	file delete $argvlog
	set text "\[    1.000000\]\[   T1\] RIP: 0010:mark_b+0x2/0x4 \[ipclab\]\n"
	append text "\[    1.000001\]\[   T1\]  ? mark_a+0x1/0x5 \[ipclab\]\n"
	append text "\[    1.000002\]\[   T1\]  mark_c+0x1/0x8 \[ipclab\]\n"
	set config [dict create vmlinux "" ksrc "" moddir $tmp/mod \
		modsrc /home/student/lab wrapper $recorder]
	set r [symbolize::report $text "" $config]
	set lines [split [dict get $r text] \n]
	set s /home/student/lab/m.c
	check [expr {[lindex $lines 0] eq "\[    1.000000\]\[   T1\] RIP: 0010:mark_b+0x2/0x4 \[ipclab\] ($s:$srcline(mark_b))"}] \
		"symbolize a module: a .init.text frame gets its own section's line (m.c:$srcline(mark_b)): [lindex $lines 0]"
	check [expr {[lindex $lines 1] eq "\[    1.000001\]\[   T1\]  ? mark_a+0x1/0x5 \[ipclab\] ($s:$srcline(mark_a))"}] \
		"symbolize a module: a .text frame (m.c:$srcline(mark_a)): [lindex $lines 1]"
	check [expr {[lindex $lines 2] eq "\[    1.000002\]\[   T1\]  mark_c+0x1/0x8 \[ipclab\] ($s:$srcline(helper) $s:$srcline(mark_c))"}] \
		"symbolize a module: an inlined helper, innermost first: [lindex $lines 2]"
	check [expr {[dict get $r where] eq "$s:$srcline(mark_b) (mark_b)"}] \
		"symbolize a module: the report points at the RIP frame: [dict get $r where]"
	set r2 [symbolize::report [join [lrange [split $text \n] 1 end] \n] "" $config]
	check [expr {[dict get $r2 where] eq "$s:$srcline(helper) (helper)"}] \
		"symbolize a module: else at the first trace line that is not a guess, its innermost line: [dict get $r2 where]"
	check [tool_words_ok [file normalize $tmp/mod/ipclab.ko]] \
		"symbolize a module: nm and addr2line ran under the wrapper, with lab words only"
	dict set config wrapper "\{"
	set r3 [symbolize::report $text "" $config]
	check [expr {[dict get $r3 text] eq $text}] \
		"symbolize a module: a wrapper that is not a Tcl list runs nothing on the module"
}
check_module

proc find_vmlinux {} {
	global env
	if {[info exists env(LAB_CHECK_VMLINUX)]} {
		return $env(LAB_CHECK_VMLINUX)
	}
	set cache [expr {[info exists env(XDG_CACHE_HOME)] && $env(XDG_CACHE_HOME) ne "" ?
		$env(XDG_CACHE_HOME) : "$env(HOME)/.cache"}]/ipclab
	set best ""
	foreach v [glob -nocomplain $cache/kernel/*-debug-*/vmlinux] {
		if {$best eq "" || [file mtime $v] > [file mtime $best]} {
			set best $v
		}
	}
	return $best
}

# start_kernel+0 is the line of its definition in init/main.c.
proc check_vmlinux {} {
	set vmlinux [find_vmlinux]
	if {$vmlinux eq "" || ![file isfile $vmlinux]} {
		skip "symbolize the debug kernel" "no debug vmlinux built (make kernel PROFILE=debug)"
		return
	}
	if {[catch {exec readelf -S --wide $vmlinux} sections] ||
	    [string first .debug_line $sections] < 0} {
		skip "symbolize the debug kernel" "$vmlinux has no DWARF"
		return
	}
	set ksrc [file dirname $vmlinux]/source
	if {[file exists $ksrc] && [file type $ksrc] eq "link"} {
		set ksrc [file normalize [file join [file dirname $ksrc] [file readlink $ksrc]]]
	}
	set t0 [clock milliseconds]
	set obj [dict create path [file normalize $vmlinux] rel 0 wrapper {} strip {}]
	set table [symbolize::symbols $obj]
	set size 0x1000
	if {[dict exists $table start_kernel]} {
		set size 0x[lindex [dict get $table start_kernel] 0 1]
	}
	set text "\[    0.000000\]\[    T0\]  start_kernel+0x0/[format 0x%llx $size]"
	set r [symbolize::report $text "" [dict create vmlinux $vmlinux ksrc $ksrc \
		moddir "" modsrc "" wrapper {}]]
	set ms [expr {[clock milliseconds] - $t0}]
	set got [dict get $r text]
	set ok [regexp {\((init/main\.c):([0-9]+)\)$} $got -> file line]
	if {$ok} {
		set src [split [slurp $ksrc/init/main.c] \n]
		set ok [regexp {start_kernel\(} [join [lrange $src $line-2 $line-1] \n]]
	}
	check $ok "symbolize the debug kernel: start_kernel+0x0 at its definition in init/main.c, $ms ms: $got"
}
check_vmlinux

file delete -force $tmp
set line "$passed passed, $failed failed"
if {$skipped} {
	append line ", $skipped skipped"
}
puts $line
exit [expr {$failed > 0}]
