// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection, to test the lab itself: with fault_inject=1, writing a
 * fault's name to /sys/kernel/debug/ipclab_fault makes the kernel misbehave
 * on purpose (warn, oops, panic, hang, leak), so the runner's verdicts can be
 * checked end to end. Without the parameter the file does not exist.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/panic.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipclab.h"

static bool fault_inject;
module_param(fault_inject, bool, 0444);
MODULE_PARM_DESC(fault_inject, "create /sys/kernel/debug/ipclab_fault (lab self-tests only)");

static struct dentry *fault_file;
static DECLARE_COMPLETION(fault_never);

struct fault_victim {
	int value;
};

/* Read through a pointer the compiler cannot prove to be NULL. */
static struct fault_victim *fault_null;

static ssize_t fault_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char name[16];
	void *leak;

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
		leak = kmalloc(64, GFP_KERNEL);
		if (!leak)
			return -ENOMEM;
		memset(leak, 0x5a, 64);
		pr_info("fault: leaked 64 bytes\n");
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
