# Print "name<tab>seconds" for every test of a run's results.model: the
# durations SHARD balances with (runner/durations.tsv).
#
# usage: tclsh durations.tcl RESULTS.MODEL

source [file join [file dirname [file normalize [info script]]] report.tcl]

lassign [results::read_model_file [lindex $argv 0]] elapsed results
foreach r [lsort -index 1 $results] {
	puts "[dict get $r name]\t[dict get $r duration]"
}
