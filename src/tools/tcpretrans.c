// SPDX-License-Identifier: GPL-2.0
/*
 * tcpretrans: trace TCP retransmits (bcc's tcpretrans.py, same options and columns), from the
 * tcp:tcp_retransmit_skb tracepoint. PID is the task on-CPU at the retransmit, as in bcc:
 * usually 0, since retransmits mostly run from timers in softirq.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tcpretrans.h"
#include "core/attach.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/net.h"
#include "core/out.h"
#include "core/usage.h"
#include "tcpretrans.skel.h"
#include "core/btfmin.h"
#include "tools/tcp_common.h"
#include "tools/tcpb_util.h"
#include "tools/tool.h"

struct opts {
	bool lossprobe, count, sequence, json, verbose;
	int family; /* 0, AF_INET or AF_INET6 */
};

static const char usage_text[] =
	"usage: tcpretrans [-h] [-l] [-c] [-s] [-4 | -6] [--json] [-v]\n"
	"\n"
	"Trace TCP retransmits (tracepoint tcp:tcp_retransmit_skb)\n"
	"\n"
	"options:\n"
	"  -h, --help       show this help message and exit\n"
	"  -l, --lossprobe  include tail loss probe attempts (needs kprobes: refused here\n"
	"                   when the kernel has none, as TLPs have no tracepoint)\n"
	"  -c, --count      count occurred retransmits per flow\n"
	"  -s, --sequence   display TCP sequence numbers\n"
	"  -4, --ipv4       trace IPv4 family only\n"
	"  -6, --ipv6       trace IPv6 family only\n"
	"      --json       one JSON object per retransmit (with -c: one at exit)\n"
	"  -v, --verbose    print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    tcpretrans           # trace TCP retransmits\n"
	"    tcpretrans -l        # include TLP attempts\n"
	"    tcpretrans -4        # trace IPv4 family only\n"
	"    tcpretrans -6        # trace IPv6 family only\n";

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"lossprobe", no_argument, NULL, 'l'},
		{"count", no_argument, NULL, 'c'},
		{"sequence", no_argument, NULL, 's'},
		{"ipv4", no_argument, NULL, '4'},
		{"ipv6", no_argument, NULL, '6'},
		{"json", no_argument, NULL, 'J'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	static const struct usage cli = {usage_text, ":hlcs46v", longopts};
	int c;

	while ((c = usage_getopt(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			usage_help(&cli);
			return 1;
		case 'l':
			o->lossprobe = true;
			break;
		case 'c':
			o->count = true;
			break;
		case 's':
			o->sequence = true;
			break;
		case '4':
		case '6':
			if (tcp_family_opt(&cli, c, &o->family))
				return -EINVAL;
			break;
		case 'J':
			o->json = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		default:
			return -usage_getopt_error(&cli, c, argv);
		}
	}
	if (optind < argc)
		return -usage_extra_args(&cli, argc, argv, optind);
	return 0;
}

/* A reader that went away (tool | head) ends the run: -EPIPE stops the event loop. */
static int stdout_gone(void)
{
	return ferror(stdout) ? -EPIPE : 0;
}

static const char *type_str(unsigned int type)
{
	return type == TCPRETRANS_TLP ? "L" : "R";
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct opts *o = ctx;
	const struct tcpretrans_event *e = data;
	const struct tk_flow *f = &e->flow;
	char ts[16], l[NET_ADDR_STRLEN], r[NET_ADDR_STRLEN];

	if (size < sizeof(*e))
		return 0;
	time_hms(ts, sizeof(ts));
	if (o->json) {
		printf("{\"time\":\"%s\",\"pid\":%u,\"ip\":%d,\"laddr\":\"%s\",\"lport\":%u,"
		       "\"type\":\"%s\",\"raddr\":\"%s\",\"rport\":%u,\"state\":\"%s\"",
		       ts, e->pid, net_ipver(f->family),
		       net_addr_str(l, sizeof(l), f->family, f->saddr), f->sport, type_str(e->type),
		       net_addr_str(r, sizeof(r), f->family, f->daddr), f->dport,
		       net_tcp_state_name(e->state));
		if (o->sequence)
			printf(",\"seq\":%u", e->seq);
		printf("}\n");
		return stdout_gone();
	}
	net_addr_port_str(l, sizeof(l), f->family, f->saddr, f->sport, ':');
	net_addr_port_str(r, sizeof(r), f->family, f->daddr, f->dport, ':');
	if (o->sequence)
		printf("%-8s %-7u %-2d %-20s %1s> %-20s %-11s %u\n", ts, e->pid,
		       net_ipver(f->family), l, type_str(e->type), r, net_tcp_state_name(e->state),
		       e->seq);
	else
		printf("%-8s %-7u %-2d %-20s %1s> %-20s %s\n", ts, e->pid, net_ipver(f->family), l,
		       type_str(e->type), r, net_tcp_state_name(e->state));
	return stdout_gone();
}

struct flow_count {
	struct tk_flow flow;
	uint64_t n;
};

static int cmp_count(const void *a, const void *b)
{
	const struct flow_count *x = a, *y = b;

	return x->n < y->n ? -1 : x->n > y->n;
}

/* bcc's -c summary: ascending by count, IPv4 flows first. */
static int print_counts(int fd, const struct opts *o)
{
	struct tk_flow key, *prev = NULL;
	struct flow_count *v = NULL;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		uint64_t cnt;

		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &cnt))
			continue;
		if (n == cap) {
			struct flow_count *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n].flow = key;
		v[n++].n = cnt;
	}
	qsort(v, n, sizeof(*v), cmp_count);
	if (o->json)
		printf("{\"retransmits\":[");
	else
		printf("\n%-25s %-25s %-10s\n", "LADDR:LPORT", "RADDR:RPORT", "RETRANSMITS");
	for (int pass = 0, first = 1; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			const struct tk_flow *f = &v[i].flow;
			char la[NET_ADDR_STRLEN], ra[NET_ADDR_STRLEN];
			char l[NET_ADDR_STRLEN + 8], r[NET_ADDR_STRLEN + 8];

			if ((f->family == 2) != (pass == 0))
				continue;
			net_addr_str(la, sizeof(la), f->family, f->saddr);
			net_addr_str(ra, sizeof(ra), f->family, f->daddr);
			if (o->json) {
				printf("%s{\"ip\":%d,\"laddr\":\"%s\",\"lport\":%u,\"raddr\":\"%"
				       "s\","
				       "\"rport\":%u,\"retransmits\":%llu}",
				       first ? "" : ",", net_ipver(f->family), la, f->sport, ra,
				       f->dport, (unsigned long long)v[i].n);
				first = 0;
				continue;
			}
			snprintf(l, sizeof(l), "[%s]#%u", la, f->sport);
			snprintf(r, sizeof(r), "[%s]#%u", ra, f->dport);
			printf("%-20s <-> %-20s %10llu\n", l, r, (unsigned long long)v[i].n);
		}
	}
	if (o->json)
		printf("]}\n");
	free(v);
	return 0;
}

static int run(const struct opts *o)
{
	struct ring_buffer *rb = NULL;
	struct attach_set *as = NULL;
	struct tcpretrans *obj = NULL;
	struct btf_min *bm = NULL;
	struct event_loop loop;
	char why[256] = "";
	int err;

	err = loop__init(&loop);
	if (err) {
		tk_err("event loop: %s", strerror(-err));
		return 1;
	}
	if (o->lossprobe && kernel_kfunc_mech(why, sizeof(why)) != KFUNC_KPROBE) {
		tk_err("-l: tail loss probes have no tracepoint and need a kprobe on "
		       "tcp_send_loss_probe, which this kernel cannot attach");
		err = -EOPNOTSUPP;
		goto out;
	}
	/* A few-KB BTF for CO-RE instead of libbpf reading all of the kernel's. */
	obj = BTF_MIN_SKEL_OPEN(tcpretrans, &bm);
	if (!obj) {
		err = -errno;
		tk_err("failed to open BPF object: %s", strerror(-err));
		goto out;
	}
	obj->rodata->targ_family = o->family;
	obj->rodata->count_mode = o->count;
	bpf_program__set_autoload(obj->progs.tcp_send_loss_probe, o->lossprobe);
	err = tcpretrans__load(obj);
	if (err) {
		tcpb_load_error(err);
		goto out;
	}
	err = tcpb_attach_all(obj->obj, &as);
	if (err)
		goto out;
	err = tcpb_watch_stdout(&loop);
	if (err) {
		tk_err("event loop: %s", strerror(-err));
		goto out;
	}
	if (!o->count) {
		rb = ring_buffer__new(bpf_map__fd(obj->maps.events), on_event, (void *)o, NULL);
		if (!rb) {
			err = -errno;
			tk_err("ring buffer: %s", strerror(-err));
			goto out;
		}
		err = loop__add_ringbuf(&loop, rb);
		if (err) {
			tk_err("event loop: %s", strerror(-err));
			goto out;
		}
	}
	/* With --json the ready line goes to stderr, keeping stdout pure JSON. */
	fprintf(o->json ? stderr : stdout, "Tracing retransmits ... Hit Ctrl-C to end\n");
	if (!o->json) {
		if (!o->count && o->sequence)
			printf("%-8s %-7s %-2s %-20s %1s> %-20s %-11s %s\n", "TIME", "PID", "IP",
			       "LADDR:LPORT", "T", "RADDR:RPORT", "STATE", "SEQ");
		else if (!o->count)
			printf("%-8s %-7s %-2s %-20s %1s> %-20s %-4s\n", "TIME", "PID", "IP",
			       "LADDR:LPORT", "T", "RADDR:RPORT", "STATE");
	}
	err = loop__run(&loop) == LOOP_ERROR ? -EIO : 0;
	if (rb)
		ring_buffer__consume(rb);
	if (!err && o->count)
		err = print_counts(bpf_map__fd(obj->maps.counts), o);
out:
	btf_min__free(bm);
	ring_buffer__free(rb);
	attach_set__destroy(as);
	tcpretrans__destroy(obj);
	loop__close(&loop);
	return err ? 1 : 0;
}

static int tcpretrans_main(int argc, char **argv)
{
	struct opts o = {0};
	int err = parse_opts(argc, argv, &o);

	if (err)
		return err > 0 ? 0 : 2;
	tk_stdout_linebuf();
	tk_libbpf_setup(o.verbose);
	return run(&o);
}

TOOL_REGISTER(tcpretrans, tcpretrans_main, "trace TCP retransmits (bcc tcpretrans)");
