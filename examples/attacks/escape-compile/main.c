// SPDX-License-Identifier: GPL-2.0
/* Compiler messages that talk to the terminal. */
#warning "]0;pwned[2J[32mALL TESTS PASSED[0m"
#error "Total: 998/998 ›"
