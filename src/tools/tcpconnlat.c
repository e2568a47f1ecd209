// SPDX-License-Identifier: GPL-2.0
/* tcpconnlat: trace TCP active connection latency, bcc's options and columns. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "core/btfmin.h"
#include "tools/tool.h"

#include "bpf/tcpconnlat.h"
#include "tcpconnlat.skel.h"

struct tcpconnlat_opts {
	bool timestamp, lport, verbose, json;
	uint32_t pid;
	int family;
	uint64_t min_us;
};

struct tcpconnlat_run {
	const struct tcpconnlat_opts *o;
	struct snoop_clock clock;
};

static const char usage_text[] =
	"usage: tcpconnlat [-h] [-t] [-p PID] [-L] [-4 | -6] [-v] [--json] [duration_ms]\n"
	"\n"
	"Trace TCP connects and show connection latency\n"
	"\n"
	"positional arguments:\n"
	"  duration_ms           minimum duration to trace (ms)\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -t, --timestamp       include timestamp on output\n"
	"  -p PID, --pid PID     trace this PID only\n"
	"  -L, --lport           include LPORT on output\n"
	"  -4, --ipv4            trace IPv4 family only\n"
	"  -6, --ipv6            trace IPv6 family only\n"
	"  -v, --verbose         print libbpf's debug messages\n"
	"  --json                one JSON object per connection\n"
	"\n"
	"examples:\n"
	"    tcpconnlat           # trace all TCP connect()s\n"
	"    tcpconnlat 1         # trace connection latency slower than 1 ms\n"
	"    tcpconnlat 0.1       # trace connection latency slower than 100 us\n"
	"    tcpconnlat -t        # include timestamps\n"
	"    tcpconnlat -p 181    # only trace PID 181\n"
	"    tcpconnlat -L        # include LPORT while printing outputs\n"
	"    tcpconnlat -4        # trace IPv4 family only\n"
	"    tcpconnlat -6        # trace IPv6 family only\n";

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcpconnlat_run *r = ctx;
	const struct tcpconnlat_opts *o = r->o;
	const struct tcpconnlat_event *e = data;
	char comm[TCP_COMM_BUFLEN];
	struct tcp_addrs a;
	double ms;

	if (size < sizeof(*e))
		return 0;
	tcp_comm(comm, sizeof(comm), e->comm);
	tcp_addrs_fmt(&a, &e->flow, false);
	ms = (double)e->delta_us / 1000;
	if (o->json) {
		printf("{\"time\":%.6f,\"pid\":%u", snoop_clock_rel(&r->clock, e->ts_ns), e->pid);
		tcp_json_kv_str(stdout, "comm", comm, true);
		printf(",\"ip\":%d", net_ipver(e->flow.family));
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

static void print_header(const struct tcpconnlat_opts *o)
{
	if (o->json)
		return;
	if (o->timestamp)
		printf("%-9s", "TIME(s)");
	if (o->lport)
		printf("%-6s %-12s %-2s %-16s %-6s %-16s %-5s %s\n", "PID", "COMM", "IP", "SADDR",
		       "LPORT", "DADDR", "DPORT", "LAT(ms)");
	else
		printf("%-6s %-12s %-2s %-16s %-16s %-5s %s\n", "PID", "COMM", "IP", "SADDR",
		       "DADDR", "DPORT", "LAT(ms)");
}

static int parse_min_ms(const struct usage *u, const char *s, uint64_t *min_us)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1e9) {
		usage_error(u, "argument duration_ms: invalid value: '%s' (expected a non-negative number)",
			    s);
		return -EINVAL;
	}
	*min_us = (uint64_t)(v * 1000); /* bcc: int(duration_ms * 1000) */
	return 0;
}

static int parse_args(int argc, char **argv, struct tcpconnlat_opts *o)
{
	enum { OPT_JSON = 256 };
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"timestamp", no_argument, NULL, 't'},
		{"pid", required_argument, NULL, 'p'},
		{"lport", no_argument, NULL, 'L'},
		{"ipv4", no_argument, NULL, '4'},
		{"ipv6", no_argument, NULL, '6'},
		{"verbose", no_argument, NULL, 'v'},
		{"json", no_argument, NULL, OPT_JSON},
		{0},
	};
	static const struct usage cli = {usage_text, ":htp:L46v", longopts};
	int c;

	while ((c = usage_getopt(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			usage_help(&cli);
			return 1;
		case 't':
			o->timestamp = true;
			break;
		case 'p':
			if (snoop_parse_pid(&cli, c, optarg, &o->pid))
				return -2;
			break;
		case 'L':
			o->lport = true;
			break;
		case '4':
		case '6':
			if (tcp_family_opt(&cli, c, &o->family))
				return -2;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		default:
			return -usage_getopt_error(&cli, c, argv);
		}
	}
	if (optind < argc && parse_min_ms(&cli, argv[optind++], &o->min_us))
		return -2;
	if (optind < argc)
		return -usage_extra_args(&cli, argc, argv, optind);
	return 0;
}

static int tcpconnlat_main(int argc, char **argv)
{
	struct tcpconnlat_opts o = {};
	struct tcpconnlat_run r = {.o = &o};
	struct tcpconnlat *skel = NULL;
	struct snoop s;
	struct btf_min *bm = NULL;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : -err;
	if (snoop__init(&s, o.verbose))
		return 1;
	/* A few-KB BTF for CO-RE instead of libbpf reading all of the kernel's. */
	skel = BTF_MIN_SKEL_OPEN(tcpconnlat, &bm);
	if (!skel) {
		err = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->targ_pid = o.pid;
	skel->rodata->targ_family = o.family;
	skel->rodata->min_us = o.min_us;
	err = tcpconnlat__load(skel);
	if (err) {
		err = snoop_load_error("load", err);
		goto out;
	}
	if (snoop__attach(&s, skel->obj, on_event, &r)) {
		err = 1;
		goto out;
	}
	if (o.json)
		tcp_json_ready();
	print_header(&o);
	err = snoop__run(&s, 0, &skel->bss->lost_events) ? 1 : 0;
out:
	btf_min__free(bm);
	snoop__fini(&s);
	tcpconnlat__destroy(skel);
	return err;
}

TOOL_REGISTER(tcpconnlat, tcpconnlat_main, "trace TCP active connection latency");
