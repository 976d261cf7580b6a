# The expect library: boot the guest, run commands on its shell, assert on
# their output, and watch the kernel console for crashes while doing so.
#
# Two channels from one QEMU: ttyS0 is the kernel console (QEMU's stdio),
# ttyS1 a pty with the guest's shell on it. lab(con) and lab(sh) are their
# spawn ids. Testcases use only the lab_* procs; _lab_* are private.
#
# Every console byte is the guest's, and the guest runs the student's module
# in ring 0: console text is only data here. It is classified as it came
# (the crash patterns see the kernel's own words), and escaped (lab_escape,
# runner/escape.tcl) wherever it leaves the runner; kernel reports are
# symbolized by runner/symbolize.tcl, which never hands it to a program.

source [file join [file dirname [file normalize [info script]]] escape.tcl]
source [file join [file dirname [file normalize [info script]]] symbolize.tcl]

log_user 0
set lab(tests) {}
set lab(seq) 0
set lab(kpatterns) {}
set lab(current) ""
set lab(con) ""
set lab(sh) ""
set lab(mon) ""
set lab(qemu_pid) 0
set lab(sync) ""
set lab(synced) 0
set lab(sync_waiting) 0
set lab(capturing) 0
set lab(kgrace) 0
set lab(draining) 0
set lab(log) ""
set lab(log_cap) 262144
set lab(modargs) ""
set lab(subtests) {}

# The value of environment variable NAME, or DEFAULT when unset or empty.
proc env_or {name default} {
	global env
	if {[info exists env($name)] && $env($name) ne ""} {
		return $env($name)
	}
	return $default
}

# The testcase API (lab_test, lab_run, lab_match, ...) and the guest's
# control (console watch, boot, the host's reads of guest memory).
source [file join [file dirname [file normalize [info script]]] testcase.tcl]
source [file join [file dirname [file normalize [info script]]] guest.tcl]
