// SPDX-License-Identifier: GPL-2.0
/*
 * /bin/lab-xfer FILE PAGES: the guest's end of the path by which the runner
 * carries the module under test in after a boot or a snapshot's restore
 * (guest::carry, runner/guest.tcl). /init runs it before the ready line,
 * before any module under test: it makes FILE on hugetlbfs, PAGES huge
 * pages long, faults each page in and prints their guest-physical
 * addresses on one line, "xfer 0x... 0x...". The pages stay where they are
 * while FILE exists; the host writes the module into them (QEMU's gpa2hva,
 * then QEMU's own memory) and the guest copies it out of FILE.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE (2UL << 20)
#define MAX_PAGES 8
/* A pagemap entry: bit 63 "present", bits 0-54 the page frame number. */
#define PM_PRESENT 0x8000000000000000ULL
#define PM_PFN_MASK 0x007fffffffffffffULL

static int fail(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long long entry;
	long pages, i;
	char *map;
	int fd, pm;

	pages = argc == 3 ? strtol(argv[2], NULL, 10) : 0;
	if (pages < 1 || pages > MAX_PAGES) {
		fprintf(stderr, "usage: lab-xfer FILE PAGES (1..%d)\n", MAX_PAGES);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return fail(argv[1]);
	if (ftruncate(fd, pages * HUGE_PAGE))
		return fail("ftruncate");
	map = mmap(NULL, pages * HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return fail("mmap (are there free huge pages?)");
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0)
		return fail("/proc/self/pagemap");
	printf("xfer");
	for (i = 0; i < pages; i++) {
		uintptr_t va = (uintptr_t)(map + i * HUGE_PAGE);

		map[i * HUGE_PAGE] = 0;
		if (pread(pm, &entry, sizeof(entry), va / 4096 * sizeof(entry)) != sizeof(entry))
			return fail("pagemap");
		if (!(entry & PM_PRESENT) || !(entry & PM_PFN_MASK)) {
			fprintf(stderr, "lab-xfer: page %ld not present\n", i);
			return 1;
		}
		printf(" 0x%llx", (entry & PM_PFN_MASK) * 4096);
	}
	printf("\n");
	return fflush(stdout) ? 1 : 0;
}
