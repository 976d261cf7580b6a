// SPDX-License-Identifier: GPL-2.0
/* An LTP-style program the kernel is not configured for: TCONF, exit 32 (SKIP). */
#include "ltp-style.h"

int main(void)
{
	tst_res(TCONF, "CONFIG_CHECKPOINT_RESTORE is not set: no MSG_COPY");
	return ltp_exit();
}
