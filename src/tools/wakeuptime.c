// SPDX-License-Identifier: GPL-2.0
/*
 * wakeuptime: how long threads were blocked, summed by the kernel stack and comm of the
 * thread that woke them, with bcc's command line and output (wakeuptime.py). The BPF half
 * runs at sched_switch and sched_waking (raw tracepoints); the sums are read and printed at
 * the end.
 */
#include <stdio.h>

#include "core/log.h"
#include "tools/stack_tool.h"
#include "tools/tool.h"
#include "wakeuptime.skel.h"

TOOL_SKEL_DEFINE(wakeuptime);

struct wakeup_opts {
	struct stack_tool_opts st; /* first: -f, outputs, --stack-storage-size */
	uint32_t pid;		   /* -p: the blocked threads' process */
	bool user_threads;	   /* -u */
	bool addrs;		   /* -v: bcc shows the addresses anyway */
	unsigned long min_us, max_us;
	unsigned long duration;
};

struct state {
	struct wakeup_opts *o;
	struct wakeuptime *skel;
	struct stack_run sr;
};

#define O      struct wakeup_opts
#define OPT(f) offsetof(struct wakeup_opts, f)
static struct tool_cli cli = {
	.name = "wakeuptime",
	.description = "Summarize sleep to wakeup time by waker kernel stack",
	.opts = TOOL_OPTS(
		{'u', "useronly", NULL, "user threads only (no kernel threads)", TOOL_OPT_FLAG,
		 OPT(user_threads), .group = 1, .bpf = "user_threads_only"},
		{'p', "pid", "PID", "trace this PID only", TOOL_OPT_PID, OPT(pid), .group = 1},
		{'v', "verbose", NULL, "show raw addresses", TOOL_OPT_FLAG, OPT(addrs)},
		STACK_TOOL_OPT_FOLDED(O, "output folded format"),
		STACK_TOOL_OPT_STORAGE(O, "the number of unique stack traces that can be stored "
					  "and displayed (default 16384)"),
		STACK_TOOL_OPTS_BLOCK_TIME(O), STACK_TOOL_OPTS_OUTPUT(O)),
	STACK_TOOL_CLI_DURATION(O),
	.examples = "    ./wakeuptime             # trace blocked time with waker stacks\n"
		    "    ./wakeuptime 5           # trace for 5 seconds only\n"
		    "    ./wakeuptime -f 5        # 5 seconds, and output in folded format\n"
		    "    ./wakeuptime -u          # don't include kernel threads (user only)\n"
		    "    ./wakeuptime -p 185      # trace for PID 185 only\n"
		    "    ./wakeuptime --svg wake.svg 10  # a flame graph of 10 s\n",
};

static void header(void *ctx)
{
	struct state *s = ctx;

	/* folded lines own stdout (bcc prints no header): the header goes to stderr */
	FILE *f = s->o->st.folded ? stderr : stdout;

	stack_run_started(&s->sr);
	fprintf(f, "Tracing blocked time (us) by kernel stack");
	if (s->o->duration)
		fprintf(f, " for %lu secs.\n", s->o->duration);
	else
		fprintf(f, "... Hit Ctrl-C to end.\n");
}

static void footer(void *ctx)
{
	struct state *s = ctx;

	stack_run_report(&s->sr);
	if (!s->o->st.folded && !s->o->st.json)
		printf("Detaching...\n");
}

static int fill(struct tool_run *r, void *skel)
{
	static const struct stack_value_type types[] = {{"blocked", "nanoseconds"}};
	struct state *s = r->ctx;
	struct wakeup_opts *o = s->o;

	s->skel = skel;
	/* the waker's kernel stack only, as bcc's; -p is the blocked thread's process */
	o->st.user_only = false;
	o->st.kernel_only = true;
	if (o->pid)
		o->st.targets = (struct stack_targets){.id = {o->pid}, .n = 1};
	if (stack_run_init(&s->sr, types, 1))
		return 1;
	s->sr.prof.period = 1;
	s->sr.prof.extra_label = "waker";
	s->sr.style.who = STACK_WHO_WAKER;
	s->sr.style.addrs = true; /* bcc prints each frame's address, -v or not */
	s->sr.style.missing = false;
	s->sr.style.value_div = 1000; /* summed in nanoseconds, shown in microseconds */
	s->sr.fg = (struct flamegraph_opts){
		.title = "Wakeup Time Flame Graph", .unit = "us", .div = 1000};
	s->sr.what = "wakeuptime";
	s->sr.counts = s->skel->maps.counts;
	s->sr.stacks = s->skel->maps.stacks;
	return stack_tool_fill(r, s->skel->maps.stacks, &o->st);
}

static int wakeuptime_main(int argc, char **argv)
{
	struct wakeup_opts o = {.min_us = 1, .max_us = ~0ul};
	struct state s = {.o = &o, .sr.o = &o.st};
	struct tool_run run = {
		.skel = &wakeuptime_tool_skel,
		.fill = fill,
		.header = header,
		.footer = footer,
		.ctx = &s,
	};

	return stack_run_main(&cli, &o, &run, &s.sr, argc, argv);
}

TOOL_REGISTER(wakeuptime, wakeuptime_main, "summarize blocked time by waker stack (bcc wakeuptime)",
	      &cli);
