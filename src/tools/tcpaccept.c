// SPDX-License-Identifier: GPL-2.0
/* tcpaccept: trace passive TCP connections (accept), bcc's options and columns. */
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

#include "bpf/tcpaccept.h"
#include "tcpaccept.skel.h"

TOOL_SKEL_DEFINE(tcpaccept);

struct tcpaccept_opts {
	bool time, timestamp, json;
	uint32_t pid;
	int family;
	struct tool_ports ports;
};

struct tcpaccept_run {
	const struct tcpaccept_opts *o;
	struct snoop_clock clock;
	struct metric_family *accepts; /* --metrics */
};

#define OPT(f) offsetof(struct tcpaccept_opts, f)
static struct tool_cli cli = {
	.name = "tcpaccept",
	.description = "Trace TCP accepts",
	.opts = TOOL_OPTS({'T', "time", NULL, "include time column on output (HH:MM:SS)",
			   TOOL_OPT_FLAG, OPT(time)},
			  TOOL_OPT_TIMESTAMP('t', OPT(timestamp)),
			  TOOL_OPT_PID_ONLY(OPT(pid), "targ_pid"),
			  {'P', "port", "PORT", "comma-separated list of local ports to trace",
			   TOOL_OPT_PORTS, OPT(ports)},
			  TOOL_OPTS_FAMILY(OPT(family), 1, "targ_family"),
			  {TOOL_OPT_JSON, "json", NULL, "one JSON object per accept", TOOL_OPT_FLAG,
			   OPT(json)},
			  TOOL_OPTS_CONTAINER_MAPS),
	.examples = "    tcpaccept           # trace all TCP accept()s\n"
		    "    tcpaccept -t        # include timestamps\n"
		    "    tcpaccept -P 80,81  # only trace port 80 and 81\n"
		    "    tcpaccept -p 181    # only trace PID 181\n"
		    "    tcpaccept -4        # trace IPv4 family\n"
		    "    tcpaccept -6        # trace IPv6 family\n",
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcpaccept_run *r = ctx;
	const struct tcpaccept_opts *o = r->o;
	const struct tcpaccept_event *e = data;
	char comm[TCP_COMM_BUFLEN], hms[16];
	struct tcp_addrs a;

	if (r->accepts) {
		char cbuf[SNOOP_COMM_LABEL], port[8];
		const char *v[] = {snoop_comm_label(cbuf, e->comm),
				   snoop_uint_label(port, sizeof(port), e->flow.sport)};

		snoop_metric_inc(r->accepts, v);
	}
	tcp_comm(comm, sizeof(comm), e->comm);
	tcp_addrs_fmt(&a, &e->flow, false);
	if (o->json) {
		tcp_json_begin(snoop_clock_rel(&r->clock, e->ts_ns), e->pid, comm, e->flow.family);
		tcp_json_kv_str(stdout, "raddr", a.d, true);
		printf(",\"rport\":%u", e->flow.dport);
		tcp_json_kv_str(stdout, "laddr", a.s, true);
		printf(",\"lport\":%u}\n", e->flow.sport);
		return tcp_out_status();
	}
	if (o->time)
		printf("%-9s", time_hms(hms, sizeof(hms)));
	if (o->timestamp)
		printf("%-9.3f", snoop_clock_rel(&r->clock, e->ts_ns));
	printf("%-7u %-12.12s %-2d %-16s %-5u %-16s %-5u\n", e->pid, comm,
	       net_ipver(e->flow.family), a.d, e->flow.dport, a.s, e->flow.sport);
	return tcp_out_status();
}

static void print_header(void *ctx)
{
	const struct tcpaccept_opts *o = ((struct tcpaccept_run *)ctx)->o;
	if (o->time)
		printf("%-9s", "TIME");
	if (o->timestamp)
		printf("%-9s", "TIME(s)");
	printf("%-7s %-12s %-2s %-16s %-5s %-16s %-5s\n", "PID", "COMM", "IP", "RADDR", "RPORT",
	       "LADDR", "LPORT");
}

static int fill_ports(void *ctx, struct bpf_object *obj)
{
	return tcp_port_filter(obj, "lports", &((struct tcpaccept_run *)ctx)->o->ports);
}

static int fill(struct tool_run *run, void *skel)
{
	((struct tcpaccept *)skel)->rodata->filter_ports =
		((struct tcpaccept_run *)run->ctx)->o->ports.n > 0;
	return 0;
}

SNOOP_METRIC_HOOK(add_metrics, struct tcpaccept_run, accepts, "tracekit_tcpaccept_accepts",
		  METRIC_COUNTER,
		  "TCP connections accepted, by comm and local (listening) port (tcpaccept)", 0,
		  "comm", "lport");

static int tcpaccept_main(int argc, char **argv)
{
	struct tcpaccept_opts o = {};
	struct tcpaccept_run r = {.o = &o};
	struct tool_run run = {.skel = &tcpaccept_tool_skel,
			       .fill = fill,
			       .loaded = fill_ports,
			       .ctx = &r,
			       TOOL_EVENTS(on_event, struct tcpaccept_event),
			       .header = print_header,
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(tcpaccept, tcpaccept_main, "trace passive TCP connections (accept)", &cli);
