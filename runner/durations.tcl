# Print "name<tab>seconds" for every test of a run's results.model: the
# durations SHARD balances with (runner/durations.tsv).
#
# usage: tclsh durations.tcl RESULTS.MODEL

set f [open [lindex $argv 0]]
lassign [read $f] elapsed results
close $f
foreach r [lsort -index 1 $results] {
	puts "[dict get $r name]\t[dict get $r duration]"
}
