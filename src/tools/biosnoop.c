// SPDX-License-Identifier: GPL-2.0
/*
 * biosnoop: trace block device I/O, one line per completed request with the task that
 * started it, its disk, direction, sector, size and latency; bcc's command line and columns
 * (biosnoop.py), with libbpf-tools' -m MIN_MS and [duration].
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/metrics.h"
#include "core/out.h"
#include "tools/bio_common.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/biosnoop.h"
#include "biosnoop.skel.h"

TOOL_SKEL_DEFINE(biosnoop);

struct opts {
	bool queue, pattern, json, verbose;
	const char *disk;
	unsigned long min_ms, duration_s;
};

/* -P: where the last request of each disk ended, to call the next sequential or random */
#define MAX_DISKS 64
struct last_sector {
	uint32_t dev;
	uint64_t next;
};

struct state {
	const struct opts *o;
	struct snoop_clock clock;
	struct last_sector last[MAX_DISKS];
	size_t nlast;
	struct metric_family *ios, *bytes, *lat; /* --metrics */
};

/* -P: 'S' when the request starts where the disk's previous one ended, 'R' if not, '?' first */
static char pattern(struct state *s, const struct biosnoop_event *e)
{
	uint64_t end = e->sector + e->bytes / 512;
	size_t i;
	char p;

	for (i = 0; i < s->nlast && s->last[i].dev != e->dev; i++)
		;
	if (i == s->nlast) {
		if (i == MAX_DISKS)
			return '?';
		s->last[s->nlast++].dev = e->dev;
		p = '?';
	} else {
		p = s->last[i].next == e->sector ? 'S' : 'R';
	}
	s->last[i].next = end;
	return p;
}

static void count(struct state *s, const struct biosnoop_event *e, const char *disk, char t)
{
	const char type[2] = {t, '\0'};
	const char *v[] = {disk, type};

	snoop_metric_inc(s->ios, v);
	snoop_metric_add(s->bytes, v, e->bytes);
	snoop_metric_observe(s->lat, v, e->delta_ns / 1e3);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct state *s = ctx;
	const struct opts *o = s->o;
	const struct biosnoop_event *e = data;
	char comm[BIO_COMM_LEN * 4 + 1], disk[BIO_DISK_LEN * 4 + 1], t = bio_op_char(e->cmd_flags);
	double ts;

	(void)size;
	if (o->min_ms && e->delta_ns < o->min_ms * 1000000ULL)
		return 0;
	ts = snoop_clock_rel(&s->clock, e->ts_ns);
	if (e->comm[0])
		str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm));
	else
		strcpy(comm, "?"); /* started before we attached: bcc's "?" */
	if (e->disk[0])
		str_escape(disk, sizeof(disk), e->disk, sizeof(e->disk));
	else
		strcpy(disk, "<unknown>");
	count(s, e, disk, t);
	if (o->json) {
		printf("{\"timestamp\":%.6f,\"comm\":", ts);
		json_strn(stdout, e->comm, sizeof(e->comm));
		printf(",\"pid\":%u,\"disk\":", e->pid);
		json_str(stdout, disk);
		printf(",\"type\":\"%c\",\"sector\":%llu,\"bytes\":%u,", t,
		       (unsigned long long)e->sector, e->bytes);
		if (o->pattern)
			printf("\"pattern\":\"%c\",", pattern(s, e));
		if (o->queue)
			printf("\"queue_ms\":%.6f,", e->qdelta_ns / 1e6);
		printf("\"latency_ms\":%.6f}\n", e->delta_ns / 1e6);
		return 0;
	}
	printf("%-11.6f %-14.14s %-7u %-9s %-1c %-10llu %-7u", ts, comm, e->pid, disk, t,
	       (unsigned long long)e->sector, e->bytes);
	if (o->pattern)
		printf("%-1c ", pattern(s, e));
	if (o->queue)
		printf("%7.2f ", e->qdelta_ns / 1e6);
	printf("%7.2f\n", e->delta_ns / 1e6);
	return 0;
}

static void print_header(void *ctx)
{
	const struct opts *o = ((struct state *)ctx)->o;

	printf("%-11s %-14s %-7s %-9s %-1s %-10s %-7s", "TIME(s)", "COMM", "PID", "DISK", "T",
	       "SECTOR", "BYTES");
	if (o->pattern)
		printf("%-1s ", "P");
	if (o->queue)
		printf("%7s ", "QUE(ms)");
	printf("%7s\n", "LAT(ms)");
}

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "biosnoop",
	.description = "Trace block I/O",
	.opts = TOOL_OPTS({'Q', "queue", NULL, "include OS queued time", TOOL_OPT_FLAG, OPT(queue)},
			  BIO_OPT_DISK(OPT(disk)),
			  {'P', "pattern", NULL, "display block I/O pattern (sequential or random)",
			   TOOL_OPT_FLAG, OPT(pattern)},
			  {'m', "min", "MIN_MS", "only I/O slower than this many milliseconds",
			   TOOL_OPT_ULONG, OPT(min_ms), 0, 86400000UL},
			  {'c', "cgroup", "CG", NULL, TOOL_OPT_UNSUPPORTED},
			  SNOOP_OPTS_JSON_VERBOSE(struct opts)),
	.args = "[duration]",
	.args_help = "  duration              total duration of trace in seconds\n",
	.pos = (const struct tool_opt[]){{0, "duration", .kind = TOOL_OPT_ULONG,
					  .off = OPT(duration_s), .min = 1, .max = 100000000,
					  .sets = TOOL_SETS_DURATION},
					 {0}},
	.examples = "    biosnoop           # trace all block I/O\n"
		    "    biosnoop -Q        # include OS queued time\n"
		    "    biosnoop -d sdc    # trace sdc only\n"
		    "    biosnoop -P        # display block I/O pattern\n"
		    "    biosnoop -m 10     # only I/O slower than 10 ms\n"
		    "    biosnoop 10        # trace for 10 seconds only\n",
};

static int fill(struct tool_run *r, void *skel)
{
	struct state *s = r->ctx;
	struct biosnoop *obj = skel;

	if (s->o->disk && bio_disk_dev(s->o->disk, (uint32_t *)&obj->rodata->targ_dev))
		return 1;
	return 0;
}

static int add_metrics(void *ctx, struct metrics *m)
{
	struct state *s = ctx;
	static const char *const labels[] = {"disk", "type"};
	const struct snoop_metric specs[] = {
		{&s->ios, "tracekit_biosnoop_ios", METRIC_COUNTER,
		 "Block I/O requests completed, by disk and type (R, W) (biosnoop)", labels, 2, 0},
		{&s->bytes, "tracekit_biosnoop_bytes", METRIC_COUNTER,
		 "Bytes of the block I/O requests completed, by disk and type (biosnoop)", labels,
		 2, 0},
		{&s->lat, "tracekit_biosnoop_latency_seconds", METRIC_HISTOGRAM,
		 "Block I/O latency, from issue to completion, by disk and type (biosnoop)", labels,
		 2, 1e6},
	};

	return snoop_metrics_add(m, specs, 3);
}

static int biosnoop_main(int argc, char **argv)
{
	struct opts o = {0};
	struct state s = {.o = &o};
	struct tool_run run = {.skel = &biosnoop_tool_skel,
			       .fill = fill,
			       .ctx = &s,
			       TOOL_EVENTS(handle_event, struct biosnoop_event),
			       .header = print_header,
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(biosnoop, biosnoop_main, "trace block device I/O with latency (bcc biosnoop)", &cli);
