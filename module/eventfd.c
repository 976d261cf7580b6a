// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd: user space hands the driver an eventfd through an ioctl and the
 * driver adds to its counter -- at once, or later from a work item -- a
 * cheap wakeup that poll, epoll and read() understand.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

static_assert(sizeof(struct ipclab_eventfd_timer) == 8);
static_assert(sizeof(struct ipclab_eventfd_stats) == 16);

/* One per open file of /dev/ipclab-eventfd. */
struct efd_file {
	struct mutex lock;		/* serialises ctx and count */
	struct eventfd_ctx *ctx;	/* a counted reference, or NULL */
	u32 count;			/* what the timer adds */
	struct delayed_work timer;
};

static atomic64_t efd_signals;
static atomic_t efd_held;
static atomic_t efd_pending;

/* Add @n to @ctx; the caller holds the file's lock, so ctx stays. */
static void efd_add(struct eventfd_ctx *ctx, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		ipclab_eventfd_signal(ctx);
	atomic64_add(n, &efd_signals);
}

static void efd_timer_work(struct work_struct *work)
{
	struct efd_file *ef = container_of(to_delayed_work(work),
					   struct efd_file, timer);

	mutex_lock(&ef->lock);
	if (ef->ctx)
		efd_add(ef->ctx, ef->count);
	mutex_unlock(&ef->lock);
	atomic_dec(&efd_pending);
}

/* Replace the attached eventfd by @ctx (may be NULL); drops the old one. */
static void efd_attach(struct efd_file *ef, struct eventfd_ctx *ctx)
{
	struct eventfd_ctx *old;

	mutex_lock(&ef->lock);
	old = ef->ctx;
	ef->ctx = ctx;
	mutex_unlock(&ef->lock);
	if (ctx)
		atomic_inc(&efd_held);
	if (old) {
		eventfd_ctx_put(old);
		atomic_dec(&efd_held);
	}
}

static int efd_set(struct efd_file *ef, s32 __user *ufd)
{
	struct eventfd_ctx *ctx;
	s32 fd;

	if (get_user(fd, ufd))
		return -EFAULT;
	if (fd == -1) {
		efd_attach(ef, NULL);
		return 0;
	}
	/* EBADF for a closed fd, EINVAL for a file that is no eventfd. */
	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	efd_attach(ef, ctx);
	return 0;
}

static int efd_signal(struct efd_file *ef, u32 __user *un)
{
	int ret = 0;
	u32 n;

	if (get_user(n, un))
		return -EFAULT;
	if (n < 1 || n > IPCLAB_EVENTFD_MAX_COUNT)
		return -EINVAL;
	mutex_lock(&ef->lock);
	if (ef->ctx)
		efd_add(ef->ctx, n);
	else
		ret = -ENOENT;
	mutex_unlock(&ef->lock);
	return ret;
}

static int efd_arm(struct efd_file *ef,
		   struct ipclab_eventfd_timer __user *ut)
{
	struct ipclab_eventfd_timer t;
	int ret = 0;

	if (copy_from_user(&t, ut, sizeof(t)))
		return -EFAULT;
	if (t.delay_ms < 1 || t.delay_ms > IPCLAB_EVENTFD_MAX_DELAY_MS ||
	    t.count < 1 || t.count > IPCLAB_EVENTFD_MAX_COUNT)
		return -EINVAL;
	mutex_lock(&ef->lock);
	if (!ef->ctx) {
		ret = -ENOENT;
	} else {
		ef->count = t.count;
		/* false: it was pending already, and is re-armed. */
		if (!mod_delayed_work(system_wq, &ef->timer,
				      msecs_to_jiffies(t.delay_ms)))
			atomic_inc(&efd_pending);
	}
	mutex_unlock(&ef->lock);
	return ret;
}

static int efd_stats(struct ipclab_eventfd_stats __user *us)
{
	struct ipclab_eventfd_stats s;

	memset(&s, 0, sizeof(s));
	s.signals = atomic64_read(&efd_signals);
	s.held = atomic_read(&efd_held);
	s.pending = atomic_read(&efd_pending);
	return copy_to_user(us, &s, sizeof(s)) ? -EFAULT : 0;
}

static long efd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct efd_file *ef = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case IPCLAB_EVENTFD_IOC_SET:
		return efd_set(ef, uarg);
	case IPCLAB_EVENTFD_IOC_SIGNAL:
		return efd_signal(ef, uarg);
	case IPCLAB_EVENTFD_IOC_TIMER:
		return efd_arm(ef, uarg);
	case IPCLAB_EVENTFD_IOC_STATS:
		return efd_stats(uarg);
	default:
		return -ENOTTY;
	}
}

static int efd_open(struct inode *inode, struct file *file)
{
	struct efd_file *ef = kzalloc(sizeof(*ef), GFP_KERNEL);

	if (!ef)
		return -ENOMEM;
	mutex_init(&ef->lock);
	INIT_DELAYED_WORK(&ef->timer, efd_timer_work);
	file->private_data = ef;
	return nonseekable_open(inode, file);
}

static int efd_release(struct inode *inode, struct file *file)
{
	struct efd_file *ef = file->private_data;

	/* No ioctl can re-arm it now: this is the last user of the file. */
	if (cancel_delayed_work_sync(&ef->timer))
		atomic_dec(&efd_pending);
	efd_attach(ef, NULL);	/* eventfd_ctx_put() of the held reference */
	kfree(ef);
	return 0;
}

static const struct file_operations efd_fops = {
	.owner		= THIS_MODULE,
	.open		= efd_open,
	.release	= efd_release,
	.unlocked_ioctl	= efd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice efd_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipclab-eventfd",
	.fops	= &efd_fops,
	.mode	= 0666,
};

int ipclab_eventfd_init(void)
{
	int ret;

	ret = misc_register(&efd_misc);
	if (ret)
		return ret;
	pr_info("eventfd: %s ready\n", IPCLAB_EVENTFD_PATH);
	return 0;
}

void ipclab_eventfd_exit(void)
{
	/* Open files hold the module (.owner): nothing is attached now. */
	misc_deregister(&efd_misc);
}
