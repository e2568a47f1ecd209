// SPDX-License-Identifier: GPL-2.0
/*
 * tcpcong: how long each TCP flow spends in each congestion-control state (Open, Disorder,
 * CWR, Recovery, Loss), per interval (bcc's tcpcong.py, same options and columns), from
 * tcp:tcp_cong_state_set plus sock:inet_sock_set_state for the first and last periods.
 *
 * The BPF side only accumulates; each print shows the growth since the previous print, kept
 * here as a snapshot, so nothing is lost between reading and clearing a map.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tcpcong.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/net.h"
#include "core/out.h"
#include "tcpcong.skel.h"

#include "core/btfmin.h"
#include "core/vec.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(tcpcong);

struct opts {
	bool timestamp, dist, micro, json, verbose;
	struct port_range {
		bool set;
		uint16_t min, max;
	} lports, rports;
	unsigned long interval_s; /* 0: only at exit */
	unsigned long outputs;	  /* 0: unlimited */
};

struct snap {
	uint64_t key;
	struct tcpcong_flow v;
};

struct state {
	const struct opts *o;
	struct tcpcong *obj;
	struct snap *prev; /* sorted by key */
	size_t nprev;
	uint64_t prev_dist[TCPCONG_NSTATES][TCPCONG_SLOTS];
	/* --metrics: its families, and what the closed flows dropped from the map had */
	struct metric_family *seconds, *changes, *dist;
	struct tcpcong_flow gone;
};

static const char *const state_names[TCPCONG_NSTATES] = {"open", "disorder", "cwr", "recovery",
							 "loss"};

/* -L/-R: PORT or LO-HI */
static int parse_range(void *opts, const struct usage *u, int key, const char *arg)
{
	struct opts *o = opts;
	struct port_range *r = key == 'L' ? &o->lports : &o->rports;

	if (net_parse_port_range(arg, &r->min, &r->max)) {
		usage_arg_error(u, key, "invalid port range: '%s'", arg);
		return -EINVAL;
	}
	r->set = true;
	return 0;
}

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "tcpcong",
	.description = "Summarize tcp socket congestion control status duration\n"
		       "(tracepoints tcp:tcp_cong_state_set and sock:inet_sock_set_state)",
	.opts = TOOL_OPTS(
		{'L', "localport", "LOCALPORT", "trace local ports only (PORT or LO-HI)",
		 TOOL_OPT_CALL, .parse = parse_range},
		{'R', "remoteport", "REMOTEPORT", "trace the dest ports only (PORT or LO-HI)",
		 TOOL_OPT_CALL, .parse = parse_range},
		TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
		{'d', "dist", NULL, "show distributions as histograms", TOOL_OPT_FLAG, OPT(dist),
		 .bpf = "dist_mode"},
		{'u', "microseconds", NULL, "output in microseconds", TOOL_OPT_FLAG, OPT(micro),
		 .bpf = "micro"},
		{'j', "json", NULL, "one JSON object per output", TOOL_OPT_FLAG, OPT(json)},
		TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	.args = "[interval] [outputs]",
	.args_help = "  interval              output interval, in seconds\n"
		     "  outputs               number of outputs\n",
	.pos = (const struct tool_opt[]){{0, "interval", .kind = TOOL_OPT_ULONG,
					  .off = OPT(interval_s), .min = 1, .max = 86400 * 365,
					  .sets = TOOL_SETS_INTERVAL},
					 {0, "outputs", .kind = TOOL_OPT_ULONG, .off = OPT(outputs),
					  .sets = TOOL_SETS_COUNT, .min = 1, .max = 86400 * 365},
					 {0}},
	.examples = "    tcpcong                 # show tcp congestion status duration\n"
		    "    tcpcong 1 10            # show 1 second summaries, 10 times\n"
		    "    tcpcong -L 3000-3006 1  # 1s summaries, local port 3000-3006\n"
		    "    tcpcong -R 5000-5005 1  # 1s summaries, remote port 5000-5005\n"
		    "    tcpcong -uT 1           # 1s summaries, microseconds, and timestamps\n"
		    "    tcpcong -d              # show the duration as histograms\n",
};

static int cmp_snap_key(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Rows in bcc's order: by local port. */
static int cmp_snap_lport(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	return (int)x->v.flow.sport - (int)y->v.flow.sport;
}

/* Every flow of the map, sorted by key; *n gets the count. NULL with *n = 0 when empty. */
static struct snap *read_flows(int fd, size_t *n)
{
	struct snap *v = NULL;
	size_t cap = 0;
	uint64_t key, *prev = NULL;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (VEC_RESERVE(v, cap, *n, 1))
			break;
		v[*n].key = key;
		if (!bpf_map_lookup_elem(fd, &key, &v[*n].v))
			(*n)++;
	}
	if (v)
		qsort(v, *n, sizeof(*v), cmp_snap_key);
	return v;
}

static void print_flows(struct state *s, struct snap *delta, size_t n, const char *ts)
{
	const struct opts *o = s->o;
	const char *label = o->micro ? "us" : "ms";
	unsigned int div = o->micro ? 1 : 1000;
	bool first = true;

	qsort(delta, n, sizeof(*delta), cmp_snap_lport);
	if (o->json)
		printf("{\"time\":\"%s\",\"flows\":[", ts);
	for (int pass = 0; pass < 2; pass++) {
		bool v6 = pass == 1, header = false;

		for (size_t i = 0; i < n; i++) {
			const struct tcpcong_flow *v = &delta[i].v;
			const struct tk_flow *f = &v->flow;
			char l[NET_ADDR_STRLEN], r[NET_ADDR_STRLEN];
			unsigned long long d[TCPCONG_NSTATES];

			if ((f->family == 10) != v6 || !v->changes)
				continue;
			for (int k = 0; k < TCPCONG_NSTATES; k++)
				d[k] = v->dura_us[k] / div;
			net_addr_port_str(l, sizeof(l), f->family, f->saddr, f->sport, '/');
			net_addr_port_str(r, sizeof(r), f->family, f->daddr, f->dport, '/');
			if (o->json) {
				printf("%s{\"ip\":%d,\"LAddrPort\":\"%s\",\"RAddrPort\":\"%s\","
				       "\"Open_%s\":%llu,\"Dod_%s\":%llu,\"Rcov_%s\":%llu,"
				       "\"Cwr_%s\":%llu,\"Los_%s\":%llu,\"Chgs\":%llu}",
				       first ? "" : ",", v6 ? 6 : 4, l, r, label, d[0], label, d[1],
				       label, d[3], label, d[2], label, d[4],
				       (unsigned long long)v->changes);
				first = false;
				continue;
			}
			if (!header) {
				char h[5][16];

				snprintf(h[0], 16, "Open_%s", label);
				snprintf(h[1], 16, "Dod_%s", label);
				snprintf(h[2], 16, "Rcov_%s", label);
				snprintf(h[3], 16, "Cwr_%s", label);
				snprintf(h[4], 16, "Los_%s", label);
				if (v6)
					printf("%-32s %-32s %-7s %-6s %-7s %-7s %-6s %-5s\n",
					       "LAddrPort6", "RAddrPort6", h[0], h[1], h[2], h[3],
					       h[4], "Chgs");
				else
					printf("%-21s%-21s %-7s %-6s %-7s %-7s %-6s %-5s\n",
					       "LAddrPort", "RAddrPort", h[0], h[1], h[2], h[3],
					       h[4], "Chgs");
				header = true;
			}
			/* bcc's formats, including their differing IPv6 column widths. */
			if (v6)
				printf("%-32s %-32s %-7llu %-7llu %-7llu %-6llu %-6llu %-5llu\n", l,
				       r, d[0], d[1], d[3], d[2], d[4],
				       (unsigned long long)v->changes);
			else
				printf("%-21s %-21s %-7llu %-6llu %-7llu %-7llu %-6llu %-5llu\n", l,
				       r, d[0], d[1], d[3], d[2], d[4],
				       (unsigned long long)v->changes);
		}
	}
	if (o->json)
		printf("]}\n");
}

/* Whether cur is prev's flow, later: same tuple, and no counter went backwards. */
static bool grew(const struct tcpcong_flow *prev, const struct tcpcong_flow *cur)
{
	if (memcmp(&prev->flow, &cur->flow, sizeof(prev->flow)) || prev->last_ts > cur->last_ts ||
	    prev->changes > cur->changes)
		return false;
	for (int k = 0; k < TCPCONG_NSTATES; k++)
		if (prev->dura_us[k] > cur->dura_us[k])
			return false;
	return true;
}

/* Flow growth since the last print; closed flows are dropped from the map once shown. */
static int print_table(struct state *s, const char *ts)
{
	int fd = bpf_map__fd(s->obj->maps.flows);
	size_t n, nd = 0;
	struct snap *cur = read_flows(fd, &n);
	struct snap *delta = n ? calloc(n, sizeof(*delta)) : NULL;

	if (n && !delta) {
		free(cur);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct snap *p =
			s->prev ? bsearch(&cur[i], s->prev, s->nprev, sizeof(*cur), cmp_snap_key)
				: NULL;
		struct snap *d = &delta[nd++];

		*d = cur[i];
		/* The same sock pointer reused by a newer flow starts from zero. */
		if (p && grew(&p->v, &cur[i].v)) {
			for (int k = 0; k < TCPCONG_NSTATES; k++)
				d->v.dura_us[k] -= p->v.dura_us[k];
			d->v.changes -= p->v.changes;
		}
		if (cur[i].v.closed && !bpf_map_delete_elem(fd, &cur[i].key)) {
			for (int k = 0; k < TCPCONG_NSTATES; k++)
				s->gone.dura_us[k] += cur[i].v.dura_us[k];
			s->gone.changes += cur[i].v.changes;
		}
	}
	print_flows(s, delta, nd, ts);
	free(delta);
	free(s->prev);
	s->prev = cur;
	s->nprev = n;
	return 0;
}

static int print_dist(struct state *s, const char *ts)
{
	const char *unit = s->o->micro ? "usecs" : "msecs";
	bool first = true;

	if (s->o->json)
		printf("{\"time\":\"%s\",\"unit\":\"%s\",\"states\":[", ts, unit);
	for (int st = 0; st < TCPCONG_NSTATES; st++) {
		uint64_t slots[TCPCONG_SLOTS], total = 0;

		for (int i = 0; i < TCPCONG_SLOTS; i++) {
			uint64_t cur = __atomic_load_n(&s->obj->bss->dist[st][i], __ATOMIC_RELAXED);

			slots[i] = cur - s->prev_dist[st][i];
			s->prev_dist[st][i] = cur;
			total += slots[i];
		}
		if (!total)
			continue;
		if (!s->o->json) {
			printf("\ntcp_congest_state = %s\n", state_names[st]);
			hist_print_log2(stdout, slots, TCPCONG_SLOTS, unit);
			continue;
		}
		printf("%s{\"state\":\"%s\",\"buckets\":", first ? "" : ",", state_names[st]);
		first = false;
		hist_json_log2(stdout, slots, TCPCONG_SLOTS);
		printf("}");
	}
	if (s->o->json)
		printf("]}\n");
	return 0;
}

static int print_output(void *ctx)
{
	struct state *s = ctx;
	char ts[16];
	int err;

	time_hms(ts, sizeof(ts));
	if (!s->o->json) {
		printf("\n");
		if (s->o->timestamp)
			printf("%-8s\n", ts);
	}
	err = s->o->dist ? print_dist(s, ts) : print_table(s, ts);
	if (err)
		return err;
	fflush(stdout);
	return ferror(stdout) ? -EPIPE : 0; /* the reader went away (tool | head): stop */
}

/* -d's histogram of state st since the start (the BPF side's is never cleared) */
static void add_dist(struct state *s, int st)
{
	uint64_t slots[TCPCONG_SLOTS], count = 0;
	/* in the buckets' unit, which the family's divisor turns into seconds */
	double sum = (double)__atomic_load_n(&s->obj->bss->dist_sum_us[st], __ATOMIC_RELAXED) /
		     (s->o->micro ? 1 : 1000);

	for (int i = 0; i < TCPCONG_SLOTS; i++) {
		slots[i] = __atomic_load_n(&s->obj->bss->dist[st][i], __ATOMIC_RELAXED);
		count += slots[i];
	}
	tcp_hist_series(metric_series(s->dist, &state_names[st]), slots, TCPCONG_SLOTS, count, sum);
}

/* --metrics: the time in each state and the changes of every flow since the start */
static int collect_flows(void *ctx, struct metrics *m)
{
	struct state *s = ctx;
	size_t n;
	struct snap *cur = read_flows(bpf_map__fd(s->obj->maps.flows), &n);
	struct tcpcong_flow sum = s->gone;

	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < TCPCONG_NSTATES; k++)
			sum.dura_us[k] += cur[i].v.dura_us[k];
		sum.changes += cur[i].v.changes;
	}
	free(cur);
	for (int k = 0; k < TCPCONG_NSTATES; k++) {
		metric_add(metric_series(s->seconds, &state_names[k]), sum.dura_us[k]);
		if (s->dist)
			add_dist(s, k);
	}
	metric_add(metric_series(s->changes, NULL), sum.changes);
	return 0;
}

static int add_metrics(void *ctx, struct metrics *m)
{
	static const char *const labels[] = {"state"};
	struct state *s = ctx;
	const struct snoop_metric specs[] = {
		{&s->seconds, "tracekit_tcpcong_state_seconds", METRIC_COUNTER,
		 "Time the TCP flows traced spent in each congestion control state (tcpcong)",
		 labels, 1, 1e6, true},
		{&s->changes, "tracekit_tcpcong_changes", METRIC_COUNTER,
		 "Congestion control state changes of the TCP flows traced (tcpcong)", NULL, 0, 0,
		 true},
		{&s->dist, "tracekit_tcpcong_state_duration_seconds", METRIC_HISTOGRAM,
		 "Periods the TCP flows traced spent in a congestion control state, with -d "
		 "(tcpcong)",
		 labels, 1, s->o->micro ? 1e6 : 1e3, true},
	};

	return snoop_metrics_add(m, specs, s->o->dist ? 3 : 2)
		       ?: metrics_add_collector(m, collect_flows, s);
}

/* -L/-R: port ranges, when given */
static int fill(struct tool_run *run, void *skel)
{
	struct state *s = run->ctx;
	const struct opts *o = s->o;

	s->obj = skel;
	if (o->lports.set) {
		s->obj->rodata->lport_min = o->lports.min;
		s->obj->rodata->lport_max = o->lports.max;
	}
	if (o->rports.set) {
		s->obj->rodata->rport_min = o->rports.min;
		s->obj->rodata->rport_max = o->rports.max;
	}
	return 0;
}

static int tcpcong_main(int argc, char **argv)
{
	struct opts o = {0};
	struct state s = {.o = &o};
	/* the last output: on Ctrl-C, or the only one without an interval */
	struct tool_run run = {
		.skel = &tcpcong_tool_skel,
		.fill = fill,
		.ctx = &s,
		TOOL_SUMMARY(print_output),
		.ready = "Tracing tcp congestion control status duration... Hit Ctrl-C to end.",
		.metrics = add_metrics};
	int err = tool_main(&cli, &o, &run, argc, argv);

	free(s.prev);
	return err;
}

TOOL_REGISTER(tcpcong, tcpcong_main, "time per TCP congestion state per flow (bcc tcpcong)",
	      &cli);
