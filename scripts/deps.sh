#!/bin/sh
# Check for every Debian package the lab needs; as root, install the missing ones.
set -eu

# qemu-system-x86: the guest; busybox-static: the guest's userland;
# expect: the runner; linux-source-*: the kernels; flex ... lz4: to build them;
# musl-tools: small static test programs; sparse, shellcheck: make lint;
# kmod: modinfo for module checks; python3-yaml: check-ci-templates;
# parallel, patch: make grade-all, check-grade; libpopt-dev (static libpopt,
# for mqueue) and rsync (kselftest's install): make selftests;
# bubblewrap: the sandbox that builds a graded submission.
PACKAGES="qemu-system-x86 busybox-static expect tcl
linux-source-6.12 linux-source-6.1
make gcc libc6-dev flex bison bc libelf-dev libssl-dev cpio lz4 xz-utils kmod
musl-tools sparse shellcheck python3-yaml
parallel patch libpopt-dev rsync bubblewrap"

missing() {
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s ' "$p"
	done
}

main() {
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
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	apt-get install -y -q --no-install-recommends $need >/dev/null ||
		{ echo "deps: apt-get install failed (hint: run 'apt-get install $need' to see why)" >&2; exit 1; }
	need=$(missing)
	[ -z "$need" ] || { echo "deps: still missing after install: $need" >&2; exit 1; }
}

main "$@"
