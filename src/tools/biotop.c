// SPDX-License-Identifier: GPL-2.0
/*
 * biotop: block device (disk) I/O by process, a top-like table every interval with bcc's
 * command line and columns (biotop.py): requests, Kbytes and average latency by process,
 * direction and disk, busiest first.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/metrics.h"
#include "core/out.h"
#include "core/vec.h"
#include "tools/bio_common.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/biotop.h"
#include "biotop.skel.h"

TOOL_SKEL_DEFINE(biotop);

struct opts {
	bool noclear, json, verbose;
	uint32_t pid;
	unsigned long maxrows, interval_s, count;
};

struct row {
	struct biotop_key k;
	struct biotop_val v;
};

struct state {
	const struct opts *o;
	struct biotop *skel;
	char ready[80];
	struct row *rows; /* taken out of the map since the last table */
	size_t nrows, cap;
	struct metric_family *ios, *bytes, *secs; /* --metrics */
};

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "biotop",
	.description = "Block device (disk) I/O by process",
	.opts = TOOL_OPTS(
		{'C', "noclear", NULL, "don't clear the screen", TOOL_OPT_FLAG, OPT(noclear)},
		{'r', "maxrows", "MAXROWS", "maximum rows to print, default 20", TOOL_OPT_ULONG,
		 OPT(maxrows), 1, 1000000},
		TOOL_OPT_PID_ONLY(OPT(pid), "targ_tgid"),
		{TOOL_OPT_JSON, "json", NULL, "one JSON object per interval", TOOL_OPT_FLAG,
		 OPT(json)},
		TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	.args = "[interval] [count]",
	.args_help = "  interval              output interval, in seconds (default 1)\n"
		     "  count                 number of outputs\n",
	.pos = (const struct tool_opt[]){{0, "interval", .kind = TOOL_OPT_ULONG,
					  .off = OPT(interval_s), .min = 1, .max = 86400,
					  .sets = TOOL_SETS_INTERVAL},
					 {0, "count", .kind = TOOL_OPT_ULONG, .off = OPT(count),
					  .min = 1, .max = 86400UL * 365, .sets = TOOL_SETS_COUNT},
					 {0}},
	.examples = "    biotop            # block device I/O top, 1 second refresh\n"
		    "    biotop -C         # don't clear the screen\n"
		    "    biotop -p 181     # only trace PID 181\n"
		    "    biotop 5          # 5 second summaries\n"
		    "    biotop 5 10       # 5 second summaries, 10 times only\n",
};

static const char *comm_of(char *buf, size_t len, const struct biotop_key *k)
{
	if (!k->comm[0])
		return "?"; /* started before we attached */
	return str_escape(buf, len, k->comm, sizeof(k->comm));
}

/* --metrics: a row's requests, bytes and time, by comm, disk and direction */
static void count_row(struct state *s, const struct row *w)
{
	char comm[SNOOP_COMM_LABEL], disk[BIO_DISK_LEN + 1];
	const char *v[] = {w->k.comm[0] ? snoop_comm_label(comm, w->k.comm) : "?",
			   str_escape(disk, sizeof(disk), w->v.disk, sizeof(w->v.disk)),
			   w->k.write ? "W" : "R"};

	snoop_metric_add(s->ios, v, w->v.io);
	snoop_metric_add(s->bytes, v, w->v.bytes);
	snoop_metric_add(s->secs, v, w->v.ns);
}

/*
 * Take the kernel's table out (lookup and delete, one key at a time, at most as many as the
 * map holds so that a busy disk cannot keep us here) into s->rows, adding to a row a scrape
 * already took since the last table.
 */
static int take_out(struct state *s)
{
	int fd = bpf_map__fd(s->skel->maps.counts);
	uint32_t max = bpf_map__max_entries(s->skel->maps.counts);
	struct row w;

	for (uint32_t n = 0; n < max && !bpf_map_get_next_key(fd, NULL, &w.k); n++) {
		size_t i;

		if (bpf_map_lookup_and_delete_elem(fd, &w.k, &w.v))
			continue;
		if (s->ios)
			count_row(s, &w);
		for (i = 0; i < s->nrows && memcmp(&s->rows[i].k, &w.k, sizeof(w.k)); i++)
			;
		if (i < s->nrows) {
			s->rows[i].v.bytes += w.v.bytes;
			s->rows[i].v.ns += w.v.ns;
			s->rows[i].v.io += w.v.io;
			continue;
		}
		if (VEC_RESERVE(s->rows, s->cap, s->nrows, 1))
			return -ENOMEM;
		s->rows[s->nrows++] = w;
	}
	return 0;
}

static int collect(void *ctx, struct metrics *m)
{
	(void)m;
	return take_out(ctx);
}

static int add_metrics(void *ctx, struct metrics *m)
{
	static const char *const labels[] = {"comm", "disk", "type"};
	struct state *s = ctx;
	const struct snoop_metric specs[] = {
		{&s->ios, "tracekit_biotop_ios", METRIC_COUNTER,
		 "Block I/O requests completed, by comm, disk and type (R, W) (biotop)", labels, 3},
		{&s->bytes, "tracekit_biotop_bytes", METRIC_COUNTER,
		 "Bytes of the block I/O requests completed, by comm, disk and type (biotop)",
		 labels, 3},
		{&s->secs, "tracekit_biotop_latency_seconds", METRIC_COUNTER,
		 "Block I/O latency (issue to completion) added up, by comm, disk and type "
		 "(biotop)",
		 labels, 3, 1e9},
	};

	return snoop_metrics_add(m, specs, 3) ?: metrics_add_collector(m, collect, s);
}

/* busiest first: bcc sorts by bytes */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->v.bytes < y->v.bytes ? 1 : x->v.bytes > y->v.bytes ? -1 : 0;
}

static double avg_ms(const struct row *w)
{
	return w->v.io ? w->v.ns / 1e6 / w->v.io : 0;
}

static void print_json(struct state *s, const char *hms, const char *load, size_t n)
{
	char comm[BIO_COMM_LEN * 4 + 1];

	printf("{\"time\":\"%s\",\"loadavg\":", hms);
	json_str(stdout, load);
	printf(",\"rows\":[");
	for (size_t i = 0; i < n; i++) {
		const struct row *w = &s->rows[i];

		printf("%s{\"pid\":%u,\"comm\":", i ? "," : "", w->k.pid);
		json_str(stdout, comm_of(comm, sizeof(comm), &w->k));
		printf(",\"type\":\"%c\",\"major\":%u,\"minor\":%u,\"disk\":",
		       w->k.write ? 'W' : 'R', w->k.major, w->k.minor);
		json_strn(stdout, w->v.disk, sizeof(w->v.disk));
		printf(",\"io\":%llu,\"bytes\":%llu,\"kbytes\":%llu,\"avg_ms\":%.6f}",
		       (unsigned long long)w->v.io, (unsigned long long)w->v.bytes,
		       (unsigned long long)w->v.bytes / 1024, avg_ms(w));
	}
	printf("]}\n");
}

static void print_table(struct state *s, const char *hms, const char *load, size_t n)
{
	char comm[BIO_COMM_LEN * 4 + 1], disk[BIO_DISK_LEN * 4 + 1];

	if (s->o->noclear)
		putchar('\n');
	else
		fputs("\033[H\033[2J", stdout); /* what clear(1) writes */
	/* bcc prints the file with its newline, then its own */
	printf("%-8s loadavg: %s\n\n", hms, load);
	printf("%-7s %-16s %1s %-3s %-3s %-8s %5s %7s %6s\n", "PID", "COMM", "D", "MAJ", "MIN",
	       "DISK", "I/O", "Kbytes", "AVGms");
	for (size_t i = 0; i < n; i++) {
		const struct row *w = &s->rows[i];

		printf("%-7u %-16s %1s %-3u %-3u %-8s %5llu %7llu %6.2f\n", w->k.pid,
		       comm_of(comm, sizeof(comm), &w->k), w->k.write ? "W" : "R", w->k.major,
		       w->k.minor, str_escape(disk, sizeof(disk), w->v.disk, sizeof(w->v.disk)),
		       (unsigned long long)w->v.io, (unsigned long long)w->v.bytes / 1024,
		       avg_ms(w));
	}
}

static int print_interval(void *ctx)
{
	struct state *s = ctx;
	char hms[16], load[128];
	size_t n;

	snoop_loadavg(load, sizeof(load));
	if (take_out(s)) {
		tk_err("out of memory");
		return 1;
	}
	if (s->nrows)
		qsort(s->rows, s->nrows, sizeof(*s->rows), row_cmp);
	n = s->nrows < s->o->maxrows ? s->nrows : s->o->maxrows;
	time_hms(hms, sizeof(hms));
	if (s->o->json)
		print_json(s, hms, load, n);
	else
		print_table(s, hms, load, n);
	s->nrows = 0;
	fflush(stdout);
	return ferror(stdout) ? 1 : 0; /* the reader went away (biotop | head): stop */
}

static void print_footer(void *ctx)
{
	if (!((struct state *)ctx)->o->json)
		printf("Detaching...\n");
}

static int fill(struct tool_run *r, void *skel)
{
	struct state *s = r->ctx;

	s->skel = skel;
	snprintf(s->ready, sizeof(s->ready), "Tracing... Output every %lu secs. Hit Ctrl-C to end",
		 s->o->interval_s);
	r->ready = s->o->json ? NULL : s->ready;
	return 0;
}

static int biotop_main(int argc, char **argv)
{
	struct opts o = {.maxrows = 20, .interval_s = 1};
	struct state s = {.o = &o};
	/* like bcc: Ctrl-C ends the current interval with one last table */
	struct tool_run run = {.skel = &biotop_tool_skel,
			       .fill = fill,
			       .ctx = &s,
			       TOOL_SUMMARY(print_interval),
			       .footer = print_footer,
			       .metrics = add_metrics};
	int err = tool_main(&cli, &o, &run, argc, argv);

	free(s.rows);
	return err;
}

TOOL_REGISTER(biotop, biotop_main, "block device I/O by process, top-like (bcc biotop)", &cli);
