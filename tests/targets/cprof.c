// SPDX-License-Identifier: GPL-2.0
/*
 * cprof: a C program whose CPU time goes to known places, for the stack tools on C.
 *   cprof cpu   spin in hot_loop(), which calls mix() (static inline: inlined at -O2, so
 *               DWARF has it as an inlined subroutine of hot_loop)
 *   cprof sleep MS   sleep in nanosleep() from sleeper(), in a loop
 * Prints "ready PID" once running.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile uint64_t sink;

static inline uint64_t mix(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

__attribute__((noinline)) void hot_loop(void)
{
	uint64_t x = 88172645463325252ull;

	for (;;) {
		for (int i = 0; i < 1000000; i++)
			x = mix(x);
		sink += x;
	}
}

__attribute__((noinline)) void sleeper(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	for (;;)
		nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: cprof cpu|sleep MS\n");
		return 2;
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	if (!strcmp(argv[1], "cpu"))
		hot_loop();
	if (!strcmp(argv[1], "sleep") && argc > 2 && atol(argv[2]) > 0)
		sleeper(atol(argv[2]));
	fprintf(stderr, "cprof: bad arguments\n");
	return 2;
}
