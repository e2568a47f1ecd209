// SPDX-License-Identifier: GPL-2.0
/*
 * cpudist: on-CPU (or -O off-CPU) time per slice as log2 histograms, with bcc's command line
 * and output (cpudist.py): one histogram, or one per process (-P) or thread (-L); from
 * raw_tp sched_switch (raw_tp: libbpf needs no kernel BTF to attach it, which keeps
 * the RSS at ~4 MB where tp_btf costs ~15 MB).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpudist.skel.h"
#include "tools/hist_tool.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(cpudist);

struct opts {
	unsigned long interval_s, count;
	bool offcpu, timestamp, ms, pids, tids, idle, extension, json, verbose;
	uint32_t pid;
};

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "cpudist",
	.description = "Summarize on- and off-CPU time per task as a histogram.",
	.opts = TOOL_OPTS({'O', "offcpu", NULL, "measure off-CPU time", TOOL_OPT_FLAG, OPT(offcpu),
			   .bpf = "targ_offcpu"},
			  TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
			  {'m', "milliseconds", NULL, "millisecond histogram", TOOL_OPT_FLAG,
			   OPT(ms), .bpf = "targ_ms"},
			  {'P', "pids", NULL, "print a histogram per process ID", TOOL_OPT_FLAG,
			   OPT(pids), .group = 1, .bpf = "targ_per_process"},
			  {'L', "tids", NULL, "print a histogram per thread ID", TOOL_OPT_FLAG,
			   OPT(tids), .group = 1, .bpf = "targ_per_thread"},
			  TOOL_OPT_PID_ONLY(OPT(pid), "targ_tgid"),
			  {'I', "include-idle", NULL, "include CPU idle time", TOOL_OPT_FLAG,
			   OPT(idle), .bpf = "targ_idle"},
			  {'e', "extension", NULL, "show extension summary (average/total/count)",
			   TOOL_OPT_FLAG, OPT(extension)},
			  HIST_TOOL_OPTS_JSON_VERBOSE(struct opts)),
	HIST_TOOL_ARGS(struct opts),
	.examples = "    cpudist              # summarize on-CPU time as a histogram\n"
		    "    cpudist -O           # summarize off-CPU time as a histogram\n"
		    "    cpudist 1 10         # print 1 second summaries, 10 times\n"
		    "    cpudist -mT 1        # 1s summaries, milliseconds, and timestamps\n"
		    "    cpudist -P           # show each PID separately\n"
		    "    cpudist -p 185       # trace PID 185 only\n"
		    "    cpudist -I           # include CPU idle time\n"
		    "    cpudist -e           # show extension summary (average/total/count)\n",
};

static int fill(struct tool_run *r, void *skel)
{
	struct hist_tool *ht = r->ctx;
	const struct opts *o = ht->priv;
	struct cpudist *obj = skel;

	ht->unit = o->ms ? "msecs" : "usecs";
	ht->timestamp = o->timestamp;
	ht->json = o->json;
	ht->key = o->pids || o->tids ? HIST_KEY_NUM : HIST_KEY_NONE;
	ht->section = o->pids ? "pid" : o->tids ? "tid" : NULL;
	ht->comm = o->pids || o->tids;
	if (o->extension)
		ht->print = hist_tool_print_extension;
	ht->metric =
		o->offcpu ? "tracekit_cpudist_offcpu_seconds" : "tracekit_cpudist_oncpu_seconds";
	ht->metric_help = o->offcpu
				  ? "Off-CPU time of the threads traced, per wait, by process "
				    "(-P) or thread (-L) (cpudist -O)"
				  : "On-CPU time of the threads traced, per slice, by process (-P) "
				    "or thread (-L) (cpudist)";
	ht->metric_div = o->ms ? 1e3 : 1e6;
	r->ready = o->offcpu ? "Tracing off-CPU time... Hit Ctrl-C to end."
			     : "Tracing on-CPU time... Hit Ctrl-C to end.";
	return hist_tool_fill(ht, r, obj->obj);
}

HIST_TOOL_MAIN(cpudist, struct opts, 0);
TOOL_REGISTER(cpudist, cpudist_main, "on- and off-CPU time histogram (bcc cpudist)", &cli);
