#!/bin/sh
# Unpack (once), configure and build a lab kernel out of tree.
#
# usage: build-kernel.sh SRC BUILD FRAGMENT...
#   SRC    kernel source tree; if it does not exist yet it is unpacked from
#          $TARBALL (Debian's /usr/src/linux-source-X.Y.tar.xz)
#   BUILD  output directory (make O=BUILD); cached between runs
# Environment: TARBALL, JOBS, V (1 = show the kernel's own output).
set -eu

die() {
	printf 'build-kernel: %s\n' "$*" >&2
	exit 1
}

unpack() {
	[ -f "$SRC/Makefile" ] && return 0
	[ -n "${TARBALL:-}" ] || die "no kernel tree at $SRC (hint: set KERNEL_SRC to a kernel source tree)"
	[ -f "$TARBALL" ] || die "$TARBALL is missing (hint: run 'make deps')"
	printf 'kernel: unpacking %s\n' "$TARBALL"
	tmp="$SRC.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$TARBALL" -C "$tmp" --strip-components=1
	mv "$tmp" "$SRC"
}

# The symbols the fragments ask for that BUILD's .config does not have. A
# symbol set in two fragments counts as the later one sets it, as in
# merge_config.sh (the debug profile's fragment overrides the grading one's).
missing_symbols() {
	[ -f "$BUILD/.config" ] || { echo ' (no .config)'; return 0; }
	cat "$@" | sed -n 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p; s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' |
		tac | LC_ALL=C sort -s -u -t= -k1,1 |
		while IFS= read -r want; do
			sym=${want%%=*}
			# if, not &&: a last symbol that is fine must not fail the
			# loop, which set -e would take for the script's failure.
			case "$want" in
			*=n) if grep -q "^$sym=" "$BUILD/.config"; then printf ' %s' "$want"; fi ;;
			*) if ! grep -qx "$want" "$BUILD/.config"; then printf ' %s' "$want"; fi ;;
			esac
		done
}

# tinyconfig, then the fragments, then check that Kconfig kept every symbol
# they ask for: it silently drops a symbol whose dependencies are unmet.
configure() {
	printf 'kernel: configuring %s with %s\n' "$BUILD" "$*"
	make -s -C "$SRC" O="$BUILD" tinyconfig >/dev/null
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$BUILD" "$BUILD/.config" "$@" >/dev/null
	make -s -C "$SRC" O="$BUILD" olddefconfig >/dev/null
	missing=$(missing_symbols "$@")
	if [ -n "$missing" ]; then
		rm -f "$BUILD/.config"
		die "Kconfig dropped:$missing (hint: add the missing dependencies to the fragment)"
	fi
}

# BUILD counts as configured only once its .config passed the check: the
# stamp is written last, so a configure cut short (Ctrl-C, a CI timeout
# after tinyconfig wrote .config) is redone, not built. A .config from
# before the stamp existed is checked, not redone (that would rebuild).
configured() {
	stamp="$BUILD/.ipclab-configured"
	[ -f "$stamp" ] && return 0
	[ -z "$(missing_symbols "$@")" ] || configure "$@"
	: >"$stamp"
}

# The build writes to a log; progress is one line every 15 s.
build() {
	log="$BUILD/build.log"
	start=$(date +%s)
	printf 'kernel: building in %s (log: %s)\n' "$BUILD" "$log"
	if [ "${V:-0}" = 1 ]; then
		make -C "$SRC" O="$BUILD" -j"$JOBS" bzImage modules headers 2>&1 | tee "$log"
		return
	fi
	make -C "$SRC" O="$BUILD" -j"$JOBS" bzImage modules headers >"$log" 2>&1 &
	pid=$!
	trap 'kill "$pid" 2>/dev/null; exit 130' INT TERM
	while kill -0 "$pid" 2>/dev/null; do
		i=0
		while [ $i -lt 15 ] && kill -0 "$pid" 2>/dev/null; do
			sleep 1
			i=$((i + 1))
		done
		kill -0 "$pid" 2>/dev/null &&
			printf 'kernel: %d s, %d steps done\n' "$(($(date +%s) - start))" "$(grep -c '^  [A-Z]' "$log" || true)"
	done
	if ! wait "$pid"; then
		grep -E 'error|Error' "$log" | head -n 20 >&2
		die "kernel build failed, see $log"
	fi
	printf 'kernel: built in %d s\n' "$(($(date +%s) - start))"
}

main() {
	[ $# -ge 3 ] || die "usage: build-kernel.sh SRC BUILD FRAGMENT..."
	SRC=$1
	BUILD=$2
	shift 2
	JOBS=${JOBS:-$(nproc)}
	unpack
	mkdir -p "$BUILD"
	configured "$@"
	build
}

main "$@"
