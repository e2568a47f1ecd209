// SPDX-License-Identifier: GPL-2.0
/*
 * cprog: a C program to trace, built with gcc and clang, PIE and non-PIE.
 *
 *   cprog [-delay SECS] [-wait-stdin] [-recurse DEPTH] COUNT [SLOW_MS [SLOW_COUNT]]
 *
 * Calls tk_add() COUNT times, then tk_slow(SLOW_MS) SLOW_COUNT times (1 when only SLOW_MS is
 * given), then, with -recurse, tk_recurse(DEPTH) once (DEPTH + 1 executions of tk_recurse).
 * With -delay or -wait-stdin it first prints "ready" and sleeps SECS or waits for a line on
 * stdin, so that a tracer can attach. At the end it prints exactly
 * "calls=COUNT slow=SLOW_COUNT" (and "recurse=N" on a second line with -recurse).
 *
 * The tk_* functions must stay real calls at -O2: tk_noinline keeps them out of line and
 * unique (no clones, no interprocedural shortcuts), and the empty asm statements make each
 * call a side effect the compiler may not drop or merge.
 */
#include "tkdemo.h"

tk_noinline int tk_add(int a, int b)
{
	__asm__ volatile("");
	return a + b;
}

tk_noinline int tk_slow(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	__asm__ volatile("");
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return ms;
}

tk_noinline int tk_recurse(int depth)
{
	int r;

	if (depth <= 0)
		return 0;
	r = tk_recurse(depth - 1);
	__asm__ volatile("" : "+r"(r)); /* no tail-recursion-to-loop rewrite */
	return r + 1;
}

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: cprog [-delay SECS] [-wait-stdin] [-recurse DEPTH] COUNT "
			"[SLOW_MS [SLOW_COUNT]]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct tk_start start = {0};
	long count, slow_ms = 0, slow_count = 0, depth = -1;
	volatile int sink = 0;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0';) {
		int r = tk_start_option(argc, argv, &i, &start);

		if (r < 0)
			usage();
		if (r > 0)
			continue;
		if (strcmp(argv[i], "-recurse") || i + 1 >= argc ||
		    tk_parse_count(argv[i + 1], &depth))
			usage();
		i += 2;
	}
	if (argc - i < 1 || argc - i > 3 || tk_parse_count(argv[i], &count))
		usage();
	if (argc - i >= 2) {
		if (tk_parse_count(argv[i + 1], &slow_ms))
			usage();
		slow_count = 1;
	}
	if (argc - i == 3 && tk_parse_count(argv[i + 2], &slow_count))
		usage();

	tk_wait_start(&start);
	for (long n = 0; n < count; n++)
		sink = tk_add(sink, (int)n);
	for (long n = 0; n < slow_count; n++)
		sink = tk_slow((int)slow_ms);
	printf("calls=%ld slow=%ld\n", count, slow_count);
	if (depth >= 0) {
		sink = tk_recurse((int)depth);
		printf("recurse=%ld\n", depth + 1);
	}
	return 0;
}
