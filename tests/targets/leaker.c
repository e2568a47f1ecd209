// SPDX-License-Identifier: GPL-2.0
/*
 * leaker: a C program with a known leak, for memleak. Each of ROUNDS rounds (argv[1],
 * default 32) leak_some() allocates four 4096-byte blocks, frees three and keeps one: after
 * the run 4096 x ROUNDS bytes in ROUNDS blocks are outstanding, all allocated in leak_some().
 *
 * It prints "ready PID", waits for a line on stdin, runs the rounds, prints "leaked N BYTES"
 * and waits for another line before it exits: the test traces it between the two. stdin is
 * read with read(2), not stdio, so that no stdio buffer is allocated while it is traced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 4096

static void wait_line(void)
{
	char c;

	while (read(0, &c, 1) == 1 && c != '\n')
		;
}

/* noinline: the test looks for this name in the allocations' stack */
__attribute__((noinline)) static void *leak_some(void)
{
	void *b[4];

	for (int i = 0; i < 4; i++) {
		b[i] = malloc(BLOCK);
		if (!b[i])
			abort();
		memset(b[i], i, BLOCK);
	}
	for (int i = 1; i < 4; i++)
		free(b[i]);
	return b[0];
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 32;
	void **kept = calloc(rounds > 0 ? rounds : 1, sizeof(*kept));

	if (rounds <= 0 || !kept) {
		fprintf(stderr, "usage: leaker [ROUNDS > 0]\n");
		return 2;
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	wait_line();
	for (int i = 0; i < rounds; i++)
		kept[i] = leak_some();
	printf("leaked %d %d\n", rounds, rounds * BLOCK);
	fflush(stdout);
	wait_line();
	return kept[0] ? 0 : 1;
}
