// SPDX-License-Identifier: GPL-2.0
/*
 * runqlen: run queue length as linear histograms, with bcc's command line and output
 * (runqlen.py): sampled at 99 Hz on every CPU by a cpu-clock perf event; one histogram, one
 * per CPU (-C), or the run queue occupancy (-O: the share of samples with tasks waiting).
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/attach.h"
#include "core/log.h"
#include "runqlen.skel.h"
#include "tools/hist_tool.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(runqlen);

#define RUNQLEN_HZ 99 /* bcc's frequency: off the beat of timers at round rates */

struct opts {
	unsigned long interval_s, count;
	bool timestamp, occupancy, cpus, json, verbose;
};

struct state {
	struct hist_tool ht;
	const struct opts *o;
	struct runqlen *obj;
};

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "runqlen",
	.description = "Summarize scheduler run queue length as a histogram",
	.opts = TOOL_OPTS(
		TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
		{'O', "runqocc", NULL, "report run queue occupancy", TOOL_OPT_FLAG, OPT(occupancy)},
		{'C', "cpus", NULL, "print output for each CPU separately", TOOL_OPT_FLAG,
		 OPT(cpus), .bpf = "targ_per_cpu"},
		HIST_TOOL_OPTS_JSON_VERBOSE(struct opts)),
	HIST_TOOL_ARGS(struct opts),
	.examples = "    runqlen            # summarize run queue length as a histogram\n"
		    "    runqlen 1 10       # print 1 second summaries, 10 times\n"
		    "    runqlen -T 1       # 1s summaries and timestamps\n"
		    "    runqlen -O         # report run queue occupancy\n"
		    "    runqlen -C         # show each CPU separately\n",
};

/* -O: the share of samples that found tasks waiting, of all CPUs or (-C) of each */
static void print_occupancy(struct hist_tool *ht, const struct hist_tool_entry *e, size_t n)
{
	const struct state *s = ht->priv;

	for (size_t i = 0; i < n; i++) {
		uint64_t idle = e[i].v.slots[0], samples = e[i].v.count;
		double occ = samples ? 100.0 * (double)(samples - idle) / (double)samples : 0;
		uint32_t cpu;

		if (!s->o->cpus) {
			printf("runqocc: %0.2f%%\n", occ);
			continue;
		}
		memcpy(&cpu, e[i].key, sizeof(cpu));
		printf("runqocc, CPU %-3u %6.2f%%\n", cpu, occ);
	}
	if (!n && !s->o->cpus)
		printf("runqocc: %0.2f%%\n", 0.0);
}

static int attach(void *ctx, struct attach_set *as)
{
	struct state *s = ctx;
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.freq = 1,
		.sample_freq = RUNQLEN_HZ,
	};
	int err = attach_perf_event_cpus(as, bpf_program__fd(s->obj->progs.runqlen_sample), &attr,
					 -1);

	if (err)
		tk_err("cannot open the cpu-clock perf event: %s", attach_strerror(err));
	return err;
}

static int fill(struct tool_run *r, void *skel)
{
	struct state *s = r->ctx;
	struct hist_tool *ht = &s->ht;
	const struct opts *o = s->o;

	s->obj = skel;
	ht->priv = s;
	ht->unit = "runqlen";
	ht->linear = true;
	ht->timestamp = o->timestamp;
	ht->json = o->json;
	ht->key = o->cpus ? HIST_KEY_NUM : HIST_KEY_NONE;
	ht->section = o->cpus ? "cpu" : NULL;
	if (o->occupancy)
		ht->print = print_occupancy;
	ht->metric = "tracekit_runqlen_tasks";
	ht->metric_help = "Tasks waiting on a CPU's run queue, sampled at 99 Hz per CPU, by CPU "
			  "(-C) (runqlen)";
	r->attach = attach;
	r->ready = "Sampling run queue length... Hit Ctrl-C to end.";
	return hist_tool_fill(ht, r, s->obj->obj);
}

static int runqlen_main(int argc, char **argv)
{
	struct opts o = {0};
	struct state s = {.o = &o};
	struct tool_run run = {.skel = &runqlen_tool_skel, .fill = fill, .ctx = &s};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(runqlen, runqlen_main, "run queue length histogram (bcc runqlen)", &cli);
