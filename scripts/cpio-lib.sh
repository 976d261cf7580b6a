# What the suites' extra cpio archives share (scripts/selftests.sh,
# scripts/suite.sh): a tree of static programs, stripped, as gen_init_cpio
# lines under a directory of the guest. Sourced.
# shellcheck shell=sh

# Stripped static binaries: the initramfs is unpacked under emulation, and
# its size is boot time.
strip_elves() {
	find "$1" -type f | while IFS= read -r f; do
		if [ "$(head -c 4 "$f" | tail -c 3)" = ELF ]; then
			strip "$f"
		fi
	done
}

# tree_list SRC DEST: gen_init_cpio's lines for the tree SRC at DEST in the
# guest (DEST's parents included, from the top), modes kept.
tree_list() {
	src=$1 dest=$2 parent=""
	for part in $(printf '%s' "${dest#/}" | tr / ' '); do
		parent=$parent/$part
		echo "dir $parent 755 0 0"
	done
	(cd "$src" && find . -mindepth 1 | sort) | while IFS= read -r p; do
		p=${p#./}
		mode=$(stat -c %a "$src/$p")
		if [ -d "$src/$p" ]; then
			echo "dir $dest/$p $mode 0 0"
		else
			echo "file $dest/$p $src/$p $mode 0 0"
		fi
	done
}
