// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's signal as an interrupt: a handler runs in the middle of a
 * blocked read() or a busy loop.
 */
#include "signal.h"

/* Written by the handler, read after it ran. */
static siginfo_t h_si;
static int h_count;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	h_si = *si;
	__atomic_add_fetch(&h_count, 1, __ATOMIC_RELEASE);
}

/*
 * interrupt SIGNO VALUE DELAY_MS: like an interrupt, the driver's signal
 * (from its timer, SIGNO not blocked) stops a blocked read() (EINTR) and a
 * busy loop to run the handler, which gets the value.
 */
LAB_CASE(interrupt, "SIGNO VALUE DELAY_MS", 3)
{
	int signo = arg_signo(argv[0], "SIGNO"), fd = dev_open(), p[2];
	unsigned long long value = arg_num(argv[1], 0, MAX_VALUE, "VALUE");
	unsigned int delay = arg_num(argv[2], 1, 5000, "DELAY_MS");
	/* No SA_RESTART: read() fails. */
	struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
	char c;

	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, NULL) < 0 || pipe(p) < 0 ||
	    dev_reg(fd, signo, value) < 0)
		die("sigaction, pipe or IPCLAB_SIGNAL_IOC_REGISTER");

	phase = "read() waiting for the driver's signal";
	dev_timer(fd, delay);
	expect_err("read() on an empty pipe", read(p[0], &c, 1), EINTR);
	expect_info("handler", &h_si, signo, 0, value);

	phase = "a busy loop waiting for the driver's signal";
	dev_timer(fd, delay);
	while (__atomic_load_n(&h_count, __ATOMIC_ACQUIRE) < 2)
		;	/* spin: only the handler can end this loop */
	expect_eq("handler runs", h_count, 2);
	close(fd);
}
