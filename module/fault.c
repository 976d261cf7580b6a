// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection, to test the lab itself: with fault_inject=1, writing a
 * fault's name to /sys/kernel/debug/ipclab_fault makes the kernel misbehave
 * on purpose, so the runner's verdicts can be checked end to end and real
 * consoles recorded for runner/fixtures/. Without the parameter the file
 * does not exist. Faults that need a detector the kernel lacks (KASAN, KFENCE,
 * UBSAN, lockdep, the soft-lockup watchdog) fail with EOPNOTSUPP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/completion.h>
#include <linux/compiler.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/panic.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipclab.h"

static bool fault_inject;
module_param(fault_inject, bool, 0444);
MODULE_PARM_DESC(fault_inject, "create /sys/kernel/debug/ipclab_fault (lab self-tests only)");

static struct dentry *fault_file;
static DECLARE_COMPLETION(fault_never);
static DEFINE_MUTEX(fault_lock_a);
static DEFINE_MUTEX(fault_lock_b);

struct fault_victim {
	int value;
};

/* Read through a pointer the compiler cannot prove to be NULL. */
static struct fault_victim *fault_null;

/* KASAN: read 64 bytes after freeing them. */
static int fault_use_after_free(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	return READ_ONCE(p[8]);
}

/* How long to wait for KFENCE to guard one of this module's allocations. */
#define FAULT_KFENCE_WAIT_MS	5000
/*
 * Not a kmalloc size: ksize() says 64 (the kmalloc-64 slab's) of a slab
 * object, 56 of an object KFENCE guards (its own size). is_kfence_address()
 * would read __kfence_pool, which no graded module may import.
 */
#define FAULT_KFENCE_SIZE	56

/*
 * KFENCE: the same read, on an allocation KFENCE guards. It samples one
 * allocation per interval (a tick on the grading kernel, 100 ms on the
 * debug one), so allocate and free until one lands in its pool; -EAGAIN if
 * none did (its pool full, say).
 */
static int fault_kfence_use_after_free(void)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(FAULT_KFENCE_WAIT_MS);
	char *p;

	do {
		p = kmalloc(FAULT_KFENCE_SIZE, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		if (ksize(p) == FAULT_KFENCE_SIZE) {
			kfree(p);
			OPTIMIZER_HIDE_VAR(p);
			/* Unsigned: a negative value would read as an error. */
			return (unsigned char)READ_ONCE(p[8]);
		}
		kfree(p);
		cond_resched();
	} while (time_before(jiffies, deadline));
	pr_info("fault: no allocation guarded by KFENCE in %d ms\n", FAULT_KFENCE_WAIT_MS);
	return -EAGAIN;
}

/* UBSAN: an array index past the end, computed at run time. */
static int fault_out_of_bounds(size_t index)
{
	int array[4] = { 1, 2, 3, 4 };

	return array[index + 4];
}

/* lockdep: A then B, later B then A; no deadlock now, but one could be. */
static void fault_lock_inversion(void)
{
	mutex_lock(&fault_lock_a);
	mutex_lock(&fault_lock_b);
	mutex_unlock(&fault_lock_b);
	mutex_unlock(&fault_lock_a);

	mutex_lock(&fault_lock_b);
	mutex_lock(&fault_lock_a);
	mutex_unlock(&fault_lock_a);
	mutex_unlock(&fault_lock_b);
}

/* The soft-lockup watchdog: 15 s on one CPU without scheduling. */
static void fault_soft_lockup(void)
{
	int i;

	preempt_disable();
	for (i = 0; i < 15000; i++)
		mdelay(1);
	preempt_enable();
}

#define FAULT_LEAKS	32

static ssize_t fault_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char name[16];
	void *leak;
	int i;

	if (count == 0 || count >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, count))
		return -EFAULT;
	name[count] = '\0';
	strim(name);

	pr_info("fault: injecting '%s'\n", name);
	if (!strcmp(name, "warn")) {
		WARN(1, "ipclab: injected warning\n");
	} else if (!strcmp(name, "oops")) {
		pr_info("fault: value %d\n", READ_ONCE(fault_null)->value);
	} else if (!strcmp(name, "panic")) {
		panic("ipclab: injected panic");
	} else if (!strcmp(name, "hang")) {
		/* Uninterruptible: only a reboot ends this writer. */
		wait_for_completion(&fault_never);
	} else if (!strcmp(name, "leak")) {
		/*
		 * Many objects: kmemleak is conservative, and stale copies of
		 * pointers on this task's stack (scanned whole) hide a few.
		 */
		for (i = 0; i < FAULT_LEAKS; i++) {
			leak = kmalloc(64, GFP_KERNEL);
			if (!leak)
				return -ENOMEM;
			memset(leak, 0x5a, 64);
		}
		pr_info("fault: leaked %d objects of 64 bytes\n", FAULT_LEAKS);
	} else if (!strcmp(name, "uaf")) {
		if (!IS_ENABLED(CONFIG_KASAN))
			return -EOPNOTSUPP;
		pr_info("fault: read %d\n", fault_use_after_free());
	} else if (!strcmp(name, "kfence")) {
		int ret;

		if (!IS_ENABLED(CONFIG_KFENCE))
			return -EOPNOTSUPP;
		ret = fault_kfence_use_after_free();
		if (ret < 0)
			return ret;
		pr_info("fault: read %d\n", ret);
	} else if (!strcmp(name, "ubsan")) {
		if (!IS_ENABLED(CONFIG_UBSAN_BOUNDS))
			return -EOPNOTSUPP;
		pr_info("fault: read %d\n", fault_out_of_bounds(count));
	} else if (!strcmp(name, "lockdep")) {
		if (!IS_ENABLED(CONFIG_PROVE_LOCKING))
			return -EOPNOTSUPP;
		fault_lock_inversion();
	} else if (!strcmp(name, "softlockup")) {
		if (!IS_ENABLED(CONFIG_SOFTLOCKUP_DETECTOR))
			return -EOPNOTSUPP;
		fault_soft_lockup();
	} else {
		return -EINVAL;
	}
	return count;
}

static const struct file_operations fault_fops = {
	.owner = THIS_MODULE,
	.write = fault_write,
};

int ipclab_fault_init(void)
{
	if (!fault_inject)
		return 0;
	fault_file = debugfs_create_file("ipclab_fault", 0200, NULL, NULL,
					 &fault_fops);
	pr_warn("fault: injection enabled: /sys/kernel/debug/ipclab_fault\n");
	return 0;
}

void ipclab_fault_exit(void)
{
	debugfs_remove(fault_file);
}
