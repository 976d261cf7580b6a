// SPDX-License-Identifier: GPL-2.0
/*
 * Reads and writes the driver's internal state in /sys/kernel/debug/ipclab/
 * (debugfs_create_u32/u64 files and a seq_file); exits 0 pass, 1 fail,
 * 4 skip.
 */
#include <sys/stat.h>

#include "ipclab_uapi.h"

#include "labtest.h"

LAB_PROGRAM(.timeout_s = 20);

#define FILE_(name)	IPCLAB_DEBUGFS_DIR "/" name

struct state {
	unsigned long long value, pokes;
	char last[IPCLAB_DEBUGFS_WORD_MAX + 1];
};

static void need_dir(void)
{
	struct stat st;

	if (stat(IPCLAB_DEBUGFS_DIR, &st) < 0) {
		printf("SKIP: %s: %s (debugfs mounted? ipclab.ko loaded?)\n",
		       IPCLAB_DEBUGFS_DIR, strerror(errno));
		exit(KSFT_SKIP);
	}
}

static unsigned long long file_num(const char *path)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) < 0)
		die(path);
	return strtoull(buf, NULL, 0);
}

static void get_state(struct state *s)
{
	char buf[512];

	memset(s, 0, sizeof(*s));
	if (read_file(FILE_("state"), buf, sizeof(buf)) < 0)
		die(FILE_("state"));
	if (sscanf(buf, "value: %llu\npokes: %llu\nlast: %64s", &s->value,
		   &s->pokes, s->last) < 2)
		fail("state: unexpected format: \"%s\"", buf);
}

static void set_value(unsigned long long v)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%llu\n", v);

	if (write_file(FILE_("value"), buf, len) != len)
		fail("write %llu to value: %s", v, errname(errno));
}

/* value V: debugfs_create_u32 parses and prints the number itself. */
LAB_CASE(value, "V", 1)
{
	unsigned long long v = arg_num(argv[0], 0, 0xffffffffULL, "V");
	struct state s;

	need_dir();
	set_value(v);
	printf("value: %llu\n", file_num(FILE_("value")));
	get_state(&s);
	printf("state value: %llu\n", s.value);
	expect_err("write \"abc\" to value", write_file(FILE_("value"), "abc", 3),
		   EINVAL);
	printf("value after: %llu\n", file_num(FILE_("value")));
	expect_err("write to pokes (read-only u64)",
		   write_file(FILE_("pokes"), "5", 1), EACCES);
	set_value(0);
}

/* poke K WORD: K writes to poke; pokes and state follow. */
LAB_CASE(poke, "K WORD", 2)
{
	unsigned long long k = arg_num(argv[0], 1, 1000, "K");
	const char *word = argv[1];
	unsigned long long p0, p1, i;
	static char longword[4096];
	size_t len = strlen(word);
	struct state s;

	need_dir();
	p0 = file_num(FILE_("pokes"));
	for (i = 0; i < k; i++)
		if (write_file(FILE_("poke"), word, len) != (long)len)
			fail("write to poke: %s", errname(errno));
	p1 = file_num(FILE_("pokes"));
	printf("pokes: +%llu\n", p1 - p0);
	get_state(&s);
	expect_eq("state pokes", s.pokes, p1);
	printf("state last: %s\n", s.last);
	memset(longword, 'z', sizeof(longword));
	expect_err("poke too long",
		   write_file(FILE_("poke"), longword, sizeof(longword)),
		   EINVAL);
	printf("pokes after: +%llu\n", file_num(FILE_("pokes")) - p0);
}
