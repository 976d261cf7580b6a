// SPDX-License-Identifier: GPL-2.0
/*
 * /bin/lab-xfer: the page the host writes files into after a snapshot
 * restore (runner/guest.tcl, guest::put). Run once by /init before any
 * module under test: it makes a file of one 2 MB huge page on hugetlbfs,
 * which is physically contiguous and stays put, and prints the page's
 * physical address (from /proc/self/pagemap; root sees frame numbers).
 * The host writes into that guest-physical range through QEMU's own
 * memory; the guest reads the file back (head -c LEN).
 *
 * usage: lab-xfer PATH    (on a hugetlbfs mount with a free huge page)
 * prints "ipclab: xfer 0xADDRESS 2097152"
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define XFER_SIZE (2UL << 20)

static int die(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t entry;
	long page = sysconf(_SC_PAGESIZE);
	char *p;
	int fd, pm;

	if (argc != 2) {
		fprintf(stderr, "usage: lab-xfer PATH\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return die(argv[1]);
	p = mmap(NULL, XFER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return die("mmap of a huge page");
	memset(p, 0, XFER_SIZE);
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0)
		return die("/proc/self/pagemap");
	if (pread(pm, &entry, sizeof(entry),
		  (off_t)((uintptr_t)p / page) * sizeof(entry)) != sizeof(entry))
		return die("pagemap read");
	/* Bit 63: present; bits 0-54: the frame number (0 if not root). */
	if (!(entry >> 63) || !(entry & ((1ULL << 55) - 1))) {
		fprintf(stderr, "lab-xfer: no frame number in pagemap\n");
		return 1;
	}
	printf("ipclab: xfer 0x%llx %lu\n",
	       (unsigned long long)((entry & ((1ULL << 55) - 1)) * page),
	       XFER_SIZE);
	return 0;
}
