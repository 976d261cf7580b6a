// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory between the driver and user space: each open of
 * /dev/ipclab-shm owns vmalloc'ed pages that mmap() hands to the process, and
 * a kernel thread shows the two classic weaknesses (torn reads, polling) next
 * to their remedies (a sequence counter, poll() on a generation counter).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/kthread.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

/* The ioctl structs are ABI: fixed sizes, no holes. */
static_assert(sizeof(struct ipclab_shm_producer) == 24);
static_assert(sizeof(struct ipclab_shm_fill) == 24);
static_assert(sizeof(struct ipclab_shm_checksum) == 24);
static_assert(sizeof(struct ipclab_shm_info) == 64);
/* The record sits in the first page, and every buffer has one. */
static_assert(sizeof(struct ipclab_shm_record) <= PAGE_SIZE);

#define SHM_FNV_BASIS	0xcbf29ce484222325ULL
#define SHM_FNV_PRIME	0x100000001b3ULL
#define SHM_NOTIFY_MAX	1000000U
#define SHM_BATCH	1024	/* RAW/SEQ updates between cond_resched() */
#define SHM_GAP_NS	50	/* RAW/SEQ pause after an update, per word */

/*
 * The pages. The open file holds one reference and every VMA another, so
 * the pages stay until the last of them is gone, in whatever order.
 */
struct shm_buf {
	struct kref ref;
	void *mem;		/* vmalloc_user(): zeroed, VM_USERMAP */
	size_t size;		/* a multiple of PAGE_SIZE */
	atomic_t maps;		/* VMAs mapping it */
};

/* One per open file. */
struct shm_file {
	struct mutex lock;		/* buf, producer, seen, mmap */
	struct shm_buf *buf;
	struct task_struct *producer;	/* we hold a task_struct reference */
	struct ipclab_shm_producer params;
	u64 updates;			/* written by the producer only */
	u64 gen;			/* written by the producer only */
	u64 seen;			/* written by read() under lock */
	wait_queue_head_t readq;	/* poll() and read(): a publication */
	wait_queue_head_t ackq;		/* the producer: a read() */
};

/* Module-wide counters for IPCLAB_IOC_SHM_INFO: the lifetime tests. */
static atomic_t shm_buffers = ATOMIC_INIT(0);
static atomic_t shm_mappings = ATOMIC_INIT(0);
static atomic_t shm_producers = ATOMIC_INIT(0);

static struct shm_buf *shm_buf_alloc(size_t size)
{
	struct shm_buf *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	/* Zeroed (no stale kernel data reaches user space), mappable. */
	buf->mem = vmalloc_user(size);
	if (!buf->mem) {
		kfree(buf);
		return NULL;
	}
	buf->size = size;
	kref_init(&buf->ref);
	atomic_set(&buf->maps, 0);
	atomic_inc(&shm_buffers);
	return buf;
}

static void shm_buf_free(struct kref *ref)
{
	struct shm_buf *buf = container_of(ref, struct shm_buf, ref);

	vfree(buf->mem);
	kfree(buf);
	atomic_dec(&shm_buffers);
}

static void shm_buf_put(struct shm_buf *buf)
{
	kref_put(&buf->ref, shm_buf_free);
}

/* A new VMA on the pages: fork(), or a split by munmap()/mprotect(). */
static void shm_vma_open(struct vm_area_struct *vma)
{
	struct shm_buf *buf = vma->vm_private_data;

	kref_get(&buf->ref);
	atomic_inc(&buf->maps);
	atomic_inc(&shm_mappings);
}

static void shm_vma_close(struct vm_area_struct *vma)
{
	struct shm_buf *buf = vma->vm_private_data;

	atomic_dec(&shm_mappings);
	atomic_dec(&buf->maps);
	shm_buf_put(buf);
}

/*
 * No .fault: every page is inserted at mmap() time. Having vm_ops at all
 * also keeps the VMA from being treated as anonymous memory, so a page
 * zapped by madvise(MADV_DONTNEED) faults with SIGBUS instead of turning
 * into a private zero page the driver never sees.
 */
static const struct vm_operations_struct shm_vm_ops = {
	.open	= shm_vma_open,
	.close	= shm_vma_close,
};

static int shm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct shm_file *f = file->private_data;
	unsigned long pages = vma_pages(vma);
	unsigned long have;
	struct shm_buf *buf;
	int ret;

	/* A private copy-on-write copy of driver pages shares nothing. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	if (mutex_lock_killable(&f->lock))
		return -EINTR;
	buf = f->buf;
	have = buf->size >> PAGE_SHIFT;
	/* remap_vmalloc_range() checks this too; say it where it is read. */
	if (vma->vm_pgoff >= have || pages > have - vma->vm_pgoff) {
		ret = -EINVAL;
		goto unlock;
	}
	/* Inserts the pages and sets VM_DONTEXPAND | VM_DONTDUMP. */
	ret = remap_vmalloc_range(vma, buf->mem, vma->vm_pgoff);
	if (ret)
		goto unlock;
	vma->vm_ops = &shm_vm_ops;
	vma->vm_private_data = buf;
	/* mmap() does not call .open for the first VMA. */
	shm_vma_open(vma);
unlock:
	mutex_unlock(&f->lock);
	return ret;
}

/* [offset, offset + length) inside the buffer, without overflow. */
static bool shm_range_ok(const struct shm_buf *buf, u64 offset, u64 length)
{
	return offset <= buf->size && length <= buf->size - offset;
}

static int shm_fill(struct shm_file *f,
		    const struct ipclab_shm_fill __user *ufill)
{
	struct ipclab_shm_fill fill;
	u32 x;
	u8 *p;
	u64 i;
	int ret = 0;

	if (copy_from_user(&fill, ufill, sizeof(fill)))
		return -EFAULT;
	if (!fill.seed || fill.pad0)
		return -EINVAL;

	if (mutex_lock_interruptible(&f->lock))
		return -ERESTARTSYS;
	if (!shm_range_ok(f->buf, fill.offset, fill.length)) {
		ret = -EINVAL;
		goto unlock;
	}
	p = (u8 *)f->buf->mem + fill.offset;
	x = fill.seed;
	for (i = 0; i < fill.length; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x >> 24;
		if (!(i % PAGE_SIZE))
			cond_resched();
	}
unlock:
	mutex_unlock(&f->lock);
	return ret;
}

static int shm_checksum(struct shm_file *f,
			struct ipclab_shm_checksum __user *ucsum)
{
	struct ipclab_shm_checksum csum;
	u64 i, sum = SHM_FNV_BASIS;
	const u8 *p;

	if (copy_from_user(&csum, ucsum, sizeof(csum)))
		return -EFAULT;

	if (mutex_lock_interruptible(&f->lock))
		return -ERESTARTSYS;
	if (!shm_range_ok(f->buf, csum.offset, csum.length)) {
		mutex_unlock(&f->lock);
		return -EINVAL;
	}
	/* User space may write meanwhile: it then gets what it raced with. */
	p = (const u8 *)f->buf->mem + csum.offset;
	for (i = 0; i < csum.length; i++) {
		sum = (sum ^ p[i]) * SHM_FNV_PRIME;
		if (!(i % PAGE_SIZE))
			cond_resched();
	}
	mutex_unlock(&f->lock);

	/* Copied out after the unlock: a fault may sleep on mmap_lock. */
	csum.sum = sum;
	if (copy_to_user(ucsum, &csum, sizeof(csum)))
		return -EFAULT;
	return 0;
}

static int shm_set_size(struct shm_file *f, const u32 __user *usize)
{
	struct shm_buf *buf, *old;
	u32 size;

	if (get_user(size, usize))
		return -EFAULT;
	if (!size || size > IPCLAB_SHM_MAX_SIZE || !PAGE_ALIGNED(size))
		return -EINVAL;

	buf = shm_buf_alloc(size);
	if (!buf)
		return -ENOMEM;
	if (mutex_lock_interruptible(&f->lock)) {
		shm_buf_put(buf);
		return -ERESTARTSYS;
	}
	/*
	 * New VMAs come only from mmap() (under f->lock) or from an existing
	 * VMA, so no mapping can appear once maps reads 0 here.
	 */
	if (atomic_read(&f->buf->maps) || f->producer) {
		mutex_unlock(&f->lock);
		shm_buf_put(buf);
		return -EBUSY;
	}
	old = f->buf;
	f->buf = buf;
	mutex_unlock(&f->lock);
	shm_buf_put(old);
	return 0;
}

static bool shm_acked(struct shm_file *f, u64 gen)
{
	return kthread_should_stop() || READ_ONCE(f->seen) >= gen;
}

/* NOTIFY: publish count records, each only after the last one was read. */
static void shm_notify(struct shm_file *f, struct ipclab_shm_record *rec)
{
	const struct ipclab_shm_producer *p = &f->params;
	long pause = msecs_to_jiffies(p->interval_ms);
	long ack_wait = IPCLAB_SHM_ACK_TIMEOUT_S * HZ;
	u64 gen;
	u32 i;

	for (gen = 1; gen <= p->count; gen++) {
		/* Kernel threads take no signals: only kthread_stop() wakes. */
		wait_event_interruptible_timeout(f->ackq,
						 kthread_should_stop(), pause);
		if (kthread_should_stop())
			return;
		for (i = 0; i < p->words; i++)
			WRITE_ONCE(rec->v[i], p->start + gen);
		WRITE_ONCE(rec->stamp_ns, ktime_get_ns());
		/* A reader that sees gen (acquire) sees v[] and stamp_ns. */
		smp_store_release(&rec->gen, gen);
		WRITE_ONCE(f->updates, gen);
		/* And one that read() returned gen to sees rec->gen. */
		smp_store_release(&f->gen, gen);
		wake_up_interruptible_poll(&f->readq,
					   EPOLLIN | EPOLLRDNORM | EPOLLPRI);

		/* Lossless: the next publication waits for read() of this. */
		if (!wait_event_interruptible_timeout(f->ackq,
						      shm_acked(f, gen),
						      ack_wait)) {
			pr_info("shm: publication %llu not read in %u s, stopping\n",
				gen, IPCLAB_SHM_ACK_TIMEOUT_S);
			return;
		}
	}
}

/*
 * RAW and SEQ: rewrite v[] at a high rate. Without a protocol a reader on
 * another CPU sees a mix of two updates; with the sequence counter it can
 * tell and retry (the reader's side is in ipclab_uapi.h). The short pause
 * after each update is the window in which a reader's copy can succeed:
 * a writer that never pauses starves seqcount readers, the remedy's own
 * weakness.
 */
static void shm_spin(struct shm_file *f, struct ipclab_shm_record *rec)
{
	const struct ipclab_shm_producer *p = &f->params;
	unsigned long end = jiffies + IPCLAB_SHM_PRODUCER_MAX_S * HZ;
	bool seq = p->mode == IPCLAB_SHM_MODE_SEQ;
	u64 value = p->start, s = 0;
	u32 i, n;

	while (!kthread_should_stop() && time_before(jiffies, end)) {
		for (n = 0; n < SHM_BATCH; n++) {
			value++;
			if (seq) {
				WRITE_ONCE(rec->seq, ++s);	/* odd: writing */
				/*
				 * Orders seq before v[]: pairs with the
				 * reader's acquire fence before its re-read.
				 */
				smp_wmb();
			}
			for (i = 0; i < p->words; i++)
				WRITE_ONCE(rec->v[i], value);
			if (seq) {
				/*
				 * Even again, after v[]: pairs with the
				 * reader's acquire load of seq.
				 */
				smp_store_release(&rec->seq, ++s);
			}
			ndelay(SHM_GAP_NS * p->words);
		}
		WRITE_ONCE(f->updates, value - p->start);
		/* No preemption in the lab kernel: let others run. */
		cond_resched();
	}
}

static int shm_produce(void *data)
{
	struct shm_file *f = data;
	/* f->buf cannot change or go while we run: see shm_set_size(). */
	struct ipclab_shm_record *rec = f->buf->mem;

	if (f->params.mode == IPCLAB_SHM_MODE_NOTIFY)
		shm_notify(f, rec);
	else
		shm_spin(f, rec);
	/* Returning is fine: shm_stop() holds a reference on our task. */
	return 0;
}

static int shm_check_params(const struct ipclab_shm_producer *p)
{
	if (!p->words || p->words > IPCLAB_SHM_MAX_WORDS)
		return -EINVAL;
	switch (p->mode) {
	case IPCLAB_SHM_MODE_RAW:
	case IPCLAB_SHM_MODE_SEQ:
		return p->count || p->interval_ms ? -EINVAL : 0;
	case IPCLAB_SHM_MODE_NOTIFY:
		if (!p->count || p->count > SHM_NOTIFY_MAX ||
		    !p->interval_ms || p->interval_ms > 1000)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * RAW and SEQ race a reader on another CPU: keep the producer off the
 * caller's CPU (a reader pins itself there first), or the two may share
 * one CPU and take turns, and the race the lab shows would be rare. A hint
 * only: with one CPU, or no memory for the mask, it runs anywhere.
 */
static void shm_avoid_this_cpu(struct task_struct *task)
{
	cpumask_var_t mask;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return;
	cpumask_copy(mask, cpu_online_mask);
	cpumask_clear_cpu(raw_smp_processor_id(), mask);
	if (!cpumask_empty(mask))
		set_cpus_allowed_ptr(task, mask);
	free_cpumask_var(mask);
}

static int shm_start(struct shm_file *f,
		     const struct ipclab_shm_producer __user *uparams)
{
	struct ipclab_shm_producer params;
	struct ipclab_shm_record *rec;
	struct task_struct *task;
	u32 i;
	int ret;

	if (copy_from_user(&params, uparams, sizeof(params)))
		return -EFAULT;
	ret = shm_check_params(&params);
	if (ret)
		return ret;

	if (mutex_lock_interruptible(&f->lock))
		return -ERESTARTSYS;
	if (f->producer) {
		ret = -EBUSY;
		goto unlock;
	}
	f->params = params;
	f->updates = 0;
	f->gen = 0;
	f->seen = 0;
	rec = f->buf->mem;
	WRITE_ONCE(rec->seq, 0);
	WRITE_ONCE(rec->gen, 0);
	WRITE_ONCE(rec->stamp_ns, 0);
	WRITE_ONCE(rec->mode, params.mode);
	WRITE_ONCE(rec->words, params.words);
	for (i = 0; i < IPCLAB_SHM_MAX_WORDS; i++)
		WRITE_ONCE(rec->v[i], i < params.words ? params.start : 0);

	/* Created stopped, so we hold our reference before it can exit. */
	task = kthread_create(shm_produce, f, "ipclab-shm");
	if (IS_ERR(task)) {
		ret = PTR_ERR(task);
		goto unlock;
	}
	get_task_struct(task);
	if (params.mode != IPCLAB_SHM_MODE_NOTIFY)
		shm_avoid_this_cpu(task);
	f->producer = task;
	atomic_inc(&shm_producers);
	wake_up_process(task);
unlock:
	mutex_unlock(&f->lock);
	return ret;
}

/* Stop and reap the producer; the caller holds f->lock. */
static void shm_stop_locked(struct shm_file *f)
{
	if (!f->producer)
		return;
	/* Waits for the thread, which never takes f->lock. */
	kthread_stop(f->producer);
	put_task_struct(f->producer);
	f->producer = NULL;
	atomic_dec(&shm_producers);
}

static int shm_stop(struct shm_file *f)
{
	if (mutex_lock_interruptible(&f->lock))
		return -ERESTARTSYS;
	shm_stop_locked(f);
	mutex_unlock(&f->lock);
	return 0;
}

static int shm_info(struct shm_file *f, struct ipclab_shm_info __user *uinfo)
{
	struct ipclab_shm_info info;

	/* Zeroed first: no stale kernel bytes may reach user space. */
	memset(&info, 0, sizeof(info));
	if (mutex_lock_interruptible(&f->lock))
		return -ERESTARTSYS;
	info.size = f->buf->size;
	info.mappings = atomic_read(&f->buf->maps);
	info.mode = f->producer ? f->params.mode : 0;
	info.updates = READ_ONCE(f->updates);
	info.gen = READ_ONCE(f->gen);
	info.seen = f->seen;
	mutex_unlock(&f->lock);
	info.buffers = atomic_read(&shm_buffers);
	info.all_mappings = atomic_read(&shm_mappings);
	info.producers = atomic_read(&shm_producers);

	if (copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static bool shm_pending(struct shm_file *f)
{
	/* Pairs with the producer's release of f->gen. */
	return smp_load_acquire(&f->gen) != READ_ONCE(f->seen);
}

/* Return the newest generation not yet read on this file, as a __u64. */
static ssize_t shm_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	struct shm_file *f = file->private_data;
	u64 gen;

	if (count < sizeof(gen))
		return -EINVAL;
	for (;;) {
		if (mutex_lock_interruptible(&f->lock))
			return -ERESTARTSYS;
		/* Pairs with the producer's release of f->gen. */
		gen = smp_load_acquire(&f->gen);
		if (gen != f->seen)
			break;
		mutex_unlock(&f->lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(f->readq, shm_pending(f)))
			return -ERESTARTSYS;
	}
	WRITE_ONCE(f->seen, gen);
	mutex_unlock(&f->lock);
	/* The producer may publish the next one. */
	wake_up_interruptible(&f->ackq);

	if (put_user(gen, (u64 __user *)ubuf))
		return -EFAULT;
	return sizeof(gen);
}

/* Readable (and "priority") while a publication is unread on this file. */
static __poll_t shm_poll(struct file *file, poll_table *wait)
{
	struct shm_file *f = file->private_data;

	poll_wait(file, &f->readq, wait);
	return shm_pending(f) ? EPOLLIN | EPOLLRDNORM | EPOLLPRI : 0;
}

static long shm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct shm_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case IPCLAB_IOC_SHM_INFO:
		return shm_info(f, uarg);
	case IPCLAB_IOC_SHM_SET_SIZE:
		return shm_set_size(f, uarg);
	case IPCLAB_IOC_SHM_FILL:
		return shm_fill(f, uarg);
	case IPCLAB_IOC_SHM_CHECKSUM:
		return shm_checksum(f, uarg);
	case IPCLAB_IOC_SHM_START:
		return shm_start(f, uarg);
	case IPCLAB_IOC_SHM_STOP:
		return shm_stop(f);
	default:
		return -ENOTTY;
	}
}

static int shm_open(struct inode *inode, struct file *file)
{
	struct shm_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->buf = shm_buf_alloc(IPCLAB_SHM_DEFAULT_SIZE);
	if (!f->buf) {
		kfree(f);
		return -ENOMEM;
	}
	mutex_init(&f->lock);
	init_waitqueue_head(&f->readq);
	init_waitqueue_head(&f->ackq);
	file->private_data = f;
	/* read() returns generations, not a byte stream: no file position. */
	return stream_open(inode, file);
}

/* The last close of the file: after every VMA is gone (they hold it). */
static int shm_release(struct inode *inode, struct file *file)
{
	struct shm_file *f = file->private_data;

	/* The producer writes into f->buf: stop it first. */
	mutex_lock(&f->lock);
	shm_stop_locked(f);
	mutex_unlock(&f->lock);
	shm_buf_put(f->buf);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations shm_fops = {
	.owner		= THIS_MODULE,	/* no rmmod while open or mapped */
	.open		= shm_open,
	.release	= shm_release,
	.read		= shm_read,
	.poll		= shm_poll,
	.mmap		= shm_mmap,
	.unlocked_ioctl	= shm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice shm_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipclab-shm",		/* IPCLAB_SHM_PATH */
	.fops	= &shm_fops,
	.mode	= 0666,
};

int ipclab_shm_init(void)
{
	int ret;

	ret = misc_register(&shm_misc);
	if (ret)
		return ret;
	pr_info("shm: %s ready, %u-byte buffers\n", IPCLAB_SHM_PATH,
		IPCLAB_SHM_DEFAULT_SIZE);
	return 0;
}

void ipclab_shm_exit(void)
{
	misc_deregister(&shm_misc);
	/* Every file and VMA pins the module, so nothing can be left. */
	WARN_ON_ONCE(atomic_read(&shm_buffers) ||
		     atomic_read(&shm_mappings) ||
		     atomic_read(&shm_producers));
}
