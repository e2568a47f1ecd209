// SPDX-License-Identifier: GPL-2.0
/*
 * tcptracer: trace TCP connect (C), accept (A) and close (X) events, bcc's columns, on
 * tracepoints only (see tcptracer.bpf.c for which event means what).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "core/btfmin.h"
#include "tools/tool.h"

#include "bpf/tcptracer.h"
#include "tcptracer.skel.h"

struct tcptracer_opts {
	bool timestamp, verbose, json;
	uint32_t pid, netns;
	int family;
};

struct tcptracer_run {
	const struct tcptracer_opts *o;
	struct snoop_clock clock;
};

static const char usage_text[] =
	"usage: tcptracer [-h] [-t] [-p PID] [-N NETNS] [-4 | -6] [-v] [--json]\n"
	"\n"
	"Trace TCP connections\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -t, --timestamp       include timestamp on output\n"
	"  -p PID, --pid PID     trace this PID only\n"
	"  -N NETNS, --netns NETNS\n"
	"                        trace this Network Namespace only\n"
	"  -4, --ipv4            trace IPv4 family only\n"
	"  -6, --ipv6            trace IPv6 family only\n"
	"  -v, --verbose         include Network Namespace in the output\n"
	"  --json                output the events in json format\n"
	"\n"
	"T is C (connect: SYN_SENT->ESTABLISHED, PID of the connecting task), A (accept: return\n"
	"of accept/accept4 in the accepting task) or X (close). Tracepoints only: no kprobes.\n";

/* bcc's T column letter and its -v/--json word, by event type. */
static const char *const type_letters[] = {
	[TCPTRACER_CONNECT] = "C", [TCPTRACER_ACCEPT] = "A", [TCPTRACER_CLOSE] = "X"};
static const char *const type_words[] = {[TCPTRACER_CONNECT] = "connect",
					 [TCPTRACER_ACCEPT] = "accept",
					 [TCPTRACER_CLOSE] = "close"};

static const char *type_letter(uint32_t t)
{
	return t <= TCPTRACER_CLOSE && type_letters[t] ? type_letters[t] : "U";
}

static const char *type_word(uint32_t t)
{
	return t <= TCPTRACER_CLOSE && type_words[t] ? type_words[t] : "unknown";
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tcptracer_run *r = ctx;
	const struct tcptracer_opts *o = r->o;
	const struct tcptracer_event *e = data;
	char comm[TCP_COMM_BUFLEN];
	struct tcp_addrs a;

	if (size < sizeof(*e))
		return 0;
	tcp_comm(comm, sizeof(comm), e->comm);
	if (o->json) {
		tcp_addrs_fmt(&a, &e->flow, false);
		printf("{\"time\":%.9f,\"type\":\"%s\",\"pid\":%u",
		       snoop_clock_rel(&r->clock, e->ts_ns), type_word(e->type), e->pid);
		tcp_json_kv_str(stdout, "comm", comm, true);
		printf(",\"ip\":%d", net_ipver(e->flow.family));
		tcp_json_kv_str(stdout, "saddr", a.s, true);
		tcp_json_kv_str(stdout, "daddr", a.d, true);
		printf(",\"sport\":%u,\"dport\":%u,\"netns\":%u}\n", e->flow.sport, e->flow.dport,
		       e->netns);
		return tcp_out_status();
	}
	tcp_addrs_fmt(&a, &e->flow, true);
	if (o->timestamp) {
		double rel = snoop_clock_rel(&r->clock, e->ts_ns);

		if (o->verbose)
			printf("%-14llu", (unsigned long long)(rel * 1e9 + 0.5));
		else
			printf("%-9.3f", rel);
	}
	if (o->verbose)
		printf("%-12s ", type_word(e->type));
	else
		printf("%-2s ", type_letter(e->type));
	printf("%-6u %-16s %-2d %-16s %-16s %-6u %-6u", e->pid, comm, net_ipver(e->flow.family),
	       a.s, a.d, e->flow.sport, e->flow.dport);
	if (o->verbose && !o->netns)
		printf(" %-8u", e->netns);
	putchar('\n');
	return tcp_out_status();
}

static void print_header(const struct tcptracer_opts *o)
{
	printf("Tracing TCP established connections. Ctrl-C to end.\n");
	if (o->verbose) {
		if (o->timestamp)
			printf("%-14s", "TIME(ns)");
		printf("%-12s %-6s %-16s %-2s %-16s %-16s %-6s %-7s", "TYPE", "PID", "COMM", "IP",
		       "SADDR", "DADDR", "SPORT", "DPORT");
		if (!o->netns)
			printf("%-8s", "NETNS");
		putchar('\n');
		return;
	}
	if (o->timestamp)
		printf("%-9s", "TIME(s)");
	printf("%-2s %-6s %-16s %-2s %-16s %-16s %-6s %-6s\n", "T", "PID", "COMM", "IP", "SADDR",
	       "DADDR", "SPORT", "DPORT");
}

static int parse_args(int argc, char **argv, struct tcptracer_opts *o)
{
	enum { OPT_JSON = 256, OPT_CGROUPMAP, OPT_MNTNSMAP };
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"timestamp", no_argument, NULL, 't'},
		{"pid", required_argument, NULL, 'p'},
		{"netns", required_argument, NULL, 'N'},
		{"ipv4", no_argument, NULL, '4'},
		{"ipv6", no_argument, NULL, '6'},
		{"verbose", no_argument, NULL, 'v'},
		{"json", no_argument, NULL, OPT_JSON},
		{"cgroupmap", required_argument, NULL, OPT_CGROUPMAP},
		{"mntnsmap", required_argument, NULL, OPT_MNTNSMAP},
		{0},
	};
	static const struct usage cli = {usage_text, ":htp:N:46v", longopts};
	unsigned long v;
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
		case 'N':
			if (usage_parse_ulong(&cli, c, optarg, 1, UINT32_MAX, &v))
				return -2;
			o->netns = v;
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

static int tcptracer_main(int argc, char **argv)
{
	struct tcptracer_opts o = {};
	struct tcptracer_run r = {.o = &o};
	struct tcptracer *skel = NULL;
	struct snoop s;
	struct btf_min *bm = NULL;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : -err;
	if (snoop__init(&s, false))
		return 1;
	/* A few-KB BTF for CO-RE instead of libbpf reading all of the kernel's. */
	skel = BTF_MIN_SKEL_OPEN(tcptracer, &bm);
	if (!skel) {
		err = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->targ_pid = o.pid;
	skel->rodata->targ_family = o.family;
	skel->rodata->targ_netns = o.netns;
	err = tcptracer__load(skel);
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
	else
		print_header(&o);
	err = snoop__run(&s, 0, &skel->bss->lost_events) ? 1 : 0;
out:
	btf_min__free(bm);
	snoop__fini(&s);
	tcptracer__destroy(skel);
	return err;
}

TOOL_REGISTER(tcptracer, tcptracer_main, "trace TCP connect/accept/close (C/A/X)");
