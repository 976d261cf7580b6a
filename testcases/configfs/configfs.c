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

/*
 * The items this run made, and those a broken module let it make: removed
 * at exit, so that no test leaves one behind to fail the next ones.
 */
static char made[2 * IPCLAB_CONFIGFS_MAX_ITEMS][IPCLAB_CONFIGFS_NAME_MAX + 1];

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

static void cleanup(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(made); i++) {
		if (!made[i][0])
			continue;
		set_attr(made[i], "hold", "0");
		rmdir(path(made[i], NULL));
		made[i][0] = '\0';
	}
}

/* configfs mounted (the lab's /init does not), the subsystem there. */
static void need_dir(void)
{
	struct statfs fs;
	struct stat st;

	if ((statfs(CONFIGFS_ROOT, &fs) < 0 || fs.f_type != CONFIGFS_MAGIC) &&
	    mount("none", CONFIGFS_ROOT, "configfs", 0, NULL) < 0)
		die("mount configfs on " CONFIGFS_ROOT);
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

static void remember(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(made) && made[i][0]; i++)
		;
	if (i < ARRAY_SIZE(made))
		snprintf(made[i], sizeof(made[i]), "%s", name);
}

static void make(const char *name)
{
	if (mkdir(path(name, NULL), 0755) < 0)
		die(path(name, NULL));
	remember(name);
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
	int ret = mkdir(path(name, NULL), 0755);

	expect_err(what, ret, want);
	if (!ret)
		remember(name);
}

static void unmake(const char *name)
{
	size_t i;

	expect_ok("rmdir", rmdir(path(name, NULL)));
	for (i = 0; i < ARRAY_SIZE(made); i++)
		if (!strcmp(made[i], name))
			made[i][0] = '\0';
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
	printf("made: %s%s\n", name, listed(name) ? ", listed" : "");
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
	printf("removed: %s%s\n", name, listed(name) ? ", still listed" : "");
	expect_err("stat after rmdir", access(path(name, NULL), F_OK), ENOENT);
	expect_eq("items after rmdir", get_num(NULL, "items"), items);
}

/* word NAME WORD: it comes back with its checksum; bad words change nothing. */
LAB_CASE(word, "NAME WORD", 2)
{
	const char *name = argv[0], *word = argv[1];
	static const char *const bad[] = { "\n", "a\tb", "a\nb", "caf\xc3\xa9" };
	char nl[IPCLAB_CONFIGFS_WORD_MAX + 2];
	char big[IPCLAB_CONFIGFS_WORD_MAX + 2];
	size_t i;

	make_with_word(name, word);
	show_word("word", name, word);
	snprintf(nl, sizeof(nl), "%s\n", word);
	expect_ok("write word and newline", set_attr(name, "word", nl));
	expect_eq("writes", get_num(name, "writes"), 2);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_err("bad word", set_attr(name, "word", bad[i]), EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_err("word over the limit", set_attr(name, "word", big), EINVAL);
	show_word("word after", name, word);
	expect_eq("writes after", get_num(name, "writes"), 2);
	unmake(name);
}

/* capacity NAME CAP WORD: WORD has CAP characters, one more is refused. */
LAB_CASE(capacity, "NAME CAP WORD", 3)
{
	unsigned long long cap = arg_num(argv[1], 2, IPCLAB_CONFIGFS_WORD_MAX,
					 "CAP");
	const char *name = argv[0], *word = argv[2];
	static const char *const bad[] = { "0", "abc", "-1", "12x",
		"4294967297", "\n" };
	char buf[IPCLAB_CONFIGFS_WORD_MAX + 2];
	size_t i;

	if (arg_word(word, IPCLAB_CONFIGFS_WORD_MAX) != cap) {
		fail("usage: WORD must have CAP characters");
		return;
	}
	need_dir();
	make(name);
	snprintf(buf, sizeof(buf), "%llu", cap);
	expect_ok("set capacity", set_attr(name, "capacity", buf));
	printf("capacity: %s\n", get(name, "capacity"));
	expect_ok("word of capacity", set_attr(name, "word", word));
	snprintf(buf, sizeof(buf), "%sx", word);
	expect_err("word over capacity", set_attr(name, "word", buf), EINVAL);
	show_word("word", name, word);
	snprintf(buf, sizeof(buf), "%llu", cap - 1);
	expect_err("capacity under the word", set_attr(name, "capacity", buf),
		   EBUSY);
	snprintf(buf, sizeof(buf), "%u", IPCLAB_CONFIGFS_WORD_MAX + 1);
	expect_err("capacity over the limit", set_attr(name, "capacity", buf),
		   EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_err("bad capacity", set_attr(name, "capacity", bad[i]),
			   EINVAL);
	printf("capacity after: %s\n", get(name, "capacity"));
	unmake(name);
}

/* limit PREFIX R: IPCLAB_CONFIGFS_MAX_ITEMS at most; R fewer make room. */
LAB_CASE(limit, "PREFIX R", 2)
{
	unsigned long long r = arg_num(argv[1], 1, IPCLAB_CONFIGFS_MAX_ITEMS,
				       "R");
	char name[IPCLAB_CONFIGFS_NAME_MAX + 1];
	unsigned int i;

	need_dir();
	expect_eq("items before", get_num(NULL, "items"), 0);
	for (i = 0; i < IPCLAB_CONFIGFS_MAX_ITEMS; i++) {
		snprintf(name, sizeof(name), "%s-%u", argv[0], i);
		make(name);
	}
	snprintf(name, sizeof(name), "%s-%u", argv[0], i);
	refused("one item more", name, ENOSPC);
	expect_eq("items when full", get_num(NULL, "items"),
		  IPCLAB_CONFIGFS_MAX_ITEMS);
	for (i = 0; i < r; i++) {
		snprintf(name, sizeof(name), "%s-%u", argv[0], i);
		unmake(name);
	}
	printf("removed: %llu, items: %llu\n", r, get_num(NULL, "items"));
	for (i = 0; i < r; i++) {
		snprintf(name, sizeof(name), "%s-%u", argv[0], i + 100);
		make(name);
	}
	printf("made again: %llu, items: %llu\n", r, get_num(NULL, "items"));
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
	expect_ok("hold again", set_attr(name, "hold", "1\n"));
	expect_err("hold maybe", set_attr(name, "hold", "maybe"), EINVAL);
	expect_ok("let go", set_attr(name, "hold", "0"));
	expect_eq("hold after", get_num(name, "hold"), 0);
	unmake(name);
	printf("removed: %s%s\n", name, listed(name) ? ", still listed" : "");
}

/*
 * pin NAME WORD: an item pins the module, so rmmod is refused (what rmmod
 * does: O_NONBLOCK, EAGAIN while in use) and the item lives on.
 */
LAB_CASE(pin, "NAME WORD", 2)
{
	const char *name = argv[0], *word = argv[1];

	make_with_word(name, word);
	if (syscall(SYS_delete_module, "ipclab", O_NONBLOCK) == 0) {
		fail("rmmod with an item: succeeded, expected EAGAIN");
		/* The tests after this one need the module. */
		if (system("insmod /lib/modules/ipclab.ko") != 0)
			fail("insmod again failed");
		return;
	}
	printf("rmmod with an item: %s\n", errname(errno));
	if (errno != EAGAIN)
		fail("rmmod with an item: %s, expected EAGAIN", errname(errno));
	show_word("word after rmmod", name, word);
	unmake(name);
}

/* gone: after rmmod, no subsystem (configfs itself stays). */
LAB_CASE(gone, "", 0)
{
	struct statfs fs;

	(void)argv;
	if ((statfs(CONFIGFS_ROOT, &fs) < 0 || fs.f_type != CONFIGFS_MAGIC) &&
	    mount("none", CONFIGFS_ROOT, "configfs", 0, NULL) < 0)
		die("mount configfs on " CONFIGFS_ROOT);
	expect_err("subsystem after rmmod", access(IPCLAB_CONFIGFS_DIR, F_OK),
		   ENOENT);
}

/* fresh NAME: after insmod, the subsystem is back with no items. */
LAB_CASE(fresh, "NAME", 1)
{
	DIR *d;
	struct dirent *e;

	need_dir();
	printf("%s: %s\n", argv[0], listed(argv[0]) ? "listed" : "gone");
	expect_eq("items", get_num(NULL, "items"), 0);
	d = opendir(IPCLAB_CONFIGFS_DIR);
	if (!d)
		die(IPCLAB_CONFIGFS_DIR);
	while ((e = readdir(d)))
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") &&
		    strcmp(e->d_name, ".."))
			fail("an item after insmod: %s", e->d_name);
	closedir(d);
}
