// SPDX-License-Identifier: GPL-2.0
/* An LTP-style program that passes with a warning: TWARN, exit 4 (WARN). */
#include "ltp-style.h"

int main(void)
{
	tst_res(TPASS, "pipe2(O_NONBLOCK) works");
	tst_res(TWARN, "cleanup: close() failed: EBADF");
	return ltp_exit();
}
