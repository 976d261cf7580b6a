// SPDX-License-Identifier: GPL-2.0
/*
 * The ipclab module brings up each IPC mechanism in order and tears them
 * down in reverse, so a failure half-way leaves nothing registered.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "ipclab.h"

/*
 * One entry per mechanism file, from module/Kbuild's IPCLAB_MECHANISMS: in
 * the order of the file names, torn down in reverse. No mechanism needs
 * another one up, so that order is as good as any other; a new file X.c
 * with ipclab_X_init() and ipclab_X_exit() is all it takes to add one.
 */
#define MECHANISM(m)	{ #m, ipclab_##m##_init, ipclab_##m##_exit },

static const struct {
	const char *name;
	int (*init)(void);
	void (*exit)(void);
} mechanisms[] = {
	IPCLAB_MECHANISMS(MECHANISM)
};

static int __init ipclab_init(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(mechanisms); i++) {
		ret = mechanisms[i].init();
		if (ret) {
			pr_err("%s: init failed: %d\n", mechanisms[i].name, ret);
			goto undo;
		}
	}
	return 0;

undo:
	while (i--)
		mechanisms[i].exit();
	return ret;
}

static void __exit ipclab_exit(void)
{
	int i = ARRAY_SIZE(mechanisms);

	while (i--)
		mechanisms[i].exit();
}

module_init(ipclab_init);
module_exit(ipclab_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipclab: kernel <-> user-space IPC mechanisms for a test lab");
MODULE_AUTHOR("ipclab");
