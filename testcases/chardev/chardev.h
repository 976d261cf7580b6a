/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of /opt/ipclab/chardev share (chardev.c defines it). */
#ifndef CHARDEV_H
#define CHARDEV_H

#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "ipclab_uapi.h"
#include "labtest.h"

#define DEV		IPCLAB_CHARDEV_PATH
#define DEFAULT_CAP	IPCLAB_CHARDEV_DEFAULT_CAPACITY
#define MAX_CAP		IPCLAB_CHARDEV_MAX_CAPACITY
#define MAX_WORD	4096

/* LAB_CASE for a case named as a libc function (lseek, poll): @name. */
#define LAB_CASE_NAMED(fn, name, args, nargs)				\
	static void fn(char **argv);					\
	static struct lab_case lab_case_##fn = { name, args, nargs, fn, NULL }; \
	static void __attribute__((constructor)) lab_register_##fn(void) \
	{								\
		lab_register(&lab_case_##fn);				\
	}								\
	static void fn(char **argv)

#define dev_ioctl(fd, cmd, arg)	xioctl(fd, cmd, arg, "ioctl " #cmd)
void xioctl(int fd, unsigned long cmd, void *arg, const char *what);
int dev_new(int flags, __u32 *cap);
__u32 dev_capacity(int fd);
struct ipclab_chardev_stats dev_stats(int fd);
void dev_fill(int fd, size_t len);
void expect_count(const char *what, long ret, long want);
void expect_write(const char *what, int fd, const void *buf, size_t len,
		  size_t want);
void print_eq(const char *what, unsigned long long got,
	      unsigned long long want);
void fill_random(unsigned char *buf, size_t len, __u32 *state);

/* A usage FAIL and exit unless @cond (what the host passed is wrong). */
#define need(cond, ...)							\
	do {								\
		if (!(cond)) {						\
			fail("usage: " __VA_ARGS__);			\
			exit(KSFT_FAIL);				\
		}							\
	} while (0)

#endif /* CHARDEV_H */
