// SPDX-License-Identifier: GPL-2.0
/*
 * tcprtt: TCP smoothed RTT as log2 histograms (bcc's tcprtt, libbpf-tools' output with -b/-B
 * and -e), from the tcp:tcp_probe tracepoint: one sample per segment received by an
 * ESTABLISHED socket, like bcc's kprobe on tcp_rcv_established().
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tcprtt.h"
#include "core/attach.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/net.h"
#include "core/out.h"
#include "core/usage.h"
#include "tcprtt.skel.h"
#include "tools/snoop_common.h"
#include "core/btfmin.h"
#include "tools/tcp_common.h"
#include "tools/tcpb_util.h"
#include "tools/tool.h"

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
	unsigned long elapsed_s;
};

static const char usage_text[] =
	"usage: tcprtt [-h] [-i INTERVAL] [-d DURATION] [-T] [-m] [-p LPORT] [-P RPORT]\n"
	"              [-a LADDR] [-A RADDR] [-b] [-B] [-e] [-D] [-4 | -6] [--json] [-v]\n"
	"\n"
	"Summarize TCP RTT as a histogram (tracepoint tcp:tcp_probe: the smoothed RTT of\n"
	"the receiving socket, sampled at each segment an ESTABLISHED socket receives)\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -i, --interval INTERVAL\n"
	"                        summary interval, seconds\n"
	"  -d, --duration DURATION\n"
	"                        total duration of trace, seconds\n"
	"  -T, --timestamp       include timestamp on output\n"
	"  -m, --milliseconds    millisecond histogram\n"
	"  -p, --lport LPORT     filter for local port\n"
	"  -P, --rport RPORT     filter for remote port\n"
	"  -a, --laddr LADDR     filter for local address (IPv4 or IPv6)\n"
	"  -A, --raddr RADDR     filter for remote address (IPv4 or IPv6)\n"
	"  -b, --byladdr         show sockets histogram by local address\n"
	"  -B, --byraddr         show sockets histogram by remote address\n"
	"  -e, --extension       show extension summary(average)\n"
	"  -D, --debug           print libbpf's messages (same as -v)\n"
	"  -4, --ipv4            trace IPv4 family only\n"
	"  -6, --ipv6            trace IPv6 family only\n"
	"      --json            one JSON object per summary\n"
	"  -v, --verbose         print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    tcprtt            # summarize TCP RTT\n"
	"    tcprtt -i 1 -d 10 # print 1 second summaries, 10 times\n"
	"    tcprtt -m -T      # summarize in millisecond, and timestamps\n"
	"    tcprtt -p 80      # filter for local port\n"
	"    tcprtt -P 80      # filter for remote port\n"
	"    tcprtt -a 127.0.0.1 # filter for local address\n"
	"    tcprtt -A ::1     # filter for remote address\n"
	"    tcprtt -b         # show sockets histogram by local address\n"
	"    tcprtt -B         # show sockets histogram by remote address\n"
	"    tcprtt -e         # show extension summary(average)\n";

static int parse_addr(const struct usage *u, int opt, const char *s, int *family,
		      uint8_t addr[16])
{
	if (net_parse_addr(s, family, addr)) {
		usage_arg_error(u, opt, "invalid address: '%s'", s);
		return -EINVAL;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum { OPT_JSON = 256 };
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"interval", required_argument, NULL, 'i'},
		{"duration", required_argument, NULL, 'd'},
		{"timestamp", no_argument, NULL, 'T'},
		{"milliseconds", no_argument, NULL, 'm'},
		{"lport", required_argument, NULL, 'p'},
		{"rport", required_argument, NULL, 'P'},
		{"laddr", required_argument, NULL, 'a'},
		{"raddr", required_argument, NULL, 'A'},
		{"byladdr", no_argument, NULL, 'b'},
		{"byraddr", no_argument, NULL, 'B'},
		{"extension", no_argument, NULL, 'e'},
		{"debug", no_argument, NULL, 'D'},
		{"ipv4", no_argument, NULL, '4'},
		{"ipv6", no_argument, NULL, '6'},
		{"json", no_argument, NULL, OPT_JSON},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	static const struct usage cli = {usage_text, ":hi:d:Tmp:P:a:A:bBeD46v", longopts};
	const unsigned long max_s = 86400UL * 365;
	int c;

	while ((c = usage_getopt(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			usage_help(&cli);
			return 1;
		case 'i':
			if (usage_parse_ulong(&cli, c, optarg, 1, max_s, &o->interval_s))
				return -EINVAL;
			break;
		case 'd':
			if (usage_parse_ulong(&cli, c, optarg, 1, max_s, &o->duration_s))
				return -EINVAL;
			break;
		case 'T':
			o->timestamp = true;
			break;
		case 'm':
			o->ms = true;
			break;
		case 'p':
		case 'P':
			if (net_parse_port(optarg, c == 'p' ? &o->lport : &o->rport, false)) {
				usage_arg_error(&cli, c, "invalid port: '%s'", optarg);
				return -EINVAL;
			}
			break;
		case 'a':
			if (parse_addr(&cli, c, optarg, &o->laddr_family, o->laddr))
				return -EINVAL;
			break;
		case 'A':
			if (parse_addr(&cli, c, optarg, &o->raddr_family, o->raddr))
				return -EINVAL;
			break;
		case 'b':
			o->laddr_hist = true;
			break;
		case 'B':
			o->raddr_hist = true;
			break;
		case 'e':
			o->extended = true;
			break;
		case '4':
		case '6':
			if (tcp_family_opt(&cli, c, &o->family))
				return -EINVAL;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'D':
		case 'v':
			o->verbose = true;
			break;
		default:
			return -usage_getopt_error(&cli, c, argv);
		}
	}
	if (optind < argc)
		return -usage_extra_args(&cli, argc, argv, optind);
	if (o->laddr_hist && o->raddr_hist)
		return -usage_exclusive(&cli, 'B', 'b');
	if (o->family && ((o->laddr_family && o->laddr_family != o->family) ||
			  (o->raddr_family && o->raddr_family != o->family)))
		return -usage_error(&cli, "an address filter of the other family than -%d matches "
				    "nothing", o->family == 2 ? 4 : 6);
	return 0;
}

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
		tcpb_json_log2(stdout, (const uint64_t *)h->slots, TCPRTT_SLOTS);
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
			print_hist(s, &keys[i], &h, printed++ == 0);
		}
		if (n < 64)
			break;
	}
	if (o->json)
		printf("]}\n");
	fflush(stdout);
	if (ferror(stdout))
		return 1; /* the reader went away (tool | head): stop */
	s->elapsed_s += o->interval_s;
	return o->duration_s && o->interval_s && s->elapsed_s >= o->duration_s;
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
	s.obj = BTF_MIN_SKEL_OPEN(tcprtt, &bm);
	if (!s.obj) {
		err = -errno;
		tk_err("failed to open BPF object: %s", strerror(-err));
		goto out;
	}
	s.obj->rodata->targ_sport = o->lport;
	s.obj->rodata->targ_dport = o->rport;
	s.obj->rodata->targ_saddr_family = o->laddr_family;
	memcpy((void *)s.obj->rodata->targ_saddr, o->laddr, 16);
	s.obj->rodata->targ_daddr_family = o->raddr_family;
	memcpy((void *)s.obj->rodata->targ_daddr, o->raddr, 16);
	s.obj->rodata->targ_family = o->family;
	s.obj->rodata->targ_laddr_hist = o->laddr_hist;
	s.obj->rodata->targ_raddr_hist = o->raddr_hist;
	s.obj->rodata->targ_ms = o->ms;
	err = tcprtt__load(s.obj);
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
		err = loop__set_interval(&loop, o->interval_s * 1000, print_summary, &s);
		if (!err && o->duration_s)
			err = loop__set_duration(&loop, o->duration_s * 1000 + 500);
	} else if (o->duration_s) {
		err = loop__set_duration(&loop, o->duration_s * 1000);
	}
	if (err) {
		tk_err("timer: %s", strerror(-err));
		goto out;
	}
	/* With --json the ready line goes to stderr, keeping stdout pure JSON. */
	if (o->duration_s)
		fprintf(o->json ? stderr : stdout, "Tracing TCP RTT for %lu secs.\n",
			o->duration_s);
	else
		fprintf(o->json ? stderr : stdout, "Tracing TCP RTT... Hit Ctrl-C to end.\n");
	why = loop__run(&loop);
	if (why == LOOP_ERROR)
		err = -EIO;
	/* The last summary: on Ctrl-C, or at the end of -d without -i. */
	else if (why == LOOP_SIGNAL || !o->interval_s)
		print_summary(&s);
out:
	btf_min__free(bm);
	attach_set__destroy(as);
	tcprtt__destroy(s.obj);
	loop__close(&loop);
	return err ? 1 : 0;
}

static int tcprtt_main(int argc, char **argv)
{
	struct opts o = {0};
	int err = parse_opts(argc, argv, &o);

	if (err)
		return err > 0 ? 0 : 2;
	tk_stdout_linebuf();
	tk_libbpf_setup(o.verbose);
	return run(&o);
}

TOOL_REGISTER(tcprtt, tcprtt_main, "TCP RTT histogram (bcc tcprtt)");
