// SPDX-License-Identifier: GPL-2.0
/*
 * tcpsynbl: the TCP listen backlog as log2 histograms, one per backlog limit (bcc's tcpsynbl
 * and libbpf-tools' options), without kprobes: see src/bpf/tcpsynbl.bpf.c for why the
 * LISTEN -> SYN_RECV transition of the child socket carries the same numbers bcc reads at
 * tcp_v4_syn_recv_sock().
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tcpsynbl.h"
#include "core/attach.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/out.h"
#include "core/usage.h"
#include "tcpsynbl.skel.h"
#include "tools/snoop_common.h"
#include "core/btfmin.h"
#include "tools/tcp_common.h"
#include "tools/tcpb_util.h"
#include "tools/tool.h"

struct opts {
	bool timestamp, json, verbose;
	int family;
	unsigned long interval_s, count;
};

struct state {
	const struct opts *o;
	struct tcpsynbl *obj;
	unsigned long printed;
};

static const char usage_text[] =
	"usage: tcpsynbl [-h] [-T] [-4 | -6] [--json] [-v] [interval] [count]\n"
	"\n"
	"Summarize TCP SYN backlog as a histogram.\n"
	"\n"
	"Measures, each time a TCP handshake completes on a listener, how many "
	"established\n"
	"connections were already waiting in its accept queue (sk_ack_backlog), with one\n"
	"histogram per backlog limit (backlog_max, from listen()). Read from the new "
	"child\n"
	"socket at tracepoint sock:inet_sock_set_state LISTEN -> SYN_RECV, where it is a\n"
	"copy of the listener: the same values bcc reads at tcp_v4/v6_syn_recv_sock().\n"
	"Handshakes dropped because the queue is full create no child and are not "
	"counted.\n"
	"\n"
	"positional arguments:\n"
	"  interval         output interval, in seconds\n"
	"  count            number of outputs\n"
	"\n"
	"options:\n"
	"  -h, --help       show this help message and exit\n"
	"  -T, --timestamp  include timestamp on output\n"
	"  -4, --ipv4       trace IPv4 family only\n"
	"  -6, --ipv6       trace IPv6 family only\n"
	"      --json       one JSON object per output\n"
	"  -v, --verbose    print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    tcpsynbl              # summarize TCP SYN backlog as a histogram\n"
	"    tcpsynbl 1 10         # print 1 second summaries, 10 times\n"
	"    tcpsynbl -T 1         # 1s summaries with timestamps\n"
	"    tcpsynbl -4           # trace IPv4 family only\n"
	"    tcpsynbl -6           # trace IPv6 family only\n";

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum { OPT_JSON = 256 };
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"timestamp", no_argument, NULL, 'T'},
		{"ipv4", no_argument, NULL, '4'},
		{"ipv6", no_argument, NULL, '6'},
		{"json", no_argument, NULL, OPT_JSON},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	static const struct usage cli = {usage_text, ":hT46v", longopts};
	const unsigned long max_s = 86400UL * 365;
	int c;

	while ((c = usage_getopt(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			usage_help(&cli);
			return 1;
		case 'T':
			o->timestamp = true;
			break;
		case '4':
		case '6':
			if (tcp_family_opt(&cli, c, &o->family))
				return -EINVAL;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		default:
			return -usage_getopt_error(&cli, c, argv);
		}
	}
	if (optind < argc &&
	    usage_parse_ulong_arg(&cli, "interval", argv[optind++], 1, max_s, &o->interval_s))
		return -EINVAL;
	if (optind < argc &&
	    usage_parse_ulong_arg(&cli, "count", argv[optind++], 1, ~0UL, &o->count))
		return -EINVAL;
	if (optind < argc)
		return -usage_extra_args(&cli, argc, argv, optind);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Print and remove every histogram (lookup-and-delete: no sample lost in between). */
static int print_output(void *ctx)
{
	struct state *s = ctx;
	const struct opts *o = s->o;
	int fd = bpf_map__fd(s->obj->maps.hists);
	uint64_t keys[1024], k, *prev = NULL;
	size_t n = 0;
	char ts[16];

	while (n < 1024 && !bpf_map_get_next_key(fd, prev, &k)) {
		keys[n] = k;
		prev = &keys[n++];
	}
	qsort(keys, n, sizeof(keys[0]), cmp_u64);
	time_hms(ts, sizeof(ts));
	if (o->json) {
		printf("{\"time\":\"%s\",\"hists\":[", ts);
	} else {
		printf("\n");
		if (o->timestamp)
			printf("%-8s\n", ts);
	}
	for (size_t i = 0, first = 1; i < n; i++) {
		struct tcpsynbl_hist h;
		uint64_t total = 0;

		if (bpf_map_lookup_and_delete_elem(fd, &keys[i], &h))
			continue;
		for (int j = 0; j < TCPSYNBL_SLOTS; j++)
			total += h.slots[j];
		if (o->json) {
			printf("%s{\"backlog_max\":%llu,\"count\":%llu,\"buckets\":",
			       first ? "" : ",", (unsigned long long)keys[i],
			       (unsigned long long)total);
			tcpb_json_log2(stdout, (const uint64_t *)h.slots, TCPSYNBL_SLOTS);
			printf("}");
			first = 0;
			continue;
		}
		printf("backlog_max = %llu\n", (unsigned long long)keys[i]);
		hist_print_log2(stdout, (const uint64_t *)h.slots, TCPSYNBL_SLOTS, "backlog");
	}
	if (o->json)
		printf("]}\n");
	fflush(stdout);
	if (ferror(stdout))
		return 1; /* the reader went away (tool | head): stop */
	return o->count && ++s->printed >= o->count;
}

static int run(const struct opts *o)
{
	struct state s = {.o = o};
	struct attach_set *as = NULL;
	struct btf_min *bm = NULL;
	struct event_loop loop;
	enum loop_reason why;
	int err;

	err = loop__init(&loop);
	if (err) {
		tk_err("event loop: %s", strerror(-err));
		return 1;
	}
	/* A few-KB BTF for CO-RE instead of libbpf reading all of the kernel's. */
	s.obj = BTF_MIN_SKEL_OPEN(tcpsynbl, &bm);
	if (!s.obj) {
		err = -errno;
		tk_err("failed to open BPF object: %s", strerror(-err));
		goto out;
	}
	s.obj->rodata->targ_family = o->family;
	err = tcpsynbl__load(s.obj);
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
	fprintf(o->json ? stderr : stdout, "Tracing SYN backlog size. Ctrl-C to end.\n");
	why = loop__run(&loop);
	if (why == LOOP_ERROR)
		err = -EIO;
	else if (why == LOOP_SIGNAL)
		print_output(&s);
out:
	btf_min__free(bm);
	attach_set__destroy(as);
	tcpsynbl__destroy(s.obj);
	loop__close(&loop);
	return err ? 1 : 0;
}

static int tcpsynbl_main(int argc, char **argv)
{
	struct opts o = {0};
	int err = parse_opts(argc, argv, &o);

	if (err)
		return err > 0 ? 0 : 2;
	tk_stdout_linebuf();
	tk_libbpf_setup(o.verbose);
	return run(&o);
}

TOOL_REGISTER(tcpsynbl, tcpsynbl_main, "TCP listen (accept) backlog histogram (bcc tcpsynbl)");
