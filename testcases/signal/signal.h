/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of /opt/ipclab/signal share (signal.c defines it). */
#ifndef SIGNAL_H
#define SIGNAL_H

#include <sys/ioctl.h>

#include "ipclab_uapi.h"
#include "labtest.h"

#define WAIT_MS		5000	/* how long a signal may take to arrive */
#define MAX_PROCS	16
#define MAX_VALUE	(~0ULL - MAX_PROCS)	/* cases add up to K to VALUE */
#define REG		IPCLAB_SIGNAL_IOC_REGISTER
#define UNREG		IPCLAB_SIGNAL_IOC_UNREGISTER
#define TRIGGER		IPCLAB_SIGNAL_IOC_TRIGGER

int arg_signo(const char *s, const char *name);
void block(int signo);
int wait_sig(int signo, long ms, siginfo_t *si);
unsigned long long si_val(const siginfo_t *si);
const char *codename(int code);
int expect_info(const char *what, const siginfo_t *si, int signo,
		long ms, unsigned long long value);

int dev_open(void);
int dev_reg(int fd, __u32 signo, __u64 value);
int receiver(int fd, int signo, unsigned long long value);
int dev_trigger(int fd, __u32 n);
void dev_timer(int fd, __u32 ms);
struct ipclab_signal_stats dev_stats(int fd);
void expect_trigger(const char *what, int fd, __u32 n, int want);
void trigger_from_child(int use_write);

#endif /* SIGNAL_H */
