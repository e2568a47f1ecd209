/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the *snoop tools (and the tcp tools' -t column) print alike: signal numbers and names,
 * and the clock of their relative timestamps. Their run is the one tool skeleton's
 * (tools/tool.h).
 */
#ifndef TK_SNOOP_COMMON_H
#define TK_SNOOP_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "tools/tool.h"

/* The last rows of every snoop's options table: --json and -v (type: its options struct). */
#define SNOOP_OPTS_JSON_VERBOSE(type)                                                              \
	{TOOL_OPT_JSON,	      "json", NULL, "one JSON object per event", TOOL_OPT_FLAG,            \
	 offsetof(type, json)},                                                                    \
		TOOL_OPT_LIBBPF_VERBOSE(offsetof(type, verbose))

/*
 * A signal number or name, with or without "SIG" ("9", "KILL", "SIGKILL"), as the value of
 * option opt (the short option, or the long option's key): a bad one is a usage error
 * (core/usage.h) and -EINVAL.
 */
struct usage;
int snoop_parse_signal(const struct usage *u, int opt, const char *s, int *sig);
/* Signal name without "SIG" ("KILL"), or "?" when unknown. */
const char *snoop_signal_name(int sig);

/* -t: seconds since the first event (or since start, with start_ns set beforehand). */
struct snoop_clock {
	uint64_t start_ns;
};
double snoop_clock_rel(struct snoop_clock *c, uint64_t ts_ns);
/* CLOCK_MONOTONIC now, in ns: the clock of bpf_ktime_get_ns(). */
uint64_t snoop_now_ns(void);

#endif
