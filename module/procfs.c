// SPDX-License-Identifier: GPL-2.0
/*
 * procfs: /proc/ipclab, a seq_file of live statistics, and /proc/ipclab_ctl,
 * a writable entry that validates what user space writes; text, one value
 * per read, through struct proc_ops.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

static struct {
	struct mutex lock;	/* serialises the fields below */
	u32 value;		/* the number last accepted */
	u64 writes;		/* accepted writes */
	u64 rejected;		/* writes refused with -EINVAL */
	u64 ctl_reads;		/* read() calls on /proc/ipclab_ctl */
} procfs;

static int procfs_stats_show(struct seq_file *m, void *v)
{
	mutex_lock(&procfs.lock);
	seq_printf(m, "value: %u\n", procfs.value);
	seq_printf(m, "writes: %llu\n", procfs.writes);
	seq_printf(m, "rejected: %llu\n", procfs.rejected);
	seq_printf(m, "ctl_reads: %llu\n", procfs.ctl_reads);
	mutex_unlock(&procfs.lock);
	return 0;
}

static int procfs_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, procfs_stats_show, NULL);
}

static const struct proc_ops procfs_stats_ops = {
	.proc_open	= procfs_stats_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

static ssize_t procfs_ctl_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char buf[16];
	int len;

	mutex_lock(&procfs.lock);
	len = scnprintf(buf, sizeof(buf), "%u\n", procfs.value);
	procfs.ctl_reads++;
	mutex_unlock(&procfs.lock);

	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

/* One decimal number per write(); the whole write is accepted or refused. */
static int procfs_ctl_parse(const char __user *ubuf, size_t count, u32 *value)
{
	char buf[IPCLAB_PROCFS_CTL_MAX + 1];

	if (!count || count > IPCLAB_PROCFS_CTL_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	/* kstrtou32 takes one trailing newline; -ERANGE is bad input too. */
	if (kstrtou32(buf, 10, value))
		return -EINVAL;
	return 0;
}

static ssize_t procfs_ctl_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	u32 value;
	int ret;

	ret = procfs_ctl_parse(ubuf, count, &value);
	mutex_lock(&procfs.lock);
	if (ret == -EINVAL) {
		procfs.rejected++;
	} else if (!ret) {
		procfs.value = value;
		procfs.writes++;
	}
	mutex_unlock(&procfs.lock);
	return ret ? ret : count;
}

static const struct proc_ops procfs_ctl_ops = {
	.proc_read	= procfs_ctl_read,
	.proc_write	= procfs_ctl_write,
	.proc_lseek	= default_llseek,
};

int ipclab_procfs_init(void)
{
	mutex_init(&procfs.lock);

	if (!proc_create("ipclab", 0444, NULL, &procfs_stats_ops))
		return -ENOMEM;
	if (!proc_create("ipclab_ctl", 0644, NULL, &procfs_ctl_ops)) {
		remove_proc_entry("ipclab", NULL);
		return -ENOMEM;
	}
	pr_info("procfs: %s and %s ready\n", IPCLAB_PROCFS_STATS_PATH,
		IPCLAB_PROCFS_CTL_PATH);
	return 0;
}

void ipclab_procfs_exit(void)
{
	remove_proc_entry("ipclab_ctl", NULL);
	remove_proc_entry("ipclab", NULL);
}
