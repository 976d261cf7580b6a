// SPDX-License-Identifier: GPL-2.0
/*
 * The user-mode helper: on an ioctl the kernel starts a program with
 * call_usermodehelper (as it starts modprobe or hotplug helpers), one-shot,
 * as root, talking to it only through argv and envp, and gets back one
 * number: the exec's errno or the helper's wait status.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/umh.h>
#include <linux/workqueue.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

/* The ioctl struct is ABI: fixed size, no holes the compiler could leave. */
static_assert(sizeof(struct ipclab_umh_run) == 1184);
static_assert(IPCLAB_UMH_NO_WAIT == UMH_NO_WAIT);
static_assert(IPCLAB_UMH_WAIT_EXEC == UMH_WAIT_EXEC);
static_assert(IPCLAB_UMH_WAIT_PROC == UMH_WAIT_PROC);
static_assert(IPCLAB_UMH_KILLABLE == UMH_KILLABLE);

/*
 * One helper run. call_usermodehelper stores the argv and envp pointers, it
 * does not copy them: the strings (inside @run) and both arrays must stay
 * alive until the exec has copied them into the new process, so the whole
 * call lives in this one allocation, freed only after the exec finished.
 */
struct umh_call {
	struct ipclab_umh_run run;	/* the request; argv/envp point in */
	char *argv[1 + IPCLAB_UMH_MAX_ARGS + 1];
	char *envp[2 + IPCLAB_UMH_MAX_ARGS + 1];
	pid_t pid;			/* set by umh_init in the helper */
	/* Queued calls only (NO_WAIT, KILLABLE): */
	struct work_struct work;	/* runs the helper on umh_wq */
	struct completion done;		/* the work has a result */
	refcount_t users;		/* the work, and a waiting caller */
	int ret;			/* what call_usermodehelper_exec said */
};

static struct workqueue_struct *umh_wq;	/* runs the queued calls */

/*
 * Runs in the new helper task before its exec, with the kernel's
 * credentials already prepared in @new: note the pid for the caller.
 */
static int umh_init(struct subprocess_info *info, struct cred *new)
{
	struct umh_call *call = info->data;

	call->pid = task_pid_nr(current);
	return 0;
}

/* Start the helper; returns what call_usermodehelper_exec returned. */
static int umh_exec(struct umh_call *call, int wait)
{
	struct subprocess_info *info;

	/*
	 * No cleanup callback: @call is freed by our caller once exec
	 * returned, and the waits used here (never UMH_KILLABLE, never
	 * UMH_NO_WAIT) only return after the exec copied argv and envp.
	 */
	if (WARN_ON_ONCE(wait != UMH_WAIT_EXEC && wait != UMH_WAIT_PROC))
		return -EINVAL;
	info = call_usermodehelper_setup(call->run.path, call->argv,
					 call->envp, GFP_KERNEL, umh_init,
					 NULL, call);
	if (!info)
		return -ENOMEM;
	return call_usermodehelper_exec(info, wait);
}

static void umh_call_put(struct umh_call *call)
{
	if (refcount_dec_and_test(&call->users))
		kfree(call);
}

/*
 * Queued calls: IPCLAB_UMH_NO_WAIT and IPCLAB_UMH_KILLABLE. The kernel's own
 * UMH_NO_WAIT, and UMH_KILLABLE once the caller was killed, leave the request
 * to the helper side, which frees it (with a cleanup callback, module code)
 * whenever it gets there, possibly after rmmod. Instead a work item on our
 * own workqueue runs the helper with an uninterruptible wait and holds its
 * own reference on the call; a caller may wait killably for the result or
 * not at all; module exit flushes the queue.
 */
static void umh_work(struct work_struct *work)
{
	struct umh_call *call = container_of(work, struct umh_call, work);
	int wait = call->run.wait & ~IPCLAB_UMH_KILLABLE;

	/* Never the kernel's UMH_NO_WAIT: it would outlive @call. */
	call->ret = umh_exec(call, wait == IPCLAB_UMH_NO_WAIT ?
			     UMH_WAIT_PROC : wait);
	pr_info("umh: queued helper %d: %s %d\n", call->pid,
		call->ret < 0 ? "error" : "wait status", call->ret);
	complete(&call->done);
	umh_call_put(call);
}

/*
 * Security: the device is world-writable and the helper runs as root with
 * full capabilities, whoever asked. A driver that ran any path it was given
 * would hand root to every local user. So only programs under
 * IPCLAB_UMH_DIR run (a root-owned directory: the check is only as good as
 * its permissions), and no "." or ".." component may climb out of it.
 */
static bool umh_path_allowed(const char *path)
{
	const char *p = path;

	if (strncmp(path, IPCLAB_UMH_DIR, strlen(IPCLAB_UMH_DIR)))
		return false;
	while ((p = strchr(p, '/'))) {
		p++;
		if (!strcmp(p, ".") || !strncmp(p, "./", 2) ||
		    !strcmp(p, "..") || !strncmp(p, "../", 3))
			return false;
	}
	return true;
}

/*
 * Split @count packed NUL-terminated words of @buf into @out (NULL ended).
 * With @need_eq every word must look like NAME=value.
 */
static int umh_split(char *buf, u32 count, char **out, bool need_eq)
{
	size_t off = 0, len;
	u32 i;

	if (count > IPCLAB_UMH_MAX_ARGS)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		if (off >= IPCLAB_UMH_WORDS_MAX)
			return -EINVAL;
		len = strnlen(buf + off, IPCLAB_UMH_WORDS_MAX - off);
		if (off + len >= IPCLAB_UMH_WORDS_MAX)
			return -EINVAL;		/* no NUL inside the buffer */
		if (need_eq && (!len || buf[off] == '=' ||
				!memchr(buf + off, '=', len)))
			return -EINVAL;
		out[i] = buf + off;
		off += len + 1;
	}
	out[i] = NULL;
	return 0;
}

/* Validate the request and lay out argv and envp inside @call. */
static int umh_prepare(struct umh_call *call)
{
	struct ipclab_umh_run *run = &call->run;
	int ret;

	switch (run->wait) {
	case IPCLAB_UMH_NO_WAIT:
	case IPCLAB_UMH_WAIT_EXEC:
	case IPCLAB_UMH_WAIT_PROC:
	case IPCLAB_UMH_WAIT_EXEC | IPCLAB_UMH_KILLABLE:
	case IPCLAB_UMH_WAIT_PROC | IPCLAB_UMH_KILLABLE:
		break;
	default:
		return -EINVAL;
	}
	if (run->pad0)
		return -EINVAL;
	if (strnlen(run->path, sizeof(run->path)) == sizeof(run->path))
		return -EINVAL;
	if (!umh_path_allowed(run->path))
		return -EPERM;

	call->argv[0] = run->path;
	ret = umh_split(run->argv, run->argc, call->argv + 1, false);
	if (ret)
		return ret;
	/* Always set PATH: the helper inherits no environment at all. */
	call->envp[0] = IPCLAB_UMH_ENV_HOME;
	call->envp[1] = IPCLAB_UMH_ENV_PATH;
	return umh_split(run->envp, run->envc, call->envp + 2, true);
}

/* Fill in the out fields from what call_usermodehelper_exec returned. */
static void umh_report(struct ipclab_umh_run *run, int ret, pid_t pid)
{
	run->pid = pid;
	run->wait_status = 0;
	run->exit_code = -1;
	run->term_signal = 0;
	if (!(run->wait & IPCLAB_UMH_WAIT_PROC))
		return;
	/*
	 * UMH_WAIT_PROC returns the raw wait status (exit(3) -> 768), as
	 * wait(2) would store it: decode it like WEXITSTATUS/WTERMSIG.
	 */
	run->wait_status = ret;
	if ((ret & 0x7f) == 0)
		run->exit_code = (ret >> 8) & 0xff;
	else
		run->term_signal = ret & 0x7f;
}

/* A queued call: returns at once (NO_WAIT), or when the work is done. */
static int umh_queue(struct umh_call *call)
{
	bool wait = call->run.wait != IPCLAB_UMH_NO_WAIT;

	INIT_WORK(&call->work, umh_work);
	init_completion(&call->done);
	refcount_set(&call->users, wait ? 2 : 1);
	queue_work(umh_wq, &call->work);	/* the work's reference */
	if (!wait)
		return 0;
	if (wait_for_completion_killable(&call->done)) {
		/* Killed: the helper runs on, the work frees the call. */
		umh_call_put(call);
		return -EINTR;
	}
	return call->ret;
}

static long umh_run(struct ipclab_umh_run __user *urun)
{
	struct umh_call *call;
	int ret;

	call = kzalloc(sizeof(*call), GFP_KERNEL);
	if (!call)
		return -ENOMEM;
	if (copy_from_user(&call->run, urun, sizeof(call->run))) {
		kfree(call);
		return -EFAULT;
	}
	ret = umh_prepare(call);
	if (ret) {
		kfree(call);
		return ret;
	}

	if (call->run.wait == IPCLAB_UMH_NO_WAIT) {
		umh_report(&call->run, 0, 0);
		if (copy_to_user(urun, &call->run, sizeof(call->run))) {
			kfree(call);
			return -EFAULT;
		}
		return umh_queue(call);		/* the work frees the call */
	}

	if (call->run.wait & IPCLAB_UMH_KILLABLE) {
		ret = umh_queue(call);
		if (ret == -EINTR)
			return ret;		/* the work frees the call */
	} else {
		/* Sleeps (uninterruptibly) until the exec, or the exit. */
		refcount_set(&call->users, 1);
		ret = umh_exec(call, call->run.wait);
	}
	if (ret >= 0) {
		umh_report(&call->run, ret, call->pid);
		ret = copy_to_user(urun, &call->run, sizeof(call->run)) ?
		      -EFAULT : 0;
	}
	/* else the exec's errno: ENOENT, EACCES, ... */
	umh_call_put(call);
	return ret;
}

static long umh_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case IPCLAB_IOC_UMH_RUN:
		return umh_run((struct ipclab_umh_run __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations umh_fops = {
	.owner		= THIS_MODULE,	/* no rmmod while a caller waits */
	.unlocked_ioctl	= umh_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice umh_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipclab-umh",		/* IPCLAB_UMH_DEV_PATH */
	.fops	= &umh_fops,
	.mode	= 0666,
};

int ipclab_umh_init(void)
{
	int ret;

	umh_wq = alloc_workqueue("ipclab_umh", WQ_UNBOUND, 0);
	if (!umh_wq)
		return -ENOMEM;
	ret = misc_register(&umh_misc);
	if (ret)
		goto destroy_wq;
	pr_info("umh: %s ready, helpers under %s\n", IPCLAB_UMH_DEV_PATH,
		IPCLAB_UMH_DIR);
	return 0;

destroy_wq:
	destroy_workqueue(umh_wq);
	return ret;
}

void ipclab_umh_exit(void)
{
	misc_deregister(&umh_misc);
	/* Waits for every queued helper still running; the work frees it. */
	destroy_workqueue(umh_wq);
}
