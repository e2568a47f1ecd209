// SPDX-License-Identifier: GPL-2.0
/*
 * softirqs: time spent in each soft IRQ vector, with bcc's command line and output
 * (softirqs.py): a table of totals, or with -d a log2 histogram per vector; from raw_tp
 * irq:softirq_entry and softirq_exit.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/usage.h"
#include "softirqs.skel.h"
#include "tools/hist_tool.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(softirqs);

struct opts {
	unsigned long interval_s, count, cpu;
	bool timestamp, ns, dist, json, verbose;
};

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "softirqs",
	.description = "Summarize soft irq event time as histograms.",
	.opts = TOOL_OPTS(
		TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
		{'N', "nanoseconds", NULL, "output in nanoseconds", TOOL_OPT_FLAG, OPT(ns),
		 .bpf = "targ_ns"},
		{'d', "dist", NULL, "show distributions as histograms", TOOL_OPT_FLAG, OPT(dist)},
		{'c', "cpu", "CPU", "trace this cpu only", TOOL_OPT_ULONG, OPT(cpu), 0, 4095},
		HIST_TOOL_OPTS_JSON_VERBOSE(struct opts)),
	HIST_TOOL_ARGS(struct opts),
	.examples = "    softirqs            # sum soft irq event time\n"
		    "    softirqs -d         # show soft irq event time as histograms\n"
		    "    softirqs 1 10       # print 1 second summaries, 10 times\n"
		    "    softirqs -NT 1      # 1s summaries, nanoseconds, and timestamps\n"
		    "    softirqs -c 1       # sum soft irq event time on CPU 1 only\n",
};

/* the kernel's softirq_to_name[], in the order of its vectors */
static const char *const vec_names[] = {"hi",	    "timer",   "net_tx", "net_rx",  "block",
					"irq_poll", "tasklet", "sched",	 "hrtimer", "rcu"};

static const char *vec_name(const void *key, char *buf, size_t len)
{
	uint32_t vec;

	memcpy(&vec, key, sizeof(vec));
	if (vec < sizeof(vec_names) / sizeof(vec_names[0]))
		return vec_names[vec];
	snprintf(buf, len, "%u", vec);
	return buf;
}

static void print_table(struct hist_tool *ht, const struct hist_tool_entry *e, size_t n)
{
	hist_tool_print_totals(ht, e, n, "SOFTIRQ", 16, false);
}

static int fill(struct tool_run *r, void *skel)
{
	struct hist_tool *ht = r->ctx;
	const struct opts *o = ht->priv;
	struct softirqs *obj = skel;

	if (hist_tool_cpu_opt(&cli.usage, o->cpu, &obj->rodata->targ_cpu))
		return 2;
	ht->unit = o->ns ? "nsecs" : "usecs";
	ht->sum_scale = o->ns ? 1 : 1000;
	ht->timestamp = o->timestamp;
	ht->json = o->json;
	ht->key = HIST_KEY_NUM;
	ht->key_name = vec_name;
	ht->section = "softirq";
	if (!o->dist)
		ht->print = print_table;
	ht->metric = "tracekit_softirqs_seconds";
	ht->metric_help = "Time in soft IRQ handlers, per run of a vector, by vector (softirqs)";
	ht->metric_div = o->ns ? 1e9 : 1e6;
	r->ready = "Tracing soft irq event time... Hit Ctrl-C to end.";
	return hist_tool_fill(ht, r, obj->obj);
}

HIST_TOOL_MAIN(softirqs, struct opts, .cpu = ULONG_MAX);
TOOL_REGISTER(softirqs, softirqs_main, "soft IRQ time (bcc softirqs)", &cli);
