// SPDX-License-Identifier: GPL-2.0
/*
 * tcprtt: TCP smoothed RTT as log2 histograms (bcc's tcprtt, libbpf-tools' output with -b/-B
 * and -e), from the tcp:tcp_probe tracepoint: one sample per segment received by an
 * ESTABLISHED socket, like bcc's kprobe on tcp_rcv_established().
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tcprtt.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/net.h"
#include "core/out.h"
#include "tcprtt.skel.h"

#include "core/btfmin.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(tcprtt);

struct opts {
	unsigned long interval_s, duration_s;
	bool timestamp, ms, laddr_hist, raddr_hist, extended, json, verbose;
	uint16_t lport, rport;
	int laddr_family, raddr_family, family;
	uint8_t laddr[16], raddr[16];
};

struct state {
	const struct opts *o;
	struct tcprtt *obj;
	char ready[64];
	struct metric_family *rtt; /* --metrics */
	struct tcp_hists taken;	   /* what the summaries took out of the map, for --metrics */
};

/* -p/-P */
static int parse_port(void *opts, const struct usage *u, int key, const char *arg)
{
	struct opts *o = opts;

	if (net_parse_port(arg, key == 'p' ? &o->lport : &o->rport, false)) {
		usage_arg_error(u, key, "invalid port: '%s'", arg);
		return -EINVAL;
	}
	return 0;
}

/* -a/-A */
static int parse_addr(void *opts, const struct usage *u, int key, const char *arg)
{
	struct opts *o = opts;
	bool local = key == 'a';

	if (net_parse_addr(arg, local ? &o->laddr_family : &o->raddr_family,
			   local ? o->laddr : o->raddr)) {
		usage_arg_error(u, key, "invalid address: '%s'", arg);
		return -EINVAL;
	}
	return 0;
}

#define MAX_S (86400UL * 365)
#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "tcprtt",
	.description =
		"Summarize TCP RTT as a histogram (tracepoint tcp:tcp_probe: the smoothed RTT of\n"
		"the receiving socket, sampled at each segment an ESTABLISHED socket receives)",
	.opts = TOOL_OPTS({'i', "interval", "INTERVAL", "summary interval, seconds", TOOL_OPT_ULONG,
			   OPT(interval_s), 1, MAX_S, .sets = TOOL_SETS_INTERVAL},
			  {'d', "duration", "DURATION", "total duration of trace, seconds",
			   TOOL_OPT_ULONG, OPT(duration_s), 1, MAX_S, .sets = TOOL_SETS_DURATION},
			  TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
			  {'m', "milliseconds", NULL, "millisecond histogram", TOOL_OPT_FLAG,
			   OPT(ms), .bpf = "targ_ms"},
			  {'p', "lport", "LPORT", "filter for local port", TOOL_OPT_CALL,
			   .parse = parse_port},
			  {'P', "rport", "RPORT", "filter for remote port", TOOL_OPT_CALL,
			   .parse = parse_port},
			  {'a', "laddr", "LADDR", "filter for local address (IPv4 or IPv6)",
			   TOOL_OPT_CALL, .parse = parse_addr},
			  {'A', "raddr", "RADDR", "filter for remote address (IPv4 or IPv6)",
			   TOOL_OPT_CALL, .parse = parse_addr},
			  {'b', "byladdr", NULL, "show sockets histogram by local address",
			   TOOL_OPT_FLAG, OPT(laddr_hist), .group = 1, .bpf = "targ_laddr_hist"},
			  {'B', "byraddr", NULL, "show sockets histogram by remote address",
			   TOOL_OPT_FLAG, OPT(raddr_hist), .group = 1, .bpf = "targ_raddr_hist"},
			  {'e', "extension", NULL, "show extension summary(average)", TOOL_OPT_FLAG,
			   OPT(extended)},
			  {'D', "debug", NULL, "print libbpf's messages (same as -v)",
			   TOOL_OPT_FLAG, OPT(verbose)},
			  TOOL_OPTS_FAMILY(OPT(family), 2, "targ_family"),
			  {TOOL_OPT_JSON, "json", NULL, "one JSON object per summary",
			   TOOL_OPT_FLAG, OPT(json)},
			  TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	.examples = "    tcprtt            # summarize TCP RTT\n"
		    "    tcprtt -i 1 -d 10 # print 1 second summaries, 10 times\n"
		    "    tcprtt -m -T      # summarize in millisecond, and timestamps\n"
		    "    tcprtt -p 80      # filter for local port\n"
		    "    tcprtt -P 80      # filter for remote port\n"
		    "    tcprtt -a 127.0.0.1 # filter for local address\n"
		    "    tcprtt -A ::1     # filter for remote address\n"
		    "    tcprtt -b         # show sockets histogram by local address\n"
		    "    tcprtt -B         # show sockets histogram by remote address\n"
		    "    tcprtt -e         # show extension summary(average)\n",
};

static void print_hist(const struct state *s, const struct tcprtt_key *k,
		       const struct tcprtt_hist *h, bool first)
{
	const struct opts *o = s->o;
	const char *unit = o->ms ? "msecs" : "usecs";
	char addr[NET_ADDR_STRLEN] = "";
	unsigned long long avg = h->cnt ? h->latency / h->cnt : 0;

	if (o->laddr_hist || o->raddr_hist)
		net_addr_str(addr, sizeof(addr), k->family, k->addr);
	if (o->json) {
		printf("%s{", first ? "" : ",");
		if (o->laddr_hist || o->raddr_hist)
			printf("\"%s\":\"%s\",", o->laddr_hist ? "laddr" : "raddr", addr);
		printf("\"count\":%llu,\"avg\":%llu,\"buckets\":", (unsigned long long)h->cnt, avg);
		hist_json_log2(stdout, (const uint64_t *)h->slots, TCPRTT_SLOTS);
		printf("}");
		return;
	}
	if (o->laddr_hist)
		printf("Local Address = %s ", addr);
	else if (o->raddr_hist)
		printf("Remote Address = %s ", addr);
	else
		printf("All Addresses = ****** ");
	if (o->extended)
		printf("[AVG %llu]", avg);
	printf("\n");
	hist_print_log2(stdout, (const uint64_t *)h->slots, TCPRTT_SLOTS, unit);
}

/* Print and remove every histogram; lookup-and-delete loses no sample in between. */
static int print_summary(void *ctx)
{
	struct state *s = ctx;
	const struct opts *o = s->o;
	int fd = bpf_map__fd(s->obj->maps.hists);
	struct tcprtt_key keys[64], k, *prev = NULL;
	size_t n = 0, printed = 0;
	char ts[16];

	time_hms(ts, sizeof(ts));
	if (o->json) {
		printf("{\"time\":\"%s\",\"unit\":\"%s\",\"hists\":[", ts,
		       o->ms ? "msecs" : "usecs");
	} else {
		printf("\n");
		if (o->timestamp)
			printf("%-8s\n", ts);
	}
	/* Batches of keys first: deleting while iterating would restart the walk. */
	for (;;) {
		n = 0;
		prev = NULL;
		while (n < 64 && !bpf_map_get_next_key(fd, prev, &k)) {
			keys[n] = k;
			prev = &keys[n++];
		}
		if (!n)
			break;
		for (size_t i = 0; i < n; i++) {
			struct tcprtt_hist h;

			if (bpf_map_lookup_and_delete_elem(fd, &keys[i], &h))
				continue;
			if (s->rtt && tcp_hists_add(&s->taken, &keys[i], (const uint64_t *)h.slots,
						    h.cnt, h.latency)) {
				tk_err("out of memory");
				return 1;
			}
			print_hist(s, &keys[i], &h, printed++ == 0);
		}
		if (n < 64)
			break;
	}
	if (o->json)
		printf("]}\n");
	fflush(stdout);
	return ferror(stdout) ? 1 : 0; /* the reader went away (tool | head): stop */
}

/* The series of key: by -b's local or -B's remote address, else the one of all. */
static struct metric_series *rtt_series(struct state *s, const struct tcprtt_key *k)
{
	char addr[NET_ADDR_STRLEN];
	const char *v[] = {addr};

	net_addr_str(addr, sizeof(addr), k->family, k->addr);
	return metric_series(s->rtt, v);
}

/* --metrics: every histogram since the start, the summaries' and the map's */
static int collect_rtt(void *ctx, struct metrics *m)
{
	struct state *s = ctx;
	int fd = bpf_map__fd(s->obj->maps.hists);
	struct tcprtt_key k = {0}, next, *prev = NULL;
	struct tcprtt_hist h;

	if (!s->o->laddr_hist && !s->o->raddr_hist)
		metric_add(rtt_series(s, &k), 0); /* no sample yet: count 0, not absent */
	for (size_t i = 0; i < s->taken.n; i++) {
		const struct tcp_hist *t = &s->taken.h[i];

		tcp_hist_series(rtt_series(s, (const void *)t->key), t->slots, TCPRTT_SLOTS,
				t->count, t->sum);
	}
	for (; !bpf_map_get_next_key(fd, prev, &next); prev = &k) {
		k = next;
		if (!bpf_map_lookup_elem(fd, &k, &h))
			tcp_hist_series(rtt_series(s, &k), (const uint64_t *)h.slots, TCPRTT_SLOTS,
					h.cnt, h.latency);
	}
	return 0;
}

static int add_metrics(void *ctx, struct metrics *m)
{
	struct state *s = ctx;
	const char *label = s->o->laddr_hist ? "laddr" : "raddr";
	const struct snoop_metric spec = {
		&s->rtt,
		"tracekit_tcprtt_rtt_seconds",
		METRIC_HISTOGRAM,
		"Smoothed RTT of the TCP sockets traced, one sample per segment received, by "
		"local (-b) or remote (-B) address (tcprtt)",
		&label,
		s->o->laddr_hist || s->o->raddr_hist,
		s->o->ms ? 1e3 : 1e6,
		true};

	s->taken =
		(struct tcp_hists){.key_size = sizeof(struct tcprtt_key), .nslots = TCPRTT_SLOTS};
	return snoop_metrics_add(m, &spec, 1) ?: metrics_add_collector(m, collect_rtt, s);
}

/* the address and port filters, and the ready line */
static int fill(struct tool_run *run, void *skel)
{
	struct state *s = run->ctx;
	const struct opts *o = s->o;

	if (o->family && ((o->laddr_family && o->laddr_family != o->family) ||
			  (o->raddr_family && o->raddr_family != o->family)))
		return usage_error(&cli.usage,
				   "an address filter of the other family than -%d "
				   "matches nothing",
				   o->family == AF_INET ? 4 : 6);
	s->obj = skel;
	s->obj->rodata->targ_sport = o->lport;
	s->obj->rodata->targ_dport = o->rport;
	s->obj->rodata->targ_saddr_family = o->laddr_family;
	memcpy((void *)s->obj->rodata->targ_saddr, o->laddr, 16);
	s->obj->rodata->targ_daddr_family = o->raddr_family;
	memcpy((void *)s->obj->rodata->targ_daddr, o->raddr, 16);
	if (o->duration_s)
		snprintf(s->ready, sizeof(s->ready), "Tracing TCP RTT for %lu secs.",
			 o->duration_s);
	else
		snprintf(s->ready, sizeof(s->ready), "Tracing TCP RTT... Hit Ctrl-C to end.");
	run->ready = s->ready;
	run->metrics = add_metrics;
	return 0;
}

static int tcprtt_main(int argc, char **argv)
{
	struct opts o = {0};
	struct state s = {.o = &o};
	/* the last summary: on Ctrl-C, or at the end of -d without -i */
	struct tool_run run = {
		.skel = &tcprtt_tool_skel, .fill = fill, .ctx = &s, TOOL_SUMMARY(print_summary)};
	int err = tool_main(&cli, &o, &run, argc, argv);

	tcp_hists_free(&s.taken);
	return err;
}

TOOL_REGISTER(tcprtt, tcprtt_main, "TCP RTT histogram (bcc tcprtt)", &cli);
