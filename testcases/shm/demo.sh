#!/bin/sh
# shm demo: the driver and a process share pages through mmap of
# /dev/ipclab-shm. Fast, and any data layout fits; but nothing protects a
# reader from a writer, and nothing says when new data has come: each
# weakness is shown live, then its remedy.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

SHM=/opt/ipclab/shm

main() {
	say "shm: memory shared by the driver and a process"
	echo "At insmod the module registered a second misc device:"
	show_sh 'dmesg | grep "ipclab: shm"'
	show ls -l /dev/ipclab-shm
	echo "Each open() gets its own zeroed kernel buffer (vmalloc_user);"
	echo "mmap() puts those very pages into the process (remap_vmalloc_range)."

	say "Pro: fast - data crosses without a copy or a system call per byte"
	echo "Kernel -> user: one ioctl asks the driver to write 8192 bytes from"
	echo "a seed; the process reads them straight out of its mapping:"
	show "$SHM" fill 4 12345 100 8192
	echo "User -> kernel: the process stores into the mapping; the driver"
	echo "reads the same pages (checksum) - and sees a one-byte store at once:"
	show "$SHM" checksum shared-memory 4000
	show "$SHM" checksum-buffer 777 4000

	say "Pro: complex data - any layout both sides agree on"
	echo "Two mappings at different offsets and a fork()ed child all see"
	echo "the same pages; the record the kernel thread writes below is a"
	echo "C struct (ipclab_uapi.h: struct ipclab_shm_record)."
	show "$SHM" views 4 2 hello

	say "The driver checks every mapping: bounds, MAP_SHARED, no growing"
	show "$SHM" bounds 4
	show "$SHM" map-flags
	echo "The pages outlive close(fd) and the parent's munmap; the last"
	echo "mapping frees them and stops the kernel thread:"
	show "$SHM" outlives-close 4242 1000
	show "$SHM" lifetime 4242 1000

	say "Con: no protection against concurrent access"
	echo "A kernel thread rewrites 16 copies of a counter over and over, with"
	echo "well under a microsecond between updates."
	echo "A plain reader sometimes sees part of one update and part of the"
	echo "next - a torn read:"
	show "$SHM" torn 16 1000 20000
	echo "Remedy: a sequence counter. The kernel makes seq odd, writes,"
	echo "then makes it even (smp_store_release); the reader retries while"
	echo "seq is odd or changed under it (__atomic_load_n ACQUIRE):"
	show "$SHM" seqcount 16 1000 50000
	echo "Zero torn copies - but count the retries: a reader can spin while"
	echo "the writer is busy. Seqcounts suit rare writes and cheap retries."

	say "Con: new data can only be detected by polling"
	echo "The kernel publishes 10 records, 20 ms apart. A reader spinning on"
	echo "the generation word in the mapping sees each one, at a price:"
	show "$SHM" busy-poll 8 100 10 20
	echo "Remedy: poll() on the device. The driver keeps a generation per"
	echo "open file and wakes poll() (POLLIN | POLLPRI) when it publishes;"
	echo "read() returns the generation and marks it seen. The reader sleeps:"
	show "$SHM" poll 8 100 10 20

	say "shm: the point"
	echo "Shared memory is the fastest channel (no copies, no system calls"
	echo "on the data path) and carries any structure. But the pages are"
	echo "just memory: the two sides need a protocol for consistency (a"
	echo "sequence counter, or a ring with release/acquire indices) and a"
	echo "separate channel to say 'there is news' (poll, eventfd, a signal)."
}

main "$@"
