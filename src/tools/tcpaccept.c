// SPDX-License-Identifier: GPL-2.0
/* tcpaccept: trace passive TCP connections (accept), bcc's options and columns. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/out.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "core/btfmin.h"
#include "tools/tool.h"

#include "bpf/tcpaccept.h"
#include "tcpaccept.skel.h"

struct tcpaccept_opts {
	bool time, timestamp, json;
	uint32_t pid;
	int family;
	uint16_t ports[TCP_MAX_PORTS];
	size_t nports;
};

struct tcpaccept_run {
	const struct tcpaccept_opts *o;
	struct snoop_clock clock;
};

static const char usage_text[] =
	"usage: tcpaccept [-h] [-T] [-t] [-p PID] [-P PORT] [-4 | -6] [--json]\n"
	"\n"
	"Trace TCP accepts\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -T, --time            include time column on output (HH:MM:SS)\n"
	"  -t, --timestamp       include timestamp on output\n"
	"  -p PID, --pid PID     trace this PID only\n"
	"  -P PORT, --port PORT  comma-separated list of local ports to trace\n"
	"  -4, --ipv4            trace IPv4 family only\n"
	"  -6, --ipv6            trace IPv6 family only\n"
	"  --json                one JSON object per accept\n"
	"\n"
	"examples:\n"
	"    tcpaccept           # trace all TCP accept()s\n"
	"    tcpaccept -t        # include timestamps\n"
	"    tcpaccept -P 80,81  # only trace port 80 and 81\n"
	"    tcpaccept -p 181    # only trace PID 181\n"
	"    tcpaccept -4        # trace IPv4 family\n"
	"    tcpaccept -6        # trace IPv6 family\n";

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcpaccept_run *r = ctx;
	const struct tcpaccept_opts *o = r->o;
	const struct tcpaccept_event *e = data;
	char comm[TCP_COMM_BUFLEN], hms[16];
	struct tcp_addrs a;

	if (size < sizeof(*e))
		return 0;
	tcp_comm(comm, sizeof(comm), e->comm);
	tcp_addrs_fmt(&a, &e->flow, false);
	if (o->json) {
		printf("{\"time\":%.6f,\"pid\":%u", snoop_clock_rel(&r->clock, e->ts_ns), e->pid);
		tcp_json_kv_str(stdout, "comm", comm, true);
		printf(",\"ip\":%d", net_ipver(e->flow.family));
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

static void print_header(const struct tcpaccept_opts *o)
{
	if (o->json)
		return;
	if (o->time)
		printf("%-9s", "TIME");
	if (o->timestamp)
		printf("%-9s", "TIME(s)");
	printf("%-7s %-12s %-2s %-16s %-5s %-16s %-5s\n", "PID", "COMM", "IP", "RADDR", "RPORT",
	       "LADDR", "LPORT");
}

static int parse_args(int argc, char **argv, struct tcpaccept_opts *o)
{
	enum { OPT_JSON = 256, OPT_CGROUPMAP, OPT_MNTNSMAP };
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"time", no_argument, NULL, 'T'},
		{"timestamp", no_argument, NULL, 't'},
		{"pid", required_argument, NULL, 'p'},
		{"port", required_argument, NULL, 'P'},
		{"ipv4", no_argument, NULL, '4'},
		{"ipv6", no_argument, NULL, '6'},
		{"json", no_argument, NULL, OPT_JSON},
		{"cgroupmap", required_argument, NULL, OPT_CGROUPMAP},
		{"mntnsmap", required_argument, NULL, OPT_MNTNSMAP},
		{0},
	};
	static const struct usage cli = {usage_text, ":hTtp:P:46", longopts};
	int c;

	while ((c = usage_getopt(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			usage_help(&cli);
			return 1;
		case 'T':
			o->time = true;
			break;
		case 't':
			o->timestamp = true;
			break;
		case 'p':
			if (snoop_parse_pid(&cli, c, optarg, &o->pid))
				return -2;
			break;
		case 'P':
			if (tcp_parse_ports(&cli, c, optarg, o->ports, &o->nports))
				return -2;
			break;
		case '4':
		case '6':
			if (tcp_family_opt(&cli, c, &o->family))
				return -2;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_CGROUPMAP:
		case OPT_MNTNSMAP:
			return -usage_arg_error(&cli, c, "not supported");
		default:
			return -usage_getopt_error(&cli, c, argv);
		}
	}
	if (optind < argc)
		return -usage_extra_args(&cli, argc, argv, optind);
	return 0;
}

static int tcpaccept_main(int argc, char **argv)
{
	struct tcpaccept_opts o = {};
	struct tcpaccept_run r = {.o = &o};
	struct tcpaccept *skel = NULL;
	struct snoop s;
	struct btf_min *bm = NULL;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : -err;
	if (snoop__init(&s, false))
		return 1;
	/* A few-KB BTF for CO-RE instead of libbpf reading all of the kernel's. */
	skel = BTF_MIN_SKEL_OPEN(tcpaccept, &bm);
	if (!skel) {
		err = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->targ_pid = o.pid;
	skel->rodata->targ_family = o.family;
	skel->rodata->filter_ports = o.nports > 0;
	err = tcpaccept__load(skel);
	if (err) {
		err = snoop_load_error("load", err);
		goto out;
	}
	err = tcp_fill_port_map(skel->maps.lports, o.ports, o.nports);
	if (err) {
		tk_err("cannot set the port filter: %s", strerror(-err));
		err = 1;
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
	tcpaccept__destroy(skel);
	return err;
}

TOOL_REGISTER(tcpaccept, tcpaccept_main, "trace passive TCP connections (accept)");
