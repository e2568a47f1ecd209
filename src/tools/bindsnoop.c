// SPDX-License-Identifier: GPL-2.0
/* bindsnoop: trace IPv4 and IPv6 bind()s with socket options, bcc's options and columns. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attach.h"
#include "core/btfmin.h"
#include "core/log.h"
#include "core/net.h"
#include "core/out.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/bindsnoop.h"
#include "bindsnoop.skel.h"

TOOL_SKEL_DEFINE(bindsnoop);

#define MAX_PORTS  32
#define MAX_COUNTS 1024

struct bind_count {
	int family;
	uint8_t addr[16];
	uint16_t port;
	unsigned long long n;
};

struct bindsnoop_opts {
	bool timestamp, wide, errors, print_uid, count, json, verbose;
	uint32_t pid, uid;
	uint16_t ports[MAX_PORTS];
	size_t nports;
};

struct bindsnoop_ctx {
	const struct bindsnoop_opts *o;
	struct snoop_clock clock;
	struct bind_count counts[MAX_COUNTS];
	size_t ncounts;
	bool counts_full;
	struct metric_family *binds; /* --metrics */
};

/* -P: its own message, bcc's wording (TOOL_OPT_PORTS words it differently) */
static int parse_ports(void *opts, const struct usage *u, int key, const char *arg)
{
	struct bindsnoop_opts *o = opts;
	int err = net_parse_port_list(arg, o->ports, MAX_PORTS, &o->nports);

	if (err) {
		usage_arg_error(u, key, "invalid value: '%s' (%s)", arg,
				err == -E2BIG ? "too many ports" : "expected ports like 80,443");
		return -EINVAL;
	}
	return 0;
}

enum { OPT_COUNT = TOOL_OPT_JSON + 16 };

#define OPT(f) offsetof(struct bindsnoop_opts, f)
static struct tool_cli cli = {
	.name = "bindsnoop",
	.description = "Trace TCP binds",
	.opts = TOOL_OPTS(
		TOOL_OPT_TIMESTAMP('t', OPT(timestamp)),
		{'w', "wide", NULL, "wide column output (fits IPv6 addresses)", TOOL_OPT_FLAG,
		 OPT(wide)},
		TOOL_OPT_PID_ONLY(OPT(pid), "filter_tgid"),
		{'P', "port", "PORT", "comma-separated list of ports to trace.", TOOL_OPT_CALL,
		 .parse = parse_ports},
		{'E', "errors", NULL, "include errors in the output.", TOOL_OPT_FLAG, OPT(errors),
		 .bpf = "report_errors"},
		{'U', "print-uid", NULL, "include UID on output", TOOL_OPT_FLAG, OPT(print_uid)},
		TOOL_OPT_UID_ONLY(OPT(uid), "filter_uid"),
		{OPT_COUNT, "count", NULL, "count binds per src ip and port", TOOL_OPT_FLAG,
		 OPT(count)},
		SNOOP_OPTS_JSON_VERBOSE(struct bindsnoop_opts)),
	/* the legend of the OPTS column follows the examples, as in bcc's epilog */
	.examples = "    bindsnoop           # trace all TCP bind()s\n"
		    "    bindsnoop -t        # include timestamps\n"
		    "    bindsnoop -w        # wider columns (fit IPv6)\n"
		    "    bindsnoop -p 181    # only trace PID 181\n"
		    "    bindsnoop -P 80     # only trace port 80\n"
		    "    bindsnoop -P 80,81  # only trace port 80 and 81\n"
		    "    bindsnoop -U        # include UID\n"
		    "    bindsnoop -u 1000   # only trace UID 1000\n"
		    "    bindsnoop -E        # report bind errors\n"
		    "    bindsnoop --count   # count bind per src ip\n"
		    "\n"
		    "it is reporting socket options set before the bins call\n"
		    "impacting system call behavior:\n"
		    " SOL_IP     IP_FREEBIND              F....\n"
		    " SOL_IP     IP_TRANSPARENT           .T...\n"
		    " SOL_IP     IP_BIND_ADDRESS_NO_PORT  ..N..\n"
		    " SOL_SOCKET SO_REUSEADDR             ...R.\n"
		    " SOL_SOCKET SO_REUSEPORT             ....r\n"
		    "\n"
		    " SO_BINDTODEVICE interface is reported as \"IF\" index\n",
};

static const char *proto_name(int proto)
{
	switch (proto) {
	case 0:
		return "IP";
	case 1:
		return "ICMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 58:
		return "ICMPV6";
	case 132:
		return "SCTP";
	case 136:
		return "UDPLITE";
	case 255:
		return "RAW";
	case 262:
		return "MPTCP";
	default:
		return "UNKNOWN";
	}
}

/* "FTNRr" with '.' for the options not set. */
static const char *opts_str(char buf[6], unsigned int opts)
{
	static const char letters[] = "FTNRr";

	for (int i = 0; i < 5; i++)
		buf[i] = opts & (1u << i) ? letters[i] : '.';
	buf[5] = '\0';
	return buf;
}

static bool port_wanted(const struct bindsnoop_opts *o, uint16_t port)
{
	if (!o->nports)
		return true;
	for (size_t i = 0; i < o->nports; i++)
		if (o->ports[i] == port)
			return true;
	return false;
}

static void count_event(struct bindsnoop_ctx *c, const struct bindsnoop_event *e)
{
	struct bind_count *b;

	for (size_t i = 0; i < c->ncounts; i++) {
		b = &c->counts[i];
		if (b->family == e->family && b->port == e->port && !memcmp(b->addr, e->addr, 16)) {
			b->n++;
			return;
		}
	}
	if (c->ncounts == MAX_COUNTS) {
		c->counts_full = true;
		return;
	}
	b = &c->counts[c->ncounts++];
	b->family = e->family;
	memcpy(b->addr, e->addr, 16);
	b->port = e->port;
	b->n = 1;
}

static int count_cmp(const void *a, const void *b)
{
	const struct bind_count *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

static void print_counts(void *ctx)
{
	struct bindsnoop_ctx *c = ctx;
	char addr[NET_ADDR_STRLEN], port[16];

	qsort(c->counts, c->ncounts, sizeof(c->counts[0]), count_cmp);
	if (c->o->json) {
		for (size_t i = 0; i < c->ncounts; i++) {
			struct bind_count *b = &c->counts[i];

			printf("{\"laddr\":\"%s\",\"lport\":%u,\"binds\":%llu}\n",
			       net_addr_str(addr, sizeof(addr), b->family, b->addr), b->port, b->n);
		}
		return;
	}
	printf("\n%-32s %20s     %-10s\n", "LADDR", "LPORT", "BINDS");
	/* bcc prints IPv4 first, then IPv6. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->ncounts; i++) {
			struct bind_count *b = &c->counts[i];

			if ((b->family == 2) != (pass == 0))
				continue;
			snprintf(port, sizeof(port), "%u", b->port);
			printf("%-32s %20s     %-10llu\n",
			       net_addr_str(addr, sizeof(addr), b->family, b->addr), port, b->n);
		}
	}
	if (c->counts_full)
		tk_note("more than %d addresses; the rest were not counted", MAX_COUNTS);
}

/* --metrics: the binds, by comm, protocol, port and errno (0 unless -E shows errors) */
static void count_bind(struct bindsnoop_ctx *c, const struct bindsnoop_event *e)
{
	char comm[SNOOP_COMM_LABEL], port[8], err[24];
	const char *v[] = {snoop_comm_label(comm, e->comm), proto_name(e->protocol),
			   snoop_uint_label(port, sizeof(port), e->port),
			   snoop_errno_label(err, sizeof(err), e->ret)};

	snoop_metric_inc(c->binds, v);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct bindsnoop_ctx *c = ctx;
	const struct bindsnoop_opts *o = c->o;
	const struct bindsnoop_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1], addr[NET_ADDR_STRLEN], opts[6], rc[64];
	double ts;

	if (!port_wanted(o, e->port))
		return 0;
	ts = snoop_clock_rel(&c->clock, e->ts_ns);
	count_bind(c, e);
	if (o->count) {
		count_event(c, e);
		return 0;
	}
	net_addr_str(addr, sizeof(addr), e->family, e->addr);
	opts_str(opts, e->opts);
	str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm));
	if (o->json) {
		printf("{");
		if (o->timestamp)
			printf("\"timestamp\":%.6f,", ts);
		printf("\"uid\":%u,\"ret\":%d,\"pid\":%u,\"tid\":%u,\"comm\":", e->uid, e->ret,
		       e->pid, e->tid);
		json_strn(stdout, e->comm, sizeof(e->comm));
		printf(",\"prot\":\"%s\",\"ipver\":%d,\"addr\":\"%s\",\"port\":%u,\"opts\":\"%s\","
		       "\"if\":%u}\n",
		       proto_name(e->protocol), net_ipver(e->family), addr, e->port, opts,
		       e->bound_dev_if);
		return 0;
	}
	if (o->timestamp)
		printf("%-9.6f ", ts);
	if (o->print_uid)
		printf("%6u ", e->uid);
	if (o->errors) {
		if (o->wide) {
			printf("%-25s ", strerror(e->ret < 0 ? -e->ret : e->ret));
		} else {
			snprintf(rc, sizeof(rc), "%d", e->ret);
			printf("%3s ", rc);
		}
	}
	if (o->wide)
		printf("%10u %-12.12s %-4s %-39s %5u %-5s %2u\n", e->pid, comm,
		       proto_name(e->protocol), addr, e->port, opts, e->bound_dev_if);
	else
		printf("%8u %-12.12s %-4.4s %-15.15s %5u %-5s %2u\n", e->pid, comm,
		       proto_name(e->protocol), addr, e->port, opts, e->bound_dev_if);
	return 0;
}

static void print_header(void *ctx)
{
	const struct bindsnoop_opts *o = ((struct bindsnoop_ctx *)ctx)->o;

	if (o->count)
		return;
	if (o->timestamp)
		printf("%-9s ", "TIME(s)");
	if (o->print_uid)
		printf("%6s ", "UID");
	if (o->errors)
		printf(o->wide ? "%-25s " : "%3s ", "RC");
	if (o->wide)
		printf("%10s %-12.12s %-4s %-39s %-5s %5s %2s\n", "PID", "COMM", "PROT", "ADDR",
		       "PORT", "OPTS", "IF");
	else
		printf("%8s %-12.12s %-4s %-15s %-5s %5s %2s\n", "PID", "COMM", "PROT", "ADDR",
		       "PORT", "OPTS", "IF");
}

/* --count: a table at the end instead of a line per bind */
static int fill(struct tool_run *run, void *skel)
{
	run->footer = ((struct bindsnoop_ctx *)run->ctx)->o->count ? print_counts : NULL;
	return 0;
}

SNOOP_METRIC_HOOK(add_metrics, struct bindsnoop_ctx, binds, "tracekit_bindsnoop_binds",
		  METRIC_COUNTER,
		  "bind() calls traced, by comm, protocol, port and errno (0: bound; failed ones "
		  "with -E) (bindsnoop)",
		  0, "comm", "protocol", "port", "errno");

static int bindsnoop_main(int argc, char **argv)
{
	struct bindsnoop_opts o = {.uid = TOOL_UID_NONE};
	static struct bindsnoop_ctx c; /* its count table is too big for the stack */
	struct tool_run run = {.skel = &bindsnoop_tool_skel,
			       .fill = fill,
			       .ctx = &c,
			       TOOL_EVENTS(handle_event, struct bindsnoop_event),
			       .header = print_header,
			       .ready = "Tracing binds ... Hit Ctrl-C to end",
			       .metrics = add_metrics};

	c.o = &o;
	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(bindsnoop, bindsnoop_main, "trace IPv4 and IPv6 bind()s (bcc bindsnoop)", &cli);
