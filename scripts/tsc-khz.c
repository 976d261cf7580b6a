// SPDX-License-Identifier: GPL-2.0
/*
 * Print the host's TSC frequency in kHz, measured against CLOCK_MONOTONIC.
 * Under TCG the guest reads the host's TSC, but a kernel without ACPI/HPET
 * cannot calibrate it and falls back to a 4 ms jiffies clock that drifts
 * under load; tsc_early_khz= with this value gives the guest a real clock.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(void)
{
	struct timespec pause = { 0, 200 * 1000 * 1000 };
	unsigned long long t0, t1, c0, c1;

	t0 = now_ns();
	c0 = __rdtsc();
	nanosleep(&pause, NULL);
	t1 = now_ns();
	c1 = __rdtsc();
	/* Round to 100 kHz: the measurement is not finer than that. */
	printf("%llu\n", (c1 - c0) * 10000 / (t1 - t0) * 100);
	return 0;
}
