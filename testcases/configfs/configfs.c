// SPDX-License-Identifier: GPL-2.0
/*
 * Creates, configures and destroys the module's configfs items in
 * /sys/kernel/config/ipclab/ (mkdir, attribute writes, rmdir) and checks
 * every errno; exits 0 pass, 1 fail, 4 skip.
 */
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "ipclab_uapi.h"

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 20);

#define CONFIGFS_ROOT	"/sys/kernel/config"
#define CONFIGFS_MAGIC	0x62656570
#define FNV_EMPTY	0x811c9dc5u

static const char *path(const char *item, const char *attr)
{
	static char buf[4][256];
	static int i;
	char *p = buf[i++ % 4];

	snprintf(p, sizeof(buf[0]), "%s%s%s%s%s", IPCLAB_CONFIGFS_DIR,
		 item ? "/" : "", item ? item : "", attr ? "/" : "",
		 attr ? attr : "");
	return p;
}

static long set_attr(const char *item, const char *attr, const char *s)
{
	return write_file(path(item, attr), s, strlen(s));
}

/*
 * Removes every item: those this run made, and those a broken module let
 * it (or a test before) make; FAILs for each if @why. At exit too, so that
 * no test leaves one behind to fail the next ones.
 */
static void remove_items(const char *why)
{
	DIR *d = opendir(IPCLAB_CONFIGFS_DIR);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") ||
		    !strcmp(e->d_name, ".."))
			continue;
		if (why)
			fail("%s: %s", why, e->d_name);
		set_attr(e->d_name, "hold", "0");
		rmdir(path(e->d_name, NULL));
	}
	if (d)
		closedir(d);
}

static void cleanup(void)
{
	remove_items(NULL);
}

/* configfs mounted: the lab's /init does not. */
static void mount_configfs(void)
{
	struct statfs fs;

	if ((statfs(CONFIGFS_ROOT, &fs) < 0 || fs.f_type != CONFIGFS_MAGIC) &&
	    mount("none", CONFIGFS_ROOT, "configfs", 0, NULL) < 0)
		die("mount configfs on " CONFIGFS_ROOT);
}

/* configfs mounted, the subsystem there. */
static void need_dir(void)
{
	struct stat st;

	mount_configfs();
	if (stat(IPCLAB_CONFIGFS_DIR, &st) < 0) {
		printf("SKIP: %s: %s (is ipclab.ko loaded?)\n",
		       IPCLAB_CONFIGFS_DIR, strerror(errno));
		exit(KSFT_SKIP);
	}
	atexit(cleanup);
}

/* An attribute as text, without its newline. */
static const char *get(const char *item, const char *attr)
{
	static char buf[2][256];
	static int i;
	char *p = buf[i++ % 2];
	size_t n;

	if (read_file(path(item, attr), p, sizeof(buf[0])) < 0)
		die(path(item, attr));
	n = strlen(p);
	if (!n || p[n - 1] != '\n')
		fail("%s: \"%s\" does not end with a newline", attr, p);
	else
		p[n - 1] = '\0';
	return p;
}

static unsigned long long get_num(const char *item, const char *attr)
{
	return strtoull(get(item, attr), NULL, 0);
}

static void make(const char *name)
{
	if (mkdir(path(name, NULL), 0755) < 0)
		die(path(name, NULL));
}

/* The cases' start: WORD checked, item NAME made, WORD written to it. */
static void make_with_word(const char *name, const char *word)
{
	arg_word(word, IPCLAB_CONFIGFS_WORD_MAX);
	need_dir();
	make(name);
	expect_ok("write word", set_attr(name, "word", word));
}

/* A mkdir that must fail with @want. */
static void refused(const char *what, const char *name, int want)
{
	expect_err(what, mkdir(path(name, NULL), 0755), want);
}

static void unmake(const char *name)
{
	expect_ok("rmdir", rmdir(path(name, NULL)));
}

static unsigned int fnv1a(const char *s)
{
	unsigned int h = FNV_EMPTY;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x01000193u;
	}
	return h;
}

/* The word and what the kernel computes from it. */
static void show_word(const char *what, const char *name, const char *word)
{
	const char *w = get(name, "word");

	print_word(what, w, strlen(w), word);
	w = get(name, "checksum");
	printf("checksum: %s\n", w);
	if (strtoul(w, NULL, 16) != fnv1a(word))
		fail("checksum: got %s, expected 0x%08x", w, fnv1a(word));
}

static int listed(const char *name)
{
	DIR *d = opendir(IPCLAB_CONFIGFS_DIR);
	struct dirent *e;
	int found = 0;

	if (!d)
		die(IPCLAB_CONFIGFS_DIR);
	while ((e = readdir(d)))
		found |= !strcmp(e->d_name, name);
	closedir(d);
	return found;
}

static void expect_mode(const char *name, const char *attr, unsigned int mode)
{
	struct stat st;

	if (stat(path(name, attr), &st) < 0)
		die(path(name, attr));
	if ((st.st_mode & 07777) != mode)
		fail("%s: mode %o, expected %o", attr, st.st_mode & 07777, mode);
}

/* make-remove NAME: mkdir makes an item with its attributes, rmdir ends it. */
LAB_CASE(make_remove, "NAME", 1)
{
	const char *name = argv[0];
	static const char *const bad[] = { "Upper", "a.b", "a b",
		"abcdefghijklmnopqrstuvwxyz0123456" };
	unsigned long long items;
	size_t i;

	need_dir();
	items = get_num(NULL, "items");
	make(name);
	expect_eq("listed after mkdir", listed(name), 1);
	expect_eq("items after mkdir", get_num(NULL, "items"), items + 1);
	expect_mode(name, "word", 0644);
	expect_mode(name, "capacity", 0644);
	expect_mode(name, "writes", 0444);
	expect_mode(name, "checksum", 0444);
	expect_mode(name, "hold", 0644);
	show_word("new word", name, "");
	expect_eq("new capacity", get_num(name, "capacity"),
		  IPCLAB_CONFIGFS_WORD_MAX);
	expect_eq("new writes", get_num(name, "writes"), 0);
	expect_eq("new hold", get_num(name, "hold"), 0);
	refused("mkdir again", name, EEXIST);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		refused(bad[i], bad[i], EINVAL);
	unmake(name);
	expect_eq("listed after rmdir", listed(name), 0);
	expect_err("stat after rmdir", access(path(name, NULL), F_OK), ENOENT);
	expect_eq("items after rmdir", get_num(NULL, "items"), items);
}

/* word NAME WORD: it comes back with its checksum, with or without "\n". */
LAB_CASE(word, "NAME WORD", 2)
{
	const char *name = argv[0], *word = argv[1];
	char nl[IPCLAB_CONFIGFS_WORD_MAX + 2];

	make_with_word(name, word);
	show_word("word", name, word);
	snprintf(nl, sizeof(nl), "%s\n", word);
	expect_ok("write word and newline", set_attr(name, "word", nl));
	show_word("word after", name, word);
	expect_eq("writes", get_num(name, "writes"), 2);
	unmake(name);
}

/* bad-word NAME WORD: bad words are refused and change nothing. */
LAB_CASE(bad_word, "NAME WORD", 2)
{
	const char *name = argv[0], *word = argv[1];
	static const char *const bad[] = { "\n", "a\tb", "a\nb", "caf\xc3\xa9" };
	char big[IPCLAB_CONFIGFS_WORD_MAX + 2];
	size_t i;

	make_with_word(name, word);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_err("bad word", set_attr(name, "word", bad[i]), EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_err("word over the limit", set_attr(name, "word", big), EINVAL);
	show_word("word after", name, word);
	expect_eq("writes after", get_num(name, "writes"), 1);
	unmake(name);
}

/* Writes capacity @cap to item @name: the write's result. */
static long set_capacity(const char *name, unsigned long long cap)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", cap);
	return set_attr(name, "capacity", buf);
}

/* capacity NAME WORD: a capacity of WORD's length takes it, not one more. */
LAB_CASE(capacity, "NAME WORD", 2)
{
	const char *name = argv[0], *word = argv[1];
	size_t cap = arg_word(word, IPCLAB_CONFIGFS_WORD_MAX);
	char buf[IPCLAB_CONFIGFS_WORD_MAX + 2];

	if (cap < 2) {	/* capacity 0 is EINVAL, not EBUSY */
		fail("usage: WORD must have 2 characters or more");
		exit(KSFT_FAIL);
	}
	need_dir();
	make(name);
	expect_ok("set capacity", set_capacity(name, cap));
	expect_eq("capacity", get_num(name, "capacity"), cap);
	expect_ok("word of capacity", set_attr(name, "word", word));
	snprintf(buf, sizeof(buf), "%sx", word);
	expect_err("word over capacity", set_attr(name, "word", buf), EINVAL);
	show_word("word", name, word);
	expect_err("capacity under the word", set_capacity(name, cap - 1),
		   EBUSY);
	unmake(name);
}

/* bad-capacity NAME CAP: bad capacities are refused and change nothing. */
LAB_CASE(bad_capacity, "NAME CAP", 2)
{
	unsigned long long cap = arg_num(argv[1], 1, IPCLAB_CONFIGFS_WORD_MAX,
					 "CAP");
	static const char *const bad[] = { "0", "abc", "-1", "12x",
		"4294967297", "\n" };
	const char *name = argv[0];
	size_t i;

	need_dir();
	make(name);
	expect_ok("set capacity", set_capacity(name, cap));
	expect_err("capacity over the limit",
		   set_capacity(name, IPCLAB_CONFIGFS_WORD_MAX + 1), EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_err("bad capacity", set_attr(name, "capacity", bad[i]),
			   EINVAL);
	expect_eq("capacity after", get_num(name, "capacity"), cap);
	unmake(name);
}

/* Item @i of those named PREFIX-I. */
static const char *nth(const char *prefix, unsigned int i)
{
	static char name[IPCLAB_CONFIGFS_NAME_MAX + 1];

	snprintf(name, sizeof(name), "%s-%u", prefix, i);
	return name;
}

/* Makes IPCLAB_CONFIGFS_MAX_ITEMS items from none; one more is ENOSPC. */
static void fill_up(const char *prefix)
{
	unsigned int i;

	need_dir();
	expect_eq("items before", get_num(NULL, "items"), 0);
	for (i = 0; i < IPCLAB_CONFIGFS_MAX_ITEMS; i++)
		make(nth(prefix, i));
	refused("one item more", nth(prefix, i), ENOSPC);
}

/* limit PREFIX: IPCLAB_CONFIGFS_MAX_ITEMS at most. */
LAB_CASE(limit, "PREFIX", 1)
{
	fill_up(argv[0]);
	expect_eq("items when full", get_num(NULL, "items"),
		  IPCLAB_CONFIGFS_MAX_ITEMS);
	cleanup();
	expect_eq("items after", get_num(NULL, "items"), 0);
}

/* limit-room PREFIX R: when full, R fewer make room for R, no more. */
LAB_CASE(limit_room, "PREFIX R", 2)
{
	unsigned long long r = arg_num(argv[1], 1, IPCLAB_CONFIGFS_MAX_ITEMS,
				       "R");
	unsigned int i;

	fill_up(argv[0]);
	for (i = 0; i < r; i++)
		unmake(nth(argv[0], i));
	expect_eq("items after removing R", get_num(NULL, "items"),
		  IPCLAB_CONFIGFS_MAX_ITEMS - r);
	for (i = 0; i < r; i++)
		make(nth(argv[0], i + 100));
	expect_eq("items after making R again", get_num(NULL, "items"),
		  IPCLAB_CONFIGFS_MAX_ITEMS);
	refused("one item more", argv[0], ENOSPC);
	cleanup();
	expect_eq("items after", get_num(NULL, "items"), 0);
}

/* hold NAME WORD: while the kernel holds the item, rmdir is EBUSY. */
LAB_CASE(hold, "NAME WORD", 2)
{
	const char *name = argv[0], *word = argv[1];

	make_with_word(name, word);
	expect_ok("hold", set_attr(name, "hold", "1"));
	expect_eq("hold", get_num(name, "hold"), 1);
	expect_err("rmdir while held", rmdir(path(name, NULL)), EBUSY);
	show_word("word while held", name, word);
	expect_ok("let go", set_attr(name, "hold", "0"));
	expect_eq("hold after", get_num(name, "hold"), 0);
	unmake(name);
	expect_eq("listed after rmdir", listed(name), 0);
}

/* hold-parse NAME: hold takes a boolean with a newline, nothing else. */
LAB_CASE(hold_parse, "NAME", 1)
{
	const char *name = argv[0];

	need_dir();
	make(name);
	expect_ok("hold with a newline", set_attr(name, "hold", "1\n"));
	expect_eq("hold", get_num(name, "hold"), 1);
	expect_ok("hold again", set_attr(name, "hold", "1"));
	expect_err("hold maybe", set_attr(name, "hold", "maybe"), EINVAL);
	expect_ok("let go", set_attr(name, "hold", "0"));
	expect_eq("hold after", get_num(name, "hold"), 0);
	unmake(name);
}

/*
 * pin NAME WORD: an item pins the module, so rmmod is refused (what rmmod
 * does: O_NONBLOCK, EAGAIN while in use) and the item lives on.
 */
LAB_CASE(pin, "NAME WORD", 2)
{
	const char *name = argv[0], *word = argv[1];
	long ret;

	make_with_word(name, word);
	ret = syscall(SYS_delete_module, "ipclab", O_NONBLOCK);
	expect_err("rmmod with an item", ret, EAGAIN);
	if (!ret) {
		/* The tests after this one need the module. */
		if (system("insmod /lib/modules/ipclab.ko") != 0)
			fail("insmod again failed");
		return;
	}
	show_word("word after rmmod", name, word);
	unmake(name);
}

/* gone: after rmmod, no subsystem (configfs itself stays). */
LAB_CASE(gone, "", 0)
{
	(void)argv;
	mount_configfs();
	expect_err("subsystem after rmmod", access(IPCLAB_CONFIGFS_DIR, F_OK),
		   ENOENT);
}

/* fresh: after insmod, the subsystem is back with no items. */
LAB_CASE(fresh, "", 0)
{
	(void)argv;
	need_dir();
	expect_eq("items", get_num(NULL, "items"), 0);
	remove_items("an item after insmod");
}
