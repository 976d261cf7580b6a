// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: /sys/kernel/debug/ipclab/ exposes the driver's internal state
 * with almost no code (debugfs_create_u32/u64, a seq_file) -- for
 * debugging only: debugfs is no ABI and may be absent or unmounted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

static struct {
	struct dentry *dir;
	struct mutex lock;	/* serialises pokes and last */
	u32 value;		/* read and written by debugfs itself */
	u64 pokes;
	char last[IPCLAB_DEBUGFS_WORD_MAX + 1];
} dbg;

static int state_show(struct seq_file *m, void *v)
{
	mutex_lock(&dbg.lock);
	seq_printf(m, "value: %u\n", READ_ONCE(dbg.value));
	seq_printf(m, "pokes: %llu\n", dbg.pokes);
	seq_printf(m, "last: %s\n", dbg.last);
	mutex_unlock(&dbg.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(state);

static ssize_t debugfs_poke_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char buf[IPCLAB_DEBUGFS_WORD_MAX + 1];
	size_t len = count;

	if (!count || count > IPCLAB_DEBUGFS_WORD_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	if (buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';

	mutex_lock(&dbg.lock);
	dbg.pokes++;
	strscpy(dbg.last, buf, sizeof(dbg.last));
	mutex_unlock(&dbg.lock);
	return count;
}

static const struct file_operations debugfs_poke_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= debugfs_poke_write,
	.llseek	= noop_llseek,
};

int ipclab_debugfs_init(void)
{
	mutex_init(&dbg.lock);

	/* debugfs calls never need checking: they accept an error dentry. */
	dbg.dir = debugfs_create_dir("ipclab", NULL);
	debugfs_create_u32("value", 0644, dbg.dir, &dbg.value);
	debugfs_create_u64("pokes", 0444, dbg.dir, &dbg.pokes);
	debugfs_create_file("poke", 0200, dbg.dir, NULL, &debugfs_poke_fops);
	debugfs_create_file("state", 0444, dbg.dir, NULL, &state_fops);
	return 0;
}

void ipclab_debugfs_exit(void)
{
	debugfs_remove_recursive(dbg.dir);
}
