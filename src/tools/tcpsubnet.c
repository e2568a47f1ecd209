// SPDX-License-Identifier: GPL-2.0
/*
 * tcpsubnet: TCP bytes sent, summed per destination subnet every interval (bcc's
 * tcpsubnet.py: same options, output and JSON), from sock:sock_send_length. Subnets may be
 * IPv4 or IPv6; a destination counts for the first subnet of the list that holds it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tcpsubnet.h"
#include "core/log.h"
#include "core/net.h"
#include "core/out.h"
#include "tcpsubnet.skel.h"

#include "core/btfmin.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(tcpsubnet);

#define DEFAULT_SUBNETS "127.0.0.1/32,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,0.0.0.0/0"
#define MAX_SUBNETS	64

struct subnet {
	char text[NET_ADDR_STRLEN + 8]; /* as given, for the output */
	int family;
	uint8_t addr[16];
	unsigned int prefix;
	uint64_t bytes; /* this interval */
};

struct opts {
	bool json, verbose;
	char format; /* b k m B K M */
	unsigned long interval_s;
	struct subnet subnets[MAX_SUBNETS];
	size_t nsubnets;
};

struct state {
	struct opts *o;
	struct tcpsubnet *obj;
	char ready[96];
	struct metric_family *sent; /* --metrics */
};

/* -f: one of bcc's choices */
static int parse_format(void *opts, const struct usage *u, int key, const char *arg)
{
	struct opts *o = opts;

	if (strlen(arg) != 1 || !strchr("bkmBKM", arg[0])) {
		usage_arg_error(u, key, "invalid choice: '%s' (choose from 'b', 'k', 'm', 'B', 'K', "
			       "'M')", arg);
		return -EINVAL;
	}
	o->format = arg[0];
	return 0;
}

#define OPT(f) offsetof(struct opts, f)
static int parse_subnets(void *opts, const struct usage *u, int key, const char *list);

static struct tool_cli cli = {
	.name = "tcpsubnet",
	.description =
		"Summarize TCP send and aggregate by subnet (tracepoint sock:sock_send_length:\n"
		"bytes each send on a TCP socket actually sent)",
	.opts = TOOL_OPTS(
		TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose)),
		{'J', "json", NULL, "format output in JSON", TOOL_OPT_FLAG, OPT(json)},
		{'f', "format", "{b,k,m,B,K,M}",
		 "[bkmBKM] format to report: bits, Kbits, Mbits, bytes, KBytes, MBytes (default B)",
		 TOOL_OPT_CALL, .parse = parse_format},
		{'i', "interval", "INTERVAL", "output interval, in seconds (default 1)",
		 TOOL_OPT_ULONG, OPT(interval_s), 1, 86400UL * 365, .sets = TOOL_SETS_INTERVAL}),
	.args = "[subnets]",
	.args_help = "  subnets               comma separated list of subnets (IPv4 or IPv6)\n",
	.pos =
		(const struct tool_opt[]){
			{0, "subnets", .kind = TOOL_OPT_CALL, .parse = parse_subnets}, {0}},
	.examples = "    tcpsubnet                 # Trace TCP sent to the default subnets:\n"
		    "                              # 127.0.0.1/32,10.0.0.0/8,172.16.0.0/12,\n"
		    "                              # 192.168.0.0/16,0.0.0.0/0\n"
		    "    tcpsubnet -f K            # Trace TCP sent to the default subnets\n"
		    "                              # aggregated in KBytes.\n"
		    "    tcpsubnet 10.80.0.0/24    # Trace TCP sent to 10.80.0.0/24 only\n"
		    "    tcpsubnet -J              # Format the output in JSON.\n",
};

/* the positional subnets, a comma-separated list */
static int parse_subnets(void *opts, const struct usage *u, int key, const char *list)
{
	struct opts *o = opts;
	char *copy = strdup(list), *save = NULL, *tok;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	o->nsubnets = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct subnet *s = &o->subnets[o->nsubnets];

		if (o->nsubnets == MAX_SUBNETS) {
			usage_error(u, "argument subnets: too many subnets (at most %d)", MAX_SUBNETS);
			err = -E2BIG;
			break;
		}
		if (strlen(tok) >= sizeof(s->text) ||
		    net_parse_cidr(tok, &s->family, s->addr, &s->prefix)) {
			usage_error(u, "argument subnets: Subnet [%s] is invalid, please refer to the "
				    "examples.", tok);
			err = -EINVAL;
			break;
		}
		strcpy(s->text, tok);
		o->nsubnets++;
	}
	if (!err && !o->nsubnets) {
		usage_error(u, "argument subnets: no subnet given");
		err = -EINVAL;
	}
	free(copy);
	return err;
}

/* bcc's -f conversions. */
static double convert(char format, uint64_t bytes)
{
	switch (format) {
	case 'b':
		return bytes * 8.0;
	case 'k':
		return bytes * 8.0 / 1024;
	case 'm':
		return bytes * 8.0 / (1024.0 * 1024);
	case 'K':
		return bytes / 1024.0;
	case 'M':
		return bytes / (1024.0 * 1024);
	default:
		return bytes;
	}
}

/* Destinations sent to since the last output, each into its first matching subnet. */
static void collect(struct state *s)
{
	int fd = bpf_map__fd(s->obj->maps.bytes);
	struct tcpsubnet_key keys[256], k, *prev;
	size_t n;

	do {
		n = 0;
		prev = NULL;
		while (n < 256 && !bpf_map_get_next_key(fd, prev, &k)) {
			keys[n] = k;
			prev = &keys[n++];
		}
		for (size_t i = 0; i < n; i++) {
			unsigned long long v;

			/* Lookup-and-delete: bytes sent meanwhile land in a new entry. */
			if (bpf_map_lookup_and_delete_elem(fd, &keys[i], &v))
				continue;
			for (size_t j = 0; j < s->o->nsubnets; j++) {
				struct subnet *sn = &s->o->subnets[j];

				if (net_addr_in_cidr(keys[i].family, keys[i].daddr, sn->family,
						     sn->addr, sn->prefix)) {
					const char *text = sn->text;

					sn->bytes += v;
					snoop_metric_add(s->sent, &text, v);
					break;
				}
			}
		}
	} while (n == 256);
}

static int cmp_bytes_desc(const void *a, const void *b)
{
	const struct subnet *x = *(const struct subnet *const *)a;
	const struct subnet *y = *(const struct subnet *const *)b;

	return x->bytes > y->bytes ? -1 : x->bytes < y->bytes;
}

static int print_output(void *ctx)
{
	struct state *s = ctx;
	struct opts *o = s->o;
	struct subnet *rows[MAX_SUBNETS];
	size_t n = 0;
	char date[32], tod[32];
	time_t now = time(NULL);
	struct tm tm;

	collect(s);
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%x", &tm);
	strftime(tod, sizeof(tod), "%X", &tm);
	for (size_t i = 0; i < o->nsubnets; i++)
		if (o->subnets[i].bytes)
			rows[n++] = &o->subnets[i];
	qsort(rows, n, sizeof(rows[0]), cmp_bytes_desc);
	if (o->json)
		printf("{\"date\": \"%s\", \"time\": \"%s\", \"entries\": {", date, tod);
	else
		printf("[%s %s]\n", date, tod);
	for (size_t i = 0; i < n; i++) {
		double v = convert(o->format, rows[i]->bytes);

		if (!o->json) {
			printf("%-21s %6lld\n", rows[i]->text, (long long)v);
			continue;
		}
		printf("%s", i ? ", " : "");
		json_str(stdout, rows[i]->text);
		if (o->format == 'b' || o->format == 'B')
			printf(": %llu", (unsigned long long)v);
		else
			printf(": %.10g", v);
	}
	if (o->json)
		printf("}}\n");
	for (size_t i = 0; i < o->nsubnets; i++)
		o->subnets[i].bytes = 0;
	fflush(stdout);
	return ferror(stdout) ? 1 : 0; /* the reader went away (tool | head): stop */
}

/* --metrics: what the map holds now goes to the subnets, as the next output would do */
static int collect_sent(void *ctx, struct metrics *m)
{
	collect(ctx);
	return 0;
}

static int add_metrics(void *ctx, struct metrics *m)
{
	static const char *const labels[] = {"subnet"};
	struct state *s = ctx;
	const struct snoop_metric spec = {
		&s->sent,
		"tracekit_tcpsubnet_sent_bytes",
		METRIC_COUNTER,
		"TCP bytes sent, by the first subnet of the list that holds the destination "
		"(tcpsubnet)",
		labels,
		1};
	int err = snoop_metrics_add(m, &spec, 1) ?: metrics_add_collector(m, collect_sent, s);

	for (size_t i = 0; !err && i < s->o->nsubnets; i++) {
		const char *text = s->o->subnets[i].text;

		snoop_metric_add(s->sent, &text, 0); /* nothing sent there yet: 0, not absent */
	}
	return err;
}

/* the default subnets when none are given, and the ready line */
static int fill(struct tool_run *run, void *skel)
{
	struct state *s = run->ctx;

	s->obj = skel;
	if (!s->o->nsubnets && parse_subnets(s->o, &cli.usage, 0, DEFAULT_SUBNETS))
		return 2;
	snprintf(s->ready, sizeof(s->ready), "Tracing... Output every %lu secs. Hit Ctrl-C to end",
		 s->o->interval_s);
	run->ready = s->ready;
	return 0;
}

static int tcpsubnet_main(int argc, char **argv)
{
	struct opts o = {.format = 'B', .interval_s = 1};
	struct state s = {.o = &o};
	/* bcc prints once more on Ctrl-C */
	struct tool_run run = {.skel = &tcpsubnet_tool_skel,
			       .fill = fill,
			       .ctx = &s,
			       TOOL_SUMMARY(print_output),
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(tcpsubnet, tcpsubnet_main, "TCP bytes sent per destination subnet (bcc tcpsubnet)",
	      &cli);
