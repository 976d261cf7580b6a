# A failing test's repro bundle for make test, written by the driver
# (run.exp) at the end of a run. (make grade's bundles are the host's own:
# scripts/grade.sh, write_bundle.) Namespace repro, no state.

namespace eval repro {}

proc repro::_quote {s} {
	return '[string map {' '\\''} $s]'
}

# A repro bundle for a failing test: the exact QEMU command, the kernel
# config, the artifacts' hashes, the seed, the console and the transcript,
# and repro.sh, which checks the hashes and runs that one test again.
# QEMU_CMD: the argv the test failed under (guest::qemu_cmd); RUNNER: the
# run.exp that repro.sh runs.
proc repro::write {dir out name seed qemu_cmd runner} {
	set d $dir/$name
	file delete -force $d
	file mkdir $d
	results::write_file $d/qemu.cmdline "[join [lmap a $qemu_cmd {_quote $a}]]\n"
	results::write_file $d/seed "$seed\n"
	set vmlinux [env_or LAB_VMLINUX ""]
	if {$vmlinux ne "" && [file exists [file dirname $vmlinux]/.config]} {
		file copy -force [file dirname $vmlinux]/.config $d/kernel.config
	}
	set files {}
	foreach {opt path} $qemu_cmd {
		if {$opt in {-kernel -initrd}} {
			lappend files $path
		}
	}
	# The module the runner carries in, else the one the symbols come from.
	set ko [env_or LAB_MODULE [env_or LAB_MODDIR ""]/ipclab.ko]
	if {[file exists $ko]} {
		lappend files $ko
	}
	set sums ""
	foreach f $files {
		append sums [exec sha256sum [file normalize $f]] \n
	}
	results::write_file $d/sha256sums $sums
	file copy -force $out/console.log $d/console.log
	if {[file exists $out/logs/$name.log]} {
		file copy -force $out/logs/$name.log $d/test.log
	}
	set script "#!/bin/sh\n# Replay $name on the artifacts it failed on, with its seed.\n"
	append script "# usage: repro.sh \[OUTDIR\] (default: replay/ next to this script)\n"
	append script "set -eu\nHERE=\$(cd \"\$(dirname \"\$0\")\" && pwd)\n"
	append script "sha256sum -c --quiet \"\$HERE/sha256sums\" || {\n"
	append script "\techo 'repro: the artifacts changed since the failure\
		(hint: rebuild them from the same sources, or compare with sha256sums)' >&2\n"
	append script "\texit 2\n}\n"
	foreach var {LAB_QEMU LAB_APPEND LAB_TESTDIRS LAB_SCALE LAB_MODULE LAB_MODARGS
			LAB_VMLINUX LAB_KSRC LAB_MODDIR LAB_MODSRC} {
		append script "$var=[_quote [env_or $var ""]]\n"
	}
	# make suite's programs: its list goes into the bundle (the
	# programs themselves are in the initramfs, checked above).
	set progs [env_or LAB_PROGS_LIST ""]
	if {$progs ne "" && [file exists $progs]} {
		file copy -force $progs $d/programs.list
		append script "LAB_PROGS_LIST=\"\$HERE/programs.list\"\n"
		foreach var {LAB_PROGS_NAME LAB_PROGS_FORMAT} {
			append script "$var=[_quote [env_or $var ""]]\n"
		}
		append script "export LAB_PROGS_LIST LAB_PROGS_NAME LAB_PROGS_FORMAT\n"
	}
	append script "LAB_TESTS=[_quote $name]\nLAB_SEED=$seed\n"
	append script "LAB_OUT=\"\${1:-\$HERE/replay}/results\"\n"
	append script "export LAB_QEMU LAB_APPEND LAB_TESTDIRS LAB_SCALE LAB_MODULE\
		LAB_MODARGS LAB_VMLINUX LAB_KSRC LAB_MODDIR LAB_MODSRC LAB_TESTS LAB_SEED LAB_OUT\n"
	append script "exec expect [_quote $runner]\n"
	results::write_file $d/repro.sh $script
	file attributes $d/repro.sh -permissions 0755
}
