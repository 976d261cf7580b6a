/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of /opt/ipclab/shm share: the device. */
#ifndef SHM_H
#define SHM_H

#include <sys/ioctl.h>
#include <sys/mman.h>

#include "ipclab_uapi.h"
#include "labtest.h"

#define PAGE		((size_t)sysconf(_SC_PAGESIZE))
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)

/* An ioctl of the device that must succeed. */
#define dev_ioctl(fd, req, arg)	must(ioctl(fd, req, arg), "ioctl " #req)

/* ioctl arguments, their fields in order */
#define FILL(o, l, s, p)	(&(struct ipclab_shm_fill){ o, l, s, p })
#define PRODUCER(m, w, s, c, i)	(&(struct ipclab_shm_producer){ m, w, s, c, i })
#define dev_start(fd, ...) \
	dev_ioctl(fd, IPCLAB_IOC_SHM_START, PRODUCER(__VA_ARGS__))

struct ipclab_shm_info dev_info(int fd);
/* FAILs unless this file's buffer is as open() made it. */
void expect_fresh(int fd, const char *what);

#endif /* SHM_H */
