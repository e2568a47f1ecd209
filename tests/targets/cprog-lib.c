// SPDX-License-Identifier: GPL-2.0
/*
 * cprog-lib: calls tk_lib_call() of libtkdemo.so (found through rpath $ORIGIN).
 *
 *   cprog-lib [-delay SECS] [-wait-stdin] COUNT
 *
 * Start options as in cprog.c. Prints exactly "calls=COUNT" at the end.
 */
#include "tkdemo.h"

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: cprog-lib [-delay SECS] [-wait-stdin] COUNT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct tk_start start = {0};
	volatile int sink = 0;
	long count;
	int i, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc && (r = tk_start_option(argc, argv, &i, &start)) != 0;)
		if (r < 0)
			usage();
	if (argc - i != 1 || tk_parse_count(argv[i], &count))
		usage();
	tk_wait_start(&start);
	for (long n = 0; n < count; n++)
		sink = tk_lib_call(sink);
	printf("calls=%ld\n", count);
	return 0;
}
