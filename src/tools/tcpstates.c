// SPDX-License-Identifier: GPL-2.0
/* tcpstates: trace TCP session state changes and durations, bcc's options and columns. */
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

#include "bpf/tcpstates.h"
#include "tcpstates.skel.h"

struct tcpstates_opts {
	bool time, timestamp, wide, csv, json;
	uint32_t pid;
	int family;
	struct tool_ports lports, dports;
};

struct tcpstates_run {
	const struct tcpstates_opts *o;
	struct snoop_clock clock;
};

#define OPT(f) offsetof(struct tcpstates_opts, f)
static const struct tool_opt options[] = {
	{'T', "time", NULL, "include time column on output (HH:MM:SS)", TOOL_OPT_FLAG, OPT(time)},
	{'t', "timestamp", NULL, "include timestamp on output (seconds)", TOOL_OPT_FLAG,
	 OPT(timestamp)},
	{'w', "wide", NULL, "wide column output (fits IPv6 addresses)", TOOL_OPT_FLAG, OPT(wide)},
	{'s', "csv", NULL, "comma separated values output", TOOL_OPT_FLAG, OPT(csv)},
	{'L', "localport", "LOCALPORT", "comma-separated list of local ports to trace.",
	 TOOL_OPT_PORTS, OPT(lports)},
	{'D', "remoteport", "REMOTEPORT", "comma-separated list of remote ports to trace.",
	 TOOL_OPT_PORTS, OPT(dports)},
	{'p', "pid", "PID", "trace this PID only (the socket's owner)", TOOL_OPT_PID, OPT(pid)},
	TOOL_OPTS_FAMILY(OPT(family), 1),
	{TOOL_OPT_JSON, "json", NULL, "one JSON object per state change", TOOL_OPT_FLAG,
	 OPT(json)},
	{'Y', "journal", NULL, "systemd journal", TOOL_OPT_UNSUPPORTED},
	{0},
};

static struct tool_cli cli = {
	.name = "tcpstates",
	.description = "Trace TCP session state changes and durations",
	.opts = options,
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

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcpstates_run *r = ctx;
	const struct tcpstates_opts *o = r->o;
	const struct tcpstates_event *e = data;
	char comm[TCP_COMM_BUFLEN], hms[16], ip[4] = "";
	const char *os = net_tcp_state_name(e->oldstate), *ns = net_tcp_state_name(e->newstate);
	double ms = (double)e->span_us / 1000;
	unsigned long long sk = e->skaddr;
	struct tcp_addrs a;

	if (size < sizeof(*e))
		return 0;
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
	if (o->time)
		printf(o->csv ? "%s," : "%-8s ", time_hms(hms, sizeof(hms)));
	if (o->timestamp)
		printf(o->csv ? "%.6f," : "%-9.6f ", snoop_clock_rel(&r->clock, e->ts_ns));
	if (o->wide || o->csv)
		snprintf(ip, sizeof(ip), "%d", net_ipver(e->flow.family));
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
	const struct tcpstates_opts *o = ((struct tcpstates_run *)ctx)->o;
	const char *ip = o->wide || o->csv ? "IP" : "";

	if (o->json)
		return;
	if (o->time)
		printf(o->csv ? "%s," : "%-8s ", "TIME");
	if (o->timestamp)
		printf(o->csv ? "%s," : "%-9s ", "TIME(s)");
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
	struct tcpstates_opts o = {};
	struct tcpstates_run r = {.o = &o};
	struct tool_run run = {.on_event = on_event, .ctx = &r};
	struct tcpstates *skel = NULL;
	struct btf_min *bm = NULL;
	int err;

	if (!tool_start(&cli, &o, argc, argv, &err))
		return err;
	skel = TOOL_OPEN(tcpstates, &bm);
	if (!skel)
		return 1;
	skel->rodata->targ_pid = o.pid;
	skel->rodata->targ_family = o.family;
	skel->rodata->filter_lports = o.lports.n > 0;
	skel->rodata->filter_dports = o.dports.n > 0;
	err = TOOL_LOAD(tcpstates, skel, &bm);
	if (err)
		goto out;
	err = tcp_port_filter(skel->maps.lports, &o.lports) ||
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
	tcpstates__destroy(skel);
	return err;
}

TOOL_REGISTER(tcpstates, tcpstates_main, "trace TCP state changes with durations", &cli);
