#!/bin/sh
# make suite: check a folder of static programs, then pack it as a cpio
# archive to append to the lab's initramfs (as make selftests does), with
# the list of programs the runner runs (suites/suite/suite.exp).
#
# usage: suite.sh check DIR [BINDIR]
#        suite.sh pack DIR BINDIR GEN_INIT_CPIO OUTDIR OUTPUT TIMEOUT
#   DIR is the suite: DIR/bin/* (or, a folder of C files without bin/, the
#   programs BINDIR holds, one per DIR/*.c), DIR/runtest (optional: LTP's
#   "tag command [arg]..." lines, # comments: which programs, in which
#   order) and DIR/settings (optional: timeout=N, timeout.TAG=N).
#   check prints nothing and exits 0, or prints one line and exits 2;
#   pack writes OUTDIR/list ("tag<TAB>seconds<TAB>command [arg]..." lines,
#   seconds before the lab's time factor) and OUTPUT, unpacked at
#   /opt/suite (programs in /opt/suite/bin, the runner's side
#   suites/suite/run) with the selftests' /usr/bin/timeout.
# TIMEOUT: SUITE_TIMEOUT, or empty (settings' timeout=, else 300).
set -eu

bad() {
	printf '%s\n' "$*" >&2
	exit 2
}

# A name the guest's shell and the result files take as it is.
plain() {
	case "$1" in
	"" | -* | *[!A-Za-z0-9._+-]*) return 1 ;;
	esac
}

# The programs as "tag command [arg]..." lines: DIR/runtest's, or every
# program of the folder under its own name.
programs() {
	if [ -f "$DIR/runtest" ]; then
		# A line's words as they are: no file names of the host for a *.
		set -f
		n=0
		while IFS= read -r line || [ -n "$line" ]; do
			n=$((n + 1))
			# shellcheck disable=SC2086 # the words of the line
			set -- $line
			case "${1-#}" in
			'#'*) continue ;;
			esac
			[ $# -ge 2 ] || bad "SUITE=$DIR: runtest line $n: '$line' has a tag but no command (hint: 'tag command [arg]...', as LTP's runtest files)"
			printf '%s\n' "$*"
		done <"$DIR/runtest"
	elif [ -n "$SRCS" ]; then
		for f in "$DIR"/*.c; do
			p=${f##*/}
			echo "${p%.c} ${p%.c}"
		done
	else
		for f in "$DIR"/bin/*; do
			if [ -f "$f" ] && [ -x "$f" ]; then
				echo "${f##*/} ${f##*/}"
			fi
		done
	fi
}

# A static ELF program (no program interpreter): what the guest can run.
static_elf() {
	[ "$(head -c 4 "$1" | tail -c 3)" = ELF ] || return 1
	! readelf -lW "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

# Every file that is packed or built: a plain name (it reaches make's
# recipes and the cpio list), and no symlink out of the folder (cp -L
# would copy what it points at).
files() {
	if [ -n "$SRCS" ]; then
		set -- "$DIR"/*.c
	else
		set -- "$DIR"/bin/*
	fi
	top=$(cd "$DIR" && pwd -P)
	for f; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		plain "${f##*/}" || bad "SUITE=$DIR: '${f##*/}': a file name with other than letters, digits and ._+- (hint: rename it)"
		if [ -L "$f" ]; then
			to=$(readlink -f "$f") || to=""
			case "$to" in
			"$top"/*) ;;
			*) bad "SUITE=$DIR: ${f##*/} is a symlink out of the folder (hint: copy the file in)" ;;
			esac
		fi
	done
	return 0
}

check() {
	[ -n "$DIR" ] || bad "SUITE is empty (hint: make suite SUITE=path/to/dir, a folder with bin/ of static programs)"
	[ -d "$DIR" ] || bad "SUITE=$DIR: no such directory (hint: SUITE=path/to/dir, a folder with bin/ of static programs)"
	[ -d "$DIR/bin" ] || [ -n "$SRCS" ] ||
		bad "SUITE=$DIR: no bin/ folder and no C files (hint: install the suite's programs into $DIR/bin)"
	files
	list=$(programs)
	[ -n "$list" ] || bad "SUITE=$DIR: no programs$([ -f "$DIR/runtest" ] && echo ' in its runtest') (hint: executables in $DIR/bin, or lines 'tag program [arg]...' in $DIR/runtest)"
	printf '%s\n' "$list" | while read -r tag cmd rest; do
		plain "$tag" || bad "SUITE=$DIR: tag '$tag': only letters, digits and ._+- (hint: rename it in $DIR/runtest)"
		plain "$cmd" || bad "SUITE=$DIR: $tag: command '$cmd' is not a program name (hint: a file of $DIR/bin, no path, no shell syntax)"
		case "$rest" in
		*[!\ -~]* | *"'"*) bad "SUITE=$DIR: $tag: its arguments hold a quote or a control character (hint: plain words)" ;;
		esac
		if [ -n "$SRCS" ]; then
			[ -f "$DIR/$cmd.c" ] || bad "SUITE=$DIR: $tag: no $cmd.c in $DIR (hint: one C file per program)"
			continue
		fi
		f=$DIR/bin/$cmd
		[ -f "$f" ] || bad "SUITE=$DIR: $tag: $f: no such program (hint: install it into $DIR/bin, or drop its runtest line)"
		static_elf "$f" || bad "SUITE=$DIR: $tag: $f is not a static ELF program (a script, or dynamically linked) (hint: build it with -static, e.g. LDFLAGS=-static; the guest has no libc)"
	done
}

# The settings' value of KEY (timeout, timeout.TAG), or empty.
setting() {
	[ -f "$DIR/settings" ] || return 0
	while IFS='=' read -r k v; do
		[ "$k" = "$1" ] && printf '%s' "$v"
	done <"$DIR/settings"
	return 0
}

number() {
	case "$2" in
	"" | *[!0-9]* | 0*) bad "SUITE=$DIR: $1=$2 is not a positive number of seconds (hint: $1=300)" ;;
	esac
}

pack() {
	bin=$BINDIR
	[ -n "$SRCS" ] || bin=$DIR/bin
	default=${TIMEOUT:-$(setting timeout)}
	default=${default:-300}
	number timeout "$default"
	mkdir -p "$OUTDIR"
	programs | while read -r tag cmd rest; do
		secs=$(setting "timeout.$tag")
		secs=${secs:-$default}
		number "timeout.$tag" "$secs"
		printf '%s\t%s\t%s\n' "$tag" "$secs" "$cmd${rest:+ $rest}"
	done >"$OUTDIR/list.tmp"
	mv "$OUTDIR/list.tmp" "$OUTDIR/list"
	rm -rf "$OUTDIR/pack"
	mkdir -p "$OUTDIR/pack"
	cp -RL "$bin" "$OUTDIR/pack/bin"
	cp "$TOP/suites/suite/run" "$OUTDIR/pack/run"
	strip_elves "$OUTDIR/pack/bin"
	{
		tree_list "$OUTDIR/pack" /opt/suite
		echo "dir /usr 755 0 0"
		echo "dir /usr/bin 755 0 0"
		echo "file /usr/bin/timeout $TOP/suites/selftests/timeout 755 0 0"
	} >"$OUTPUT.list"
	"$GEN" "$OUTPUT.list" >"$OUTPUT.tmp"
	mv "$OUTPUT.tmp" "$OUTPUT"
}

main() {
	TOP=$(cd "$(dirname "$0")/.." && pwd)
	# shellcheck disable=SC1091 # linted on its own
	. "$TOP/scripts/cpio-lib.sh"
	cmd=${1-}
	DIR=${2-}
	DIR=${DIR%/}
	SRCS=""
	if [ -n "$DIR" ] && [ ! -d "$DIR/bin" ]; then
		for f in "$DIR"/*.c; do
			[ -f "$f" ] && SRCS=1
		done
	fi
	case "$cmd" in
	check)
		check
		;;
	pack)
		[ $# -eq 7 ] || bad "usage: suite.sh pack DIR BINDIR GEN_INIT_CPIO OUTDIR OUTPUT TIMEOUT"
		BINDIR=$3 GEN=$4 OUTDIR=$5 OUTPUT=$6 TIMEOUT=$7
		check
		pack
		;;
	*) bad "usage: suite.sh check DIR, or suite.sh pack DIR BINDIR GEN_INIT_CPIO OUTDIR OUTPUT TIMEOUT" ;;
	esac
}

main "$@"
