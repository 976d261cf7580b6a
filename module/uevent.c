// SPDX-License-Identifier: GPL-2.0
/*
 * uevent: a write() to /dev/ipclab-uevent makes the driver broadcast a
 * KOBJ_CHANGE uevent of its misc device with the written word in its
 * environment, to every NETLINK_KOBJECT_UEVENT listener (udev and alike).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

#define UEVENT_WORD_VAR	"IPCLAB_WORD="
#define UEVENT_SEQ_VAR	"IPCLAB_SEQ="

static DEFINE_MUTEX(uevent_lock);	/* one uevent at a time, seq in order */
static u64 uevent_seq;

static struct miscdevice uevent_misc;

static bool uevent_word_ok(const char *word, size_t len)
{
	size_t i;

	if (!len || len > IPCLAB_UEVENT_WORD_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(word[i]) && word[i] != '_' && word[i] != '-')
			return false;
	return true;
}

static ssize_t uevent_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char word_var[sizeof(UEVENT_WORD_VAR) + IPCLAB_UEVENT_WORD_MAX];
	char seq_var[sizeof(UEVENT_SEQ_VAR) + 20];
	char buf[IPCLAB_UEVENT_WORD_MAX + 1];
	char *envp[3];
	size_t len = count;
	int ret;

	/* The word and one newline; anything longer is refused unread. */
	if (!count || count > IPCLAB_UEVENT_WORD_MAX + 1)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	if (buf[len - 1] == '\n')
		len--;
	if (!uevent_word_ok(buf, len))
		return -EINVAL;
	buf[len] = '\0';

	/* Process context: kobject_uevent_env() allocates and may sleep. */
	envp[0] = word_var;
	envp[1] = seq_var;
	envp[2] = NULL;
	mutex_lock(&uevent_lock);
	snprintf(word_var, sizeof(word_var), UEVENT_WORD_VAR "%s", buf);
	snprintf(seq_var, sizeof(seq_var), UEVENT_SEQ_VAR "%llu",
		 uevent_seq + 1);
	ret = kobject_uevent_env(&uevent_misc.this_device->kobj, KOBJ_CHANGE,
				 envp);
	if (!ret)
		uevent_seq++;
	mutex_unlock(&uevent_lock);
	return ret ? ret : count;
}

static const struct file_operations uevent_fops = {
	.owner	= THIS_MODULE,
	.open	= nonseekable_open,
	.write	= uevent_write,
};

static struct miscdevice uevent_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipclab-uevent",
	.fops	= &uevent_fops,
	.mode	= 0666,
};

int ipclab_uevent_init(void)
{
	int ret;

	ret = misc_register(&uevent_misc);
	if (ret)
		return ret;
	pr_info("uevent: %s ready\n", IPCLAB_UEVENT_PATH);
	return 0;
}

void ipclab_uevent_exit(void)
{
	misc_deregister(&uevent_misc);
}
