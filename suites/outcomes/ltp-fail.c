// SPDX-License-Identifier: GPL-2.0
/* An LTP-style program that fails: a TFAIL among passes, exit 1 (FAIL). */
#include "ltp-style.h"

int main(void)
{
	tst_res(TPASS, "kill(SIGUSR1) delivered");
	tst_res(TFAIL, "sigtimedwait() returned EINTR, expected EAGAIN");
	return ltp_exit();
}
