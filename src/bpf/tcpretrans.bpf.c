// SPDX-License-Identifier: GPL-2.0
/*
 * tcpretrans: TCP retransmits from tcp:tcp_retransmit_skb. Tail loss probes (-l) have no
 * tracepoint; the kprobe program below is loaded only when the kernel can attach kprobes.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "tk_net.bpf.h"
#include "tcpretrans.h"

const volatile __u16 targ_family = 0;
const volatile bool count_mode = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* -c: retransmits per flow. */
TK_MAP(counts, BPF_MAP_TYPE_HASH, 10240, struct tk_flow, __u64);

static __always_inline void count_flow(const struct tk_flow *f)
{
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(&counts, f);
	if (v) {
		__sync_fetch_and_add(v, 1);
		return;
	}
	if (bpf_map_update_elem(&counts, f, &one, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&counts, f);
		if (v)
			__sync_fetch_and_add(v, 1);
	}
}

/* TCP_SKB_CB(skb)->seq: the first word of skb->cb. */
static __always_inline __u32 skb_seq(const struct sk_buff *skb)
{
	__u32 seq = 0;

	if (skb)
		bpf_probe_read_kernel(&seq, sizeof(seq), &skb->cb[0]);
	return seq;
}

static __always_inline int emit(const struct tk_flow *f, __u32 state, __u32 seq, __u32 type)
{
	struct tcpretrans_event *e;

	if (count_mode) {
		count_flow(f);
		return 0;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->flow = *f;
	e->pid = tk_current_tgid();
	e->state = state;
	e->seq = seq;
	e->type = type;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/tcp/tcp_retransmit_skb")
int tcp_retransmit_skb(struct trace_event_raw_tcp_retransmit_skb *ctx)
{
	struct tk_flow f = {};

	if (!tk_family_ok(targ_family, ctx->family))
		return 0;
	f.family = ctx->family;
	f.sport = ctx->sport;
	f.dport = ctx->dport;
	/* Probe reads: the verifier refuses unaligned direct loads from the context. */
	if (ctx->family == AF_INET) {
		bpf_probe_read_kernel(f.saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(f.daddr, 4, ctx->daddr);
	} else if (ctx->family == AF_INET6) {
		bpf_probe_read_kernel(f.saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(f.daddr, 16, ctx->daddr_v6);
	} else {
		return 0;
	}
	return emit(&f, ctx->state, skb_seq(ctx->skbaddr), TCPRETRANS_RETRANSMIT);
}

/* Loaded only with -l on a kernel that has kprobes (not this project's reference machine). */
SEC("kprobe/tcp_send_loss_probe")
int BPF_KPROBE(tcp_send_loss_probe, struct sock *sk)
{
	struct tk_flow f = {};

	tk_flow_from_sk(sk, &f);
	if (!tk_family_ok(targ_family, f.family))
		return 0;
	if (f.family != AF_INET && f.family != AF_INET6)
		return 0;
	return emit(&f, BPF_CORE_READ(sk, __sk_common.skc_state), 0, TCPRETRANS_TLP);
}

char LICENSE[] SEC("license") = "GPL";
