// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs: attributes of the misc device ipclab-sysfs (one text value per
 * file); one of them is changed by the driver itself, from a work item,
 * and announced with sysfs_notify() so readers wait in poll() for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

static struct {
	struct mutex lock;		/* serialises the values below */
	u32 value;
	u32 latched;
	u64 generation;
	bool dying;			/* module exit: arm no more work */
	struct delayed_work notify;	/* latches value, then notifies */
} sysfs;

static struct miscdevice sysfs_misc;

/* A decimal number within @max, in at most IPCLAB_SYSFS_INPUT_MAX bytes. */
static int sysfs_parse(const char *buf, size_t count, u32 max, u32 *out)
{
	if (count > IPCLAB_SYSFS_INPUT_MAX)
		return -EINVAL;
	if (kstrtou32(buf, 10, out) || *out > max)
		return -EINVAL;
	return 0;
}

static ssize_t value_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	u32 value;

	mutex_lock(&sysfs.lock);
	value = sysfs.value;
	mutex_unlock(&sysfs.lock);
	return sysfs_emit(buf, "%u\n", value);
}

static ssize_t value_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	u32 value;
	int ret;

	ret = sysfs_parse(buf, count, IPCLAB_SYSFS_VALUE_MAX, &value);
	if (ret)
		return ret;
	mutex_lock(&sysfs.lock);
	sysfs.value = value;
	mutex_unlock(&sysfs.lock);
	return count;
}
static DEVICE_ATTR_RW(value);

static ssize_t notify_ms_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t count)
{
	u32 delay;
	int ret;

	ret = sysfs_parse(buf, count, IPCLAB_SYSFS_DELAY_MAX_MS, &delay);
	if (ret)
		return ret;
	if (!delay)
		return -EINVAL;
	mutex_lock(&sysfs.lock);
	if (!sysfs.dying)
		mod_delayed_work(system_wq, &sysfs.notify,
				 msecs_to_jiffies(delay));
	mutex_unlock(&sysfs.lock);
	return count;
}
static DEVICE_ATTR_WO(notify_ms);

static ssize_t latched_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	u32 latched;

	mutex_lock(&sysfs.lock);
	latched = sysfs.latched;
	mutex_unlock(&sysfs.lock);
	return sysfs_emit(buf, "%u\n", latched);
}
static DEVICE_ATTR_RO(latched);

static ssize_t generation_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	u64 generation;

	mutex_lock(&sysfs.lock);
	generation = sysfs.generation;
	mutex_unlock(&sysfs.lock);
	return sysfs_emit(buf, "%llu\n", generation);
}
static DEVICE_ATTR_RO(generation);

static struct attribute *sysfs_attrs[] = {
	&dev_attr_value.attr,
	&dev_attr_notify_ms.attr,
	&dev_attr_latched.attr,
	&dev_attr_generation.attr,
	NULL,
};
ATTRIBUTE_GROUPS(sysfs);

/* Process context: sysfs_notify() may sleep, so never from a timer. */
static void sysfs_notify_work(struct work_struct *work)
{
	mutex_lock(&sysfs.lock);
	sysfs.latched = sysfs.value;
	sysfs.generation++;
	mutex_unlock(&sysfs.lock);
	sysfs_notify(&sysfs_misc.this_device->kobj, NULL, "latched");
}

/* The device file does nothing: the device exists for its attributes. */
static const struct file_operations sysfs_fops = {
	.owner	= THIS_MODULE,
};

static struct miscdevice sysfs_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipclab-sysfs",
	.fops	= &sysfs_fops,
	.groups	= sysfs_groups,	/* created with the device, before uevent */
	.mode	= 0666,
};

int ipclab_sysfs_init(void)
{
	int ret;

	mutex_init(&sysfs.lock);
	INIT_DELAYED_WORK(&sysfs.notify, sysfs_notify_work);

	ret = misc_register(&sysfs_misc);
	if (ret)
		return ret;
	pr_info("sysfs: %s ready\n", IPCLAB_SYSFS_DIR);
	return 0;
}

void ipclab_sysfs_exit(void)
{
	/* The work uses the device: stop it for good before it goes. */
	mutex_lock(&sysfs.lock);
	sysfs.dying = true;
	mutex_unlock(&sysfs.lock);
	cancel_delayed_work_sync(&sysfs.notify);
	misc_deregister(&sysfs_misc);
}
