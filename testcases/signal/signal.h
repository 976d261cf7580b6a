/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of /opt/ipclab/signal share (signal.c defines the rest). */
#ifndef SIGNAL_H
#define SIGNAL_H

#include <stdint.h>
#include <sys/ioctl.h>

#include "ipclab_uapi.h"
#include "labtest.h"

#define WAIT_MS		5000	/* how long a signal may take to arrive */
#define MAX_PROCS	16
#define MAX_VALUE	(~0ULL - MAX_PROCS)	/* cases add up to K to VALUE */
#define REG		IPCLAB_SIGNAL_IOC_REGISTER
#define UNREG		IPCLAB_SIGNAL_IOC_UNREGISTER
#define TRIGGER		IPCLAB_SIGNAL_IOC_TRIGGER

#define arg_signo(s, name)	((int)arg_num(s, 1, 64, name))
#define si_val(si)	((__u64)(uintptr_t)(si)->si_value.sival_ptr)
#define dev_open()	open_dev(IPCLAB_SIGNAL_PATH, 0)

static inline int dev_reg(int fd, __u32 signo, __u64 value)
{
	struct ipclab_signal_reg reg = { .signo = signo, .value = value };

	return ioctl(fd, REG, &reg);
}

static inline int dev_trigger(int fd, __u32 n)
{
	return ioctl(fd, TRIGGER, &n);
}

int expect_info(const char *what, const siginfo_t *si, int signo,
		long ms, unsigned long long value);
int receiver(int fd, int signo, unsigned long long value);
void dev_timer(int fd, __u32 ms);
struct ipclab_signal_stats dev_stats(int fd);
void expect_trigger(const char *what, int fd, __u32 n, int want);

#endif /* SIGNAL_H */
