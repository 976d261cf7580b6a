// SPDX-License-Identifier: GPL-2.0
/* An LTP-style program that passes: TPASS lines, exit 0 (PASS). */
#include "ltp-style.h"

int main(void)
{
	tst_res(TINFO, "Timeout per run is 0h 00m 30s");
	tst_res(TPASS, "msgget() created a queue");
	tst_res(TPASS, "msgctl(IPC_RMID) removed it");
	return ltp_exit();
}
