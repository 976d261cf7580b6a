# Test the tester: classify recorded kernel consoles without QEMU.
#
# Each runner/fixtures/*.console starts with a line
#   # expect: VERDICT TITLE-REGEXP
# and the rest is console output recorded while one test ran. The check
# feeds it through the same console watch the runner uses.
# Exit: 0 when every fixture is classified as expected.

set here [file dirname [file normalize [info script]]]
source $here/lib.tcl

proc classify {file} {
	global lab
	set f [open $file]
	set text [read $f]
	close $f
	set lab(current) fixture
	set lab(kverdict) PASS
	set lab(ktitle) ""
	set lab(kreport) ""
	set lab(report_lines) 0
	set lines [split $text \n]
	regexp {^# expect: (\S+) ?(.*)$} [lindex $lines 0] -> want title_re
	foreach line [lrange $lines 1 end] {
		_lab_console_line "$line\n"
	}
	return [list $want $title_re $lab(kverdict) $lab(ktitle)]
}

_lab_console_open /dev/null 1000000000
_lab_load_patterns $here/crash-patterns
set passed 0
set failed 0
foreach file [lsort [glob -directory $here/fixtures *.console]] {
	lassign [classify $file] want title_re got title
	set name [file rootname [file tail $file]]
	if {$got eq $want && [regexp -- $title_re $title]} {
		puts "ok - $name: $got ($title)"
		incr passed
	} else {
		puts "not ok - $name: expected $want /$title_re/, got $got ($title)"
		incr failed
	}
}
puts "$passed passed, $failed failed"
exit [expr {$failed > 0}]
