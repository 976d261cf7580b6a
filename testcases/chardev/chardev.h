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

#define dev_ioctl(fd, cmd, arg)	must(ioctl(fd, cmd, arg), "ioctl " #cmd)
int dev_new(int flags, __u32 *cap);
__u32 dev_capacity(int fd);
struct ipclab_chardev_stats dev_stats(int fd);
const char *dev_fill(int fd, size_t len);
void expect_count(const char *what, long ret, long want);
void expect_write(const char *what, int fd, const void *buf, size_t len,
		  size_t want);
void print_eq(const char *what, unsigned long long got,
	      unsigned long long want);

#endif /* CHARDEV_H */
