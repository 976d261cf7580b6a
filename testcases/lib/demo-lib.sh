# shellcheck shell=sh
# Narration helpers every testcases/*/demo.sh sources; installed in the
# guest as /opt/ipclab/lib/demo.sh (not under demo/, which rootfs/init runs).

# A heading.
say() {
	printf '\n### %s\n' "$*"
}

# Show a command, run it; a failure is narrated, not fatal.
show() {
	printf '$ %s\n' "$*"
	"$@" || printf '(exit status %s)\n' "$?"
}

# The same for a shell pipeline given as one string.
show_sh() {
	printf '$ %s\n' "$1"
	sh -c "$1" || printf '(exit status %s)\n' "$?"
}
