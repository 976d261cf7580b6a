// SPDX-License-Identifier: GPL-2.0
/*
 * The helper gate: the lab's own module, which /init loads before any module
 * under test. From then on no program the kernel starts runs in the guest's
 * user space but the umh tests' helper, whoever asks: a module under test
 * runs in ring 0 and may call call_usermodehelper(), but a root shell
 * started that way could rewrite the test programs, forge their output or
 * hide the kernel's reports, so it never runs a single instruction.
 *
 * Where: begin_new_exec(), which every binary format calls once the program
 * to run is known and before any of it runs. There the file name is the
 * kernel's own copy (bprm->filename; bprm->interp for what really runs, a
 * script's interpreter), which the caller can no longer change, unlike the
 * strings it handed call_usermodehelper.
 *
 * Which execs: those of a process the kernel started, the first exec of a
 * user-mode helper (call_usermodehelper, request_module, orderly_poweroff,
 * usermode drivers...): it has no memory map of its own yet and a kernel
 * thread for a parent. A process of the runner or its test programs never
 * has either, so their execs pass untouched.
 *
 * Allowed: /opt/ipclab/umh itself (testcases/umh/umh.c), which in its
 * helper role only writes a /tmp/umh-NAME record. Anything else gets
 * SIGKILL before it returns to user space, and the refusal is logged:
 * "ipclab_gate: refused user-mode helper ...", which the runner's console
 * watch turns into a failed test (runner/crash-patterns). The umh tests'
 * failures by design (ENOENT, EACCES, ENOEXEC) fail before this point, with
 * their own errno.
 *
 * The module has no exit function, so it cannot be unloaded; the module
 * under test may not import kprobe functions (module/allowed-symbols).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/binfmts.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#define GATE_HELPER	"/opt/ipclab/umh"
#define GATE_SHOWN	64	/* bytes of a name shown in the log */

static atomic_t gate_refused = ATOMIC_INIT(0);

/* Is current a process the kernel started, exec'ing for the first time? */
static bool gate_kernel_started(void)
{
	bool kthread_parent;

	rcu_read_lock();
	kthread_parent = rcu_dereference(current->real_parent)->flags & PF_KTHREAD;
	rcu_read_unlock();
	return !current->mm || kthread_parent;
}

/*
 * A name as the log shows it: printable ASCII but '"' and '\' as is, every
 * other byte as \xHH, at most GATE_SHOWN bytes of it ("+" when cut).
 */
static void gate_quote(char *buf, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; s[i] && i < GATE_SHOWN && o + 5 < size; i++) {
		unsigned char c = s[i];

		if (c > 0x20 && c < 0x7f && c != '"' && c != '\\') {
			buf[o++] = c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (s[i])
		buf[o++] = '+';
	buf[o] = '\0';
}

static int gate_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct linux_binprm *bprm =
		(struct linux_binprm *)regs_get_kernel_argument(regs, 0);
	char name[4 * GATE_SHOWN + 2], interp[4 * GATE_SHOWN + 2];

	if (!gate_kernel_started())
		return 0;
	if (!strcmp(bprm->filename, GATE_HELPER) &&
	    !strcmp(bprm->interp, GATE_HELPER))
		return 0;
	send_sig(SIGKILL, current, 1);
	gate_quote(name, sizeof(name), bprm->filename);
	gate_quote(interp, sizeof(interp), bprm->interp);
	pr_warn("refused user-mode helper \"%s\" (runs \"%s\"; %d refused)\n",
		name, interp, atomic_inc_return(&gate_refused));
	return 0;
}

static struct kprobe gate_probe = {
	.symbol_name = "begin_new_exec",
	.pre_handler = gate_pre,
};

static int __init gate_init(void)
{
	int ret = register_kprobe(&gate_probe);

	if (ret) {
		pr_err("cannot watch begin_new_exec: error %d\n", ret);
		return ret;
	}
	pr_info("on: the kernel starts no program but %s\n", GATE_HELPER);
	return 0;
}
module_init(gate_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipclab: the kernel starts no user program but the lab's helper");
