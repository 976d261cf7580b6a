# Answers about finished runs from their result model (results.model, which
# the runner and runner/score.tcl write), so that scripts never read the
# layout of results.json with sed or grep. A graded directory with hidden
# tests is read from its teacher/ copy, which has them all.
#
# usage: tclsh query.tcl score DIR       "SCORE MAX" (the points rule of
#                                        report.tcl: SKIP earns nothing)
#        tclsh query.tcl tests DIR       a line per test and subtest:
#                                        NAME<tab>VERDICT<tab>EARNED<tab>POINTS
#        tclsh query.tcl reasons DIR     a line per test and subtest:
#                                        NAME<tab>VERDICT<tab>the first line
#                                        of its reason, escaped
#        tclsh query.tcl class OUT ID...  grade-all's tables of a class, in
#                                        OUT/grade/: summary.csv (name, id,
#                                        score, max, a count per verdict,
#                                        lab_failure 0/1), matrix.csv and
#                                        matrix.md (student x test); each ID
#                                        as prepared in OUT/grade-in/
# Exit: 0; 2 when a directory holds no result model.

source [file join [file dirname [file normalize [info script]]] report.tcl]

proc model {dir} {
	if {[file isdirectory $dir/teacher]} {
		set dir $dir/teacher
	}
	if {![file isfile $dir/results.model]} {
		puts stderr "query: $dir/results.model is missing (hint: a results/ or out/grade/<name>/ directory of a finished run)"
		exit 2
	}
	if {[catch {results::read_model_file $dir/results.model} model]} {
		puts stderr "query: $dir/results.model: [lab_escape $model]"
		exit 2
	}
	return [results::flatten [lindex $model 1]]
}

# A CSV field: quoted when it holds a comma, a quote or a line break.
proc csv {s} {
	if {[regexp {[",\n\r]} $s]} {
		return "\"[string map {\" \"\"} $s]\""
	}
	return $s
}

# The fields of one CSV line as csv wrote them.
proc _query_csv_split {line} {
	set fields {}
	while {1} {
		if {[regexp {^"((?:[^"]|"")*)"(,|$)(.*)$} $line -> f sep rest]} {
			lappend fields [string map {\"\" \"} $f]
		} else {
			regexp {^([^,]*)(,|$)(.*)$} $line -> f sep rest
			lappend fields $f
		}
		if {$sep eq ""} {
			return $fields
		}
		set line $rest
	}
}

# A Markdown table cell: no pipe, no line break, no markup.
proc md {s} {
	return [string map {| \\| \n " " ` ' * \\* _ \\_ < &lt; > &gt; [ \\[ ] \\]} [lab_escape $s]]
}

# summary.csv's columns, in the order they always had (BROKEN came later:
# before BUILD_ERROR); every verdict of results::verdicts.
set verdicts {PASS FAIL SKIP TIMEOUT WARN LEAK OOPS PANIC BROKEN BUILD_ERROR}

proc slurp {path} {
	set f [open $path]
	fconfigure $f -encoding utf-8
	set text [read $f]
	close $f
	return $text
}

# summary.csv, and the matrix of the graded ones.
proc class {out ids} {
	global verdicts
	set csv "name,id,score,max,[join $verdicts ,],lab_failure\n"
	set graded {}
	foreach id $ids {
		set raw [slurp $out/grade-in/$id.name]
		set name [lab_escape $raw \n]
		set status ""
		catch {set status [string trim [slurp $out/grade-all.done/$id]]}
		if {$status ne "graded"} {
			append csv "[join [concat [list [csv $name] [csv $id] {} {}] \
				[lrepeat [llength $verdicts] {}] 1] ,]\n"
			continue
		}
		set results [model $out/grade/$id]
		set counts {}
		foreach v $verdicts {
			lappend counts [llength [lsearch -all -exact [lmap r $results {dict get $r verdict}] $v]]
		}
		append csv "[csv $name],[csv $id],[join [results::score $results] ,],[join $counts ,],0\n"
		lappend graded [list $raw $out/grade/$id]
	}
	results::write_file $out/grade/summary.csv $csv
	# The same as a Markdown table, to show: one line per submission.
	set md ""
	foreach line [split [string trimright $csv \n] \n] {
		set cells [lmap c [_query_csv_split $line] {md $c}]
		append md "| [join $cells { | }] |\n"
		if {$md eq "| [join $cells { | }] |\n"} {
			append md "|[string repeat " --- |" [llength $cells]]\n"
		}
	}
	results::write_file $out/grade/summary.md $md
	matrix $out/grade/matrix.csv $out/grade/matrix.md $graded
}

# PAIRS: {NAME DIR} each.
proc matrix {csvfile mdfile pairs} {
	set tests {}
	set rows {}
	foreach pair $pairs {
		lassign $pair name dir
		set cells [dict create]
		foreach r [model $dir] {
			set t [dict get $r name]
			if {$t ni $tests} {
				lappend tests $t
			}
			dict set cells $t "[dict get $r verdict] [results::earned $r]/[dict get $r points]"
		}
		lappend rows [list $name $cells]
	}
	set csv "student,[join [lmap t $tests {csv $t}] ,]\n"
	set md "| student | [join [lmap t $tests {md $t}] { | }] |\n"
	append md "|[string repeat " --- |" [expr {[llength $tests] + 1}]]\n"
	foreach row $rows {
		lassign $row name cells
		set line [list [csv [lab_escape $name \n]]]
		set mline [list [md $name]]
		foreach t $tests {
			set c [expr {[dict exists $cells $t] ? [dict get $cells $t] : "-"}]
			lappend line [csv $c]
			lappend mline [md $c]
		}
		append csv [join $line ,] \n
		append md "| [join $mline { | }] |\n"
	}
	results::write_file $csvfile $csv
	results::write_file $mdfile $md
}

proc main {argv} {
	set args [lassign $argv cmd]
	switch -- $cmd {
		score {
			puts [join [results::score [model [lindex $args 0]]]]
		}
		tests {
			foreach r [model [lindex $args 0]] {
				puts [join [list [dict get $r name] [dict get $r verdict] \
					[results::earned $r] [dict get $r points]] \t]
			}
		}
		reasons {
			foreach r [model [lindex $args 0]] {
				puts [join [list [lab_escape [dict get $r name] "\t\n"] \
					[dict get $r verdict] [lab_escape [lindex [split \
					[dict get $r message] \n] 0] "\t\n"]] \t]
			}
		}
		class {
			class [lindex $args 0] [lrange $args 1 end]
		}
		default {
			puts stderr "query: usage: query.tcl score|tests|reasons DIR, or class OUT ID..."
			exit 2
		}
	}
}

main $argv
