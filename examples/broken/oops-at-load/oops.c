// SPDX-License-Identifier: GPL-2.0
/* A broken module: a NULL pointer dereference while loading. */
#include <linux/module.h>

struct broken {
	int value;
};

static struct broken *broken_ptr;

static int __init broken_init(void)
{
	/* READ_ONCE keeps the compiler from proving the load undefined. */
	return READ_ONCE(broken_ptr)->value;
}
module_init(broken_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipclab example of a broken module: NULL dereference at load");
