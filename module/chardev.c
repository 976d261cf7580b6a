// SPDX-License-Identifier: GPL-2.0
/*
 * The device file /dev/ipclab, a bounded FIFO of bytes shared by all openers:
 * user space takes every initiative (open, read, write, poll, ioctl) and the
 * kernel answers by running the callbacks this driver registered.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/kfifo.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

/* The ioctl struct is ABI: fixed size, no holes the compiler could leave. */
static_assert(sizeof(struct ipclab_chardev_stats) == 48);

static struct {
	struct mutex lock;		/* serialises fifo, buf and counters */
	struct kfifo fifo;		/* the bytes written, not yet read */
	void *buf;			/* fifo storage, kvmalloc'ed */
	unsigned int capacity;		/* <= kfifo_size(&fifo), see resize */
	wait_queue_head_t readq;	/* readers waiting for data */
	wait_queue_head_t writeq;	/* writers waiting for room */
	u64 bytes_read;
	u64 bytes_written;
	u64 reads;
	u64 writes;
	atomic_t openers;		/* open file descriptions */
} chardev;

/*
 * Lockless peeks for wait_event() and poll(): the answer may be stale by the
 * time it is used, so read() and write() check again under the mutex.
 */
static bool chardev_readable(void)
{
	return !kfifo_is_empty(&chardev.fifo);
}

static unsigned int chardev_room(void)
{
	unsigned int used = kfifo_len(&chardev.fifo);
	unsigned int capacity = READ_ONCE(chardev.capacity);

	return used < capacity ? capacity - used : 0;
}

/*
 * Replace the (empty) buffer with one of @capacity bytes, a power of two.
 * kfifo needs at least 2 bytes of storage; a capacity of 1 is enforced by
 * chardev_room() instead.
 */
static int chardev_resize(unsigned int capacity)
{
	unsigned int size = max(capacity, 2U);
	void *buf, *old;
	int ret;

	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	if (mutex_lock_interruptible(&chardev.lock)) {
		kvfree(buf);
		return -ERESTARTSYS;
	}
	if (!kfifo_is_empty(&chardev.fifo)) {
		mutex_unlock(&chardev.lock);
		kvfree(buf);
		return -EBUSY;
	}
	ret = kfifo_init(&chardev.fifo, buf, size);
	if (WARN_ON_ONCE(ret)) {
		mutex_unlock(&chardev.lock);
		kvfree(buf);
		return ret;
	}
	old = chardev.buf;
	chardev.buf = buf;
	WRITE_ONCE(chardev.capacity, capacity);
	mutex_unlock(&chardev.lock);

	kvfree(old);
	/* A writer that waited on the old, smaller buffer may fit now. */
	wake_up_interruptible(&chardev.writeq);
	return 0;
}

static int chardev_open(struct inode *inode, struct file *file)
{
	atomic_inc(&chardev.openers);
	/* A stream has no file position: lseek, pread and pwrite fail. */
	return stream_open(inode, file);
}

static int chardev_release(struct inode *inode, struct file *file)
{
	atomic_dec(&chardev.openers);
	return 0;
}

static ssize_t chardev_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	unsigned int copied;
	int ret;

	if (!count)
		return 0;

	if (mutex_lock_interruptible(&chardev.lock))
		return -ERESTARTSYS;
	while (!chardev_readable()) {
		mutex_unlock(&chardev.lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		/* Sleep until a writer wakes us; a signal ends the wait. */
		if (wait_event_interruptible(chardev.readq, chardev_readable()))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&chardev.lock))
			return -ERESTARTSYS;
	}

	/* Copies min(count, used) bytes; may fault, so never under a spinlock. */
	ret = kfifo_to_user(&chardev.fifo, ubuf, count, &copied);
	if (copied) {
		chardev.bytes_read += copied;
		chardev.reads++;
	}
	mutex_unlock(&chardev.lock);

	if (!copied)
		return ret;	/* -EFAULT: the user buffer faulted */
	wake_up_interruptible(&chardev.writeq);
	return copied;
}

static ssize_t chardev_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	unsigned int copied;
	int ret;

	if (!count)
		return 0;

	if (mutex_lock_interruptible(&chardev.lock))
		return -ERESTARTSYS;
	while (!chardev_room()) {
		mutex_unlock(&chardev.lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(chardev.writeq, chardev_room()))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&chardev.lock))
			return -ERESTARTSYS;
	}

	/* A partial write, like a pipe in O_NONBLOCK mode: what fits now. */
	ret = kfifo_from_user(&chardev.fifo, ubuf,
			      min_t(size_t, count, chardev_room()), &copied);
	if (copied) {
		chardev.bytes_written += copied;
		chardev.writes++;
	}
	mutex_unlock(&chardev.lock);

	if (!copied)
		return ret;
	wake_up_interruptible(&chardev.readq);
	return copied;
}

static __poll_t chardev_poll(struct file *file, poll_table *wait)
{
	__poll_t mask = 0;

	/* Register on both queues; read() and write() wake them. */
	poll_wait(file, &chardev.readq, wait);
	poll_wait(file, &chardev.writeq, wait);

	if (chardev_readable())
		mask |= EPOLLIN | EPOLLRDNORM;
	if (chardev_room())
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int chardev_clear(void)
{
	if (mutex_lock_interruptible(&chardev.lock))
		return -ERESTARTSYS;
	/* One store (out = in), so lockless peeks never see a torn state. */
	kfifo_reset_out(&chardev.fifo);
	mutex_unlock(&chardev.lock);

	wake_up_interruptible(&chardev.writeq);
	return 0;
}

static int chardev_get_stats(struct ipclab_chardev_stats __user *ustats)
{
	struct ipclab_chardev_stats stats;

	/* Zeroed first: no stale kernel bytes may reach user space. */
	memset(&stats, 0, sizeof(stats));

	if (mutex_lock_interruptible(&chardev.lock))
		return -ERESTARTSYS;
	stats.bytes_read = chardev.bytes_read;
	stats.bytes_written = chardev.bytes_written;
	stats.reads = chardev.reads;
	stats.writes = chardev.writes;
	stats.used = kfifo_len(&chardev.fifo);
	stats.capacity = chardev.capacity;
	mutex_unlock(&chardev.lock);
	stats.openers = atomic_read(&chardev.openers);

	if (copy_to_user(ustats, &stats, sizeof(stats)))
		return -EFAULT;
	return 0;
}

static long chardev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	u32 capacity;

	switch (cmd) {
	case IPCLAB_IOC_GET_CAPACITY:
		capacity = READ_ONCE(chardev.capacity);
		return put_user(capacity, (u32 __user *)uarg);
	case IPCLAB_IOC_SET_CAPACITY:
		if (get_user(capacity, (u32 __user *)uarg))
			return -EFAULT;
		if (capacity < 1 || capacity > IPCLAB_CHARDEV_MAX_CAPACITY)
			return -EINVAL;
		return chardev_resize(roundup_pow_of_two(capacity));
	case IPCLAB_IOC_CLEAR:
		return chardev_clear();
	case IPCLAB_IOC_GET_STATS:
		return chardev_get_stats(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations chardev_fops = {
	.owner		= THIS_MODULE,	/* no rmmod while the file is open */
	.open		= chardev_open,
	.release	= chardev_release,
	.read		= chardev_read,
	.write		= chardev_write,
	.poll		= chardev_poll,
	.unlocked_ioctl	= chardev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	/* no .llseek: stream_open() makes lseek fail with ESPIPE */
};

/* misc_register() creates /dev/ipclab (devtmpfs) with no class of our own. */
static struct miscdevice chardev_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipclab",		/* IPCLAB_CHARDEV_PATH */
	.fops	= &chardev_fops,
	.mode	= 0666,
};

int ipclab_chardev_init(void)
{
	int ret;

	mutex_init(&chardev.lock);
	init_waitqueue_head(&chardev.readq);
	init_waitqueue_head(&chardev.writeq);
	atomic_set(&chardev.openers, 0);

	ret = chardev_resize(IPCLAB_CHARDEV_DEFAULT_CAPACITY);
	if (ret)
		return ret;

	ret = misc_register(&chardev_misc);
	if (ret)
		goto free_buf;

	pr_info("chardev: %s ready, capacity %u\n", IPCLAB_CHARDEV_PATH,
		chardev.capacity);
	return 0;

free_buf:
	kvfree(chardev.buf);
	chardev.buf = NULL;
	return ret;
}

void ipclab_chardev_exit(void)
{
	misc_deregister(&chardev_misc);
	kvfree(chardev.buf);
	chardev.buf = NULL;
}
