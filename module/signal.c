// SPDX-License-Identifier: GPL-2.0
/*
 * Signals from a driver to a process: /dev/ipclab-signal keeps a counted
 * reference to each registered process and, when triggered (ioctl, write or
 * a kernel timer), sends it a queued signal carrying a value; fasync
 * (F_SETOWN/F_SETSIG) reaches processes the driver keeps no pid for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/uaccess.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

/* The ioctl structs are ABI: fixed size, no holes the compiler could leave. */
static_assert(sizeof(struct ipclab_signal_reg) == 16);
static_assert(sizeof(struct ipclab_signal_stats) == 48);

/* One per open file: its registration (if any) and its one-shot timer. */
struct signal_client {
	struct list_head node;		/* on sigdev.clients while registered */
	struct pid *pid;		/* counted reference; NULL: unregistered */
	int signo;
	u64 value;
	struct timer_list timer;	/* IPCLAB_SIGNAL_IOC_TIMER */
};

static struct {
	/*
	 * Protects clients, every client's pid/signo/value and the counters.
	 * Taken with _bh: the timer callback triggers from softirq context.
	 */
	spinlock_t lock;
	struct list_head clients;	/* registered clients */
	u32 registered;
	u64 sent;
	u64 overflows;
	u64 stale;
	u64 triggers;
	u64 misses;
	struct fasync_struct *async_queue;	/* files with O_ASYNC set */
	atomic_t nasync;
} sigdev;

/* Caller holds sigdev.lock and @c is registered. */
static void signal_unlink(struct signal_client *c)
{
	list_del_init(&c->node);
	put_pid(c->pid);
	c->pid = NULL;
	sigdev.registered--;
}

/*
 * Send @c's signal to the thread-group leader of its process, with
 * si_code = SI_QUEUE and the value in si_value: what sigqueue(3) would
 * deliver. kill_pid_info() would be process-directed but is not exported;
 * send_sig_info() is, and queues on the leader thread.
 */
static int signal_send(struct signal_client *c, struct task_struct *task)
{
	struct kernel_siginfo info;

	clear_siginfo(&info);
	info.si_signo = c->signo;
	info.si_errno = 0;
	info.si_code = SI_QUEUE;
	info.si_pid = 0;	/* no sending process: the kernel */
	info.si_uid = 0;
	/* All 64 bits in sival_ptr; sival_int is its low half on x86-64. */
	info.si_ptr = (void __user *)(uintptr_t)c->value;
	return send_sig_info(c->signo, &info, task);
}

/*
 * Send @count signals to every registered process and @count SIGIO (or the
 * F_SETSIG signal) to every O_ASYNC file. Works in process and softirq
 * context. Returns the number of recipients, -ESRCH if there were none, or
 * -EAGAIN if a real-time signal did not fit in a receiver's queue
 * (RLIMIT_SIGPENDING); the other recipients were still signalled.
 */
static int signal_trigger(unsigned int count)
{
	struct signal_client *c, *tmp;
	int recipients, nasync, err = 0, ret;
	unsigned int i;

	spin_lock_bh(&sigdev.lock);
	sigdev.triggers++;
	recipients = 0;
	list_for_each_entry_safe(c, tmp, &sigdev.clients, node) {
		struct task_struct *task;

		rcu_read_lock();
		/*
		 * The struct pid outlives its process, so a process that is
		 * gone (and reaped) shows as NULL here, even if its number
		 * was handed to a new process since: never a wrong target.
		 */
		task = pid_task(c->pid, PIDTYPE_TGID);
		if (!task) {
			rcu_read_unlock();
			signal_unlink(c);
			sigdev.stale++;
			continue;
		}
		for (i = 0; i < count; i++) {
			ret = signal_send(c, task);
			if (ret) {
				if (ret == -EAGAIN)
					sigdev.overflows++;
				err = ret;
				break;
			}
			sigdev.sent++;
		}
		rcu_read_unlock();
		recipients++;
	}
	nasync = atomic_read(&sigdev.nasync);
	if (!recipients && !nasync)
		sigdev.misses++;
	spin_unlock_bh(&sigdev.lock);

	/* fasync: the kernel's fown_struct holds the pid, not this driver. */
	for (i = 0; nasync && i < count; i++)
		kill_fasync(&sigdev.async_queue, SIGIO, POLL_IN);

	if (!recipients && !nasync)
		return -ESRCH;
	return err ? err : recipients + nasync;
}

static void signal_timer_fn(struct timer_list *t)
{
	/* Nobody to tell about -ESRCH here: sigdev.misses counts it. */
	signal_trigger(1);
}

static int signal_open(struct inode *inode, struct file *file)
{
	struct signal_client *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	INIT_LIST_HEAD(&c->node);
	timer_setup(&c->timer, signal_timer_fn, 0);
	file->private_data = c;
	return stream_open(inode, file);
}

static int signal_fasync(int fd, struct file *file, int on)
{
	int ret;

	/* F_SETFL O_ASYNC on/off; fasync_helper() does the locking. */
	ret = fasync_helper(fd, file, on, &sigdev.async_queue);
	if (ret < 0)
		return ret;
	/* > 0: this file's entry was added (on) or removed (off) just now. */
	if (ret > 0)
		atomic_add(on ? 1 : -1, &sigdev.nasync);
	return 0;
}

static int signal_release(struct inode *inode, struct file *file)
{
	struct signal_client *c = file->private_data;

	/* The timer may be running now; afterwards it cannot be re-armed. */
	timer_shutdown_sync(&c->timer);
	/* The VFS already did this for O_ASYNC files; harmless twice. */
	signal_fasync(-1, file, 0);

	spin_lock_bh(&sigdev.lock);
	if (c->pid)
		signal_unlink(c);
	spin_unlock_bh(&sigdev.lock);
	kfree(c);
	return 0;
}

static bool signal_valid(u32 signo)
{
	/* 1.._NSIG; SIGKILL and SIGSTOP can be neither caught nor blocked. */
	return signo >= 1 && signo <= _NSIG &&
	       signo != SIGKILL && signo != SIGSTOP;
}

static int signal_register(struct signal_client *c,
			   struct ipclab_signal_reg __user *ureg)
{
	struct ipclab_signal_reg reg;
	struct pid *pid;

	if (copy_from_user(&reg, ureg, sizeof(reg)))
		return -EFAULT;
	if (!signal_valid(reg.signo) || reg.flags)
		return -EINVAL;

	/* A counted reference to the caller's process, never a number. */
	pid = get_task_pid(current, PIDTYPE_TGID);
	spin_lock_bh(&sigdev.lock);
	if (c->pid) {
		spin_unlock_bh(&sigdev.lock);
		put_pid(pid);
		return -EBUSY;
	}
	c->pid = pid;
	c->signo = reg.signo;
	c->value = reg.value;
	list_add_tail(&c->node, &sigdev.clients);
	sigdev.registered++;
	spin_unlock_bh(&sigdev.lock);
	return 0;
}

static int signal_unregister(struct signal_client *c)
{
	int ret = 0;

	spin_lock_bh(&sigdev.lock);
	if (c->pid)
		signal_unlink(c);
	else
		ret = -ENOENT;
	spin_unlock_bh(&sigdev.lock);
	return ret;
}

static int signal_get_stats(struct ipclab_signal_stats __user *ustats)
{
	struct ipclab_signal_stats stats;

	/* Zeroed first: no stale kernel bytes may reach user space. */
	memset(&stats, 0, sizeof(stats));
	spin_lock_bh(&sigdev.lock);
	stats.sent = sigdev.sent;
	stats.overflows = sigdev.overflows;
	stats.stale = sigdev.stale;
	stats.triggers = sigdev.triggers;
	stats.misses = sigdev.misses;
	stats.registered = sigdev.registered;
	spin_unlock_bh(&sigdev.lock);
	stats.nasync = atomic_read(&sigdev.nasync);

	/* Outside the spinlock: copy_to_user may fault and sleep. */
	if (copy_to_user(ustats, &stats, sizeof(stats)))
		return -EFAULT;
	return 0;
}

static long signal_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct signal_client *c = file->private_data;
	void __user *uarg = (void __user *)arg;
	u32 n;

	switch (cmd) {
	case IPCLAB_SIGNAL_IOC_REGISTER:
		return signal_register(c, uarg);
	case IPCLAB_SIGNAL_IOC_UNREGISTER:
		return signal_unregister(c);
	case IPCLAB_SIGNAL_IOC_TRIGGER:
		if (get_user(n, (u32 __user *)uarg))
			return -EFAULT;
		if (n < 1 || n > IPCLAB_SIGNAL_MAX_BURST)
			return -EINVAL;
		return signal_trigger(n);
	case IPCLAB_SIGNAL_IOC_TIMER:
		if (get_user(n, (u32 __user *)uarg))
			return -EFAULT;
		if (n < 1 || n > IPCLAB_SIGNAL_MAX_DELAY_MS)
			return -EINVAL;
		mod_timer(&c->timer, jiffies + msecs_to_jiffies(n));
		return 0;
	case IPCLAB_SIGNAL_IOC_GET_STATS:
		return signal_get_stats(uarg);
	default:
		return -ENOTTY;
	}
}

/* Every write() is one trigger, whatever the bytes: `echo >` works. */
static ssize_t signal_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	int ret;

	if (!count)
		return 0;
	ret = signal_trigger(1);
	return ret < 0 ? ret : count;
}

static const struct file_operations signal_fops = {
	.owner		= THIS_MODULE,	/* no rmmod while the file is open */
	.open		= signal_open,
	.release	= signal_release,
	.write		= signal_write,
	.fasync		= signal_fasync,
	.unlocked_ioctl	= signal_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice signal_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipclab-signal",	/* IPCLAB_SIGNAL_PATH */
	.fops	= &signal_fops,
	.mode	= 0666,
};

int ipclab_signal_init(void)
{
	int ret;

	spin_lock_init(&sigdev.lock);
	INIT_LIST_HEAD(&sigdev.clients);
	sigdev.registered = 0;
	sigdev.sent = 0;
	sigdev.overflows = 0;
	sigdev.stale = 0;
	sigdev.triggers = 0;
	sigdev.misses = 0;
	sigdev.async_queue = NULL;
	atomic_set(&sigdev.nasync, 0);

	ret = misc_register(&signal_misc);
	if (ret)
		return ret;
	pr_info("signal: %s ready\n", IPCLAB_SIGNAL_PATH);
	return 0;
}

void ipclab_signal_exit(void)
{
	/* Open files pin the module: no client, timer or fasync entry left. */
	misc_deregister(&signal_misc);
	WARN_ON_ONCE(!list_empty(&sigdev.clients));
}
