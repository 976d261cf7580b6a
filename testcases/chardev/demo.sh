#!/bin/sh
# chardev demo: the device file /dev/ipclab, a bounded FIFO in the kernel;
# user space always takes the initiative and the kernel runs the driver's
# registered functions (open, read, write, poll, ioctl) in answer.
set -eu

# shellcheck source=/dev/null
. /opt/ipclab/lib/demo.sh

CHARDEV=/opt/ipclab/chardev

main() {
	say "chardev: talking to a driver through a file in /dev"
	echo "At insmod the module's init function registered a misc device:"
	show_sh 'dmesg | grep "ipclab: chardev"'
	echo "and devtmpfs created its node:"
	show ls -l /dev/ipclab
	echo "c = character device. Nothing happens until a program opens it:"
	echo "the kernel then calls the driver's .open, .read, .write, ..."

	say "write(2) runs the driver's write(): bytes go into a kernel buffer"
	show_sh 'echo "hello from user space" >/dev/ipclab'
	echo "read(2) runs the driver's read(): the same bytes come back out,"
	echo "once (a FIFO, like a pipe: whoever opens the file shares it):"
	show_sh 'timeout 5 dd if=/dev/ipclab bs=4096 count=1 2>/dev/null'

	say "An empty buffer: a reader sleeps in the driver until data comes"
	echo "With O_NONBLOCK the driver answers EAGAIN instead of sleeping:"
	show "$CHARDEV" nonblock-empty
	echo "A blocking read sleeps; a second process writes and wakes it."
	echo "The kernel never calls user space: the sleeping read() returns."
	show "$CHARDEV" block-read wake-up

	say "The buffer is bounded: writes are partial, then block or fail"
	show "$CHARDEV" partial-write 1024 3000 256
	show "$CHARDEV" block-write 64 drained

	say "poll/select: ask the driver which operations would not block"
	show "$CHARDEV" poll 256 ready

	say "ioctl(2): commands beyond read/write (capacity, clear, counters)"
	show "$CHARDEV" capacity 3000
	show "$CHARDEV" stats counted
	echo "Commands the driver does not know: ENOTTY; bad pointers: EFAULT."
	show "$CHARDEV" bad-ioctl
	show "$CHARDEV" efault "no-oops"

	say "Many processes at once: every byte is read exactly once"
	show "$CHARDEV" concurrent 4 4 200000 2024

	say "chardev: the point"
	echo "Each step above began in user space (open, read, write, poll,"
	echo "ioctl); the kernel answered by running the functions the driver"
	echo "registered in its file_operations. A driver cannot start a"
	echo "conversation through a device file: it can only wake a process"
	echo "that is already waiting in one of those calls."
}

main "$@"
