#!/bin/sh
# make clean / distclean: remove a directory only if the lab made it, that
# is, if it holds the lab's marker file (scripts/check-vars.sh writes it).
#
# usage: clean.sh DIR MARKER VARIABLE
set -eu

main() {
	dir=$1 marker=$2 var=$3
	[ -e "$dir" ] || return 0
	if [ ! -f "$dir/$marker" ]; then
		printf 'ipclab: %s=%s was not made by ipclab (no %s in it): not removed (hint: remove it yourself if it should go)\n' \
			"$var" "$dir" "$marker" >&2
		exit 2
	fi
	echo "clean: removing $dir"
	rm -rf -- "$dir"
}

main "$@"
