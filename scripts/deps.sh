#!/bin/sh
# Check for every Debian package the lab needs; as root, install the missing ones.
set -eu

# qemu-system-x86: the guest; busybox-static: the guest's userland;
# expect: the runner; linux-source-*: the kernels; flex ... lz4: to build them;
# musl-tools: small static test programs; sparse, shellcheck: make lint;
# kmod: modinfo for module checks; python3-yaml: check-ci-templates;
# parallel, patch: make grade-all, check-grade; libpopt-dev (static libpopt,
# for mqueue) and rsync (kselftest's install): make selftests;
# bubblewrap: the sandbox that builds a graded submission; gnuplot-nox:
# make bench's chart of the tests' durations.
# KERNELS: the Debian kernel sources make deps installs (KERNEL_VERSION).
KERNELS="6.12 6.1"
PACKAGES="qemu-system-x86 busybox-static expect tcl
$(for v in $KERNELS; do printf 'linux-source-%s ' "$v"; done)
make gcc libc6-dev flex bison bc libelf-dev libssl-dev cpio lz4 xz-utils kmod
musl-tools sparse shellcheck python3-yaml
parallel patch libpopt-dev rsync bubblewrap gnuplot-nox"

# One dpkg-query for all (every make test asks: a query a package took
# 0.7 s in all).
missing() {
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $PACKAGES 2>/dev/null |
		sed -n 's/^\([^ ]*\) install ok installed$/\1/p' | tr '\n' ' ')"
	for p in $PACKAGES; do
		case "$installed" in
		*" $p "*) ;;
		*) printf '%s ' "$p" ;;
		esac
	done
}

main() {
	# scripts/check-vars.sh: which KERNEL_VERSIONs make deps can install.
	if [ "${1:-}" = --kernels ]; then
		echo "$KERNELS"
		return 0
	fi
	command -v dpkg-query >/dev/null ||
		{ echo "deps: dpkg-query not found (hint: ipclab expects Debian 12 or a derivative)" >&2; exit 1; }
	need=$(missing)
	[ -z "$need" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages: $need" >&2
		echo "deps: install them with: sudo apt-get install -y $need" >&2
		exit 1
	fi
	echo "deps: installing $need"
	export DEBIAN_FRONTEND=noninteractive
	# apt's own lines are the progress: the package lists, then "Need to
	# get N MB of archives", a Get: line per download and a Setting up
	# line per package.
	echo "deps: apt-get update"
	apt-get update -q
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	apt-get install -y -q --no-install-recommends $need ||
		{ echo "deps: apt-get install failed (hint: run 'apt-get install $need' to see why)" >&2; exit 1; }
	need=$(missing)
	[ -z "$need" ] || { echo "deps: still missing after install: $need" >&2; exit 1; }
}

main "$@"
