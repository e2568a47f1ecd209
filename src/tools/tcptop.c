// SPDX-License-Identifier: GPL-2.0
/* tcptop: summarize TCP send/recv throughput by host, bcc's options and layout. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/out.h"
#include "tools/tcp_common.h"
#include "core/btfmin.h"
#include "core/vec.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"

#include "bpf/tcptop.h"
#include "tcptop.skel.h"

TOOL_SKEL_DEFINE(tcptop);

struct tcptop_opts {
	bool noclear, nosummary, json;
	uint32_t pid;
	int family;
	unsigned long interval, count; /* count 0: forever */
};

struct tcptop_row {
	struct tcptop_key k;
	struct tcptop_val v;
};

struct tcptop_run {
	const struct tcptop_opts *o;
	struct tcptop *skel;
	char ready[80];
	struct tcptop_row *rows; /* taken out of the map since the last output */
	size_t nrows, cap;
	struct metric_family *sent, *received; /* --metrics */
};

#define OPT(f) offsetof(struct tcptop_opts, f)
static struct tool_cli cli = {
	.name = "tcptop",
	.description = "Summarize TCP send/recv throughput by host",
	.opts = TOOL_OPTS(
		{'C', "noclear", NULL, "don't clear the screen", TOOL_OPT_FLAG, OPT(noclear)},
		{'S', "nosummary", NULL, "skip system summary line", TOOL_OPT_FLAG, OPT(nosummary)},
		TOOL_OPT_PID_ONLY(OPT(pid), "targ_pid"),
		TOOL_OPTS_FAMILY(OPT(family), 1, "targ_family"),
		{TOOL_OPT_JSON, "json", NULL, "one JSON object per interval", TOOL_OPT_FLAG,
		 OPT(json)},
		TOOL_OPTS_CONTAINER_MAPS),
	.args = "[interval] [count]",
	.args_help = "  interval              output interval, in seconds (default 1)\n"
		     "  count                 number of outputs\n",
	.pos = (const struct tool_opt[]){{0, "interval", .kind = TOOL_OPT_ULONG,
					  .off = OPT(interval), .min = 1, .max = 86400,
					  .sets = TOOL_SETS_INTERVAL},
					 {0, "count", .kind = TOOL_OPT_ULONG, .off = OPT(count),
					  .sets = TOOL_SETS_COUNT, .min = 1, .max = LONG_MAX},
					 {0}},
	.examples = "    tcptop           # trace TCP send/recv by host\n"
		    "    tcptop -C        # don't clear the screen\n"
		    "    tcptop -p 181    # only trace PID 181\n",
};

static int row_cmp(const void *a, const void *b)
{
	const struct tcptop_row *x = a, *y = b;
	uint64_t sx = x->v.sent + x->v.received, sy = y->v.sent + y->v.received;

	return sx < sy ? 1 : sx > sy ? -1 : 0;
}

/* --metrics: the bytes of a row, by comm and remote address */
static void count_row(struct tcptop_run *r, const struct tcptop_row *w)
{
	char comm[SNOOP_COMM_LABEL], raddr[NET_ADDR_STRLEN];
	const char *v[] = {snoop_comm_label(comm, w->v.comm),
			   net_addr_str(raddr, sizeof(raddr), w->k.flow.family, w->k.flow.daddr)};

	snoop_metric_add(r->sent, v, w->v.sent);
	snoop_metric_add(r->received, v, w->v.received);
}

/*
 * Move the kernel's table into rows: a flow already there (taken by a scrape since the last
 * output) grows, so that the output still shows the whole interval.
 */
static int drain(struct tcptop_run *r)
{
	int fd = bpf_map__fd(r->skel->maps.flows);
	struct tcptop_key key, next;
	size_t start = r->nrows, n = start;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (VEC_RESERVE(r->rows, r->cap, r->nrows, 1))
			return -ENOMEM;
		r->rows[r->nrows].k = next;
		if (bpf_map_lookup_elem(fd, &next, &r->rows[r->nrows].v) == 0)
			r->nrows++;
		key = next;
		prev = &key;
	}
	for (size_t i = start; i < r->nrows; i++) {
		struct tcptop_row *w = &r->rows[i], *same = NULL;

		bpf_map_delete_elem(fd, &w->k);
		if (r->sent)
			count_row(r, w);
		for (size_t j = 0; j < start && !same; j++)
			if (!memcmp(&r->rows[j].k, &w->k, sizeof(w->k)))
				same = &r->rows[j];
		if (!same) {
			r->rows[n++] = *w;
			continue;
		}
		same->v.sent += w->v.sent;
		same->v.received += w->v.received;
	}
	r->nrows = n;
	return 0;
}

static int collect_flows(void *ctx, struct metrics *m)
{
	return drain(ctx);
}

static int add_metrics(void *ctx, struct metrics *m)
{
	static const char *const labels[] = {"comm", "raddr"};
	struct tcptop_run *r = ctx;
	const struct snoop_metric specs[] = {
		{&r->sent, "tracekit_tcptop_sent_bytes", METRIC_COUNTER,
		 "TCP bytes sent, by comm and remote address (tcptop)", labels, 2},
		{&r->received, "tracekit_tcptop_received_bytes", METRIC_COUNTER,
		 "TCP bytes received, by comm and remote address (tcptop)", labels, 2},
	};

	return snoop_metrics_add(m, specs, 2) ?: metrics_add_collector(m, collect_flows, r);
}

static void print_json(struct tcptop_run *r, const char *hms, const char *load)
{
	char comm[TCP_COMM_BUFLEN];
	struct tcp_addrs a;

	printf("{\"time\":\"%s\"", hms);
	if (!r->o->nosummary)
		tcp_json_kv_str(stdout, "loadavg", load, true);
	printf(",\"connections\":[");
	for (size_t i = 0; i < r->nrows; i++) {
		const struct tcptop_row *w = &r->rows[i];

		tcp_addrs_fmt(&a, &w->k.flow, false);
		tcp_comm(comm, sizeof(comm), w->v.comm);
		printf("%s{\"pid\":%u", i ? "," : "", w->k.pid);
		tcp_json_kv_str(stdout, "comm", comm, true);
		printf(",\"ip\":%d", net_ipver(w->k.flow.family));
		tcp_json_kv_str(stdout, "laddr", a.s, true);
		printf(",\"lport\":%u", w->k.flow.sport);
		tcp_json_kv_str(stdout, "raddr", a.d, true);
		printf(",\"rport\":%u,\"rx_b\":%llu,\"tx_b\":%llu,\"rx_kb\":%llu,\"tx_kb\":%llu}",
		       w->k.flow.dport, (unsigned long long)w->v.received,
		       (unsigned long long)w->v.sent, (unsigned long long)w->v.received / 1024,
		       (unsigned long long)w->v.sent / 1024);
	}
	printf("]}\n");
}

static void print_family(struct tcptop_run *r, int family)
{
	char comm[TCP_COMM_BUFLEN], l[NET_ADDR_STRLEN], d[NET_ADDR_STRLEN];
	int w = family == AF_INET ? 21 : 32;
	bool any = false;

	for (size_t i = 0; i < r->nrows; i++)
		any |= r->rows[i].k.flow.family == family;
	if (!any)
		return;
	if (family == AF_INET)
		printf("%-6s %-12s %-21s %-21s %6s %6s\n", "PID", "COMM", "LADDR", "RADDR", "RX_KB",
		       "TX_KB");
	else
		printf("\n%-6s %-12s %-32s %-32s %6s %6s\n", "PID", "COMM", "LADDR6", "RADDR6",
		       "RX_KB", "TX_KB");
	for (size_t i = 0; i < r->nrows; i++) {
		const struct tcptop_row *row = &r->rows[i];
		const struct tk_flow *f = &row->k.flow;

		if (f->family != family)
			continue;
		net_addr_port_str(l, sizeof(l), f->family, f->saddr, f->sport, ':');
		net_addr_port_str(d, sizeof(d), f->family, f->daddr, f->dport, ':');
		printf("%-6u %-12.12s %-*s %-*s %6llu %6llu\n", row->k.pid,
		       tcp_comm(comm, sizeof(comm), row->v.comm), w, l, w, d,
		       (unsigned long long)row->v.received / 1024,
		       (unsigned long long)row->v.sent / 1024);
	}
}

static int print_interval(void *ctx)
{
	struct tcptop_run *r = ctx;
	const struct tcptop_opts *o = r->o;
	char hms[16], load[128];

	if (drain(r)) {
		tk_err("out of memory");
		return -ENOMEM;
	}
	qsort(r->rows, r->nrows, sizeof(*r->rows), row_cmp);
	time_hms(hms, sizeof(hms));
	snoop_loadavg(load, sizeof(load));
	if (o->json) {
		print_json(r, hms, load);
	} else {
		if (o->noclear)
			putchar('\n');
		else
			fputs("\033[H\033[2J", stdout);
		if (!o->nosummary)
			/* bcc prints the file's line, newline and all, then its own newline */
			printf("%-8s loadavg: %s\n\n", hms, load);
		print_family(r, AF_INET);
		print_family(r, AF_INET6);
	}
	r->nrows = 0;
	fflush(stdout);
	return tcp_out_status() ? 1 : 0; /* the reader went away: stop */
}

static int fill(struct tool_run *run, void *skel)
{
	struct tcptop_run *r = run->ctx;

	r->skel = skel;
	snprintf(r->ready, sizeof(r->ready), "Tracing... Output every %lu secs. Hit Ctrl-C to end",
		 r->o->interval);
	run->ready = r->o->json ? NULL : r->ready;
	return 0;
}

static int tcptop_main(int argc, char **argv)
{
	struct tcptop_opts o = {.interval = 1};
	struct tcptop_run r = {.o = &o};
	/* Like bcc: Ctrl-C ends the current interval with one last table. */
	struct tool_run run = {.skel = &tcptop_tool_skel,
			       .fill = fill,
			       .ctx = &r,
			       TOOL_SUMMARY(print_interval),
			       .metrics = add_metrics};
	int err = tool_main(&cli, &o, &run, argc, argv);

	free(r.rows);
	return err;
}

TOOL_REGISTER(tcptop, tcptop_main, "summarize TCP send/recv throughput by host", &cli);
