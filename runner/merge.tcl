# Merge the result directories of several runs (e.g. SHARD=1/3 .. 3/3, on
# one or more kernels) into one: results.tap, junit.xml, results.json and
# logs/, with the totals of all of them. Each directory must hold the
# results.model a run writes; its suite (kernel and profile, "6.12-min")
# says which run it was. Shards of one suite must not share a test; when
# the directories come from several suites, each test is named after its
# suite ("6.1-min/chardev/poll" in TAP and JSON, one JUnit testsuite per
# suite) and its log is under logs/<suite>/.
#
# usage: tclsh merge.tcl OUTDIR DIR...
# OUTDIR is written as OUTDIR.new and then renamed; the results it
# replaces are kept as OUTDIR.prev.
# Exit: 0 all passed, 1 some failed, 2 bad input.

source [file dirname [file normalize [info script]]]/report.tcl

proc bad {msg} {
	puts stderr "merge: [lab_escape $msg]"
	exit 2
}

# The model of one run's directory: elapsed, results, suite.
proc read_model {dir} {
	if {![file exists $dir/results.model]} {
		bad "$dir/results.model is missing (hint: DIRS names the results/ directories of finished runs)"
	}
	if {[catch {results::read_model_file $dir/results.model} model]} {
		bad "$dir/results.model: $model"
	}
	return $model
}

proc main {argv} {
	if {[llength $argv] < 2} {
		bad "usage: merge.tcl OUTDIR DIR..."
	}
	set out [lindex $argv 0]
	set dirs [lrange $argv 1 end]
	set models {}
	set suites {}
	foreach dir $dirs {
		lassign [read_model $dir] secs part suite
		lappend models [list $dir $secs $part $suite]
		foreach r $part {
			set s [expr {[dict exists $r suite] ? [dict get $r suite] : $suite}]
			if {$s ni $suites} {
				lappend suites $s
			}
		}
	}
	set many [expr {[llength $suites] > 1}]
	set results {}
	set elapsed 0.0
	set seen [dict create]
	file delete -force $out.new
	file mkdir $out.new/logs
	foreach m $models {
		lassign $m dir secs part suite
		set elapsed [expr {$elapsed + $secs}]
		foreach r $part {
			if {![dict exists $r suite]} {
				dict set r suite $suite
			}
			set key [list [dict get $r suite] [dict get $r name]]
			if {[dict exists $seen $key]} {
				file delete -force $out.new
				bad "[dict get $r name] is in both [dict get $seen $key] and $dir\
					(hint: DIRS names each shard of a kernel once)"
			}
			dict set seen $key $dir
			if {!$many} {
				dict unset r suite
			} elseif {[dict get $r suite] eq ""} {
				dict set r suite unknown
			}
			if {$many && [dict exists $r subtests]} {
				set subs {}
				foreach sub [dict get $r subtests] {
					lappend subs [dict merge $sub [dict create suite [dict get $r suite]]]
				}
				dict set r subtests $subs
			}
			lappend results $r
		}
		set to $out.new/logs
		if {$many} {
			set s [expr {$suite eq "" ? "unknown" : $suite}]
			set to $out.new/logs/$s
		}
		foreach log [glob -nocomplain -directory $dir/logs */*.log] {
			set mech [file tail [file dirname $log]]
			file mkdir $to/$mech
			file copy -force $log $to/$mech/
		}
	}
	results::write $out.new $results [llength $results] $elapsed \
		[expr {$many ? "" : [lindex $suites 0]}]
	results::replace $out
	puts "merge: [llength $dirs] directories into $out"
	if {$many} {
		puts "merge: suites: [join $suites {, }]"
	}
	foreach line [results::not_passed $results $out] {
		puts $line
	}
	lassign [results::summary $results] line failed
	puts $line
	exit [expr {$failed ? 1 : 0}]
}

main $argv
