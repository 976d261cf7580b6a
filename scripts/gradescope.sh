#!/bin/sh
# Make a Gradescope autograder of the lab: OUTDIR/autograder.zip holding
# setup.sh (run once by Gradescope to build its image: the lab's packages
# and the grading kernel), run_autograder (run per submission: make grade on
# /autograder/submission, results in /autograder/results/results.json, with
# report.md as the Markdown output) and the lab itself, as committed.
#
# usage: gradescope.sh TOP OUTDIR
set -eu

die() {
	printf 'gradescope: %s\n' "$*" >&2
	exit 2
}

main() {
	top=$1 out=$2
	git -C "$top" rev-parse --verify -q HEAD >/dev/null ||
		die "$top is not a git checkout with a commit (hint: the autograder holds the lab as committed)"
	rm -rf "$out"
	mkdir -p "$out/ipclab"
	git -C "$top" archive --format=tar HEAD | tar -x -C "$out/ipclab"
	cat >"$out/setup.sh" <<'SETUP'
#!/bin/sh
# Gradescope runs this once, as root, to build the autograder's image (a
# Debian 12 image: the lab uses Debian's kernel sources and packages).
set -eu
apt-get update -q
apt-get install -y -q make
cd "${AUTOGRADER_ROOT:-/autograder}/source/ipclab"
make deps
make kernel PROFILE=grade
SETUP
	cat >"$out/run_autograder" <<'RUN'
#!/bin/sh
# Gradescope runs this per submission: make grade on its files, then the
# results where Gradescope reads them. Arguments are more make variables
# (e.g. TESTS=... to try it out). No debug kernel's run of failed tests
# (EXPLAIN=0): the image has only the grading kernel, and each submission's
# time is Gradescope's.
set -u
AG=${AUTOGRADER_ROOT:-/autograder}
cd "$AG/source/ipclab" || exit 1
mkdir -p "$AG/results"
rm -rf "$AG/work"
make grade SUBMISSION="$AG/submission" OUT="$AG/work" EXPLAIN=0 "$@"
json=$AG/work/grade/submission/gradescope.json
if [ -f "$json" ]; then
	cp "$json" "$AG/results/results.json"
else
	printf '%s\n' '{"score": 0, "output": "The lab could not grade this submission; the instructor has been told to look at the autograder log.", "tests": []}' \
		>"$AG/results/results.json"
fi
RUN
	chmod 755 "$out/setup.sh" "$out/run_autograder"
	(cd "$out" && python3 -m zipfile -c autograder.zip setup.sh run_autograder ipclab)
	echo "gradescope: $out/autograder.zip (upload it as the autograder; the image must be Debian 12)"
}

main "$@"
