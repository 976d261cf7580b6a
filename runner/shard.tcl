# SHARD=i/N for the driver (run.exp): which tests a slice holds
# (namespace shard, no state).

namespace eval shard {}

# SHARD=i/N: the i-th of N stable, balanced slices. Tests are dealt longest
# first (durations from LAB_DURATIONS, "name<tab>seconds" lines; unknown
# tests count as the median) to the slice with the least time so far; the
# slice keeps the suite's order. Same inputs, same slices, on every machine.
proc shard::slice {tests i n durfile} {
	set dur [dict create]
	if {$durfile ne "" && [file exists $durfile]} {
		set f [open $durfile]
		foreach line [split [read $f] \n] {
			if {[regexp {^(\S+)\t([0-9.]+)$} $line -> name secs]} {
				dict set dur $name $secs
			}
		}
		close $f
	}
	set known [lsort -real [dict values $dur]]
	set median [expr {[llength $known] ? [lindex $known [expr {[llength $known] / 2}]] : 1.0}]
	set weighted {}
	foreach t $tests {
		lappend weighted [list $t [expr {[dict exists $dur $t] ? [dict get $dur $t] : $median}]]
	}
	set load [lrepeat $n 0.0]
	set mine [dict create]
	foreach pair [lsort -real -decreasing -index 1 [lsort -index 0 $weighted]] {
		lassign $pair t secs
		set best 0
		for {set k 1} {$k < $n} {incr k} {
			if {[lindex $load $k] < [lindex $load $best]} {
				set best $k
			}
		}
		lset load $best [expr {[lindex $load $best] + $secs}]
		if {$best == $i - 1} {
			dict set mine $t 1
		}
	}
	set slice {}
	foreach t $tests {
		if {[dict exists $mine $t]} {
			lappend slice $t
		}
	}
	return $slice
}
