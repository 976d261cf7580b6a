# Merge the result directories of several runs (e.g. SHARD=1/3 .. 3/3) into
# one: results.tap, junit.xml, results.json and logs/, with the totals of
# all of them. Each directory must hold the results.model a run writes.
#
# usage: tclsh merge.tcl OUTDIR DIR...
# Exit: 0 all passed, 1 some failed, 2 bad input.

source [file dirname [file normalize [info script]]]/report.tcl

proc main {argv} {
	if {[llength $argv] < 2} {
		puts stderr "merge: usage: merge.tcl OUTDIR DIR..."
		exit 2
	}
	set out [lindex $argv 0]
	set results {}
	set elapsed 0.0
	set seen [dict create]
	foreach dir [lrange $argv 1 end] {
		if {![file exists $dir/results.model]} {
			puts stderr "merge: $dir/results.model is missing (hint: DIRS names the results/ directories of finished runs)"
			exit 2
		}
		set f [open $dir/results.model]
		fconfigure $f -encoding utf-8
		lassign [read $f] secs part
		close $f
		set elapsed [expr {$elapsed + $secs}]
		foreach r $part {
			set name [dict get $r name]
			if {[dict exists $seen $name]} {
				puts stderr "merge: $name is in both [dict get $seen $name] and $dir"
				exit 2
			}
			dict set seen $name $dir
			lappend results $r
		}
		foreach log [glob -nocomplain -directory $dir/logs */*.log] {
			set mech [file tail [file dirname $log]]
			file mkdir $out/logs/$mech
			file copy -force $log $out/logs/$mech/
		}
	}
	file mkdir $out
	_lab_write_results $out $results [llength $results] $elapsed
	lassign [_lab_summary $results] line failed
	puts "merge: [llength [lrange $argv 1 end]] directories into $out"
	puts $line
	exit [expr {$failed ? 1 : 0}]
}

main $argv
