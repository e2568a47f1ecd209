/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the C test targets (cprog.c, cprog-lib.c, libtkdemo.c): the attribute that keeps
 * a traced function a real, unique call at -O2, and the -delay / -wait-stdin start options.
 */
#ifndef TKDEMO_H
#define TKDEMO_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * noinline alone still lets gcc clone a function (tk_add.constprop.0) or use what it knows
 * of its body at the call site; noipa forbids all of that. clang has no noipa, but with
 * noinline and an asm statement in the body it neither inlines nor drops the call.
 */
#if defined(__clang__)
#define tk_noinline __attribute__((noinline, used))
#else
#define tk_noinline __attribute__((noipa, used))
#endif

int tk_lib_call(int x);

struct tk_start {
	double delay;	/* seconds to sleep before calling */
	int wait_stdin; /* wait for a line on stdin before calling */
};

/* A decimal count in [0, INT_MAX]; 0 on success, -EINVAL otherwise. */
static inline int tk_parse_count(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * If argv[*i] is -delay SECS or -wait-stdin, consume it (advancing *i past it) and return 1;
 * return 0 if it is not one of them, -EINVAL if its value is bad.
 */
static inline int tk_start_option(int argc, char **argv, int *i, struct tk_start *st)
{
	char *end;

	if (strcmp(argv[*i], "-wait-stdin") == 0) {
		st->wait_stdin = 1;
		*i += 1;
		return 1;
	}
	if (strcmp(argv[*i], "-delay") != 0)
		return 0;
	if (*i + 1 >= argc)
		return -EINVAL;
	errno = 0;
	st->delay = strtod(argv[*i + 1], &end);
	if (errno || end == argv[*i + 1] || *end || !(st->delay >= 0 && st->delay < 3600))
		return -EINVAL;
	*i += 2;
	return 1;
}

/* Print "ready" and wait as asked; nothing when no start option was given. */
static inline void tk_wait_start(const struct tk_start *st)
{
	struct timespec ts;
	char line[64];

	if (!st->wait_stdin && st->delay <= 0)
		return;
	printf("ready\n");
	fflush(stdout);
	if (st->wait_stdin) {
		(void)!fgets(line, sizeof(line), stdin); /* a line or EOF starts */
		return;
	}
	ts.tv_sec = (time_t)st->delay;
	ts.tv_nsec = (long)((st->delay - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#endif /* TKDEMO_H */
