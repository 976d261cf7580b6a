# lab_escape TEXT ?EXTRA?: TEXT safe for a terminal, a log or a result file,
# and still readable. Guest console text, compiler messages and file names
# leave the lab only through here.
#
# Made visible as \xHH: every C0 control but newline and tab (so also \r,
# \v, \f, ESC), DEL, every C1 control U+0080..U+009F (also what a stray byte
# 0x80..0x9f of invalid UTF-8 decodes to: CSI, NEL, OSC, ...), and each
# character of EXTRA (e.g. "#" for a TAP description). Made visible as
# \uHHHH: the line and paragraph separators U+2028 U+2029, the bidi
# overrides and isolates U+202A..U+202E U+2066..U+2069 (they reorder what a
# line shows), and what XML 1.0 cannot hold: lone surrogates
# U+D800..U+DFFF, U+FFFE, U+FFFF. Everything else is kept.
#
# A backslash stays a backslash, except one that an escape could be read
# into: a backslash before another backslash, an "x", a "u" or a character
# escaped here is doubled. So the text can be read back exactly, left to
# right: "\\" is one backslash, "\xHH" and "\uHHHH" one character, and any
# other backslash is itself. (A guest printing the four characters \x1b
# shows as \\x1b; a real ESC shows as \x1b.)
#
# Run as a script it is a filter: tclsh escape.tcl [-line] <in >out.

# The procs are global (lab_escape, lab_escaped, lab_escape_shown); their
# tables are namespace escape's: what is escaped, as a regexp bracket class
# (without the brackets) and as a string map; surrogates and U+FFFE/U+FFFF
# are too many for the map.
namespace eval escape {
	variable class {\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff}
	variable map [apply {{} {
		set map {}
		for {set c 0} {$c < 0xa0} {incr c} {
			if {$c < 0x20 && $c != 9 && $c != 10 || $c >= 0x7f} {
				lappend map [format %c $c] [format {\x%02x} $c]
			}
		}
		foreach c {0x2028 0x2029 0x202a 0x202b 0x202c 0x202d 0x202e 0x2066 0x2067 0x2068 0x2069} {
			lappend map [format %c $c] [format {\u%04x} $c]
		}
		return $map
	}}]
}

proc escape::_char {c} {
	scan $c %c n
	return [format [expr {$n < 0x100 ? {\x%02x} : {\u%04x}}] $n]
}

proc lab_escape {text {extra ""}} {
	set class $escape::class
	set map $escape::map
	foreach c [split $extra ""] {
		append class [format {\u%04x} [scan $c %c]]
		lappend map $c [escape::_char $c]
	}
	if {![regexp "\[\\\\$class\]" $text]} {
		return $text
	}
	regsub -all "\\\\(?=\[\\\\xu$class\])" $text {\\\\} text
	set text [string map $map $text]
	if {[regexp {[\ud800-\udfff\ufffe\uffff]} $text]} {
		set out ""
		foreach c [split $text ""] {
			if {[regexp {[\ud800-\udfff\ufffe\uffff]} $c]} {
				set c [escape::_char $c]
			}
			append out $c
		}
		set text $out
	}
	return $text
}

# lab_escaped TEXT: 1 when TEXT holds nothing lab_escape would make
# visible (e.g. a file the runner already wrote escaped, like console.log):
# safe to show as it is. Escaping it again would double its backslashes.
proc lab_escaped {text} {
	return [expr {![regexp "\[$escape::class\]" $text]}]
}

# lab_escape_shown TEXT: TEXT to show a person, line by line: a line that
# is already safe (lab_escaped) is kept as it is, any other is escaped. For
# text that may hold both, such as make's output around the runner's
# already escaped TAP; not for files meant to be read back.
proc lab_escape_shown {text} {
	set out {}
	foreach line [split $text \n] {
		lappend out [expr {[lab_escaped $line] ? $line : [lab_escape $line]}]
	}
	return [join $out \n]
}

# As a filter, for the shell scripts' output: lab_escape_shown; with -line,
# lab_escape with newlines escaped too (a file name, which must stay on one
# line). At most 16 MB is read: no input can make it grow without bound.
if {[info exists argv0] && [file normalize $argv0] eq [file normalize [info script]]} {
	fconfigure stdin -translation binary
	fconfigure stdout -encoding utf-8 -translation lf
	set text [encoding convertfrom utf-8 [read stdin 16777216]]
	if {[lindex $argv 0] eq "-line"} {
		puts -nonewline [lab_escape $text \n]
	} else {
		puts -nonewline [lab_escape_shown $text]
	}
}
