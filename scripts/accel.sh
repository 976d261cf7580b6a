#!/bin/sh
# Decide between KVM and TCG. KVM counts only if a probe boot of the lab's
# own kernel reaches user space within a few seconds: /dev/kvm can exist on
# a host where nested virtualisation hangs every guest.
#
# usage: accel.sh ACCEL CACHE_FILE QEMU_ARGV...
#   ACCEL is kvm, tcg or auto; the answer for auto is cached in CACHE_FILE,
#   keyed by the host kernel and QEMU version.
set -eu

PROBE_SECONDS=5

main() {
	accel=$1 cache=$2
	shift 2
	case "$accel" in
	kvm | tcg)
		echo "$accel"
		return
		;;
	auto) ;;
	*)
		echo "accel: ACCEL=$accel is not kvm, tcg or auto" >&2
		exit 1
		;;
	esac
	key="$(uname -r) $(qemu-system-x86_64 --version | head -n 1)"
	if [ -f "$cache" ] && [ "$(sed -n 2p "$cache")" = "$key" ]; then
		sed -n 1p "$cache"
		return
	fi
	answer=tcg
	why="/dev/kvm is not usable"
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		start=$(date +%s%N)
		if timeout "$PROBE_SECONDS" "$@" -accel kvm -serial stdio \
			-append "console=ttyS0 quiet ipclab.mode=probe" </dev/null 2>&1 |
			grep -q "ipclab: probe ok"; then
			answer=kvm
			why="probe boot reached user space"
		else
			why="probe boot did not reach user space within $PROBE_SECONDS s"
		fi
		why="$why ($((($(date +%s%N) - start) / 1000000)) ms)"
	fi
	echo "accel: auto chose $answer: $why" >&2
	mkdir -p "$(dirname "$cache")"
	printf '%s\n%s\n' "$answer" "$key" >"$cache"
	echo "$answer"
}

main "$@"
