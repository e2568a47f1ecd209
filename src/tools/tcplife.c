// SPDX-License-Identifier: GPL-2.0
/* tcplife: trace the lifespan of TCP sessions and summarize, bcc's options and columns. */
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

#include "bpf/tcplife.h"
#include "tcplife.skel.h"

TOOL_SKEL_DEFINE(tcplife);

#define OPT TCP_SESSION_OPT
static struct tool_cli cli = {
	.name = "tcplife",
	.description = "Trace the lifespan of TCP sessions and summarize",
	.opts = TOOL_OPTS(TCP_SESSION_OPTS_COLUMNS, TOOL_OPT_PID_ONLY(OPT(pid), "targ_pid"),
			  TCP_SESSION_OPTS_PORTS, TOOL_OPTS_FAMILY(OPT(family), 1, "targ_family"),
			  {TOOL_OPT_JSON, "json", NULL, "one JSON object per session",
			   TOOL_OPT_FLAG, OPT(json)}),
	.examples = "    tcplife           # trace all TCP connect()s\n"
		    "    tcplife -t        # include time column (HH:MM:SS)\n"
		    "    tcplife -w        # wider columns (fit IPv6)\n"
		    "    tcplife -stT      # csv output, with times & timestamps\n"
		    "    tcplife -p 181    # only trace PID 181\n"
		    "    tcplife -L 80     # only trace local port 80\n"
		    "    tcplife -L 80,81  # only trace local ports 80 and 81\n"
		    "    tcplife -D 80     # only trace remote port 80\n"
		    "    tcplife -4        # only trace IPv4 family\n"
		    "    tcplife -6        # only trace IPv6 family\n",
};

enum { FAM_DURATION, FAM_RX, FAM_TX };

static int add_metrics(void *ctx, struct metrics *m)
{
	static const char *const labels[] = {"comm"};
	struct tcp_session_run *r = ctx;
	const struct snoop_metric specs[] = {
		{&r->fam[FAM_DURATION], "tracekit_tcplife_duration_seconds", METRIC_HISTOGRAM,
		 "Lifespan of the TCP sessions traced, by comm (tcplife)", labels, 1, 1e6},
		{&r->fam[FAM_RX], "tracekit_tcplife_rx_bytes", METRIC_HISTOGRAM,
		 "Bytes received per TCP session traced, by comm (tcplife)", labels, 1},
		{&r->fam[FAM_TX], "tracekit_tcplife_tx_bytes", METRIC_HISTOGRAM,
		 "Bytes sent per TCP session traced, by comm (tcplife)", labels, 1},
	};

	return snoop_metrics_add(m, specs, sizeof(specs) / sizeof(specs[0]));
}

/* --metrics: a session ended */
static void count_session(struct tcp_session_run *r, const struct tcplife_event *e)
{
	char comm[SNOOP_COMM_LABEL];
	const char *v[] = {snoop_comm_label(comm, e->comm)};

	snoop_metric_observe(r->fam[FAM_DURATION], v, e->span_us);
	snoop_metric_observe(r->fam[FAM_RX], v, e->rx_b);
	snoop_metric_observe(r->fam[FAM_TX], v, e->tx_b);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcp_session_run *r = ctx;
	const struct tcp_session_opts *o = r->o;
	const struct tcplife_event *e = data;
	char comm[TCP_COMM_BUFLEN], ip[4];
	struct tcp_addrs a;
	/* bcc: "%5d" % (bytes / 1024), i.e. whole KB, truncated */
	unsigned long long tx_kb = e->tx_b / 1024, rx_kb = e->rx_b / 1024;
	double ms = (double)e->span_us / 1000;

	if (r->fam[FAM_DURATION])
		count_session(r, e);
	tcp_comm(comm, sizeof(comm), e->comm);
	tcp_addrs_fmt(&a, &e->flow, false);
	if (o->json) {
		tcp_json_begin(snoop_clock_rel(&r->clock, e->ts_ns), e->pid, comm, e->flow.family);
		tcp_json_kv_str(stdout, "laddr", a.s, true);
		printf(",\"lport\":%u", e->flow.sport);
		tcp_json_kv_str(stdout, "raddr", a.d, true);
		printf(",\"rport\":%u,\"tx_b\":%llu,\"rx_b\":%llu,\"tx_kb\":%llu,\"rx_kb\":%llu,"
		       "\"ms\":%.2f}\n",
		       e->flow.dport, (unsigned long long)e->tx_b, (unsigned long long)e->rx_b,
		       tx_kb, rx_kb, ms);
		return tcp_out_status();
	}
	tcp_session_prefix(r, false, e->ts_ns, e->flow.family, ip);
	if (o->csv)
		printf("%u,%s,%s,%s,%u,%s,%u,%llu,%llu,%.2f\n", e->pid, comm, ip, a.s,
		       e->flow.sport, a.d, e->flow.dport, tx_kb, rx_kb, ms);
	else if (o->wide)
		printf("%-5u %-16.16s %-2s %-26s %-5u %-26s %-5u %6llu %6llu %.2f\n", e->pid, comm,
		       ip, a.s, e->flow.sport, a.d, e->flow.dport, tx_kb, rx_kb, ms);
	else
		printf("%-5u %-10.10s %s%-15s %-5u %-15s %-5u %5llu %5llu %.2f\n", e->pid, comm, ip,
		       a.s, e->flow.sport, a.d, e->flow.dport, tx_kb, rx_kb, ms);
	return tcp_out_status();
}

static void print_header(void *ctx)
{
	struct tcp_session_run *r = ctx;
	char ip[4];

	tcp_session_prefix(r, true, 0, 0, ip);
	if (r->o->csv)
		printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", "PID", "COMM", ip, "LADDR", "LPORT",
		       "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
	else if (r->o->wide)
		printf("%-5s %-16.16s %-2s %-26s %-5s %-26s %-5s %6s %6s %s\n", "PID", "COMM", ip,
		       "LADDR", "LPORT", "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
	else
		printf("%-5s %-10.10s %s%-15s %-5s %-15s %-5s %5s %5s %s\n", "PID", "COMM", ip,
		       "LADDR", "LPORT", "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
}

static int tcplife_main(int argc, char **argv)
{
	return tcp_session_main(&cli, &tcplife_tool_skel, on_event, sizeof(struct tcplife_event),
				print_header, add_metrics, argc, argv);
}

TOOL_REGISTER(tcplife, tcplife_main, "trace TCP session lifespans with bytes", &cli);
