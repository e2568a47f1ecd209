// SPDX-License-Identifier: GPL-2.0
/*
 * tcpdrop: TCP packets dropped by the kernel, with the drop reason and the kernel stack
 * (bcc's tcpdrop.py on its skb:kfree_skb path). Reason names come from the running kernel's
 * BTF (enum skb_drop_reason) and symbols from /proc/kallsyms, both loaded at the first drop so
 * that start-up stays fast.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "bpf/tcpdrop.h"
#include "core/attach.h"
#include "core/kbtf.h"
#include "core/ksym.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/net.h"
#include "core/out.h"
#include "core/usage.h"
#include "tcpdrop.skel.h"
#include "core/btfmin.h"
#include "tools/tcp_common.h"
#include "tools/tcpb_util.h"
#include "tools/tool.h"

struct opts {
	bool json, verbose;
	int family;
	unsigned long netns_id;
	long pid_netns;
};

/* Lazily loaded lookups for printing. */
struct printer {
	const struct opts *o;
	struct kbtf *btf;
	int reasons; /* type id of enum skb_drop_reason, <= 0 if absent */
	bool btf_tried;
	struct ksyms *ksyms;
	bool ksyms_tried;
};

static const char usage_text[] =
	"usage: tcpdrop [-h] [-4 | -6] [--netns-id NETNS_ID] [--pid-netns PID_NETNS]\n"
	"               [--json] [-v]\n"
	"\n"
	"Trace TCP drops by the kernel (tracepoint skb:kfree_skb with its drop reason).\n"
	"Addresses and ports are the dropped packet's; STATE is its socket's, NONE when\n"
	"it had none yet (e.g. dropped before the socket lookup, as netfilter input\n"
	"drops on loopback are). PID is whichever task was on-CPU.\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -4, --ipv4            trace IPv4 family only\n"
	"  -6, --ipv6            trace IPv6 family only\n"
	"  --netns-id NETNS_ID   the netns id to filter by\n"
	"  --pid-netns PID_NETNS the pid whose netns to filter by\n"
	"  --json                one JSON object per drop\n"
	"  -v, --verbose         print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    tcpdrop           # trace kernel TCP drops\n"
	"    tcpdrop -4        # trace IPv4 family only\n"
	"    tcpdrop -6        # trace IPv6 family only\n";

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum { OPT_NETNS = 256, OPT_PIDNS, OPT_JSON };
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"ipv4", no_argument, NULL, '4'},
		{"ipv6", no_argument, NULL, '6'},
		{"netns-id", required_argument, NULL, OPT_NETNS},
		{"pid-netns", required_argument, NULL, OPT_PIDNS},
		{"json", no_argument, NULL, OPT_JSON},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	static const struct usage cli = {usage_text, ":h46v", longopts};
	unsigned long v;
	int c;

	while ((c = usage_getopt(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			usage_help(&cli);
			return 1;
		case '4':
		case '6':
			if (tcp_family_opt(&cli, c, &o->family))
				return -EINVAL;
			break;
		case OPT_NETNS:
			if (usage_parse_ulong(&cli, c, optarg, 0, UINT32_MAX, &v))
				return -EINVAL;
			o->netns_id = v;
			break;
		case OPT_PIDNS:
			if (usage_parse_ulong(&cli, c, optarg, 1, INT32_MAX, &v))
				return -EINVAL;
			o->pid_netns = v;
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
	if (optind < argc)
		return -usage_extra_args(&cli, argc, argv, optind);
	if (o->pid_netns && o->netns_id)
		return -usage_exclusive(&cli, OPT_PIDNS, OPT_NETNS);
	return 0;
}

/* The reason's name without "SKB_DROP_REASON_", as bcc prints it; NULL when unknown. */
static const char *reason_name(struct printer *p, unsigned int code)
{
	static const char prefix[] = "SKB_DROP_REASON_";
	const char *name;

	if (!p->btf_tried) {
		p->btf_tried = true;
		if (!kbtf__open(NULL, &p->btf))
			p->reasons = kbtf__find(p->btf, "skb_drop_reason", BTF_KIND_ENUM, NULL);
	}
	name = p->reasons > 0 ? kbtf__enum_name(p->btf, p->reasons, code) : NULL;
	if (name && !strncmp(name, prefix, sizeof(prefix) - 1))
		name += sizeof(prefix) - 1;
	return name;
}

static const char *frame_str(struct printer *p, uint64_t addr, char *buf, size_t len)
{
	const char *sym;
	uint64_t off;

	if (!p->ksyms_tried) {
		p->ksyms_tried = true;
		p->ksyms = ksyms__load();
	}
	sym = p->ksyms ? ksyms__resolve(p->ksyms, addr, &off) : NULL;
	if (sym)
		snprintf(buf, len, "%s+0x%llx", sym, (unsigned long long)off);
	else
		snprintf(buf, len, "[unknown] 0x%llx", (unsigned long long)addr);
	return buf;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct printer *p = ctx;
	const struct tcpdrop_event *e = data;
	const struct tk_flow *f = &e->flow;
	char ts[16], s[NET_ADDR_STRLEN], d[NET_ADDR_STRLEN], flags[64], sf[96], reason[80];
	char frame[256];
	const char *state = e->state ? net_tcp_state_name(e->state) : "NONE";
	const char *rname;
	int nframes = e->nframes > 0 ? e->nframes : 0;

	if (size < sizeof(*e))
		return 0;
	if (nframes > TCPDROP_MAX_STACK)
		nframes = TCPDROP_MAX_STACK;
	time_hms(ts, sizeof(ts));
	net_tcp_flags_str(flags, sizeof(flags), e->tcpflags);
	rname = reason_name(p, e->reason);
	if (p->o->json) {
		printf("{\"time\":\"%s\",\"pid\":%u,\"ip\":%d,\"saddr\":\"%s\",\"sport\":%u,"
		       "\"daddr\":\"%s\",\"dport\":%u,\"state\":\"%s\",\"flags\":\"%s\","
		       "\"reason\":\"%s\",\"reason_code\":%u,\"stack\":[",
		       ts, e->pid, net_ipver(f->family),
		       net_addr_str(s, sizeof(s), f->family, f->saddr), f->sport,
		       net_addr_str(d, sizeof(d), f->family, f->daddr), f->dport, state, flags,
		       rname ? rname : "UNKNOWN", e->reason);
		for (int i = 0; i < nframes; i++) {
			printf(i ? "," : "");
			json_str(stdout, frame_str(p, e->stack[i], frame, sizeof(frame)));
		}
		printf("]}\n");
		return ferror(stdout) ? -EPIPE : 0;
	}
	net_addr_port_str(s, sizeof(s), f->family, f->saddr, f->sport, ':');
	net_addr_port_str(d, sizeof(d), f->family, f->daddr, f->dport, ':');
	snprintf(sf, sizeof(sf), "%s (%s)", state, flags);
	if (rname)
		snprintf(reason, sizeof(reason), "%s (%u)", rname, e->reason);
	else
		snprintf(reason, sizeof(reason), "UNKNOWN (%u)", e->reason);
	printf("%-8s %-7u %-2d %-20s > %-20s %-20s %s\n", ts, e->pid, net_ipver(f->family), s, d,
	       sf, reason);
	for (int i = 0; i < nframes; i++)
		printf("\t%s\n", frame_str(p, e->stack[i], frame, sizeof(frame)));
	printf("\n");
	/* A reader that went away (tool | head) ends the run: -EPIPE stops the event loop. */
	return ferror(stdout) ? -EPIPE : 0;
}

static int netns_of_pid(long pid, unsigned long *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
	if (stat(path, &st))
		return -errno;
	*ino = st.st_ino;
	return 0;
}

static int run(const struct opts *o)
{
	struct printer p = {.o = o};
	struct ring_buffer *rb = NULL;
	struct attach_set *as = NULL;
	struct tcpdrop *obj = NULL;
	struct btf_min *bm = NULL;
	struct event_loop loop;
	unsigned long netns = o->netns_id;
	int err;

	if (o->pid_netns) {
		err = netns_of_pid(o->pid_netns, &netns);
		if (err) {
			tk_err("--pid-netns %ld: %s", o->pid_netns, strerror(-err));
			return 1;
		}
	}
	err = loop__init(&loop);
	if (err) {
		tk_err("event loop: %s", strerror(-err));
		return 1;
	}
	/* A few-KB BTF for CO-RE instead of libbpf reading all of the kernel's. */
	obj = BTF_MIN_SKEL_OPEN(tcpdrop, &bm);
	if (!obj) {
		err = -errno;
		tk_err("failed to open BPF object: %s", strerror(-err));
		goto out;
	}
	obj->rodata->targ_family = o->family;
	obj->rodata->targ_netns = netns;
	err = tcpdrop__load(obj);
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
	rb = ring_buffer__new(bpf_map__fd(obj->maps.events), on_event, &p, NULL);
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
	/* bcc prints only the header; with --json a ready line goes to stderr. */
	if (o->json)
		fprintf(stderr, "Tracing TCP drops... Hit Ctrl-C to end.\n");
	else
		printf("%-8s %-7s %-2s %-20s > %-20s %-20s %s\n", "TIME", "PID", "IP",
		       "SADDR:SPORT", "DADDR:DPORT", "STATE (FLAGS)", "REASON (CODE)");
	err = loop__run(&loop) == LOOP_ERROR ? -EIO : 0;
	ring_buffer__consume(rb);
out:
	btf_min__free(bm);
	ring_buffer__free(rb);
	attach_set__destroy(as);
	tcpdrop__destroy(obj);
	loop__close(&loop);
	ksyms__free(p.ksyms);
	kbtf__close(p.btf);
	return err ? 1 : 0;
}

static int tcpdrop_main(int argc, char **argv)
{
	struct opts o = {0};
	int err = parse_opts(argc, argv, &o);

	if (err)
		return err > 0 ? 0 : 2;
	tk_stdout_linebuf();
	tk_libbpf_setup(o.verbose);
	return run(&o);
}

TOOL_REGISTER(tcpdrop, tcpdrop_main,
	      "trace TCP packets dropped by the kernel, with reason (bcc tcpdrop)");
