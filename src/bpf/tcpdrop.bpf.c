// SPDX-License-Identifier: GPL-2.0
/*
 * tcpdrop: TCP packets the kernel drops, from skb:kfree_skb and its drop reason (bcc's
 * tracepoint path). Addresses and ports come from the packet's own IP and TCP headers; the
 * state from the socket the packet belongs to (rx_sk, else skb->sk), when it has one.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tk_net.bpf.h"
#include "tcpdrop.h"

#define ETH_P_IP    0x0800
#define ETH_P_IPV6  0x86DD
#define IPPROTO_TCP 6

const volatile __u16 targ_family = 0;
const volatile __u32 targ_netns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);
} events SEC(".maps");

static __always_inline __u32 netns_of(const struct sock *sk, const struct sk_buff *skb)
{
	if (sk)
		return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	return BPF_CORE_READ(skb, dev, nd_net.net, ns.inum);
}

/* Fill the flow from the packet's headers; false when it is not TCP over IPv4/IPv6. */
static __always_inline bool packet_flow(const struct sk_buff *skb, __u16 proto, struct tk_flow *f,
					__u8 *tcpflags)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	struct tcphdr tcp;

	if (proto == ETH_P_IP) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh) || ip.protocol != IPPROTO_TCP)
			return false;
		f->family = AF_INET;
		__builtin_memcpy(f->saddr, &ip.saddr, 4);
		__builtin_memcpy(f->daddr, &ip.daddr, 4);
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr ip6;

		/* Only a TCP header right after the fixed header: extension headers are rare. */
		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh) ||
		    ip6.nexthdr != IPPROTO_TCP)
			return false;
		f->family = AF_INET6;
		__builtin_memcpy(f->saddr, &ip6.saddr, 16);
		__builtin_memcpy(f->daddr, &ip6.daddr, 16);
	} else {
		return false;
	}
	if (th == (__u16)~0U || th <= nh)
		return false;
	if (bpf_probe_read_kernel(&tcp, sizeof(tcp), head + th))
		return false;
	f->sport = bpf_ntohs(tcp.source);
	f->dport = bpf_ntohs(tcp.dest);
	*tcpflags = ((__u8 *)&tcp)[13];
	return true;
}

SEC("tracepoint/skb/kfree_skb")
int kfree_skb(struct trace_event_raw_kfree_skb *ctx)
{
	struct sk_buff *skb = ctx->skbaddr;
	struct sock *sk = ctx->rx_sk;
	struct tcpdrop_event *e;
	struct tk_flow f = {};
	__u8 flags = 0;

	/* Like bcc: skip frees that are not drops and drops without a reason. */
	if (ctx->reason <= bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED))
		return 0;
	if (!sk)
		sk = BPF_CORE_READ(skb, sk);
	/* The IP header says whether it is TCP (sk may be a timewait or request sock). */
	if (!packet_flow(skb, ctx->protocol, &f, &flags))
		return 0;
	if (!tk_family_ok(targ_family, f.family))
		return 0;
	if (targ_netns && netns_of(sk, skb) != targ_netns)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->flow = f;
	e->pid = tk_current_tgid();
	e->reason = ctx->reason;
	e->state = sk ? BPF_CORE_READ(sk, __sk_common.skc_state) : 0;
	e->tcpflags = flags;
	e->pad = 0;
	e->nframes = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);
	if (e->nframes > 0)
		e->nframes /= sizeof(__u64);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
