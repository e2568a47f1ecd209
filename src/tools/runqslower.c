// SPDX-License-Identifier: GPL-2.0
/*
 * runqslower: a row for each run queue latency above a threshold, with bcc's command line
 * and columns (runqslower.py), and with -P the thread that had the CPU before; from raw_tp
 * sched_wakeup, sched_wakeup_new and sched_switch.
 */
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/runqslower.h"
#include "core/out.h"
#include "runqslower.skel.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(runqslower);

struct opts {
	unsigned long min_us;
	uint32_t pid, tid;
	bool previous, json, verbose;
	char ready[80];
	struct metric_family *lat; /* --metrics */
};

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "runqslower",
	.description = "Trace high run queue latency",
	.opts = TOOL_OPTS({'p', "pid", "PID", "trace this PID only", TOOL_OPT_PID, OPT(pid),
			   .group = 1, .bpf = "runq_tgid"},
			  {'t', "tid", "TID", "trace this TID only", TOOL_OPT_PID, OPT(tid),
			   .group = 1, .bpf = "runq_tid"},
			  {'P', "previous", NULL, "also show previous task name and TID",
			   TOOL_OPT_FLAG, OPT(previous)},
			  SNOOP_OPTS_JSON_VERBOSE(struct opts)),
	.args = "[min_us]",
	.args_help = "  min_us                minimum run queue latency to trace, in us (default "
		     "10000)\n",
	.pos = (const struct tool_opt[]){{0, "min_us", .kind = TOOL_OPT_ULONG, .off = OPT(min_us),
					  .min = 0, .max = 86400UL * 1000000},
					 {0}},
	.examples = "    runqslower         # trace run queue latency higher than 10000 us "
		    "(default)\n"
		    "    runqslower 1000    # trace run queue latency higher than 1000 us\n"
		    "    runqslower -p 123  # trace pid 123\n"
		    "    runqslower -t 123  # trace tid 123 (use for threads only)\n"
		    "    runqslower -P      # also show previous task comm and TID\n",
};

static int handle_event(void *ctx, void *data, size_t size)
{
	struct opts *o = ctx;
	const struct runqslower_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1], prev[sizeof(e->prev_comm) * 4 + 1], ts[16];

	if (o->lat) {
		char cbuf[SNOOP_COMM_LABEL];
		const char *v[] = {snoop_comm_label(cbuf, e->comm)};

		snoop_metric_observe(o->lat, v, (double)e->delta_us);
	}
	time_hms(ts, sizeof(ts));
	if (o->json) {
		printf("{\"time\":\"%s\",\"comm\":", ts);
		json_strn(stdout, e->comm, sizeof(e->comm));
		printf(",\"tid\":%u,\"pid\":%u,\"lat_us\":%llu", e->tid, e->tgid,
		       (unsigned long long)e->delta_us);
		if (o->previous) {
			printf(",\"prev_comm\":");
			json_strn(stdout, e->prev_comm, sizeof(e->prev_comm));
			printf(",\"prev_tid\":%u", e->prev_tid);
		}
		printf("}\n");
		return 0;
	}
	printf("%-8s %-16s %-6u %14llu", ts,
	       str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm)), e->tid,
	       (unsigned long long)e->delta_us);
	if (o->previous)
		printf(" %-16s %-6u",
		       str_escape(prev, sizeof(prev), e->prev_comm, sizeof(e->prev_comm)),
		       e->prev_tid);
	printf("\n");
	return 0;
}

static void print_header(void *ctx)
{
	const struct opts *o = ctx;

	if (o->previous)
		printf("%-8s %-16s %-6s %14s %-16s %-6s\n", "TIME", "COMM", "TID", "LAT(us)",
		       "PREV COMM", "PREV TID");
	else
		printf("%-8s %-16s %-6s %14s\n", "TIME", "COMM", "TID", "LAT(us)");
}

SNOOP_METRIC_HOOK(add_metrics, struct opts, lat, "tracekit_runqslower_latency_seconds",
		  METRIC_HISTOGRAM,
		  "Run queue latencies above the threshold, by the comm of the thread that waited "
		  "(runqslower)",
		  1e6, "comm");

static int fill(struct tool_run *r, void *skel)
{
	struct opts *o = r->ctx;
	struct runqslower *obj = skel;

	obj->rodata->min_us = o->min_us;
	snprintf(o->ready, sizeof(o->ready), "Tracing run queue latency higher than %lu us",
		 o->min_us);
	r->ready = o->ready;
	return 0;
}

static int runqslower_main(int argc, char **argv)
{
	struct opts o = {.min_us = 10000};
	struct tool_run run = {.skel = &runqslower_tool_skel,
			       .ctx = &o,
			       .fill = fill,
			       TOOL_EVENTS(handle_event, struct runqslower_event),
			       .header = print_header,
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(runqslower, runqslower_main, "trace high run queue latency (bcc runqslower)", &cli);
