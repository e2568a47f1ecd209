// SPDX-License-Identifier: GPL-2.0
/*
 * tcpretrans: trace TCP retransmits (bcc's tcpretrans.py, same options and columns), from the
 * tcp:tcp_retransmit_skb tracepoint. PID is the task on-CPU at the retransmit, as in bcc:
 * usually 0, since retransmits mostly run from timers in softirq.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tcpretrans.h"
#include "core/attach.h"
#include "core/log.h"
#include "core/net.h"
#include "core/out.h"
#include "tcpretrans.skel.h"

#include "core/btfmin.h"
#include "core/vec.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(tcpretrans);

struct opts {
	bool lossprobe, count, sequence, json, verbose;
	int family; /* 0, AF_INET or AF_INET6 */
};

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "tcpretrans",
	.description = "Trace TCP retransmits (tracepoint tcp:tcp_retransmit_skb)",
	.opts = TOOL_OPTS({'l', "lossprobe", NULL,
			   "include tail loss probe attempts (needs kprobes: refused here when the "
			   "kernel has "
			   "none, as TLPs have no tracepoint)",
			   TOOL_OPT_FLAG, OPT(lossprobe)},
			  {'c', "count", NULL, "count occurred retransmits per flow", TOOL_OPT_FLAG,
			   OPT(count), .bpf = "count_mode"},
			  {'s', "sequence", NULL, "display TCP sequence numbers", TOOL_OPT_FLAG,
			   OPT(sequence)},
			  TOOL_OPTS_FAMILY(OPT(family), 1, "targ_family"),
			  {TOOL_OPT_JSON, "json", NULL,
			   "one JSON object per retransmit (with -c: one at exit)", TOOL_OPT_FLAG,
			   OPT(json)},
			  TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	.examples = "    tcpretrans           # trace TCP retransmits\n"
		    "    tcpretrans -l        # include TLP attempts\n"
		    "    tcpretrans -4        # trace IPv4 family only\n"
		    "    tcpretrans -6        # trace IPv6 family only\n",
};

static const char *type_str(unsigned int type)
{
	return type == TCPRETRANS_TLP ? "L" : "R";
}

/* The run's context: the options first, so that o = ctx */
struct retrans_run {
	struct opts o;
	struct tcpretrans *skel;
	int status;
	struct metric_family *retrans; /* --metrics, without -c */
	struct metric_family *flows;   /* --metrics, with -c */
};

static int on_event(void *ctx, void *data, size_t size)
{
	const struct opts *o = ctx;
	const struct tcpretrans_event *e = data;
	const struct tk_flow *f = &e->flow;
	char ts[16], l[NET_ADDR_STRLEN], r[NET_ADDR_STRLEN];
	const char *v[] = {net_tcp_state_name(e->state),
			   e->type == TCPRETRANS_TLP ? "tlp" : "retransmit"};

	snoop_metric_inc(((struct retrans_run *)ctx)->retrans, v);
	time_hms(ts, sizeof(ts));
	if (o->json) {
		printf("{\"time\":\"%s\",\"pid\":%u,\"ip\":%d,\"laddr\":\"%s\",\"lport\":%u,"
		       "\"type\":\"%s\",\"raddr\":\"%s\",\"rport\":%u,\"state\":\"%s\"",
		       ts, e->pid, net_ipver(f->family),
		       net_addr_str(l, sizeof(l), f->family, f->saddr), f->sport, type_str(e->type),
		       net_addr_str(r, sizeof(r), f->family, f->daddr), f->dport,
		       net_tcp_state_name(e->state));
		if (o->sequence)
			printf(",\"seq\":%u", e->seq);
		printf("}\n");
		return tcp_out_status();
	}
	net_addr_port_str(l, sizeof(l), f->family, f->saddr, f->sport, ':');
	net_addr_port_str(r, sizeof(r), f->family, f->daddr, f->dport, ':');
	if (o->sequence)
		printf("%-8s %-7u %-2d %-20s %1s> %-20s %-11s %u\n", ts, e->pid,
		       net_ipver(f->family), l, type_str(e->type), r, net_tcp_state_name(e->state),
		       e->seq);
	else
		printf("%-8s %-7u %-2d %-20s %1s> %-20s %s\n", ts, e->pid, net_ipver(f->family), l,
		       type_str(e->type), r, net_tcp_state_name(e->state));
	return tcp_out_status();
}

struct flow_count {
	struct tk_flow flow;
	uint64_t n;
};

static int cmp_count(const void *a, const void *b)
{
	const struct flow_count *x = a, *y = b;

	return x->n < y->n ? -1 : x->n > y->n;
}

/* bcc's -c summary: ascending by count, IPv4 flows first. */
static int print_counts(int fd, const struct opts *o)
{
	struct tk_flow key, *prev = NULL;
	struct flow_count *v = NULL;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		uint64_t cnt;

		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &cnt))
			continue;
		if (VEC_RESERVE(v, cap, n, 1)) {
			free(v);
			return -ENOMEM;
		}
		v[n].flow = key;
		v[n++].n = cnt;
	}
	qsort(v, n, sizeof(*v), cmp_count);
	if (o->json)
		printf("{\"retransmits\":[");
	else
		printf("\n%-25s %-25s %-10s\n", "LADDR:LPORT", "RADDR:RPORT", "RETRANSMITS");
	for (int pass = 0, first = 1; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			const struct tk_flow *f = &v[i].flow;
			char la[NET_ADDR_STRLEN], ra[NET_ADDR_STRLEN];
			char l[NET_ADDR_STRLEN + 8], r[NET_ADDR_STRLEN + 8];

			if ((f->family == 2) != (pass == 0))
				continue;
			net_addr_str(la, sizeof(la), f->family, f->saddr);
			net_addr_str(ra, sizeof(ra), f->family, f->daddr);
			if (o->json) {
				printf("%s{\"ip\":%d,\"laddr\":\"%s\",\"lport\":%u,\"raddr\":\"%"
				       "s\","
				       "\"rport\":%u,\"retransmits\":%llu}",
				       first ? "" : ",", net_ipver(f->family), la, f->sport, ra,
				       f->dport, (unsigned long long)v[i].n);
				first = 0;
				continue;
			}
			snprintf(l, sizeof(l), "[%s]#%u", la, f->sport);
			snprintf(r, sizeof(r), "[%s]#%u", ra, f->dport);
			printf("%-20s <-> %-20s %10llu\n", l, r, (unsigned long long)v[i].n);
		}
	}
	if (o->json)
		printf("]}\n");
	free(v);
	return 0;
}

static void print_header(void *ctx)
{
	const struct opts *o = ctx;

	if (o->count)
		return;
	if (o->sequence)
		printf("%-8s %-7s %-2s %-20s %1s> %-20s %-11s %s\n", "TIME", "PID", "IP",
		       "LADDR:LPORT", "T", "RADDR:RPORT", "STATE", "SEQ");
	else
		printf("%-8s %-7s %-2s %-20s %1s> %-20s %-4s\n", "TIME", "PID", "IP", "LADDR:LPORT",
		       "T", "RADDR:RPORT", "STATE");
}

/* -c: the counts, once detached */
static void counts_footer(void *ctx)
{
	struct retrans_run *r = ctx;

	r->status = print_counts(bpf_map__fd(r->skel->maps.counts), &r->o) ? 1 : 0;
}

/* -l needs a kprobe; -c counts in a map, printed at exit: no events then */
static int fill(struct tool_run *run, void *skel)
{
	struct retrans_run *r = run->ctx;
	char why[256] = "";

	if (r->o.lossprobe && kernel_kfunc_mech(why, sizeof(why)) != KFUNC_KPROBE) {
		tk_err("-l: tail loss probes have no tracepoint and need a kprobe on "
		       "tcp_send_loss_probe, which this kernel cannot attach");
		return 1;
	}
	r->skel = skel;
	bpf_program__set_autoload(r->skel->progs.tcp_send_loss_probe, r->o.lossprobe);
	run->on_event = r->o.count ? NULL : on_event;
	run->event_size = sizeof(struct tcpretrans_event);
	run->footer = r->o.count ? counts_footer : NULL;
	return 0;
}

SNOOP_METRIC_HOOK(add_event_metrics, struct retrans_run, retrans, "tracekit_tcpretrans_retransmits",
		  METRIC_COUNTER,
		  "TCP retransmits traced, by socket state and type (retransmit, or tlp: a tail "
		  "loss probe, with -l) (tcpretrans)",
		  0, "state", "type");

/* -c: the BPF side's count of each flow, read at each scrape */
static int collect_counts(void *ctx, struct metrics *m)
{
	struct retrans_run *r = ctx;
	int fd = bpf_map__fd(r->skel->maps.counts);
	struct tk_flow key, next, *prev = NULL;
	char la[NET_ADDR_STRLEN], ra[NET_ADDR_STRLEN], lp[8], rp[8];
	const char *v[] = {la, lp, ra, rp};
	uint64_t n;

	for (; !bpf_map_get_next_key(fd, prev, &next); prev = &key) {
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &n))
			continue;
		net_addr_str(la, sizeof(la), key.family, key.saddr);
		net_addr_str(ra, sizeof(ra), key.family, key.daddr);
		snoop_uint_label(lp, sizeof(lp), key.sport);
		snoop_uint_label(rp, sizeof(rp), key.dport);
		metric_add(metric_series(r->flows, v), n);
	}
	return 0;
}

/* Events by state and type; with -c, which has no events, the counts per flow it prints */
static int add_metrics(void *ctx, struct metrics *m)
{
	static const char *const labels[] = {"laddr", "lport", "raddr", "rport"};
	struct retrans_run *r = ctx;
	const struct snoop_metric spec = {
		.fam = &r->flows,
		.name = "tracekit_tcpretrans_flow_retransmits",
		.type = METRIC_COUNTER,
		.help = "With -c: TCP retransmits per flow (local and remote address and port) "
			"(tcpretrans)",
		.labels = labels,
		.nlabels = 4,
		.collected = true,
	};

	if (!r->o.count)
		return add_event_metrics(ctx, m);
	return snoop_metrics_add(m, &spec, 1) ?: metrics_add_collector(m, collect_counts, r);
}

static int tcpretrans_main(int argc, char **argv)
{
	struct retrans_run r = {};
	struct tool_run run = {.skel = &tcpretrans_tool_skel,
			       .fill = fill,
			       .ctx = &r,
			       .header = print_header,
			       .ready = "Tracing retransmits ... Hit Ctrl-C to end",
			       .metrics = add_metrics};
	int err = tool_main(&cli, &r.o, &run, argc, argv);

	return err ? err : r.status;
}

TOOL_REGISTER(tcpretrans, tcpretrans_main, "trace TCP retransmits (bcc tcpretrans)", &cli);
