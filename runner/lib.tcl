# The expect library: boot the guest, run commands on its shell, assert on
# their output, and watch the kernel console for crashes while doing so.
# Sourced by run.exp, gdb.exp, check.tcl and score.tcl; it holds no state
# itself. Each part below keeps its own in its namespace and is used
# through its procs (docs/internals.md, "The runner's parts"):
#   results   report.tcl    the result model, its writers, the staging
#   testcase  testcase.tcl  the testcase API (the global lab_* procs)
#   console   console.tcl   the console watch and the kernel's verdict
#   guest     guest.tcl     QEMU, the guest's shell, the host's reads
#   ktap      ktap.tcl      the KTAP parser the suites share (no state)
# What the runner reads from the environment is listed in env.tcl.

log_user 0

source [file join [file dirname [file normalize [info script]]] env.tcl]
source [file join [file dirname [file normalize [info script]]] escape.tcl]
source [file join [file dirname [file normalize [info script]]] symbolize.tcl]
source [file join [file dirname [file normalize [info script]]] report.tcl]
source [file join [file dirname [file normalize [info script]]] testcase.tcl]
source [file join [file dirname [file normalize [info script]]] ktap.tcl]
source [file join [file dirname [file normalize [info script]]] console.tcl]
source [file join [file dirname [file normalize [info script]]] guest.tcl]
