// SPDX-License-Identifier: GPL-2.0
/* Each directive below asks the compiler for a file of the grading host. */
#include <linux/module.h>
#include "/var/tmp/ipclab-canary"
#define HOSTFILE "/etc/passwd"
#include HOSTFILE
#include_next <linux/module.h>
asm(".include \"/var/tmp/ipclab-canary\"");
MODULE_LICENSE("GPL");
