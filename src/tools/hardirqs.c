// SPDX-License-Identifier: GPL-2.0
/*
 * hardirqs: time spent in (or with -C the count of) each hard IRQ handler, with bcc's
 * command line and output (hardirqs.py): a table of totals, or with -d a log2 histogram per
 * handler; from raw_tp irq:irq_handler_entry and irq_handler_exit.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "bpf/hardirqs.h"
#include "core/usage.h"
#include "hardirqs.skel.h"
#include "tools/hist_tool.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(hardirqs);

struct opts {
	unsigned long interval_s, count, cpu;
	bool timestamp, ns, counts, dist, json, verbose;
};

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "hardirqs",
	.description = "Summarize hard irq event time as histograms",
	.opts = TOOL_OPTS(
		TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
		{'N', "nanoseconds", NULL, "output in nanoseconds", TOOL_OPT_FLAG, OPT(ns),
		 .bpf = "targ_ns"},
		{'C', "count", NULL, "show event counts instead of timing", TOOL_OPT_FLAG,
		 OPT(counts)},
		{'d', "dist", NULL, "show distributions as histograms", TOOL_OPT_FLAG, OPT(dist)},
		{'c', "cpu", "CPU", "trace this cpu only", TOOL_OPT_ULONG, OPT(cpu), 0, 4095},
		HIST_TOOL_OPTS_JSON_VERBOSE(struct opts)),
	.args = "[interval] [outputs]",
	.args_help = "  interval              output interval, in seconds\n"
		     "  outputs               number of outputs\n",
	.pos = (const struct tool_opt[]){{0, "interval", .kind = TOOL_OPT_ULONG,
					  .off = OPT(interval_s), .min = 1, .max = 86400UL * 365,
					  .sets = TOOL_SETS_INTERVAL},
					 {0, "outputs", .kind = TOOL_OPT_ULONG, .off = OPT(count),
					  .min = 1, .max = 86400UL * 365, .sets = TOOL_SETS_COUNT},
					 {0}},
	.examples = "    hardirqs            # sum hard irq event time\n"
		    "    hardirqs -d         # show hard irq event time as histograms\n"
		    "    hardirqs 1 10       # print 1 second summaries, 10 times\n"
		    "    hardirqs -NT 1      # 1s summaries, nanoseconds, and timestamps\n"
		    "    hardirqs -c 1       # sum hard irq event time on CPU 1 only\n",
};

static void print_table(struct hist_tool *ht, const struct hist_tool_entry *e, size_t n)
{
	const struct opts *o = ht->priv;

	hist_tool_print_totals(ht, e, n, "HARDIRQ", 26, o->counts);
}

static int fill(struct tool_run *r, void *skel)
{
	struct hist_tool *ht = r->ctx;
	const struct opts *o = ht->priv;
	struct hardirqs *obj = skel;

	if (o->counts && (o->dist || o->ns))
		return usage_error(&cli.usage, "argument -C/--count: not allowed with the "
					       "time-based options -d and -N");
	if (hist_tool_cpu_opt(&cli.usage, o->cpu, &obj->rodata->targ_cpu))
		return 2;
	ht->unit = o->ns ? "nsecs" : "usecs";
	ht->sum_scale = o->ns ? 1 : 1000;
	ht->timestamp = o->timestamp;
	ht->json = o->json;
	ht->key = HIST_KEY_STR;
	ht->section = "hardirq";
	ht->quote = true; /* bcc prints the name's repr */
	if (!o->dist)
		ht->print = print_table;
	ht->metric = "tracekit_hardirqs_seconds";
	ht->metric_help = "Time in hard IRQ handlers, per run, by handler name (hardirqs)";
	ht->metric_div = o->ns ? 1e9 : 1e6;
	r->ready = o->counts ? "Tracing hard irq events... Hit Ctrl-C to end."
			     : "Tracing hard irq event time... Hit Ctrl-C to end.";
	return hist_tool_fill(ht, r, obj->obj);
}

HIST_TOOL_MAIN(hardirqs, struct opts, .cpu = ULONG_MAX);
TOOL_REGISTER(hardirqs, hardirqs_main, "hard IRQ time or counts (bcc hardirqs)", &cli);
