// SPDX-License-Identifier: GPL-2.0
/*
 * tcpcong: how long each TCP flow spends in each congestion-control state (Open, Disorder,
 * CWR, Recovery, Loss), per interval (bcc's tcpcong.py, same options and columns), from
 * tcp:tcp_cong_state_set plus sock:inet_sock_set_state for the first and last periods.
 *
 * The BPF side only accumulates; each print shows the growth since the previous print, kept
 * here as a snapshot, so nothing is lost between reading and clearing a map.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tcpcong.h"
#include "core/attach.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/net.h"
#include "core/out.h"
#include "core/usage.h"
#include "tcpcong.skel.h"
#include "core/btfmin.h"
#include "tools/tcpb_util.h"
#include "tools/tool.h"

struct opts {
	bool timestamp, dist, micro, json, verbose;
	bool lports, rports;
	uint16_t lport_min, lport_max, rport_min, rport_max;
	unsigned long interval_s; /* 0: only at exit */
	unsigned long outputs;	  /* 0: unlimited */
};

struct snap {
	uint64_t key;
	struct tcpcong_flow v;
};

struct state {
	const struct opts *o;
	struct tcpcong *obj;
	struct snap *prev; /* sorted by key */
	size_t nprev;
	uint64_t prev_dist[TCPCONG_NSTATES][TCPCONG_SLOTS];
	unsigned long printed;
};

static const char *const state_names[TCPCONG_NSTATES] = {"open", "disorder", "cwr", "recovery",
							 "loss"};

static const char usage_text[] =
	"usage: tcpcong [-h] [-L LOCALPORT] [-R REMOTEPORT] [-T] [-d] [-u] [-j] [-v]\n"
	"               [interval] [outputs]\n"
	"\n"
	"Summarize tcp socket congestion control status duration\n"
	"(tracepoints tcp:tcp_cong_state_set and sock:inet_sock_set_state)\n"
	"\n"
	"positional arguments:\n"
	"  interval              output interval, in seconds\n"
	"  outputs               number of outputs\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -L, --localport LOCALPORT\n"
	"                        trace local ports only (PORT or LO-HI)\n"
	"  -R, --remoteport REMOTEPORT\n"
	"                        trace the dest ports only (PORT or LO-HI)\n"
	"  -T, --timestamp       include timestamp on output\n"
	"  -d, --dist            show distributions as histograms\n"
	"  -u, --microseconds    output in microseconds\n"
	"  -j, --json            one JSON object per output\n"
	"  -v, --verbose         print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    tcpcong                 # show tcp congestion status duration\n"
	"    tcpcong 1 10            # show 1 second summaries, 10 times\n"
	"    tcpcong -L 3000-3006 1  # 1s summaries, local port 3000-3006\n"
	"    tcpcong -R 5000-5005 1  # 1s summaries, remote port 5000-5005\n"
	"    tcpcong -uT 1           # 1s summaries, microseconds, and timestamps\n"
	"    tcpcong -d              # show the duration as histograms\n";

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"localport", required_argument, NULL, 'L'},
		{"remoteport", required_argument, NULL, 'R'},
		{"timestamp", no_argument, NULL, 'T'},
		{"dist", no_argument, NULL, 'd'},
		{"microseconds", no_argument, NULL, 'u'},
		{"json", no_argument, NULL, 'j'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	static const struct usage cli = {usage_text, ":hL:R:Tdujv", longopts};
	int c;

	while ((c = usage_getopt(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			usage_help(&cli);
			return 1;
		case 'L':
			if (net_parse_port_range(optarg, &o->lport_min, &o->lport_max)) {
				usage_arg_error(&cli, c, "invalid port range: '%s'", optarg);
				return -EINVAL;
			}
			o->lports = true;
			break;
		case 'R':
			if (net_parse_port_range(optarg, &o->rport_min, &o->rport_max)) {
				usage_arg_error(&cli, c, "invalid port range: '%s'", optarg);
				return -EINVAL;
			}
			o->rports = true;
			break;
		case 'T':
			o->timestamp = true;
			break;
		case 'd':
			o->dist = true;
			break;
		case 'u':
			o->micro = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		default:
			return -usage_getopt_error(&cli, c, argv);
		}
	}
	if (optind < argc && usage_parse_ulong_arg(&cli, "interval", argv[optind++], 1,
						   86400 * 365, &o->interval_s))
		return -EINVAL;
	if (optind < argc && usage_parse_ulong_arg(&cli, "outputs", argv[optind++], 1,
						   86400 * 365, &o->outputs))
		return -EINVAL;
	if (optind < argc)
		return -usage_extra_args(&cli, argc, argv, optind);
	return 0;
}

static int cmp_snap_key(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Rows in bcc's order: by local port. */
static int cmp_snap_lport(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	return (int)x->v.flow.sport - (int)y->v.flow.sport;
}

/* Every flow of the map, sorted by key; *n gets the count. NULL with *n = 0 when empty. */
static struct snap *read_flows(int fd, size_t *n)
{
	struct snap *v = NULL;
	size_t cap = 0;
	uint64_t key, *prev = NULL;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (*n == cap) {
			struct snap *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[*n].key = key;
		if (!bpf_map_lookup_elem(fd, &key, &v[*n].v))
			(*n)++;
	}
	if (v)
		qsort(v, *n, sizeof(*v), cmp_snap_key);
	return v;
}

static void print_flows(struct state *s, struct snap *delta, size_t n, const char *ts)
{
	const struct opts *o = s->o;
	const char *label = o->micro ? "us" : "ms";
	unsigned int div = o->micro ? 1 : 1000;
	bool first = true;

	qsort(delta, n, sizeof(*delta), cmp_snap_lport);
	if (o->json)
		printf("{\"time\":\"%s\",\"flows\":[", ts);
	for (int pass = 0; pass < 2; pass++) {
		bool v6 = pass == 1, header = false;

		for (size_t i = 0; i < n; i++) {
			const struct tcpcong_flow *v = &delta[i].v;
			const struct tk_flow *f = &v->flow;
			char l[NET_ADDR_STRLEN], r[NET_ADDR_STRLEN];
			unsigned long long d[TCPCONG_NSTATES];

			if ((f->family == 10) != v6 || !v->changes)
				continue;
			for (int k = 0; k < TCPCONG_NSTATES; k++)
				d[k] = v->dura_us[k] / div;
			net_addr_port_str(l, sizeof(l), f->family, f->saddr, f->sport, '/');
			net_addr_port_str(r, sizeof(r), f->family, f->daddr, f->dport, '/');
			if (o->json) {
				printf("%s{\"ip\":%d,\"LAddrPort\":\"%s\",\"RAddrPort\":\"%s\","
				       "\"Open_%s\":%llu,\"Dod_%s\":%llu,\"Rcov_%s\":%llu,"
				       "\"Cwr_%s\":%llu,\"Los_%s\":%llu,\"Chgs\":%llu}",
				       first ? "" : ",", v6 ? 6 : 4, l, r, label, d[0], label, d[1],
				       label, d[3], label, d[2], label, d[4],
				       (unsigned long long)v->changes);
				first = false;
				continue;
			}
			if (!header) {
				char h[5][16];

				snprintf(h[0], 16, "Open_%s", label);
				snprintf(h[1], 16, "Dod_%s", label);
				snprintf(h[2], 16, "Rcov_%s", label);
				snprintf(h[3], 16, "Cwr_%s", label);
				snprintf(h[4], 16, "Los_%s", label);
				if (v6)
					printf("%-32s %-32s %-7s %-6s %-7s %-7s %-6s %-5s\n",
					       "LAddrPort6", "RAddrPort6", h[0], h[1], h[2], h[3],
					       h[4], "Chgs");
				else
					printf("%-21s%-21s %-7s %-6s %-7s %-7s %-6s %-5s\n",
					       "LAddrPort", "RAddrPort", h[0], h[1], h[2], h[3],
					       h[4], "Chgs");
				header = true;
			}
			/* bcc's formats, including their differing IPv6 column widths. */
			if (v6)
				printf("%-32s %-32s %-7llu %-7llu %-7llu %-6llu %-6llu %-5llu\n", l,
				       r, d[0], d[1], d[3], d[2], d[4],
				       (unsigned long long)v->changes);
			else
				printf("%-21s %-21s %-7llu %-6llu %-7llu %-7llu %-6llu %-5llu\n", l,
				       r, d[0], d[1], d[3], d[2], d[4],
				       (unsigned long long)v->changes);
		}
	}
	if (o->json)
		printf("]}\n");
}

/* Whether cur is prev's flow, later: same tuple, and no counter went backwards. */
static bool grew(const struct tcpcong_flow *prev, const struct tcpcong_flow *cur)
{
	if (memcmp(&prev->flow, &cur->flow, sizeof(prev->flow)) || prev->last_ts > cur->last_ts ||
	    prev->changes > cur->changes)
		return false;
	for (int k = 0; k < TCPCONG_NSTATES; k++)
		if (prev->dura_us[k] > cur->dura_us[k])
			return false;
	return true;
}

/* Flow growth since the last print; closed flows are dropped from the map once shown. */
static int print_table(struct state *s, const char *ts)
{
	int fd = bpf_map__fd(s->obj->maps.flows);
	size_t n, nd = 0;
	struct snap *cur = read_flows(fd, &n);
	struct snap *delta = n ? calloc(n, sizeof(*delta)) : NULL;

	if (n && !delta) {
		free(cur);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct snap *p =
			s->prev ? bsearch(&cur[i], s->prev, s->nprev, sizeof(*cur), cmp_snap_key)
				: NULL;
		struct snap *d = &delta[nd++];

		*d = cur[i];
		/* The same sock pointer reused by a newer flow starts from zero. */
		if (p && grew(&p->v, &cur[i].v)) {
			for (int k = 0; k < TCPCONG_NSTATES; k++)
				d->v.dura_us[k] -= p->v.dura_us[k];
			d->v.changes -= p->v.changes;
		}
		if (cur[i].v.closed)
			bpf_map_delete_elem(fd, &cur[i].key);
	}
	print_flows(s, delta, nd, ts);
	free(delta);
	free(s->prev);
	s->prev = cur;
	s->nprev = n;
	return 0;
}

static int print_dist(struct state *s, const char *ts)
{
	const char *unit = s->o->micro ? "usecs" : "msecs";
	bool first = true;

	if (s->o->json)
		printf("{\"time\":\"%s\",\"unit\":\"%s\",\"states\":[", ts, unit);
	for (int st = 0; st < TCPCONG_NSTATES; st++) {
		uint64_t slots[TCPCONG_SLOTS], total = 0;

		for (int i = 0; i < TCPCONG_SLOTS; i++) {
			uint64_t cur = __atomic_load_n(&s->obj->bss->dist[st][i], __ATOMIC_RELAXED);

			slots[i] = cur - s->prev_dist[st][i];
			s->prev_dist[st][i] = cur;
			total += slots[i];
		}
		if (!total)
			continue;
		if (!s->o->json) {
			printf("\ntcp_congest_state = %s\n", state_names[st]);
			hist_print_log2(stdout, slots, TCPCONG_SLOTS, unit);
			continue;
		}
		printf("%s{\"state\":\"%s\",\"buckets\":", first ? "" : ",", state_names[st]);
		first = false;
		tcpb_json_log2(stdout, slots, TCPCONG_SLOTS);
		printf("}");
	}
	if (s->o->json)
		printf("]}\n");
	return 0;
}

static int print_output(void *ctx)
{
	struct state *s = ctx;
	char ts[16];
	int err;

	time_hms(ts, sizeof(ts));
	if (!s->o->json) {
		printf("\n");
		if (s->o->timestamp)
			printf("%-8s\n", ts);
	}
	err = s->o->dist ? print_dist(s, ts) : print_table(s, ts);
	if (err)
		return err;
	fflush(stdout);
	if (ferror(stdout))
		return -EPIPE; /* the reader went away (tool | head): stop */
	return s->o->outputs && ++s->printed >= s->o->outputs;
}

static int run(const struct opts *o)
{
	struct state s = {.o = o};
	struct attach_set *as = NULL;
	struct btf_min *bm = NULL;
	struct event_loop loop;
	enum loop_reason why_stop;
	int err;

	err = loop__init(&loop);
	if (err) {
		tk_err("event loop: %s", strerror(-err));
		return 1;
	}
	/* A few-KB BTF for CO-RE instead of libbpf reading all of the kernel's. */
	s.obj = BTF_MIN_SKEL_OPEN(tcpcong, &bm);
	if (!s.obj) {
		err = -errno;
		tk_err("failed to open BPF object: %s", strerror(-err));
		goto out;
	}
	if (o->lports) {
		s.obj->rodata->lport_min = o->lport_min;
		s.obj->rodata->lport_max = o->lport_max;
	}
	if (o->rports) {
		s.obj->rodata->rport_min = o->rport_min;
		s.obj->rodata->rport_max = o->rport_max;
	}
	s.obj->rodata->dist_mode = o->dist;
	s.obj->rodata->micro = o->micro;
	err = tcpcong__load(s.obj);
	if (err) {
		tcpb_load_error(err);
		goto out;
	}
	err = tcpb_attach_all(s.obj->obj, &as);
	if (err)
		goto out;
	err = tcpb_watch_stdout(&loop);
	if (err) {
		tk_err("event loop: %s", strerror(-err));
		goto out;
	}
	if (o->interval_s) {
		err = loop__set_interval(&loop, o->interval_s * 1000, print_output, &s);
		if (err) {
			tk_err("interval timer: %s", strerror(-err));
			goto out;
		}
	}
	/* With --json the ready line goes to stderr, keeping stdout pure JSON. */
	fprintf(o->json ? stderr : stdout,
		"Tracing tcp congestion control status duration... Hit Ctrl-C to end.\n");
	why_stop = loop__run(&loop);
	if (why_stop == LOOP_ERROR)
		err = -EIO;
	else if (why_stop == LOOP_SIGNAL || !o->interval_s)
		err = print_output(&s) < 0 ? -EIO : 0;
out:
	btf_min__free(bm);
	attach_set__destroy(as);
	tcpcong__destroy(s.obj);
	loop__close(&loop);
	free(s.prev);
	return err ? 1 : 0;
}

static int tcpcong_main(int argc, char **argv)
{
	struct opts o = {0};
	int err = parse_opts(argc, argv, &o);

	if (err)
		return err > 0 ? 0 : 2;
	tk_stdout_linebuf();
	tk_libbpf_setup(o.verbose);
	return run(&o);
}

TOOL_REGISTER(tcpcong, tcpcong_main, "time per TCP congestion state per flow (bcc tcpcong)");
