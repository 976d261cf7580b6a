// SPDX-License-Identifier: GPL-2.0
/*
 * An LTP-style program whose setup breaks: TBROK, exit 2 (BROKEN, the
 * test's own error, not the kernel's failure).
 */
#include "ltp-style.h"

int main(void)
{
	tst_res(TINFO, "looking up user nobody");
	tst_res(TBROK, "getpwnam(nobody) failed: no /etc/passwd");
	return ltp_exit();
}
