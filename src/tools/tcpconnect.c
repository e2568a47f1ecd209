// SPDX-License-Identifier: GPL-2.0
/* tcpconnect: trace active TCP connects, bcc's options and columns, on tracepoints. */
#include <errno.h>
#include <getopt.h>
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

#include "bpf/tcpconnect.h"
#include "tcpconnect.skel.h"

struct tcpconnect_opts {
	bool timestamp, lport, print_uid, count, json, filter_uid;
	uint32_t pid, uid;
	int family;
	uint16_t ports[TCP_MAX_PORTS];
	size_t nports;
};

/* -c: connects per (family, source, destination, port), counted in user space. */
struct conn_count {
	struct tk_flow key; /* sport is 0 */
	uint64_t n;
};

struct tcpconnect_run {
	const struct tcpconnect_opts *o;
	struct snoop_clock clock;
	struct conn_count *counts;
	size_t ncounts, cap;
};

static const char usage_text[] =
	"usage: tcpconnect [-h] [-t] [-p PID] [-P PORT] [-4 | -6] [-L] [-U] [-u UID] [-c]\n"
	"                  [--json]\n"
	"\n"
	"Trace TCP connects\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -t, --timestamp       include timestamp on output\n"
	"  -p PID, --pid PID     trace this PID only\n"
	"  -P PORT, --port PORT  comma-separated list of destination ports to trace.\n"
	"  -4, --ipv4            trace IPv4 family only\n"
	"  -6, --ipv6            trace IPv6 family only\n"
	"  -L, --lport           include LPORT on output\n"
	"  -U, --print-uid       include UID on output\n"
	"  -u UID, --uid UID     trace this UID only\n"
	"  -c, --count           count connects per src ip and dest ip/port\n"
	"  --json                one JSON object per connect (per flow with -c)\n"
	"\n"
	"examples:\n"
	"    tcpconnect           # trace all TCP connect()s\n"
	"    tcpconnect -t        # include timestamps\n"
	"    tcpconnect -p 181    # only trace PID 181\n"
	"    tcpconnect -P 80,81  # only trace port 80 and 81\n"
	"    tcpconnect -6        # only trace IPv6 family\n"
	"    tcpconnect -U        # include UID\n"
	"    tcpconnect -c        # count connects per src ip and dest ip/port\n"
	"    tcpconnect -L        # include LPORT while printing outputs\n";

static void count_add(struct tcpconnect_run *r, const struct tk_flow *f)
{
	struct tk_flow key = *f;

	key.sport = 0;
	for (size_t i = 0; i < r->ncounts; i++) {
		if (!memcmp(&r->counts[i].key, &key, sizeof(key))) {
			r->counts[i].n++;
			return;
		}
	}
	if (r->ncounts == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct conn_count *c = realloc(r->counts, cap * sizeof(*c));

		if (!c)
			return; /* out of memory: this connect goes uncounted */
		r->counts = c;
		r->cap = cap;
	}
	r->counts[r->ncounts].key = key;
	r->counts[r->ncounts].n = 1;
	r->ncounts++;
}

static int count_cmp(const void *a, const void *b)
{
	const struct conn_count *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

static void count_print(struct tcpconnect_run *r)
{
	struct tcp_addrs a;

	qsort(r->counts, r->ncounts, sizeof(*r->counts), count_cmp);
	if (!r->o->json)
		printf("\n%-25s %-25s %-20s %-10s\n", "LADDR", "RADDR", "RPORT", "CONNECTS");
	/* bcc prints the IPv4 table, then the IPv6 one. */
	for (int fam = 0; fam < 2; fam++) {
		for (size_t i = 0; i < r->ncounts; i++) {
			const struct conn_count *c = &r->counts[i];

			if ((c->key.family == AF_INET6) != fam)
				continue;
			tcp_addrs_fmt(&a, &c->key, false);
			if (r->o->json) {
				printf("{\"ip\":%d", net_ipver(c->key.family));
				tcp_json_kv_str(stdout, "laddr", a.s, true);
				tcp_json_kv_str(stdout, "raddr", a.d, true);
				printf(",\"rport\":%u,\"connects\":%llu}\n", c->key.dport,
				       (unsigned long long)c->n);
			} else {
				printf("%-25s %-25s %-20u %-10llu\n", a.s, a.d, c->key.dport,
				       (unsigned long long)c->n);
			}
		}
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcpconnect_run *r = ctx;
	const struct tcpconnect_opts *o = r->o;
	const struct tcpconnect_event *e = data;
	char comm[TCP_COMM_BUFLEN];
	struct tcp_addrs a;

	if (size < sizeof(*e))
		return 0;
	if (o->count) {
		count_add(r, &e->flow);
		return tcp_out_status();
	}
	tcp_comm(comm, sizeof(comm), e->comm);
	tcp_addrs_fmt(&a, &e->flow, false);
	if (o->json) {
		printf("{\"time\":%.6f,\"uid\":%u,\"pid\":%u", snoop_clock_rel(&r->clock, e->ts_ns),
		       e->uid, e->pid);
		tcp_json_kv_str(stdout, "comm", comm, true);
		printf(",\"ip\":%d", net_ipver(e->flow.family));
		tcp_json_kv_str(stdout, "saddr", a.s, true);
		printf(",\"lport\":%u", e->flow.sport);
		tcp_json_kv_str(stdout, "daddr", a.d, true);
		printf(",\"dport\":%u}\n", e->flow.dport);
		return tcp_out_status();
	}
	if (o->timestamp)
		printf("%-9.3f", snoop_clock_rel(&r->clock, e->ts_ns));
	if (o->print_uid)
		printf("%-6u", e->uid);
	if (o->lport)
		printf("%-6u %-12.12s %-2d %-16s %-6u %-16s %-6u\n", e->pid, comm,
		       net_ipver(e->flow.family), a.s, e->flow.sport, a.d, e->flow.dport);
	else
		printf("%-6u %-12.12s %-2d %-16s %-16s %-6u\n", e->pid, comm,
		       net_ipver(e->flow.family), a.s, a.d, e->flow.dport);
	return tcp_out_status();
}

static void print_header(const struct tcpconnect_opts *o)
{
	if (o->json)
		return;
	printf("Tracing connect ... Hit Ctrl-C to end\n");
	if (o->count)
		return;
	if (o->timestamp)
		printf("%-9s", "TIME(s)");
	if (o->print_uid)
		printf("%-6s", "UID");
	if (o->lport)
		printf("%-6s %-12s %-2s %-16s %-6s %-16s %-6s\n", "PID", "COMM", "IP", "SADDR",
		       "LPORT", "DADDR", "DPORT");
	else
		printf("%-6s %-12s %-2s %-16s %-16s %-6s\n", "PID", "COMM", "IP", "SADDR", "DADDR",
		       "DPORT");
}

static int parse_args(int argc, char **argv, struct tcpconnect_opts *o)
{
	enum { OPT_JSON = 256, OPT_CGROUPMAP, OPT_MNTNSMAP };
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"timestamp", no_argument, NULL, 't'},
		{"pid", required_argument, NULL, 'p'},
		{"port", required_argument, NULL, 'P'},
		{"ipv4", no_argument, NULL, '4'},
		{"ipv6", no_argument, NULL, '6'},
		{"lport", no_argument, NULL, 'L'},
		{"print-uid", no_argument, NULL, 'U'},
		{"uid", required_argument, NULL, 'u'},
		{"count", no_argument, NULL, 'c'},
		{"json", no_argument, NULL, OPT_JSON},
		{"dns", no_argument, NULL, 'd'},
		{"cgroupmap", required_argument, NULL, OPT_CGROUPMAP},
		{"mntnsmap", required_argument, NULL, OPT_MNTNSMAP},
		{0},
	};
	static const struct usage cli = {usage_text, ":htp:P:46LUu:cd", longopts};
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
		case 'P':
			if (tcp_parse_ports(&cli, c, optarg, o->ports, &o->nports))
				return -2;
			break;
		case '4':
		case '6':
			if (tcp_family_opt(&cli, c, &o->family))
				return -2;
			break;
		case 'L':
			o->lport = true;
			break;
		case 'U':
			o->print_uid = true;
			break;
		case 'u':
			if (snoop_parse_uid(&cli, c, optarg, &o->uid))
				return -2;
			o->filter_uid = true;
			break;
		case 'c':
			o->count = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'd':
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

static int tcpconnect_main(int argc, char **argv)
{
	struct tcpconnect_opts o = {};
	struct tcpconnect_run r = {.o = &o};
	struct tcpconnect *skel = NULL;
	struct snoop s;
	struct btf_min *bm = NULL;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : -err;
	if (snoop__init(&s, false))
		return 1;
	/* A few-KB BTF for CO-RE instead of libbpf reading all of the kernel's. */
	skel = BTF_MIN_SKEL_OPEN(tcpconnect, &bm);
	if (!skel) {
		err = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->targ_pid = o.pid;
	skel->rodata->targ_uid = o.uid;
	skel->rodata->filter_uid = o.filter_uid;
	skel->rodata->filter_ports = o.nports > 0;
	skel->rodata->targ_family = o.family;
	err = tcpconnect__load(skel);
	if (err) {
		err = snoop_load_error("load", err);
		goto out;
	}
	err = tcp_fill_port_map(skel->maps.dports, o.ports, o.nports);
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
	if (o.count)
		count_print(&r);
out:
	btf_min__free(bm);
	snoop__fini(&s);
	tcpconnect__destroy(skel);
	free(r.counts);
	return err;
}

TOOL_REGISTER(tcpconnect, tcpconnect_main, "trace active TCP connections (connect)");
