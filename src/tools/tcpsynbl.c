// SPDX-License-Identifier: GPL-2.0
/*
 * tcpsynbl: the TCP listen backlog as log2 histograms, one per backlog limit (bcc's tcpsynbl
 * and libbpf-tools' options), without kprobes: see src/bpf/tcpsynbl.bpf.c for why the
 * LISTEN -> SYN_RECV transition of the child socket carries the same numbers bcc reads at
 * tcp_v4_syn_recv_sock().
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tcpsynbl.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/out.h"
#include "tcpsynbl.skel.h"

#include "core/btfmin.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(tcpsynbl);

struct opts {
	bool timestamp, json, verbose;
	int family;
	unsigned long interval_s, count;
};

struct state {
	const struct opts *o;
	struct tcpsynbl *obj;
	struct metric_family *backlog; /* --metrics */
	struct tcp_hists taken;	       /* what the outputs took out of the map, for --metrics */
};

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "tcpsynbl",
	.description =
		"Summarize TCP SYN backlog as a histogram.\n"
		"\n"
		"Measures, each time a TCP handshake completes on a listener, how many "
		"established\n"
		"connections were already waiting in its accept queue (sk_ack_backlog), with one\n"
		"histogram per backlog limit (backlog_max, from listen()). Read from the new "
		"child\n"
		"socket at tracepoint sock:inet_sock_set_state LISTEN -> SYN_RECV, where it is a\n"
		"copy of the listener: the same values bcc reads at tcp_v4/v6_syn_recv_sock().\n"
		"Handshakes dropped because the queue is full create no child and are not counted.",
	.opts = TOOL_OPTS(TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
			  TOOL_OPTS_FAMILY(OPT(family), 1, "targ_family"),
			  {TOOL_OPT_JSON, "json", NULL, "one JSON object per output", TOOL_OPT_FLAG,
			   OPT(json)},
			  TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	.args = "[interval] [count]",
	.args_help = "  interval         output interval, in seconds\n"
		     "  count            number of outputs\n",
	.pos = (const struct tool_opt[]){{0, "interval", .kind = TOOL_OPT_ULONG,
					  .off = OPT(interval_s), .min = 1, .max = 86400UL * 365,
					  .sets = TOOL_SETS_INTERVAL},
					 {0, "count", .kind = TOOL_OPT_ULONG, .off = OPT(count),
					  .sets = TOOL_SETS_COUNT, .min = 1},
					 {0}},
	.examples = "    tcpsynbl              # summarize TCP SYN backlog as a histogram\n"
		    "    tcpsynbl 1 10         # print 1 second summaries, 10 times\n"
		    "    tcpsynbl -T 1         # 1s summaries with timestamps\n"
		    "    tcpsynbl -4           # trace IPv4 family only\n"
		    "    tcpsynbl -6           # trace IPv6 family only\n",
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Print and remove every histogram (lookup-and-delete: no sample lost in between). */
static int print_output(void *ctx)
{
	struct state *s = ctx;
	const struct opts *o = s->o;
	int fd = bpf_map__fd(s->obj->maps.hists);
	uint64_t keys[1024], k, *prev = NULL;
	size_t n = 0;
	char ts[16];

	while (n < 1024 && !bpf_map_get_next_key(fd, prev, &k)) {
		keys[n] = k;
		prev = &keys[n++];
	}
	qsort(keys, n, sizeof(keys[0]), cmp_u64);
	time_hms(ts, sizeof(ts));
	if (o->json) {
		printf("{\"time\":\"%s\",\"hists\":[", ts);
	} else {
		printf("\n");
		if (o->timestamp)
			printf("%-8s\n", ts);
	}
	for (size_t i = 0, first = 1; i < n; i++) {
		struct tcpsynbl_hist h;
		uint64_t total = 0;

		if (bpf_map_lookup_and_delete_elem(fd, &keys[i], &h))
			continue;
		for (int j = 0; j < TCPSYNBL_SLOTS; j++)
			total += h.slots[j];
		if (s->backlog && tcp_hists_add(&s->taken, &keys[i], (const uint64_t *)h.slots,
						total, (double)h.sum)) {
			tk_err("out of memory");
			return 1;
		}
		if (o->json) {
			printf("%s{\"backlog_max\":%llu,\"count\":%llu,\"buckets\":",
			       first ? "" : ",", (unsigned long long)keys[i],
			       (unsigned long long)total);
			hist_json_log2(stdout, (const uint64_t *)h.slots, TCPSYNBL_SLOTS);
			printf("}");
			first = 0;
			continue;
		}
		printf("backlog_max = %llu\n", (unsigned long long)keys[i]);
		hist_print_log2(stdout, (const uint64_t *)h.slots, TCPSYNBL_SLOTS, "backlog");
	}
	if (o->json)
		printf("]}\n");
	fflush(stdout);
	return ferror(stdout) ? 1 : 0; /* the reader went away (tool | head): stop */
}

/* The series of a backlog limit, with the samples of h. */
static void add_hist(struct state *s, uint64_t max, const uint64_t *slots, uint64_t count,
		     double sum)
{
	char buf[24];
	const char *v[] = {snoop_uint_label(buf, sizeof(buf), max)};

	tcp_hist_series(metric_series(s->backlog, v), slots, TCPSYNBL_SLOTS, count, sum);
}

/* --metrics: every histogram since the start, the outputs' and the map's */
static int collect_backlog(void *ctx, struct metrics *m)
{
	struct state *s = ctx;
	int fd = bpf_map__fd(s->obj->maps.hists);
	uint64_t k, next, *prev = NULL;
	struct tcpsynbl_hist h;

	for (size_t i = 0; i < s->taken.n; i++) {
		const struct tcp_hist *t = &s->taken.h[i];

		memcpy(&k, t->key, sizeof(k));
		add_hist(s, k, t->slots, t->count, t->sum);
	}
	for (; !bpf_map_get_next_key(fd, prev, &next); prev = &k) {
		uint64_t count = 0;

		k = next;
		if (bpf_map_lookup_elem(fd, &k, &h))
			continue;
		for (int j = 0; j < TCPSYNBL_SLOTS; j++)
			count += h.slots[j];
		add_hist(s, k, (const uint64_t *)h.slots, count, (double)h.sum);
	}
	return 0;
}

static int add_metrics(void *ctx, struct metrics *m)
{
	struct state *s = ctx;
	const char *label = "backlog_max";
	const struct snoop_metric spec = {
		&s->backlog,
		"tracekit_tcpsynbl_backlog",
		METRIC_HISTOGRAM,
		"Connections already waiting in a listener's accept queue at each handshake "
		"completed, by the listener's backlog limit (tcpsynbl)",
		&label,
		1,
		0,
		true};

	s->taken = (struct tcp_hists){.key_size = sizeof(uint64_t), .nslots = TCPSYNBL_SLOTS};
	return snoop_metrics_add(m, &spec, 1) ?: metrics_add_collector(m, collect_backlog, s);
}

static int fill(struct tool_run *run, void *skel)
{
	((struct state *)run->ctx)->obj = skel;
	return 0;
}

static int tcpsynbl_main(int argc, char **argv)
{
	struct opts o = {0};
	struct state s = {.o = &o};
	/* one last histogram on Ctrl-C */
	struct tool_run run = {.skel = &tcpsynbl_tool_skel,
			       .fill = fill,
			       .ctx = &s,
			       TOOL_SUMMARY(print_output),
			       .ready = "Tracing SYN backlog size. Ctrl-C to end.",
			       .metrics = add_metrics};
	int err = tool_main(&cli, &o, &run, argc, argv);

	tcp_hists_free(&s.taken);
	return err;
}

TOOL_REGISTER(tcpsynbl, tcpsynbl_main, "TCP listen (accept) backlog histogram (bcc tcpsynbl)",
	      &cli);
