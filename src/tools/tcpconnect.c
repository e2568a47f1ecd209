// SPDX-License-Identifier: GPL-2.0
/* tcpconnect: trace active TCP connects, bcc's options and columns, on tracepoints. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "core/btfmin.h"
#include "core/vec.h"
#include "tools/tool.h"

#include "bpf/tcpconnect.h"
#include "tcpconnect.skel.h"

TOOL_SKEL_DEFINE(tcpconnect);

struct tcpconnect_opts {
	bool timestamp, lport, print_uid, count, json;
	uint32_t pid, uid; /* uid: TOOL_UID_NONE without -u */
	int family;
	struct tool_ports ports;
};

/* -c: connects per (family, source, destination, port), counted in user space. */
struct conn_count {
	struct tk_flow key; /* sport is 0 */
	uint64_t n;
};

struct tcpconnect_run {
	const struct tcpconnect_opts *o;
	struct snoop_clock clock;
	struct conn_count *counts;
	size_t ncounts, cap;
	struct metric_family *connects; /* --metrics */
};

/* --metrics: one connect more (with or without -c) */
static void count_connect(struct tcpconnect_run *r, const struct tcpconnect_event *e)
{
	char comm[SNOOP_COMM_LABEL], daddr[NET_ADDR_STRLEN], port[8];
	const char *v[] = {snoop_comm_label(comm, e->comm),
			   net_addr_str(daddr, sizeof(daddr), e->flow.family, e->flow.daddr),
			   snoop_uint_label(port, sizeof(port), e->flow.dport)};

	snoop_metric_inc(r->connects, v);
}

#define OPT(f) offsetof(struct tcpconnect_opts, f)
static struct tool_cli cli = {
	.name = "tcpconnect",
	.description = "Trace TCP connects",
	.opts = TOOL_OPTS(
		TOOL_OPT_TIMESTAMP('t', OPT(timestamp)), TOOL_OPT_PID_ONLY(OPT(pid), "targ_pid"),
		{'P', "port", "PORT", "comma-separated list of destination ports to trace.",
		 TOOL_OPT_PORTS, OPT(ports)},
		TOOL_OPTS_FAMILY(OPT(family), 1, "targ_family"),
		{'L', "lport", NULL, "include LPORT on output", TOOL_OPT_FLAG, OPT(lport)},
		{'U', "print-uid", NULL, "include UID on output", TOOL_OPT_FLAG, OPT(print_uid)},
		TOOL_OPT_UID_ONLY(OPT(uid), "targ_uid"),
		{'c', "count", NULL, "count connects per src ip and dest ip/port", TOOL_OPT_FLAG,
		 OPT(count)},
		{TOOL_OPT_JSON, "json", NULL, "one JSON object per connect (per flow with -c)",
		 TOOL_OPT_FLAG, OPT(json)},
		{'d', "dns", NULL, NULL, TOOL_OPT_UNSUPPORTED}, TOOL_OPTS_CONTAINER_MAPS),
	.examples = "    tcpconnect           # trace all TCP connect()s\n"
		    "    tcpconnect -t        # include timestamps\n"
		    "    tcpconnect -p 181    # only trace PID 181\n"
		    "    tcpconnect -P 80,81  # only trace port 80 and 81\n"
		    "    tcpconnect -6        # only trace IPv6 family\n"
		    "    tcpconnect -U        # include UID\n"
		    "    tcpconnect -c        # count connects per src ip and dest ip/port\n"
		    "    tcpconnect -L        # include LPORT while printing outputs\n",
};

static void count_add(struct tcpconnect_run *r, const struct tk_flow *f)
{
	struct tk_flow key = *f;

	key.sport = 0;
	for (size_t i = 0; i < r->ncounts; i++) {
		if (!memcmp(&r->counts[i].key, &key, sizeof(key))) {
			r->counts[i].n++;
			return;
		}
	}
	if (VEC_RESERVE(r->counts, r->cap, r->ncounts, 1))
		return; /* out of memory: this connect goes uncounted */
	r->counts[r->ncounts].key = key;
	r->counts[r->ncounts].n = 1;
	r->ncounts++;
}

static int count_cmp(const void *a, const void *b)
{
	const struct conn_count *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

static void count_print(void *ctx)
{
	struct tcpconnect_run *r = ctx;
	struct tcp_addrs a;

	qsort(r->counts, r->ncounts, sizeof(*r->counts), count_cmp);
	if (!r->o->json)
		printf("\n%-25s %-25s %-20s %-10s\n", "LADDR", "RADDR", "RPORT", "CONNECTS");
	/* bcc prints the IPv4 table, then the IPv6 one. */
	for (int fam = 0; fam < 2; fam++) {
		for (size_t i = 0; i < r->ncounts; i++) {
			const struct conn_count *c = &r->counts[i];

			if ((c->key.family == AF_INET6) != fam)
				continue;
			tcp_addrs_fmt(&a, &c->key, false);
			if (r->o->json) {
				printf("{\"ip\":%d", net_ipver(c->key.family));
				tcp_json_kv_str(stdout, "laddr", a.s, true);
				tcp_json_kv_str(stdout, "raddr", a.d, true);
				printf(",\"rport\":%u,\"connects\":%llu}\n", c->key.dport,
				       (unsigned long long)c->n);
			} else {
				printf("%-25s %-25s %-20u %-10llu\n", a.s, a.d, c->key.dport,
				       (unsigned long long)c->n);
			}
		}
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcpconnect_run *r = ctx;
	const struct tcpconnect_opts *o = r->o;
	const struct tcpconnect_event *e = data;
	char comm[TCP_COMM_BUFLEN];
	struct tcp_addrs a;

	if (r->connects)
		count_connect(r, e);
	if (o->count) {
		count_add(r, &e->flow);
		return tcp_out_status();
	}
	tcp_comm(comm, sizeof(comm), e->comm);
	tcp_addrs_fmt(&a, &e->flow, false);
	if (o->json) {
		printf("{\"time\":%.6f,\"uid\":%u,\"pid\":%u", snoop_clock_rel(&r->clock, e->ts_ns),
		       e->uid, e->pid);
		tcp_json_kv_str(stdout, "comm", comm, true);
		printf(",\"ip\":%d", net_ipver(e->flow.family));
		tcp_json_kv_str(stdout, "saddr", a.s, true);
		printf(",\"lport\":%u", e->flow.sport);
		tcp_json_kv_str(stdout, "daddr", a.d, true);
		printf(",\"dport\":%u}\n", e->flow.dport);
		return tcp_out_status();
	}
	if (o->timestamp)
		printf("%-9.3f", snoop_clock_rel(&r->clock, e->ts_ns));
	if (o->print_uid)
		printf("%-6u", e->uid);
	if (o->lport)
		printf("%-6u %-12.12s %-2d %-16s %-6u %-16s %-6u\n", e->pid, comm,
		       net_ipver(e->flow.family), a.s, e->flow.sport, a.d, e->flow.dport);
	else
		printf("%-6u %-12.12s %-2d %-16s %-16s %-6u\n", e->pid, comm,
		       net_ipver(e->flow.family), a.s, a.d, e->flow.dport);
	return tcp_out_status();
}

static void print_header(void *ctx)
{
	const struct tcpconnect_opts *o = ((struct tcpconnect_run *)ctx)->o;

	if (o->count)
		return;
	if (o->timestamp)
		printf("%-9s", "TIME(s)");
	if (o->print_uid)
		printf("%-6s", "UID");
	if (o->lport)
		printf("%-6s %-12s %-2s %-16s %-6s %-16s %-6s\n", "PID", "COMM", "IP", "SADDR",
		       "LPORT", "DADDR", "DPORT");
	else
		printf("%-6s %-12s %-2s %-16s %-16s %-6s\n", "PID", "COMM", "IP", "SADDR", "DADDR",
		       "DPORT");
}

static int fill_ports(void *ctx, struct bpf_object *obj)
{
	return tcp_port_filter(obj, "dports", &((struct tcpconnect_run *)ctx)->o->ports);
}

/* -u and -P filter only when given; -c counts in a table at the end */
static int fill(struct tool_run *run, void *s)
{
	const struct tcpconnect_opts *o = ((struct tcpconnect_run *)run->ctx)->o;
	struct tcpconnect *skel = s;

	skel->rodata->filter_uid = o->uid != TOOL_UID_NONE;
	skel->rodata->filter_ports = o->ports.n > 0;
	run->footer = o->count ? count_print : NULL;
	return 0;
}

SNOOP_METRIC_HOOK(add_metrics, struct tcpconnect_run, connects, "tracekit_tcpconnect_connects",
		  METRIC_COUNTER,
		  "TCP connects traced, by comm, destination address and port (tcpconnect)", 0,
		  "comm", "daddr", "dport");

static int tcpconnect_main(int argc, char **argv)
{
	struct tcpconnect_opts o = {.uid = TOOL_UID_NONE};
	struct tcpconnect_run r = {.o = &o};
	struct tool_run run = {.skel = &tcpconnect_tool_skel,
			       .fill = fill,
			       .loaded = fill_ports,
			       .ctx = &r,
			       TOOL_EVENTS(on_event, struct tcpconnect_event),
			       .header = print_header,
			       .ready = "Tracing connect ... Hit Ctrl-C to end",
			       .metrics = add_metrics};
	int err = tool_main(&cli, &o, &run, argc, argv);

	free(r.counts);
	return err;
}

TOOL_REGISTER(tcpconnect, tcpconnect_main, "trace active TCP connections (connect)", &cli);
