// SPDX-License-Identifier: GPL-2.0
/*
 * offcputime: how long threads wait off CPU, summed by the stacks they left the CPU with,
 * with bcc's command line and output (offcputime.py). The BPF half runs at sched_switch
 * (a raw tracepoint: it needs no kernel BTF to attach, which keeps the RSS at ~4.6 MB
 * where tp_btf took ~16 MB); the sums are read, symbolized and printed once, at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "core/log.h"
#include "offcputime.skel.h"
#include "tools/offcpu_go.h"
#include "tools/offcputime.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(offcputime);

struct state {
	struct stack_run sr;
	struct offcputime_opts *o;
	struct offcputime *skel;
};

/* --state: a bit mask, where 0 is a state of its own (running: preempted) */
static int parse_state(void *opts, const struct usage *u, int key, const char *arg)
{
	struct offcputime_opts *o = opts;

	if (usage_parse_ulong(u, key, arg, 0, UINT32_MAX, &o->state))
		return -EINVAL;
	o->state_set = true;
	return 0;
}

enum { OPT_STATE = STACK_OPT_STORAGE + 1, OPT_OFFSET, OPT_GO };

#define O      struct offcputime_opts
#define OPT(f) offsetof(struct offcputime_opts, f)
static struct tool_cli cli = {
	.name = "offcputime",
	.description = "Summarize off-CPU time by stack trace",
	.opts = TOOL_OPTS(
		{'p', "pid", "PID", "trace this PID only", TOOL_OPT_CALL, .group = 1,
		 .parse = stack_tool_parse_targets},
		{'t', "tid", "TID", "trace this TID only", TOOL_OPT_CALL, .group = 1,
		 .parse = stack_tool_parse_targets},
		{'u', "user-threads-only", NULL, "user threads only (no kernel threads)",
		 TOOL_OPT_FLAG, OPT(user_threads), .group = 1, .bpf = "user_threads_only"},
		{'k', "kernel-threads-only", NULL, "kernel threads only (no user threads)",
		 TOOL_OPT_FLAG, OPT(kernel_threads), .group = 1, .bpf = "kernel_threads_only"},
		STACK_TOOL_OPTS_UK(O, 2), STACK_TOOL_OPT_DELIMITED(O),
		STACK_TOOL_OPT_FOLDED(O, "output folded format"),
		{'s', "offset", NULL, "symbol offsets are not kept", TOOL_OPT_UNSUPPORTED},
		STACK_TOOL_OPT_STORAGE(O, "the number of unique stack traces that can be stored "
					  "and displayed (default 16384)"),
		STACK_TOOL_OPTS_BLOCK_TIME(O),
		{OPT_STATE, "state", "STATE",
		 "filter on this thread state bitmask (eg, 2 == TASK_UNINTERRUPTIBLE) see "
		 "include/linux/sched.h",
		 TOOL_OPT_CALL, .parse = parse_state},
		{OPT_GO, "go", NULL,
		 "off-CPU time per goroutine of the Go process -p PID, by its stack at the park",
		 TOOL_OPT_FLAG, OPT(go)},
		STACK_TOOL_OPTS_OUTPUT(O), TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	STACK_TOOL_CLI_DURATION(O),
	.examples = "    ./offcputime             # trace off-CPU stack time until Ctrl-C\n"
		    "    ./offcputime 5           # trace for 5 seconds only\n"
		    "    ./offcputime -f 5        # 5 seconds, and output in folded format\n"
		    "    ./offcputime -m 1000     # trace only events that last more than 1000 "
		    "usec\n"
		    "    ./offcputime -M 10000    # trace only events that last less than 10000 "
		    "usec\n"
		    "    ./offcputime -p 185      # only trace threads for PID 185\n"
		    "    ./offcputime -t 188      # only trace thread 188\n"
		    "    ./offcputime -u          # only trace user threads (no kernel)\n"
		    "    ./offcputime -k          # only trace kernel threads (no user)\n"
		    "    ./offcputime -U          # only show user space stacks (no kernel)\n"
		    "    ./offcputime -K          # only show kernel space stacks (no user)\n"
		    "    ./offcputime --pprof off.pb.gz 10  # 10 s, for go tool pprof\n"
		    "    ./offcputime --go -p 185 5   # goroutines of Go PID 185, 5 s\n",
};

/* bcc's header: whose off-CPU time, by which stacks, for how long */
static void describe(void *ctx, FILE *f)
{
	struct state *s = ctx;
	const struct offcputime_opts *o = s->o;
	const struct stack_targets *t = &o->st.targets;

	fprintf(f, "Tracing off-CPU time (us) of ");
	if (t->n) {
		fprintf(f, "%s ", t->tids ? "TID" : "PID");
		for (uint32_t i = 0; i < t->n; i++)
			fprintf(f, "%s%u", i ? "," : "", t->id[i]);
	} else {
		fprintf(f, "%s",
			o->user_threads	    ? "user threads"
			: o->kernel_threads ? "kernel threads"
					    : "all threads");
	}
	stack_tool_describe_tail(f, &o->st, -1, o->duration);
}

static void header(void *ctx)
{
	stack_run_started(&((struct state *)ctx)->sr);
}

static void footer(void *ctx)
{
	struct state *s = ctx;

	stack_run_report(&s->sr);
}

/* fill()'s status after offcpu_go_run(), whose own is the stack run's */
#define GO_RAN (-1)

static int fill(struct tool_run *r, void *skel)
{
	static const struct stack_value_type types[] = {{"offcpu", "nanoseconds"}};
	struct state *s = r->ctx;
	const struct offcputime_opts *o = s->o;

	if (o->go) {
		/* the goroutine view is a run of its own (offcpu_go.c) */
		s->sr.status = offcpu_go_run(o);
		return GO_RAN;
	}
	if (o->kernel_threads && o->st.user_only) {
		tk_err("ERROR: Displaying user stacks for kernel threads doesn't make sense.");
		return 1;
	}
	s->skel = skel;
	if (stack_run_init(&s->sr, types, 1) || stack_run_ready(&s->sr, r, describe, s))
		return 1;
	s->sr.prof.period = 1;
	s->sr.style.who_tid = true;
	s->sr.style.value_div = 1000; /* summed in nanoseconds, shown in microseconds */
	s->sr.fg = (struct flamegraph_opts){
		.title = "Off-CPU Time Flame Graph", .unit = "us", .div = 1000};
	s->sr.what = "offcputime";
	s->sr.lost = "lost and could not be displayed";
	s->sr.counts = s->skel->maps.counts;
	s->sr.stacks = s->skel->maps.stacks;
	if (o->state_set) {
		s->skel->rodata->state_filter = true;
		s->skel->rodata->state = (uint32_t)o->state;
	}
	return stack_tool_fill(r, s->skel->maps.stacks, &o->st);
}

static int offcputime_main(int argc, char **argv)
{
	struct offcputime_opts o = {.min_us = 1, .max_us = OFFCPU_MAX_US_NONE};
	struct state s = {.o = &o, .sr.o = &o.st};
	struct tool_run run = {
		.skel = &offcputime_tool_skel,
		.fill = fill,
		.header = header,
		.footer = footer,
		.ctx = &s,
	};
	int status;

	status = stack_run_main(&cli, &o, &run, &s.sr, argc, argv);
	return status == GO_RAN ? s.sr.status : status;
}

TOOL_REGISTER(offcputime, offcputime_main, "summarize off-CPU time by stack (bcc offcputime)",
	      &cli);
