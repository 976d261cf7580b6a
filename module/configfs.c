// SPDX-License-Identifier: GPL-2.0
/*
 * configfs: the subsystem "ipclab" in /sys/kernel/config, where user space
 * creates kernel objects with mkdir, configures them by writing their
 * attributes and destroys them with rmdir. The kernel validates every
 * value, computes what user space only reads (a checksum, counters) and
 * can hold an object so that rmdir fails while it is in use.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ipclab.h"
#include "ipclab_uapi.h"

struct configfs_obj {
	struct config_item item;
	struct mutex lock;	/* serialises the fields below */
	char word[IPCLAB_CONFIGFS_WORD_MAX + 1];
	size_t len;		/* of word; 0 before the first write */
	unsigned int capacity;	/* the longest word accepted */
	unsigned int writes;	/* words accepted since mkdir */
	bool held;		/* configfs_depend_item() taken, rmdir EBUSY */
};

static struct {
	struct configfs_subsystem subsys;
	struct mutex lock;	/* serialises items */
	unsigned int items;	/* items now, IPCLAB_CONFIGFS_MAX_ITEMS at most */
} configfs;

static struct configfs_obj *to_obj(struct config_item *item)
{
	return container_of(item, struct configfs_obj, item);
}

/* 32-bit FNV-1a, as ipclab_uapi.h specifies the checksum. */
static u32 configfs_fnv1a(const char *s, size_t len)
{
	u32 h = 0x811c9dc5;

	while (len--) {
		h ^= (u8)*s++;
		h *= 0x01000193;
	}
	return h;
}

static ssize_t configfs_obj_word_show(struct config_item *item, char *page)
{
	struct configfs_obj *obj = to_obj(item);
	ssize_t n;

	mutex_lock(&obj->lock);
	n = scnprintf(page, PAGE_SIZE, "%.*s\n", (int)obj->len, obj->word);
	mutex_unlock(&obj->lock);
	return n;
}

/* One word per write(): printable ASCII, one trailing newline dropped. */
static ssize_t configfs_obj_word_store(struct config_item *item,
				       const char *page, size_t count)
{
	struct configfs_obj *obj = to_obj(item);
	size_t len = count, i;
	ssize_t ret = count;

	if (len && page[len - 1] == '\n')
		len--;
	for (i = 0; i < len; i++)
		if ((u8)page[i] < 0x20 || (u8)page[i] > 0x7e)
			return -EINVAL;

	mutex_lock(&obj->lock);
	if (!len || len > obj->capacity) {
		ret = -EINVAL;
	} else {
		memcpy(obj->word, page, len);
		obj->len = len;
		obj->writes++;
	}
	mutex_unlock(&obj->lock);
	return ret;
}

static ssize_t configfs_obj_capacity_show(struct config_item *item,
					  char *page)
{
	struct configfs_obj *obj = to_obj(item);
	ssize_t n;

	mutex_lock(&obj->lock);
	n = scnprintf(page, PAGE_SIZE, "%u\n", obj->capacity);
	mutex_unlock(&obj->lock);
	return n;
}

static ssize_t configfs_obj_capacity_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct configfs_obj *obj = to_obj(item);
	ssize_t ret = count;
	unsigned int v;

	/* kstrtouint takes one trailing newline; -ERANGE is bad input too. */
	if (kstrtouint(page, 10, &v) || !v || v > IPCLAB_CONFIGFS_WORD_MAX)
		return -EINVAL;

	mutex_lock(&obj->lock);
	if (v < obj->len)
		ret = -EBUSY;
	else
		obj->capacity = v;
	mutex_unlock(&obj->lock);
	return ret;
}

static ssize_t configfs_obj_writes_show(struct config_item *item, char *page)
{
	struct configfs_obj *obj = to_obj(item);
	ssize_t n;

	mutex_lock(&obj->lock);
	n = scnprintf(page, PAGE_SIZE, "%u\n", obj->writes);
	mutex_unlock(&obj->lock);
	return n;
}

static ssize_t configfs_obj_checksum_show(struct config_item *item,
					  char *page)
{
	struct configfs_obj *obj = to_obj(item);
	u32 h;

	mutex_lock(&obj->lock);
	h = configfs_fnv1a(obj->word, obj->len);
	mutex_unlock(&obj->lock);
	return scnprintf(page, PAGE_SIZE, "0x%08x\n", h);
}

static ssize_t configfs_obj_hold_show(struct config_item *item, char *page)
{
	struct configfs_obj *obj = to_obj(item);
	ssize_t n;

	mutex_lock(&obj->lock);
	n = scnprintf(page, PAGE_SIZE, "%d\n", obj->held);
	mutex_unlock(&obj->lock);
	return n;
}

/*
 * Holding is what a kernel user of the object would do: a dependency
 * that makes configfs refuse rmdir with -EBUSY until it is dropped. The
 * _unlocked variant, since this runs inside the subsystem's own callback.
 */
static ssize_t configfs_obj_hold_store(struct config_item *item,
				       const char *page, size_t count)
{
	struct configfs_obj *obj = to_obj(item);
	bool want;
	int ret = 0;

	if (kstrtobool(page, &want))
		return -EINVAL;

	mutex_lock(&obj->lock);
	if (want && !obj->held) {
		ret = configfs_depend_item_unlocked(&configfs.subsys, item);
		if (!ret)
			obj->held = true;
	} else if (!want && obj->held) {
		configfs_undepend_item(item);
		obj->held = false;
	}
	mutex_unlock(&obj->lock);
	return ret ? ret : count;
}

CONFIGFS_ATTR(configfs_obj_, word);
CONFIGFS_ATTR(configfs_obj_, capacity);
CONFIGFS_ATTR_RO(configfs_obj_, writes);
CONFIGFS_ATTR_RO(configfs_obj_, checksum);
CONFIGFS_ATTR(configfs_obj_, hold);

static struct configfs_attribute *configfs_obj_attrs[] = {
	&configfs_obj_attr_word,
	&configfs_obj_attr_capacity,
	&configfs_obj_attr_writes,
	&configfs_obj_attr_checksum,
	&configfs_obj_attr_hold,
	NULL,
};

/* The last reference is gone (rmdir, then the last open attribute file). */
static void configfs_obj_release(struct config_item *item)
{
	kfree(to_obj(item));
}

static struct configfs_item_operations configfs_obj_ops = {
	.release	= configfs_obj_release,
};

static const struct config_item_type configfs_obj_type = {
	.ct_item_ops	= &configfs_obj_ops,
	.ct_attrs	= configfs_obj_attrs,
	.ct_owner	= THIS_MODULE,
};

static bool configfs_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (!len || len > IPCLAB_CONFIGFS_NAME_MAX)
		return false;
	for (; *name; name++)
		if (!(islower(*name) || isdigit(*name) || *name == '_' ||
		      *name == '-'))
			return false;
	return true;
}

/* mkdir: configfs calls it with the subsystem's su_mutex held. */
static struct config_item *configfs_make_item(struct config_group *group,
					      const char *name)
{
	struct configfs_obj *obj;

	if (!configfs_name_ok(name))
		return ERR_PTR(-EINVAL);

	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&configfs.lock);
	if (configfs.items >= IPCLAB_CONFIGFS_MAX_ITEMS) {
		mutex_unlock(&configfs.lock);
		kfree(obj);
		return ERR_PTR(-ENOSPC);
	}
	configfs.items++;
	mutex_unlock(&configfs.lock);

	mutex_init(&obj->lock);
	obj->capacity = IPCLAB_CONFIGFS_WORD_MAX;
	config_item_init_type_name(&obj->item, name, &configfs_obj_type);
	return &obj->item;
}

/* rmdir, once configfs found nothing holding the item. */
static void configfs_drop_item(struct config_group *group,
			       struct config_item *item)
{
	mutex_lock(&configfs.lock);
	configfs.items--;
	mutex_unlock(&configfs.lock);
	config_item_put(item);
}

static ssize_t configfs_root_items_show(struct config_item *item, char *page)
{
	unsigned int n;

	mutex_lock(&configfs.lock);
	n = configfs.items;
	mutex_unlock(&configfs.lock);
	return scnprintf(page, PAGE_SIZE, "%u\n", n);
}

CONFIGFS_ATTR_RO(configfs_root_, items);

static struct configfs_attribute *configfs_root_attrs[] = {
	&configfs_root_attr_items,
	NULL,
};

static struct configfs_group_operations configfs_root_ops = {
	.make_item	= configfs_make_item,
	.drop_item	= configfs_drop_item,
};

static const struct config_item_type configfs_root_type = {
	.ct_group_ops	= &configfs_root_ops,
	.ct_attrs	= configfs_root_attrs,
	.ct_owner	= THIS_MODULE,
};

int ipclab_configfs_init(void)
{
	int ret;

	mutex_init(&configfs.lock);
	config_group_init_type_name(&configfs.subsys.su_group, "ipclab",
				    &configfs_root_type);
	mutex_init(&configfs.subsys.su_mutex);
	ret = configfs_register_subsystem(&configfs.subsys);
	if (ret)
		return ret;
	pr_info("configfs: %s ready\n", IPCLAB_CONFIGFS_DIR);
	return 0;
}

/* Every item pins the module (configfs takes a reference at mkdir). */
void ipclab_configfs_exit(void)
{
	configfs_unregister_subsystem(&configfs.subsys);
}
