// SPDX-License-Identifier: GPL-2.0
/*
 * A C program with USDT probes (systemtap's <sys/sdt.h>), for usdt: probes.
 *
 *   usdtprog [-wait-stdin] [COUNT]
 *
 * With -wait-stdin it first prints "ready" and waits for a line on stdin (a tracer attaches
 * by -p meanwhile).
 * Calls step(i) COUNT times (default 3), each firing
 *   tkusdt:args(int i, long i * 1000, short -i)   arguments of 4, 8 and 2 bytes
 *   tkusdt:gated(i)                               only while a tracer holds its semaphore
 * (both have a semaphore; only gated's is tested)
 * and reports on stdout how many times the gated probe's semaphore was seen set, so a test
 * can tell that attaching incremented it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every probe of the file then has a semaphore, which its note points at. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

__extension__ unsigned short tkusdt_args_semaphore __attribute__((unused, section(".probes")));
__extension__ unsigned short tkusdt_gated_semaphore __attribute__((unused, section(".probes")));

static int gated_seen;

static __attribute__((noinline)) void step(int i)
{
	long big = (long)i * 1000;
	short neg = (short)-i;

	DTRACE_PROBE3(tkusdt, args, i, big, neg);
	if (tkusdt_gated_semaphore) {
		gated_seen++;
		DTRACE_PROBE1(tkusdt, gated, i);
	}
}

int main(int argc, char **argv)
{
	char line[16];
	int n;

	if (argc > 1 && !strcmp(argv[1], "-wait-stdin")) {
		printf("ready\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 1;
		argv++;
		argc--;
	}
	n = argc > 1 ? atoi(argv[1]) : 3;

	for (int i = 1; i <= n; i++)
		step(i);
	printf("gated %d\n", gated_seen);
	return 0;
}
