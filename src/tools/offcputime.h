/* SPDX-License-Identifier: GPL-2.0 */
/*
 * offcputime's options, for its thread view (offcputime.c) and its goroutine view
 * (offcpu_go.c, --go), which share the command line.
 */
#ifndef TK_OFFCPUTIME_H
#define TK_OFFCPUTIME_H

#include <stdbool.h>

#include "tools/stack_tool.h"

struct offcputime_opts {
	struct stack_tool_opts st;	   /* first: -p/-t, -U/-K, -d, -f, outputs */
	bool user_threads, kernel_threads; /* -u, -k */
	unsigned long min_us, max_us;	   /* -m, -M: each period's bounds */
	bool state_set;			   /* --state given */
	unsigned long state;		   /* its bit mask; 0: running (preempted) */
	unsigned long duration;		   /* seconds; 0: until Ctrl-C */
	bool verbose;
	bool go; /* --go: per goroutine (offcpu_go.c) */
};

/* bcc's -M default: no upper bound */
#define OFFCPU_MAX_US_NONE (~0ul)

#endif
