// SPDX-License-Identifier: GPL-2.0
/*
 * runqlat: run queue (scheduler) latency as log2 histograms, with bcc's command line and
 * output (runqlat.py): one histogram, or one per process (-P), thread (-L) or PID namespace
 * (--pidnss); from raw_tp sched_wakeup, sched_wakeup_new and sched_switch.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/runqlat.h"
#include "runqlat.skel.h"
#include "tools/hist_tool.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(runqlat);

struct opts {
	unsigned long interval_s, count;
	bool timestamp, ms, pids, tids, pidnss, json, verbose;
	uint32_t pid;
};

enum { OPT_PIDNSS = 300 };

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "runqlat",
	.description = "Summarize run queue (scheduler) latency as a histogram",
	.opts = TOOL_OPTS(TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
			  {'m', "milliseconds", NULL, "millisecond histogram", TOOL_OPT_FLAG,
			   OPT(ms), .bpf = "targ_ms"},
			  {'P', "pids", NULL, "print a histogram per process ID", TOOL_OPT_FLAG,
			   OPT(pids), .group = 1},
			  {OPT_PIDNSS, "pidnss", NULL, "print a histogram per PID namespace",
			   TOOL_OPT_FLAG, OPT(pidnss), .group = 1},
			  {'L', "tids", NULL, "print a histogram per thread ID", TOOL_OPT_FLAG,
			   OPT(tids), .group = 1},
			  TOOL_OPT_PID_ONLY(OPT(pid), "runq_tgid"), TOOL_OPTS_CONTAINER_MAPS,
			  HIST_TOOL_OPTS_JSON_VERBOSE(struct opts)),
	HIST_TOOL_ARGS(struct opts),
	.examples = "    runqlat            # summarize run queue latency as a histogram\n"
		    "    runqlat 1 10       # print 1 second summaries, 10 times\n"
		    "    runqlat -mT 1      # 1s summaries, milliseconds, and timestamps\n"
		    "    runqlat -P         # show each PID separately\n"
		    "    runqlat -p 185     # trace PID 185 only\n"
		    "    runqlat --pidnss   # show each PID namespace separately\n"
		    "    runqlat -L         # show each TID separately\n",
};

static int fill(struct tool_run *r, void *skel)
{
	struct hist_tool *ht = r->ctx;
	const struct opts *o = ht->priv;
	struct runqlat *obj = skel;

	ht->unit = o->ms ? "msecs" : "usecs";
	ht->timestamp = o->timestamp;
	ht->json = o->json;
	ht->key = HIST_KEY_NUM;
	ht->comm = o->pids || o->tids;
	if (o->pids) {
		ht->section = "pid";
		obj->rodata->targ_key = RUNQLAT_KEY_PID;
	} else if (o->tids) {
		ht->section = "tid";
		obj->rodata->targ_key = RUNQLAT_KEY_TID;
	} else if (o->pidnss) {
		ht->section = "pidns";
		obj->rodata->targ_key = RUNQLAT_KEY_PIDNS;
	} else {
		ht->key = HIST_KEY_NONE;
	}
	ht->metric = "tracekit_runqlat_latency_seconds";
	ht->metric_help = "Run queue latency: from runnable to running, by process (-P), thread "
			  "(-L) or PID namespace (--pidnss) (runqlat)";
	ht->metric_div = o->ms ? 1e3 : 1e6;
	r->ready = "Tracing run queue latency... Hit Ctrl-C to end.";
	return hist_tool_fill(ht, r, obj->obj);
}

HIST_TOOL_MAIN(runqlat, struct opts, 0);
TOOL_REGISTER(runqlat, runqlat_main, "run queue (scheduler) latency histogram (bcc runqlat)", &cli);
