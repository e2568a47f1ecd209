// SPDX-License-Identifier: GPL-2.0
/*
 * tcpdrop: TCP packets dropped by the kernel, with the drop reason and the kernel stack
 * (bcc's tcpdrop.py on its skb:kfree_skb path). Reason names come from the running kernel's
 * BTF (enum skb_drop_reason) and symbols from /proc/kallsyms, both loaded at the first drop so
 * that start-up stays fast.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "bpf/tcpdrop.h"
#include "core/kbtf.h"
#include "core/ksym.h"
#include "core/log.h"
#include "core/net.h"
#include "core/out.h"
#include "tcpdrop.skel.h"

#include "core/btfmin.h"
#include "tools/snoop_common.h"
#include "tools/tcp_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(tcpdrop);

struct opts {
	bool json, verbose;
	int family;
	unsigned long netns_id, pid_netns;
};

/* Lazily loaded lookups for printing. */
struct printer {
	const struct opts *o;
	struct kbtf *btf;
	int reasons; /* type id of enum skb_drop_reason, <= 0 if absent */
	bool btf_tried;
	struct ksyms *ksyms;
	bool ksyms_tried;
	struct metric_family *drops; /* --metrics */
};

enum { OPT_NETNS = TOOL_OPT_JSON + 16, OPT_PIDNS };

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "tcpdrop",
	.description =
		"Trace TCP drops by the kernel (tracepoint skb:kfree_skb with its drop reason).\n"
		"Addresses and ports are the dropped packet's; STATE is its socket's, NONE when\n"
		"it had none yet (e.g. dropped before the socket lookup, as netfilter input\n"
		"drops on loopback are). PID is whichever task was on-CPU.",
	.opts = TOOL_OPTS(
		TOOL_OPTS_FAMILY(OPT(family), 1, "targ_family"),
		{OPT_NETNS, "netns-id", "NETNS_ID", "the netns id to filter by", TOOL_OPT_ULONG,
		 OPT(netns_id), 0, UINT32_MAX, .group = 2},
		{OPT_PIDNS, "pid-netns", "PID_NETNS", "the pid whose netns to filter by",
		 TOOL_OPT_ULONG, OPT(pid_netns), 1, INT32_MAX, .group = 2},
		{TOOL_OPT_JSON, "json", NULL, "one JSON object per drop", TOOL_OPT_FLAG, OPT(json)},
		TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	.examples = "    tcpdrop           # trace kernel TCP drops\n"
		    "    tcpdrop -4        # trace IPv4 family only\n"
		    "    tcpdrop -6        # trace IPv6 family only\n",
};

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

	if (nframes > TCPDROP_MAX_STACK)
		nframes = TCPDROP_MAX_STACK;
	time_hms(ts, sizeof(ts));
	net_tcp_flags_str(flags, sizeof(flags), e->tcpflags);
	rname = reason_name(p, e->reason);
	if (p->drops) {
		char code[24];
		const char *v[] = {rname ? rname : snoop_uint_label(code, sizeof(code), e->reason),
				   state};

		snoop_metric_inc(p->drops, v);
	}
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
		return tcp_out_status();
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
	return tcp_out_status();
}

/* bcc prints only the header; with --json a ready line goes to stderr instead. */
static void print_header(void *ctx)
{
	printf("%-8s %-7s %-2s %-20s > %-20s %-20s %s\n", "TIME", "PID", "IP", "SADDR:SPORT",
	       "DADDR:DPORT", "STATE (FLAGS)", "REASON (CODE)");
}

static int netns_of_pid(unsigned long pid, unsigned long *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%lu/ns/net", pid);
	if (stat(path, &st))
		return -errno;
	*ino = st.st_ino;
	return 0;
}

/* --netns or --pid-netns: the namespace's inode number */
static int fill(struct tool_run *run, void *skel)
{
	const struct opts *o = ((struct printer *)run->ctx)->o;
	unsigned long netns = o->netns_id;
	int err;

	if (o->pid_netns) {
		err = netns_of_pid(o->pid_netns, &netns);
		if (err) {
			tk_err("--pid-netns %lu: %s", o->pid_netns, strerror(-err));
			return 1;
		}
	}
	((struct tcpdrop *)skel)->rodata->targ_netns = netns;
	run->ready = o->json ? "Tracing TCP drops... Hit Ctrl-C to end." : NULL;
	return 0;
}

SNOOP_METRIC_HOOK(add_metrics, struct printer, drops, "tracekit_tcpdrop_drops", METRIC_COUNTER,
		  "TCP packets dropped by the kernel, by drop reason and socket state (NONE: no "
		  "socket yet) (tcpdrop)",
		  0, "reason", "state");

static int tcpdrop_main(int argc, char **argv)
{
	struct opts o = {0};
	struct printer p = {.o = &o};
	struct tool_run run = {.skel = &tcpdrop_tool_skel,
			       .fill = fill,
			       .ctx = &p,
			       TOOL_EVENTS(on_event, struct tcpdrop_event),
			       .header = print_header,
			       .metrics = add_metrics};
	int err = tool_main(&cli, &o, &run, argc, argv);

	ksyms__free(p.ksyms);
	kbtf__close(p.btf);
	return err;
}

TOOL_REGISTER(tcpdrop, tcpdrop_main,
	      "trace TCP packets dropped by the kernel, with reason (bcc tcpdrop)", &cli);
