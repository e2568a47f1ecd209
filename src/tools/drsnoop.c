// SPDX-License-Identifier: GPL-2.0
/* drsnoop: trace direct reclaim, one line per reclaim, with bcc's options and columns. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bpf/drsnoop.h"
#include "core/out.h"
#include "drsnoop.skel.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(drsnoop);

struct opts {
	bool timestamp, print_uid, free_mem, json, verbose;
	uint32_t pid, tid, uid;
	unsigned long duration_s;
	const char *name;
};

struct state {
	const struct opts *o;
	struct snoop_clock clock;
	struct metric_family *lat; /* --metrics */
};

/* -v: MemFree of /proc/meminfo, in KiB, when the event is printed (bcc: at the reclaim's
 * start); -1 if unreadable */
static long mem_free_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int on_reclaim(void *ctx, void *data, size_t size)
{
	struct state *s = ctx;
	const struct opts *o = s->o;
	const struct drsnoop_event *e = data;
	char comm[sizeof(e->comm) + 1], ecomm[sizeof(e->comm) * 4 + 1];
	const char *v[] = {comm};
	double ts = snoop_clock_rel(&s->clock, e->ts_ns);

	memcpy(comm, e->comm, sizeof(e->comm));
	comm[sizeof(e->comm)] = '\0';
	if (o->name && !strstr(comm, o->name))
		return 0;
	snoop_metric_observe(s->lat, v, e->delta_ns / 1000);
	if (o->json) {
		printf("{");
		if (o->timestamp)
			printf("\"timestamp\":%.9f,", ts);
		printf("\"uid\":%u,\"pid\":%u,\"tid\":%u,\"comm\":", e->uid, e->pid, e->tid);
		json_str(stdout, comm);
		printf(",\"lat_ms\":%.3f,\"pages\":%llu,\"memcg\":%s", e->delta_ns / 1e6,
		       (unsigned long long)e->nr_reclaimed, e->memcg ? "true" : "false");
		if (o->free_mem)
			printf(",\"free_kb\":%ld", mem_free_kb());
		printf("}\n");
		return 0;
	}
	if (o->timestamp)
		printf("%-14.9f", ts);
	if (o->print_uid)
		printf("%-6u", e->uid);
	printf("%-14.14s %-6u %8.2f %5llu", str_escape(ecomm, sizeof(ecomm), comm, sizeof(comm)),
	       o->tid ? e->tid : e->pid, e->delta_ns / 1e6, (unsigned long long)e->nr_reclaimed);
	if (o->free_mem)
		printf("%10ld", mem_free_kb());
	printf("\n");
	return 0;
}

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "drsnoop",
	.description = "Trace direct reclaim (global, and within a memory cgroup's limit)",
	.opts = TOOL_OPTS(
		TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
		SNOOP_OPT_PRINT_UID(struct opts, print_uid),
		TOOL_OPT_PID_ONLY(OPT(pid), "filter_tgid"), SNOOP_OPT_TID(struct opts, tid),
		TOOL_OPT_UID_ONLY(OPT(uid), "filter_uid"),
		SNOOP_OPT_DURATION(struct opts, duration_s), SNOOP_OPT_NAME(struct opts, name),
		{'v', "verbose", NULL, "show system memory state (free memory, when printed)",
		 TOOL_OPT_FLAG, OPT(free_mem)},
		{TOOL_OPT_JSON, "json", NULL, "one JSON object per event", TOOL_OPT_FLAG,
		 OPT(json)},
		{257, "debug", NULL, "print libbpf's messages", TOOL_OPT_VERBOSE, OPT(verbose)}),
	.examples = "    drsnoop           # trace all direct reclaim\n"
		    "    drsnoop -T        # include timestamps\n"
		    "    drsnoop -U        # include UID\n"
		    "    drsnoop -p 181    # only trace PID 181\n"
		    "    drsnoop -t 123    # only trace TID 123\n"
		    "    drsnoop -u 1000   # only trace UID 1000\n"
		    "    drsnoop -d 10     # trace for 10 seconds only\n"
		    "    drsnoop -n main   # only print process names containing \"main\"\n",
};

static void print_columns(void *ctx)
{
	const struct opts *o = ((struct state *)ctx)->o;

	printf("%s%s%-14s %-6s %8s %5s%s\n", o->timestamp ? "TIME(s)       " : "",
	       o->print_uid ? "UID   " : "", "COMM", o->tid ? "TID" : "PID", "LAT(ms)", "PAGES",
	       o->free_mem ? "  FREE(KB)" : "");
}

SNOOP_METRIC_HOOK(reclaim_metrics, struct state, lat, "tracekit_drsnoop_reclaim_seconds",
		  METRIC_HISTOGRAM, "Time of each direct reclaim, by comm (drsnoop)", 1e6, "comm");

static int drsnoop_main(int argc, char **argv)
{
	struct opts o = {.uid = TOOL_UID_NONE};
	struct state s = {.o = &o};
	struct tool_run run = {.skel = &drsnoop_tool_skel,
			       .ctx = &s,
			       TOOL_EVENTS(on_reclaim, struct drsnoop_event),
			       .header = print_columns,
			       .metrics = reclaim_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(drsnoop, drsnoop_main, "trace direct reclaim (bcc drsnoop)", &cli);
