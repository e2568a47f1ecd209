// SPDX-License-Identifier: GPL-2.0
/* tcplife: trace the lifespan of TCP sessions and summarize, bcc's options and columns. */
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

#include "bpf/tcplife.h"
#include "tcplife.skel.h"

struct tcplife_opts {
	bool time, timestamp, wide, csv, json;
	uint32_t pid;
	int family;
	uint16_t lports[TCP_MAX_PORTS], dports[TCP_MAX_PORTS];
	size_t nlports, ndports;
};

struct tcplife_run {
	const struct tcplife_opts *o;
	struct snoop_clock clock;
};

static const char usage_text[] =
	"usage: tcplife [-h] [-T] [-t] [-w] [-s] [-p PID] [-L LOCALPORT] [-D REMOTEPORT]\n"
	"               [-4 | -6] [--json]\n"
	"\n"
	"Trace the lifespan of TCP sessions and summarize\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -T, --time            include time column on output (HH:MM:SS)\n"
	"  -t, --timestamp       include timestamp on output (seconds)\n"
	"  -w, --wide            wide column output (fits IPv6 addresses)\n"
	"  -s, --csv             comma separated values output\n"
	"  -p PID, --pid PID     trace this PID only\n"
	"  -L LOCALPORT, --localport LOCALPORT\n"
	"                        comma-separated list of local ports to trace.\n"
	"  -D REMOTEPORT, --remoteport REMOTEPORT\n"
	"                        comma-separated list of remote ports to trace.\n"
	"  -4, --ipv4            trace IPv4 family only\n"
	"  -6, --ipv6            trace IPv6 family only\n"
	"  --json                one JSON object per session\n"
	"\n"
	"examples:\n"
	"    tcplife           # trace all TCP connect()s\n"
	"    tcplife -t        # include time column (HH:MM:SS)\n"
	"    tcplife -w        # wider columns (fit IPv6)\n"
	"    tcplife -stT      # csv output, with times & timestamps\n"
	"    tcplife -p 181    # only trace PID 181\n"
	"    tcplife -L 80     # only trace local port 80\n"
	"    tcplife -L 80,81  # only trace local ports 80 and 81\n"
	"    tcplife -D 80     # only trace remote port 80\n"
	"    tcplife -4        # only trace IPv4 family\n"
	"    tcplife -6        # only trace IPv6 family\n";

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

static void print_header(const struct tcplife_opts *o)
{
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

static int parse_args(int argc, char **argv, struct tcplife_opts *o)
{
	enum { OPT_JSON = 256 };
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"time", no_argument, NULL, 'T'},
		{"timestamp", no_argument, NULL, 't'},
		{"wide", no_argument, NULL, 'w'},
		{"csv", no_argument, NULL, 's'},
		{"pid", required_argument, NULL, 'p'},
		{"localport", required_argument, NULL, 'L'},
		{"remoteport", required_argument, NULL, 'D'},
		{"ipv4", no_argument, NULL, '4'},
		{"ipv6", no_argument, NULL, '6'},
		{"json", no_argument, NULL, OPT_JSON},
		{0},
	};
	static const struct usage cli = {usage_text, ":hTtwsp:L:D:46", longopts};
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
		case 'w':
			o->wide = true;
			break;
		case 's':
			o->csv = true;
			break;
		case 'p':
			if (snoop_parse_pid(&cli, c, optarg, &o->pid))
				return -2;
			break;
		case 'L':
			if (tcp_parse_ports(&cli, c, optarg, o->lports, &o->nlports))
				return -2;
			break;
		case 'D':
			if (tcp_parse_ports(&cli, c, optarg, o->dports, &o->ndports))
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
		default:
			return -usage_getopt_error(&cli, c, argv);
		}
	}
	if (optind < argc)
		return -usage_extra_args(&cli, argc, argv, optind);
	return 0;
}

static int tcplife_main(int argc, char **argv)
{
	struct tcplife_opts o = {};
	struct tcplife_run r = {.o = &o};
	struct tcplife *skel = NULL;
	struct snoop s;
	struct btf_min *bm = NULL;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : -err;
	if (snoop__init(&s, false))
		return 1;
	/* A few-KB BTF for CO-RE instead of libbpf reading all of the kernel's. */
	skel = BTF_MIN_SKEL_OPEN(tcplife, &bm);
	if (!skel) {
		err = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->targ_pid = o.pid;
	skel->rodata->targ_family = o.family;
	skel->rodata->filter_lports = o.nlports > 0;
	skel->rodata->filter_dports = o.ndports > 0;
	err = tcplife__load(skel);
	if (err) {
		err = snoop_load_error("load", err);
		goto out;
	}
	err = tcp_fill_port_map(skel->maps.lports, o.lports, o.nlports);
	if (!err)
		err = tcp_fill_port_map(skel->maps.dports, o.dports, o.ndports);
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
	tcplife__destroy(skel);
	return err;
}

TOOL_REGISTER(tcplife, tcplife_main, "trace TCP session lifespans with bytes");
