// SPDX-License-Identifier: GPL-2.0
/* tcpconnlat: trace TCP active connection latency, bcc's options and columns. */
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "core/btfmin.h"
#include "tools/tool.h"

#include "bpf/tcpconnlat.h"
#include "tcpconnlat.skel.h"

TOOL_SKEL_DEFINE(tcpconnlat);

struct tcpconnlat_opts {
	bool timestamp, lport, verbose, json;
	uint32_t pid;
	int family;
	uint64_t min_us;
};

struct tcpconnlat_run {
	const struct tcpconnlat_opts *o;
	struct snoop_clock clock;
	struct metric_family *lat; /* --metrics */
};

static int parse_min_ms(void *opts, const struct usage *u, int key, const char *s)
{
	uint64_t *min_us = &((struct tcpconnlat_opts *)opts)->min_us;
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1e9) {
		usage_error(u,
			    "argument duration_ms: invalid value: '%s' (expected a non-negative "
			    "number)",
			    s);
		return -EINVAL;
	}
	*min_us = (uint64_t)(v * 1000); /* bcc: int(duration_ms * 1000) */
	return 0;
}

#define OPT(f) offsetof(struct tcpconnlat_opts, f)
static struct tool_cli cli = {
	.name = "tcpconnlat",
	.description = "Trace TCP connects and show connection latency",
	.opts = TOOL_OPTS(
		TOOL_OPT_TIMESTAMP('t', OPT(timestamp)), TOOL_OPT_PID_ONLY(OPT(pid), "targ_pid"),
		{'L', "lport", NULL, "include LPORT on output", TOOL_OPT_FLAG, OPT(lport)},
		TOOL_OPTS_FAMILY(OPT(family), 1, "targ_family"),
		TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose)),
		{TOOL_OPT_JSON, "json", NULL, "one JSON object per connection", TOOL_OPT_FLAG,
		 OPT(json)}),
	.args = "[duration_ms]",
	.args_help = "  duration_ms           minimum duration to trace (ms)\n",
	.pos =
		(const struct tool_opt[]){
			{0, "duration_ms", NULL, NULL, TOOL_OPT_CALL, .parse = parse_min_ms}, {0}},
	.examples = "    tcpconnlat           # trace all TCP connect()s\n"
		    "    tcpconnlat 1         # trace connection latency slower than 1 ms\n"
		    "    tcpconnlat 0.1       # trace connection latency slower than 100 us\n"
		    "    tcpconnlat -t        # include timestamps\n"
		    "    tcpconnlat -p 181    # only trace PID 181\n"
		    "    tcpconnlat -L        # include LPORT while printing outputs\n"
		    "    tcpconnlat -4        # trace IPv4 family only\n"
		    "    tcpconnlat -6        # trace IPv6 family only\n",
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcpconnlat_run *r = ctx;
	const struct tcpconnlat_opts *o = r->o;
	const struct tcpconnlat_event *e = data;
	char comm[TCP_COMM_BUFLEN];
	struct tcp_addrs a;
	double ms;

	if (r->lat) {
		char cbuf[SNOOP_COMM_LABEL];
		const char *v[] = {snoop_comm_label(cbuf, e->comm)};

		snoop_metric_observe(r->lat, v, e->delta_us);
	}
	tcp_comm(comm, sizeof(comm), e->comm);
	tcp_addrs_fmt(&a, &e->flow, false);
	ms = (double)e->delta_us / 1000;
	if (o->json) {
		tcp_json_begin(snoop_clock_rel(&r->clock, e->ts_ns), e->pid, comm, e->flow.family);
		tcp_json_kv_str(stdout, "saddr", a.s, true);
		printf(",\"lport\":%u", e->flow.sport);
		tcp_json_kv_str(stdout, "daddr", a.d, true);
		printf(",\"dport\":%u,\"lat_ms\":%.3f}\n", e->flow.dport, ms);
		return tcp_out_status();
	}
	if (o->timestamp)
		printf("%-9.3f", snoop_clock_rel(&r->clock, e->ts_ns));
	if (o->lport)
		printf("%-6u %-12.12s %-2d %-16s %-6u %-16s %-5u %.2f\n", e->pid, comm,
		       net_ipver(e->flow.family), a.s, e->flow.sport, a.d, e->flow.dport, ms);
	else
		printf("%-6u %-12.12s %-2d %-16s %-16s %-5u %.2f\n", e->pid, comm,
		       net_ipver(e->flow.family), a.s, a.d, e->flow.dport, ms);
	return tcp_out_status();
}

static void print_header(void *ctx)
{
	const struct tcpconnlat_opts *o = ((struct tcpconnlat_run *)ctx)->o;
	if (o->timestamp)
		printf("%-9s", "TIME(s)");
	if (o->lport)
		printf("%-6s %-12s %-2s %-16s %-6s %-16s %-5s %s\n", "PID", "COMM", "IP", "SADDR",
		       "LPORT", "DADDR", "DPORT", "LAT(ms)");
	else
		printf("%-6s %-12s %-2s %-16s %-16s %-5s %s\n", "PID", "COMM", "IP", "SADDR",
		       "DADDR", "DPORT", "LAT(ms)");
}

/* duration_ms: in microseconds, which the BPF side compares */
static int fill(struct tool_run *run, void *skel)
{
	((struct tcpconnlat *)skel)->rodata->min_us =
		((struct tcpconnlat_run *)run->ctx)->o->min_us;
	return 0;
}

SNOOP_METRIC_HOOK(
	add_metrics, struct tcpconnlat_run, lat, "tracekit_tcpconnlat_latency_seconds",
	METRIC_HISTOGRAM,
	"Latency of the TCP connects traced (SYN sent to established), by comm (tcpconnlat)", 1e6,
	"comm");

static int tcpconnlat_main(int argc, char **argv)
{
	struct tcpconnlat_opts o = {};
	struct tcpconnlat_run r = {.o = &o};
	struct tool_run run = {.skel = &tcpconnlat_tool_skel,
			       .fill = fill,
			       .ctx = &r,
			       TOOL_EVENTS(on_event, struct tcpconnlat_event),
			       .header = print_header,
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(tcpconnlat, tcpconnlat_main, "trace TCP active connection latency", &cli);
