# Refuse a submission's sources before they are compiled when they ask the
# compiler or assembler for files that are not theirs: an #include that is
# absolute, climbs with "..", or is computed by a macro; an #include_next,
# #import or #embed; a #line or line marker (they rename files in the
# compiler's messages); an assembler .incbin or .include. Digraphs (%:) and
# GNU raw strings are read as the compiler reads them. The sandbox (scripts/sandbox.sh)
# hides the host's files in any case; this check turns such a request into a
# clear BUILD_ERROR naming the file and line instead of a confusing compiler
# message. Text is only read and matched, never evaluated.
#
# usage: tclsh check-sources.tcl DIR
# Prints "FILE:LINE: error: ..." per refusal; exit 0 clean, 1 refused.

source [file join [file dirname [file normalize [info script]]] .. runner escape.tcl]

# The source with backslash-newlines spliced (as the preprocessor does
# first) and comments blanked, keeping line numbers: a list of lines.
proc logical_lines {text} {
	set text [string map {\r ""} $text]
	# Splice, but keep a newline per spliced line at the end of the
	# logical line so that numbers stay right.
	set out {}
	set pending 0
	set cur ""
	foreach line [split $text \n] {
		if {[string index $line end] eq "\\"} {
			append cur [string range $line 0 end-1]
			incr pending
			continue
		}
		append cur $line
		lappend out $cur
		for {set i 0} {$i < $pending} {incr i} {
			lappend out ""
		}
		set cur ""
		set pending 0
	}
	# Block comments may span lines: blank them line by line.
	set incomment 0
	set rawend ""
	set clean {}
	foreach line $out {
		set res ""
		set i 0
		set n [string length $line]
		while {$i < $n} {
			if {$rawend ne ""} {
				set e [string first $rawend $line $i]
				if {$e < 0} {
					set i $n
					break
				}
				set i [expr {$e + [string length $rawend]}]
				set rawend ""
				continue
			}
			if {$incomment} {
				set e [string first */ $line $i]
				if {$e < 0} {
					set i $n
					break
				}
				set i [expr {$e + 2}]
				set incomment 0
				append res " "
				continue
			}
			set c [string index $line $i]
			set two [string range $line $i [expr {$i + 1}]]
			if {$two eq "/*"} {
				set incomment 1
				incr i 2
			} elseif {$two eq "//"} {
				break
			} elseif {[regexp -start $i {\A(?:u8|[uUL])?R"([^ ()\\\t]{0,16})\(} $line m delim]} {
				# A raw string (GNU C): no escapes, no comments, until
				# )delim" — perhaps lines later.
				set e [string first )$delim\" $line [expr {$i + [string length $m]}]]
				if {$e < 0} {
					set rawend )$delim\"
					set i $n
				} else {
					set i [expr {$e + [string length $delim] + 2}]
				}
				append res { "" }
			} elseif {$c eq "\"" || $c eq "'"} {
				# A literal: copied whole, so "/*" inside it is no comment.
				set j [expr {$i + 1}]
				while {$j < $n && [string index $line $j] ne $c} {
					if {[string index $line $j] eq "\\"} {
						incr j
					}
					incr j
				}
				append res [string range $line $i $j]
				set i [expr {$j + 1}]
			} else {
				append res $c
				incr i
			}
		}
		lappend clean $res
	}
	return $clean
}

# Why an include operand is refused, or "" when it is allowed: a plain
# "name.h" of the submission's own, or a <dir/name.h> of the kernel's.
proc include_problem {operand} {
	if {[regexp {^"([^"]*)"$} $operand -> path] ||
	    [regexp {^<([^>]*)>$} $operand -> path]} {
		if {[string index $path 0] eq "/"} {
			return "an absolute path"
		}
		if {[lsearch -exact [split $path /] ..] >= 0} {
			return "a path that climbs with .."
		}
		if {![regexp {^[A-Za-z0-9_][A-Za-z0-9_./-]*$} $path]} {
			return "a path with unusual characters"
		}
		if {[string index $operand 0] eq "\"" && [string first / $path] >= 0} {
			return "a quoted path into a directory (only the submission's own headers, by plain name)"
		}
		return ""
	}
	return "a computed include (only literal \"file.h\" or <linux/...> are allowed)"
}

proc check_file {path name} {
	set f [open $path rb]
	set text [encoding convertfrom iso8859-1 [read $f]]
	close $f
	set problems {}
	set n 0
	foreach line [logical_lines $text] {
		incr n
		set where "[lab_escape $name]:$n: error:"
		# "%:" is the digraph of "#".
		if {[regexp {^\s*(?:#|%:)\s*(include_next|import|embed|line)\M} $line -> dir]} {
			lappend problems "$where #$dir is not allowed in a submission"
		} elseif {[regexp {^\s*(?:#|%:)\s*[0-9]} $line]} {
			lappend problems "$where a line marker (# NUMBER) is not allowed in a submission"
		} elseif {[regexp {^\s*(?:#|%:)\s*include\s*(.*?)\s*$} $line -> operand]} {
			set why [include_problem $operand]
			if {$why ne ""} {
				lappend problems "$where #include [lab_escape $operand]: $why"
			}
		}
		if {[regexp -nocase {\.(incbin|include)\M} $line -> dir]} {
			lappend problems "$where the assembler directive .[string tolower $dir] is not allowed in a submission (it reads files at build time)"
		}
	}
	return $problems
}

proc main {argv} {
	lassign $argv dir
	set problems {}
	foreach path [lsort [glob -nocomplain -types f -directory $dir *.c *.h]] {
		lappend problems {*}[check_file $path [file tail $path]]
	}
	foreach p $problems {
		puts $p
	}
	exit [expr {[llength $problems] > 0}]
}

main $argv
