// SPDX-License-Identifier: GPL-2.0
/*
 * tcptracer: trace TCP connect (C), accept (A) and close (X) events, bcc's columns, on
 * tracepoints only (see tcptracer.bpf.c for which event means what).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "core/btfmin.h"
#include "tools/tool.h"

#include "bpf/tcptracer.h"
#include "tcptracer.skel.h"

TOOL_SKEL_DEFINE(tcptracer);

struct tcptracer_opts {
	bool timestamp, verbose, json;
	uint32_t pid;
	unsigned long netns;
	int family;
};

struct tcptracer_run {
	const struct tcptracer_opts *o;
	struct snoop_clock clock;
	struct metric_family *events; /* --metrics */
};

#define OPT(f) offsetof(struct tcptracer_opts, f)
static struct tool_cli cli = {
	.name = "tcptracer",
	.description = "Trace TCP connections",
	.opts = TOOL_OPTS(TOOL_OPT_TIMESTAMP('t', OPT(timestamp)),
			  TOOL_OPT_PID_ONLY(OPT(pid), "targ_pid"),
			  {'N', "netns", "NETNS", "trace this Network Namespace only",
			   TOOL_OPT_ULONG, OPT(netns), 1, UINT32_MAX, .bpf = "targ_netns"},
			  TOOL_OPTS_FAMILY(OPT(family), 1, "targ_family"),
			  {'v', "verbose", NULL, "include Network Namespace in the output",
			   TOOL_OPT_FLAG, OPT(verbose)},
			  {TOOL_OPT_JSON, "json", NULL, "output the events in json format",
			   TOOL_OPT_FLAG, OPT(json)},
			  TOOL_OPTS_CONTAINER_MAPS),
	.epilog = "T is C (connect: SYN_SENT->ESTABLISHED, PID of the connecting task), "
		  "A (accept: return\nof accept/accept4 in the accepting task) or X (close). "
		  "Tracepoints only: no kprobes.\n",
};

/* bcc's T column letter and its -v/--json word, by event type. */
static const char *const type_letters[] = {
	[TCPTRACER_CONNECT] = "C", [TCPTRACER_ACCEPT] = "A", [TCPTRACER_CLOSE] = "X"};
static const char *const type_words[] = {[TCPTRACER_CONNECT] = "connect",
					 [TCPTRACER_ACCEPT] = "accept",
					 [TCPTRACER_CLOSE] = "close"};

static const char *type_letter(uint32_t t)
{
	return t <= TCPTRACER_CLOSE && type_letters[t] ? type_letters[t] : "U";
}

static const char *type_word(uint32_t t)
{
	return t <= TCPTRACER_CLOSE && type_words[t] ? type_words[t] : "unknown";
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcptracer_run *r = ctx;
	const struct tcptracer_opts *o = r->o;
	const struct tcptracer_event *e = data;
	char comm[TCP_COMM_BUFLEN];
	struct tcp_addrs a;

	if (r->events) {
		char cbuf[SNOOP_COMM_LABEL];
		const char *v[] = {snoop_comm_label(cbuf, e->comm), type_word(e->type)};

		snoop_metric_inc(r->events, v);
	}
	tcp_comm(comm, sizeof(comm), e->comm);
	if (o->json) {
		tcp_addrs_fmt(&a, &e->flow, false);
		printf("{\"time\":%.9f,\"type\":\"%s\",\"pid\":%u",
		       snoop_clock_rel(&r->clock, e->ts_ns), type_word(e->type), e->pid);
		tcp_json_kv_str(stdout, "comm", comm, true);
		printf(",\"ip\":%d", net_ipver(e->flow.family));
		tcp_json_kv_str(stdout, "saddr", a.s, true);
		tcp_json_kv_str(stdout, "daddr", a.d, true);
		printf(",\"sport\":%u,\"dport\":%u,\"netns\":%u}\n", e->flow.sport, e->flow.dport,
		       e->netns);
		return tcp_out_status();
	}
	tcp_addrs_fmt(&a, &e->flow, true);
	if (o->timestamp) {
		double rel = snoop_clock_rel(&r->clock, e->ts_ns);

		if (o->verbose)
			printf("%-14llu", (unsigned long long)(rel * 1e9 + 0.5));
		else
			printf("%-9.3f", rel);
	}
	if (o->verbose)
		printf("%-12s ", type_word(e->type));
	else
		printf("%-2s ", type_letter(e->type));
	printf("%-6u %-16s %-2d %-16s %-16s %-6u %-6u", e->pid, comm, net_ipver(e->flow.family),
	       a.s, a.d, e->flow.sport, e->flow.dport);
	if (o->verbose && !o->netns)
		printf(" %-8u", e->netns);
	putchar('\n');
	return tcp_out_status();
}

static void print_header(void *ctx)
{
	const struct tcptracer_opts *o = ((struct tcptracer_run *)ctx)->o;

	if (o->verbose) {
		if (o->timestamp)
			printf("%-14s", "TIME(ns)");
		printf("%-12s %-6s %-16s %-2s %-16s %-16s %-6s %-7s", "TYPE", "PID", "COMM", "IP",
		       "SADDR", "DADDR", "SPORT", "DPORT");
		if (!o->netns)
			printf("%-8s", "NETNS");
		putchar('\n');
		return;
	}
	if (o->timestamp)
		printf("%-9s", "TIME(s)");
	printf("%-2s %-6s %-16s %-2s %-16s %-16s %-6s %-6s\n", "T", "PID", "COMM", "IP", "SADDR",
	       "DADDR", "SPORT", "DPORT");
}

SNOOP_METRIC_HOOK(add_metrics, struct tcptracer_run, events, "tracekit_tcptracer_events",
		  METRIC_COUNTER,
		  "TCP connects, accepts and closes traced, by comm and type (tcptracer)", 0,
		  "comm", "type");

static int tcptracer_main(int argc, char **argv)
{
	struct tcptracer_opts o = {};
	struct tcptracer_run r = {.o = &o};
	struct tool_run run = {.skel = &tcptracer_tool_skel,
			       .ctx = &r,
			       TOOL_EVENTS(on_event, struct tcptracer_event),
			       .ready = "Tracing TCP established connections. Ctrl-C to end.",
			       .header = print_header,
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(tcptracer, tcptracer_main, "trace TCP connect/accept/close (C/A/X)", &cli);
