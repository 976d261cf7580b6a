// SPDX-License-Identifier: GPL-2.0
/*
 * The helper gate: the lab's own module, which /init loads before any module
 * under test. From then on the kernel starts only the user-mode helpers the
 * lab allows, whoever asks: a module under test runs in ring 0 and may call
 * call_usermodehelper(), but a root shell started that way could rewrite
 * the test programs or hide the kernel's reports, so it never starts.
 *
 * Every helper the kernel starts (call_usermodehelper, request_module,
 * orderly_poweroff, ...) goes through call_usermodehelper_exec(). A kprobe
 * on its entry reads the request; one the lab does not allow loses its path,
 * so call_usermodehelper_exec() fails with EINVAL before anything runs, and
 * the refusal is logged: "ipclab_gate: refused user-mode helper ...", which
 * the runner's console watch turns into a failed test (runner/crash-patterns).
 *
 * Allowed, and nothing else (what the umh tests need, testcases/umh/umh.c):
 *  - /opt/ipclab/umh in its helper role: "helper RECORD STATUS GO ...",
 *    RECORD a /tmp/umh-NAME file and GO "-" or one; the helper writes only
 *    its record, so whoever starts it gains nothing;
 *  - the umh tests' failures by design: /opt/ipclab/ itself (EACCES) and
 *    /opt/ipclab/umh-NAME, files the tests create non-executable or not a
 *    program, or not at all (EACCES, ENOEXEC, ENOENT).
 *
 * The module has no exit function, so it cannot be unloaded; the module
 * under test may not import kprobe functions (module/allowed-symbols).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/umh.h>

#define GATE_DIR	"/opt/ipclab/"
#define GATE_HELPER	GATE_DIR "umh"
#define GATE_FILES	GATE_DIR "umh-"
#define GATE_RECORD	"/tmp/umh-"
#define GATE_SHOWN	64	/* bytes of each word shown in the log */

static atomic_t gate_refused = ATOMIC_INIT(0);

/* @s is @prefix followed by one or more characters and no further '/'. */
static bool gate_name_under(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s && !strncmp(s, prefix, n) && s[n] && !strchr(s + n, '/');
}

static bool gate_allows(const struct subprocess_info *info)
{
	const char *path = info->path;
	char **argv = info->argv;
	int i;

	if (!path)		/* call_usermodehelper_exec refuses it itself */
		return true;
	if (!strcmp(path, GATE_DIR) || gate_name_under(path, GATE_FILES))
		return true;
	if (strcmp(path, GATE_HELPER) || !argv)
		return false;
	for (i = 0; i < 5; i++)
		if (!argv[i])
			return false;
	return !strcmp(argv[1], "helper") &&
	       gate_name_under(argv[2], GATE_RECORD) &&
	       (!strcmp(argv[4], "-") || gate_name_under(argv[4], GATE_RECORD));
}

/*
 * A word as the log shows it: printable ASCII but '"' and '\' as is, every
 * other byte as \xHH, at most GATE_SHOWN bytes of it.
 */
static void gate_quote(char *buf, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; s && s[i] && i < GATE_SHOWN && o + 5 < size; i++) {
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
	if (s && s[i])
		buf[o++] = '+';		/* cut short */
	buf[o] = '\0';
}

static int gate_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct subprocess_info *info =
		(struct subprocess_info *)regs_get_kernel_argument(regs, 0);
	char path[4 * GATE_SHOWN + 2], arg1[4 * GATE_SHOWN + 2];

	if (gate_allows(info))
		return 0;
	gate_quote(path, sizeof(path), info->path);
	gate_quote(arg1, sizeof(arg1),
		   info->argv && info->argv[0] ? info->argv[1] : NULL);
	pr_warn_ratelimited("refused user-mode helper \"%s\" argv[1] \"%s\" (%d refused)\n",
			    path, arg1, atomic_inc_return(&gate_refused));
	info->path = NULL;
	return 0;
}

static struct kprobe gate_probe = {
	.symbol_name = "call_usermodehelper_exec",
	.pre_handler = gate_pre,
};

static int __init gate_init(void)
{
	int ret = register_kprobe(&gate_probe);

	if (ret) {
		pr_err("cannot watch call_usermodehelper_exec: error %d\n", ret);
		return ret;
	}
	pr_info("on: only the user-mode helpers the lab allows will run\n");
	return 0;
}
module_init(gate_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipclab: only the user-mode helpers the lab allows run");
