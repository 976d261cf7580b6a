/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of /opt/ipclab/umh share: a request and its record. */
#ifndef UMH_H
#define UMH_H

#include "ipclab_uapi.h"
#include "labtest.h"

#define WAIT_MS		10000	/* the test waits this long for an event */

#define open_umh()	open_dev(IPCLAB_UMH_DEV_PATH, 0)
#define touch(path)	make_file(path, 0644, "")
#define exists(path)	(access(path, F_OK) == 0)
#define set_path(r, p)	snprintf((r)->path, sizeof((r)->path), "%s", p)
#define yes_no(cond)	((cond) ? "yes" : "no")

/* Polls @cond every 2 ms for up to @ms: whether it came true. */
#define WAIT_FOR(cond, ms) ({					\
	long long end_ = now_ms() + (ms);			\
	int ok_;						\
								\
	while (!(ok_ = (cond)) && now_ms() < end_)		\
		usleep(2000);					\
	ok_;							\
})

/* A request to run this binary as the helper (helper.c). */
struct call {
	struct ipclab_umh_run r;	/* the ioctl's, out fields filled in */
	struct ipclab_umh_run sent;	/* what was asked, for the record */
	char record[128];		/* /tmp/umh-TAG, the helper writes it */
	char go[136];			/* "-", or the file the helper awaits */
	const char *status;		/* the helper's exit: N or sig:N */
};

void expect_is(const char *what, const char *got, const char *want);
void expect_record(const struct call *c, const char *what, const char *want);
void make_file(const char *path, mode_t mode, const char *text);
void prep(struct call *c, __u32 wait, const char *status, int go,
	  const char *fmt, ...);
void prep_argv(struct call *c, char **extra, int nextra, char **env,
	       int nenv);
long call_run(int fd, struct call *c);
void call_ok(int fd, struct call *c);
char *show_record(const struct call *c, int print);
void want_line(const char *rec, const char *fmt, ...);
int record_pid(const char *rec);

#endif /* UMH_H */
