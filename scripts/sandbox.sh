#!/bin/sh
# Run one command on a submission's files in a sandbox (Debian's bubblewrap):
# as an unprivileged user (nobody when called as root), no network, no IPC or
# PID namespace shared with the host, a new session (no TIOCSTI into the
# caller's terminal), an empty root with only /usr (and /etc's alternatives
# symlinks and loader cache, which /usr's programs need), a small /tmp, the
# directories named read-only or writable, a read-only /dev (its shm a small
# tmpfs), and limits on time, CPU, memory,
# file size, open files and processes. Nothing else of the host is visible:
# no /root, /home, the rest of /etc, checkout or other submission.
#
# usage: sandbox.sh [OPTION]... -- COMMAND [ARG]...
#   --ro PATH       a directory or file visible read-only at the same path
#   --rw DIR AS     DIR writable at the path AS (owned by the sandbox user)
#   --tmpfs AS BYTES  an empty writable tmpfs of at most BYTES at AS
#   --dev PATH      a device (e.g. /dev/kvm) passed through when it exists
#   --wall S --cpu S --mem BYTES --fsize BYTES --tmp BYTES --nproc N
#   --probe         exit 0 if a sandbox can be made on this machine, else say why
# Exit: the command's status; 124 when it ran out of wall time; 125 when
# the sandbox could not be made.
set -eu

# The user the sandbox runs as when root calls it.
SANDBOX_UID=65534
SANDBOX_GID=65534

die() {
	printf 'sandbox: %s\n' "$*" >&2
	exit 125
}

# Called as root: bwrap is started as nobody, who cannot reach trees under
# root's 0700 home. A private mount namespace (invisible to the host) mounts
# each directory on a small tmpfs where nobody can reach it; bwrap then
# binds it back at its own path inside the sandbox.
inner() {
	mount -t tmpfs -o size=64k,mode=0755 ipclab-sandbox /mnt
	n=0
	set -- "$@" --end
	while [ "$1" != --end ]; do
		case "$1" in
		--ro-bind | --bind)
			n=$((n + 1))
			if [ -d "$2" ]; then mkdir "/mnt/$n"; else : >"/mnt/$n"; fi
			mount --bind "$2" "/mnt/$n"
			[ "$1" = --bind ] || mount -o remount,bind,ro "/mnt/$n"
			set -- "$@" "$1" "/mnt/$n" "$3"
			shift 3 ;;
		*)
			set -- "$@" "$1"
			shift ;;
		esac
	done
	shift
	groups=$SANDBOX_GID
	if [ -e /dev/kvm ]; then
		kvm=$(stat -c %g /dev/kvm)
		groups="$groups,$kvm"
	fi
	exec setpriv --reuid="$SANDBOX_UID" --regid="$SANDBOX_GID" --groups="$groups" \
		--no-new-privs --inh-caps=-all --bounding-set=-all -- bwrap "$@"
}

main() {
	[ "${1:-}" != --inner ] || { shift; inner "$@"; }
	command -v bwrap >/dev/null ||
		die "bwrap not found (hint: make deps installs Debian's bubblewrap)"
	wall=300 cpu=240 mem=4294967296 fsize=33554432 tmp=67108864 nproc=512
	probe=0
	# One pass over the arguments: each option becomes bwrap's, appended
	# after --end; at -- the limits are known and the command follows.
	set -- "$@" --end
	while [ "$1" != --end ]; do
		case "$1" in
		--ro) [ -e "$2" ] || die "--ro $2: no such file or directory"
			set -- "$@" --ro-bind "$2" "$2"; shift 2 ;;
		--rw) [ -d "$2" ] || die "--rw $2: no such directory"
			[ "$(id -u)" != 0 ] || chown -R "$SANDBOX_UID:$SANDBOX_GID" "$2"
			set -- "$@" --bind "$2" "$3"; shift 3 ;;
		--tmpfs) set -- "$@" --size "$3" --tmpfs "$2"; shift 3 ;;
		--dev) [ ! -e "$2" ] || set -- "$@" --dev-bind "$2" "$2"; shift 2 ;;
		--wall) wall=$2; shift 2 ;;
		--cpu) cpu=$2; shift 2 ;;
		--mem) mem=$2; shift 2 ;;
		--fsize) fsize=$2; shift 2 ;;
		--tmp) tmp=$2; shift 2 ;;
		--nproc) nproc=$2; shift 2 ;;
		--probe) probe=1; shift; set -- "$@" --remount-ro /dev -- true ;;
		--) shift
			[ "$1" != --end ] || die "no command given after --"
			# /dev read-only once the devices are in.
			set -- "$@" --remount-ro /dev -- prlimit --cpu="$cpu" --as="$mem" --fsize="$fsize" \
				--nofile=256 --nproc="$nproc" --core=0 --
			while [ "$1" != --end ]; do
				set -- "$@" "$1"
				shift
			done ;;
		*) die "unknown option $1 (hint: see the usage at the top of $0)" ;;
		esac
	done
	shift
	set -- --unshare-all --die-with-parent --new-session --cap-drop ALL \
		--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib \
		--symlink usr/lib64 /lib64 --symlink usr/sbin /sbin \
		--ro-bind-try /etc/alternatives /etc/alternatives \
		--ro-bind-try /etc/ld.so.cache /etc/ld.so.cache \
		--proc /proc --dev /dev --size 16777216 --tmpfs /dev/shm \
		--size "$tmp" --tmpfs /tmp \
		--clearenv --setenv PATH /usr/bin --setenv HOME /tmp \
		--setenv LC_ALL C --setenv TMPDIR /tmp "$@"
	# bwrap's own process (PID 1 inside, whose /proc/1/environ the sandbox
	# can read) gets no environment of the caller's either.
	if [ "$(id -u)" = 0 ]; then
		set -- env -i PATH=/usr/sbin:/usr/bin unshare --mount --propagation private \
			sh "$0" --inner "$@"
	else
		set -- env -i PATH=/usr/bin bwrap "$@"
	fi
	if [ "$probe" = 1 ]; then
		out=$(timeout 20 "$@" 2>&1) && exit 0
		die "cannot make a sandbox here: $out (hint: enable user namespaces, e.g. sysctl user.max_user_namespaces=10000; on Ubuntu allow bwrap in AppArmor)"
	fi
	exec timeout --kill-after=5 "$wall" "$@"
}

main "$@"
