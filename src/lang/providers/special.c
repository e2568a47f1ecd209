// SPDX-License-Identifier: GPL-2.0
/*
 * BEGIN and END: no attach point; the runtime runs them once (BPF_PROG_TEST_RUN) before the
 * others attach and after they detach. self:signal:SIGUSR1: run the same way whenever tracekit
 * gets SIGUSR1. watchpoint: a known name, not supported.
 */
#include <string.h>

#include "lang/provider.h"

static int special_parse(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	if (n != 1)
		return provider_error(c, ap, "%s probes take no arguments", parts[0]);
	return 0;
}

static void special_free(struct attach_point *ap)
{
}

/* BEGIN and END: one provider under two names (test-run programs, see above). */
#define RUN_ONCE_PROVIDER(nm, t)                                                                \
	{                                                                                        \
		.name = nm, .type = t, .prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,                \
		.parse = special_parse, .free = special_free,                                    \
	}

const struct provider provider_begin = RUN_ONCE_PROVIDER("BEGIN", PT_BEGIN);
const struct provider provider_end = RUN_ONCE_PROVIDER("END", PT_END);

/* bpftrace 0.22 on: SIGUSR1 is the one trigger (lang/run.c runs the program). */
static int self_parse(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	if (n != 3 || !*parts[1] || !*parts[2])
		return provider_error(c, ap,
				      "self probe must have a trigger and a target "
				      "(self:signal:SIGUSR1)");
	if (strcmp(parts[1], "signal"))
		return provider_error(c, ap, "%s is not a supported trigger", parts[1]);
	if (strcmp(parts[2], "SIGUSR1"))
		return provider_error(c, ap, "%s is not a supported signal", parts[2]);
	return 0;
}

/* A special probe in all but when it runs: begin's type gives it begin's builtins. */
const struct provider provider_self = {
	.name = "self",
	.type = PT_BEGIN,
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.parse = self_parse,
	.free = special_free,
};

const struct provider provider_watchpoint = {.name = "watchpoint", .alias = "w",
					     .type = PT_WATCHPOINT};
