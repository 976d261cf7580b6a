/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Results as LTP's library reports them (lib/tst_test.c), for make
 * check-suite's LTP-style programs: "FILE:LINE: TYPE: message" lines, the
 * summary block, and do_exit()'s exit code, the bits of the types reported
 * (include/tst_res_flags.h). Not LTP's code: what its output looks like.
 */
#ifndef OUTCOMES_LTP_STYLE_H
#define OUTCOMES_LTP_STYLE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

enum { TPASS = 0, TFAIL = 1, TBROK = 2, TWARN = 4, TINFO = 16, TCONF = 32 };

static int passed, failed, broken, skipped, warnings;

#define tst_res(type, ...) ltp_res(__FILE__, __LINE__, type, __VA_ARGS__)

static inline void ltp_res(const char *file, int line, int type,
			   const char *fmt, ...)
{
	static const char *const names[] = {
		[TPASS] = "TPASS", [TFAIL] = "TFAIL", [TBROK] = "TBROK",
		[TWARN] = "TWARN", [TINFO] = "TINFO", [TCONF] = "TCONF",
	};
	va_list ap;

	fprintf(stderr, "%s:%d: %s: ", file, line, names[type]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	passed += type == TPASS;
	failed += type == TFAIL;
	broken += type == TBROK;
	skipped += type == TCONF;
	warnings += type == TWARN;
}

/* do_exit(): TCONF only when nothing passed; every other type's bit. */
static inline int ltp_exit(void)
{
	int ret = 0;

	if (failed)
		ret |= TFAIL;
	if (skipped && !passed)
		ret |= TCONF;
	if (warnings)
		ret |= TWARN;
	if (broken)
		ret |= TBROK;
	fprintf(stderr, "\nSummary:\npassed   %d\nfailed   %d\nbroken   %d\n"
		"skipped  %d\nwarnings %d\n", passed, failed, broken, skipped,
		warnings);
	return ret;
}

#endif
