// SPDX-License-Identifier: GPL-2.0
/* tcplife: trace the lifespan of TCP sessions and summarize, bcc's options and columns. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/out.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "core/btfmin.h"
#include "tools/tool.h"

#include "bpf/tcplife.h"
#include "tcplife.skel.h"

struct tcplife_opts {
	bool time, timestamp, wide, csv, json;
	uint32_t pid;
	int family;
	struct tool_ports lports, dports;
};

struct tcplife_run {
	const struct tcplife_opts *o;
	struct snoop_clock clock;
};

#define OPT(f) offsetof(struct tcplife_opts, f)
static const struct tool_opt options[] = {
	{'T', "time", NULL, "include time column on output (HH:MM:SS)", TOOL_OPT_FLAG, OPT(time)},
	{'t', "timestamp", NULL, "include timestamp on output (seconds)", TOOL_OPT_FLAG,
	 OPT(timestamp)},
	{'w', "wide", NULL, "wide column output (fits IPv6 addresses)", TOOL_OPT_FLAG, OPT(wide)},
	{'s', "csv", NULL, "comma separated values output", TOOL_OPT_FLAG, OPT(csv)},
	{'p', "pid", "PID", "trace this PID only", TOOL_OPT_PID, OPT(pid)},
	{'L', "localport", "LOCALPORT", "comma-separated list of local ports to trace.",
	 TOOL_OPT_PORTS, OPT(lports)},
	{'D', "remoteport", "REMOTEPORT", "comma-separated list of remote ports to trace.",
	 TOOL_OPT_PORTS, OPT(dports)},
	TOOL_OPTS_FAMILY(OPT(family), 1),
	{TOOL_OPT_JSON, "json", NULL, "one JSON object per session", TOOL_OPT_FLAG, OPT(json)},
	{0},
};

static struct tool_cli cli = {
	.name = "tcplife",
	.description = "Trace the lifespan of TCP sessions and summarize",
	.opts = options,
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

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcplife_run *r = ctx;
	const struct tcplife_opts *o = r->o;
	const struct tcplife_event *e = data;
	char comm[TCP_COMM_BUFLEN], hms[16], ip[4] = "";
	struct tcp_addrs a;
	/* bcc: "%5d" % (bytes / 1024), i.e. whole KB, truncated */
	unsigned long long tx_kb = e->tx_b / 1024, rx_kb = e->rx_b / 1024;
	double ms = (double)e->span_us / 1000;

	if (size < sizeof(*e))
		return 0;
	tcp_comm(comm, sizeof(comm), e->comm);
	tcp_addrs_fmt(&a, &e->flow, false);
	if (o->json) {
		printf("{\"time\":%.6f,\"pid\":%u", snoop_clock_rel(&r->clock, e->ts_ns), e->pid);
		tcp_json_kv_str(stdout, "comm", comm, true);
		printf(",\"ip\":%d", net_ipver(e->flow.family));
		tcp_json_kv_str(stdout, "laddr", a.s, true);
		printf(",\"lport\":%u", e->flow.sport);
		tcp_json_kv_str(stdout, "raddr", a.d, true);
		printf(",\"rport\":%u,\"tx_b\":%llu,\"rx_b\":%llu,\"tx_kb\":%llu,\"rx_kb\":%llu,"
		       "\"ms\":%.2f}\n",
		       e->flow.dport, (unsigned long long)e->tx_b, (unsigned long long)e->rx_b,
		       tx_kb, rx_kb, ms);
		return tcp_out_status();
	}
	if (o->time)
		printf(o->csv ? "%s," : "%-8s ", time_hms(hms, sizeof(hms)));
	if (o->timestamp)
		printf(o->csv ? "%.6f," : "%-9.6f ", snoop_clock_rel(&r->clock, e->ts_ns));
	if (o->wide || o->csv)
		snprintf(ip, sizeof(ip), "%d", net_ipver(e->flow.family));
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
	const struct tcplife_opts *o = ((struct tcplife_run *)ctx)->o;
	const char *ip = o->wide || o->csv ? "IP" : "";

	if (o->json)
		return;
	if (o->time)
		printf(o->csv ? "%s," : "%-8s ", "TIME");
	if (o->timestamp)
		printf(o->csv ? "%s," : "%-9s ", "TIME(s)");
	if (o->csv)
		printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", "PID", "COMM", ip, "LADDR", "LPORT",
		       "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
	else if (o->wide)
		printf("%-5s %-16.16s %-2s %-26s %-5s %-26s %-5s %6s %6s %s\n", "PID", "COMM", ip,
		       "LADDR", "LPORT", "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
	else
		printf("%-5s %-10.10s %s%-15s %-5s %-15s %-5s %5s %5s %s\n", "PID", "COMM", ip,
		       "LADDR", "LPORT", "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
}

static int tcplife_main(int argc, char **argv)
{
	struct tcplife_opts o = {};
	struct tcplife_run r = {.o = &o};
	struct tool_run run = {.on_event = on_event, .ctx = &r};
	struct tcplife *skel = NULL;
	struct btf_min *bm = NULL;
	int err;

	if (!tool_start(&cli, &o, argc, argv, &err))
		return err;
	skel = TOOL_OPEN(tcplife, &bm);
	if (!skel)
		return 1;
	skel->rodata->targ_pid = o.pid;
	skel->rodata->targ_family = o.family;
	skel->rodata->filter_lports = o.lports.n > 0;
	skel->rodata->filter_dports = o.dports.n > 0;
	err = TOOL_LOAD(tcplife, skel, &bm) || tcp_port_filter(skel->maps.lports, &o.lports) ||
	      tcp_port_filter(skel->maps.dports, &o.dports);
	if (err)
		goto out;
	run.obj = skel->obj;
	run.lost = &skel->bss->lost_events;
	run.json = o.json;
	run.ready = o.json ? TOOL_JSON_READY : NULL;
	run.header = print_header;
	err = tool_run(&run);
out:
	tcplife__destroy(skel);
	return err;
}

TOOL_REGISTER(tcplife, tcplife_main, "trace TCP session lifespans with bytes", &cli);
