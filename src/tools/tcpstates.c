// SPDX-License-Identifier: GPL-2.0
/* tcpstates: trace TCP session state changes and durations, bcc's options and columns. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/out.h"
#include "tools/tcp_common.h"
#include "tools/tcp_session.h"
#include "tools/tool.h"

#include "bpf/tcpstates.h"
#include "tcpstates.skel.h"

TOOL_SKEL_DEFINE(tcpstates);

#define OPT TCP_SESSION_OPT
static struct tool_cli cli = {
	.name = "tcpstates",
	.description = "Trace TCP session state changes and durations",
	.opts = TOOL_OPTS(TCP_SESSION_OPTS_COLUMNS, TCP_SESSION_OPTS_PORTS,
			  {'p', "pid", "PID", "trace this PID only (the socket's owner)",
			   TOOL_OPT_PID, OPT(pid), .bpf = "targ_pid"},
			  TOOL_OPTS_FAMILY(OPT(family), 1, "targ_family"),
			  {TOOL_OPT_JSON, "json", NULL, "one JSON object per state change",
			   TOOL_OPT_FLAG, OPT(json)},
			  {'Y', "journal", NULL, "systemd journal", TOOL_OPT_UNSUPPORTED}),
	.epilog = "C-PID/C-COMM: the socket's owner (cached at connect, accept and close) when "
		  "known,\nelse the task the change ran in.\n",
	.examples = "    tcpstates           # trace all TCP state changes\n"
		    "    tcpstates -t        # include timestamp column\n"
		    "    tcpstates -T        # include time column (HH:MM:SS)\n"
		    "    tcpstates -w        # wider columns (fit IPv6)\n"
		    "    tcpstates -stT      # csv output, with times & timestamps\n"
		    "    tcpstates -L 80     # only trace local port 80\n"
		    "    tcpstates -L 80,81  # only trace local ports 80 and 81\n"
		    "    tcpstates -D 80     # only trace remote port 80\n",
};

enum { FAM_CHANGES, FAM_SECONDS };

static int add_metrics(void *ctx, struct metrics *m)
{
	static const char *const labels[] = {"comm", "oldstate", "newstate"};
	static const char *const state[] = {"state"};
	struct tcp_session_run *r = ctx;
	const struct snoop_metric specs[] = {
		{&r->fam[FAM_CHANGES], "tracekit_tcpstates_changes", METRIC_COUNTER,
		 "TCP state changes traced, by the socket's comm (C-COMM), old and new state "
		 "(tcpstates)",
		 labels, 3},
		{&r->fam[FAM_SECONDS], "tracekit_tcpstates_state_seconds", METRIC_COUNTER,
		 "Time the sockets traced spent in a state before they left it (the MS column), "
		 "by state (tcpstates)",
		 state, 1, 1e6},
	};

	return snoop_metrics_add(m, specs, sizeof(specs) / sizeof(specs[0]));
}

/* --metrics: a state change, and the time spent in the state left */
static void count_change(struct tcp_session_run *r, const struct tcpstates_event *e, const char *os,
			 const char *ns)
{
	char comm[SNOOP_COMM_LABEL];
	const char *v[] = {snoop_comm_label(comm, e->comm), os, ns};

	snoop_metric_inc(r->fam[FAM_CHANGES], v);
	snoop_metric_add(r->fam[FAM_SECONDS], &os, e->span_us); /* whole us: exact sums */
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcp_session_run *r = ctx;
	const struct tcp_session_opts *o = r->o;
	const struct tcpstates_event *e = data;
	char comm[TCP_COMM_BUFLEN], ip[4];
	const char *os = net_tcp_state_name(e->oldstate), *ns = net_tcp_state_name(e->newstate);
	double ms = (double)e->span_us / 1000;
	unsigned long long sk = e->skaddr;
	struct tcp_addrs a;

	if (r->fam[FAM_CHANGES])
		count_change(r, e, os, ns);
	tcp_comm(comm, sizeof(comm), e->comm);
	tcp_addrs_fmt(&a, &e->flow, false);
	if (o->json) {
		printf("{\"time\":%.6f,\"skaddr\":\"%llx\",\"pid\":%u",
		       snoop_clock_rel(&r->clock, e->ts_ns), sk, e->pid);
		tcp_json_kv_str(stdout, "comm", comm, true);
		printf(",\"ip\":%d", net_ipver(e->flow.family));
		tcp_json_kv_str(stdout, "laddr", a.s, true);
		printf(",\"lport\":%u", e->flow.sport);
		tcp_json_kv_str(stdout, "raddr", a.d, true);
		printf(",\"rport\":%u,\"oldstate\":\"%s\",\"newstate\":\"%s\",\"ms\":%.3f}\n",
		       e->flow.dport, os, ns, ms);
		return tcp_out_status();
	}
	tcp_session_prefix(r, false, e->ts_ns, e->flow.family, ip);
	if (o->csv)
		printf("%llx,%u,%s,%s,%s,%u,%s,%u,%s,%s,%.3f\n", sk, e->pid, comm, ip, a.s,
		       e->flow.sport, a.d, e->flow.dport, os, ns, ms);
	else if (o->wide)
		printf("%-16llx %-5u %-16.16s %-2s %-26s %-5u %-26s %-5u %-11s -> %-11s %.3f\n", sk,
		       e->pid, comm, ip, a.s, e->flow.sport, a.d, e->flow.dport, os, ns, ms);
	else
		printf("%-16llx %-5u %-10.10s %s%-15s %-5u %-15s %-5u %-11s -> %-11s %.3f\n", sk,
		       e->pid, comm, ip, a.s, e->flow.sport, a.d, e->flow.dport, os, ns, ms);
	return tcp_out_status();
}

static void print_header(void *ctx)
{
	struct tcp_session_run *r = ctx;
	const struct tcp_session_opts *o = r->o;
	char ip[4];

	tcp_session_prefix(r, true, 0, 0, ip);
	if (o->csv)
		printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", "SKADDR", "C-PID", "C-COMM", ip,
		       "LADDR", "LPORT", "RADDR", "RPORT", "OLDSTATE", "NEWSTATE", "MS");
	else if (o->wide)
		printf("%-16s %-5s %-16.16s %-2s %-26s %-5s %-26s %-5s %-11s -> %-11s %s\n",
		       "SKADDR", "C-PID", "C-COMM", ip, "LADDR", "LPORT", "RADDR", "RPORT",
		       "OLDSTATE", "NEWSTATE", "MS");
	else
		printf("%-16s %-5s %-10.10s %s%-15s %-5s %-15s %-5s %-11s -> %-11s %s\n", "SKADDR",
		       "C-PID", "C-COMM", ip, "LADDR", "LPORT", "RADDR", "RPORT", "OLDSTATE",
		       "NEWSTATE", "MS");
}

static int tcpstates_main(int argc, char **argv)
{
	return tcp_session_main(&cli, &tcpstates_tool_skel, on_event,
				sizeof(struct tcpstates_event), print_header, add_metrics, argc,
				argv);
}

TOOL_REGISTER(tcpstates, tcpstates_main, "trace TCP state changes with durations", &cli);
