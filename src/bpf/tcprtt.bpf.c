// SPDX-License-Identifier: GPL-2.0
/*
 * tcprtt: smoothed RTT of TCP sockets as log2 histograms, from tcp:tcp_probe, which fires at
 * the start of tcp_rcv_established() (bcc's kprobe point) with srtt already in microseconds.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tk_net.bpf.h"
#include "tk_log2.bpf.h"
#include "tcprtt.h"

const volatile __u16 targ_sport = 0; /* host order, 0 = any */
const volatile __u16 targ_dport = 0;
const volatile __u16 targ_saddr_family = 0; /* 0 = no address filter */
const volatile __u8 targ_saddr[16] = {};
const volatile __u16 targ_daddr_family = 0;
const volatile __u8 targ_daddr[16] = {};
const volatile __u16 targ_family = 0;
const volatile bool targ_laddr_hist = false;
const volatile bool targ_raddr_hist = false;
const volatile bool targ_ms = false;

TK_MAP(hists, BPF_MAP_TYPE_HASH, 1024, struct tcprtt_key, struct tcprtt_hist);

static struct tcprtt_hist zero;

/* The address inside the tracepoint's sockaddr_in/sockaddr_in6 copy. */
static __always_inline void sockaddr_addr(const __u8 *sa, __u16 family, __u8 addr[16])
{
	if (family == AF_INET)
		bpf_probe_read_kernel(addr, 4, sa + 4);
	else
		bpf_probe_read_kernel(addr, 16, sa + 8);
}

static __always_inline bool addr_ok(__u16 want_family, const volatile __u8 *want, __u16 family,
				    const __u8 *addr)
{
	int n = family == AF_INET ? 4 : 16;

	if (!want_family)
		return true;
	if (want_family != family)
		return false;
	for (int i = 0; i < 16; i++)
		if (i < n && want[i] != addr[i])
			return false;
	return true;
}

SEC("tracepoint/tcp/tcp_probe")
int tcp_probe(struct trace_event_raw_tcp_probe *ctx)
{
	__u16 family = ctx->family;
	struct tcprtt_key key = {};
	struct tcprtt_hist *h;
	__u8 saddr[16] = {}, daddr[16] = {};
	__u64 srtt;

	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (!tk_family_ok(targ_family, family))
		return 0;
	if (targ_sport && ctx->sport != targ_sport)
		return 0;
	if (targ_dport && ctx->dport != targ_dport)
		return 0;
	sockaddr_addr(ctx->saddr, family, saddr);
	sockaddr_addr(ctx->daddr, family, daddr);
	if (!addr_ok(targ_saddr_family, targ_saddr, family, saddr))
		return 0;
	if (!addr_ok(targ_daddr_family, targ_daddr, family, daddr))
		return 0;
	if (targ_laddr_hist || targ_raddr_hist) {
		key.family = family;
		__builtin_memcpy(key.addr, targ_laddr_hist ? saddr : daddr, 16);
	}
	h = tk_map_lookup_or_init(&hists, &key, &zero);
	if (!h)
		return 0;
	srtt = ctx->srtt;
	if (targ_ms)
		srtt /= 1000;
	__sync_fetch_and_add(&h->slots[tk_log2_slot(srtt)], 1);
	__sync_fetch_and_add(&h->latency, srtt);
	__sync_fetch_and_add(&h->cnt, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
