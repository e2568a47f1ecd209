// SPDX-License-Identifier: GPL-2.0
/*
 * tcpcong: time each TCP flow spends in each congestion-control state, from
 * tcp:tcp_cong_state_set (fired before icsk_ca_state changes). sock:inet_sock_set_state starts
 * a flow's clock in Open when it becomes ESTABLISHED and stops it at CLOSE, so the first and
 * last periods of flows that start while we trace are counted too (bcc starts at the first
 * congestion state change).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tk_net.bpf.h"
#include "tk_log2.bpf.h"
#include "tcpcong.h"

#define IPPROTO_TCP 6

const volatile __u16 lport_min = 0, lport_max = 0xffff;
const volatile __u16 rport_min = 0, rport_max = 0xffff;
const volatile bool dist_mode = false;
const volatile bool micro = false;

/* Keyed by the struct sock pointer. */
TK_MAP(flows, BPF_MAP_TYPE_HASH, 16384, __u64, struct tcpcong_flow);

/* -d: one log2 histogram of period lengths per state (read and cleared by user space). */
__u64 dist[TCPCONG_NSTATES][TCPCONG_SLOTS];
__u64 dist_sum_us[TCPCONG_NSTATES]; /* of the periods in dist[st]: --metrics' _sum */

static __always_inline bool ports_ok(__u16 lport, __u16 rport)
{
	return lport >= lport_min && lport <= lport_max && rport >= rport_min && rport <= rport_max;
}

/* Close the period of v's current state at now. */
static __always_inline void account(struct tcpcong_flow *v, __u64 now)
{
	__u64 us = (now - v->last_ts) / 1000;
	__u32 st = v->state;

	if (st >= TCPCONG_NSTATES)
		return;
	__sync_fetch_and_add(&v->dura_us[st], us);
	if (dist_mode) {
		__u32 slot = tk_log2_slot(micro ? us : us / 1000);

		__sync_fetch_and_add(&dist[st][slot], 1);
		__sync_fetch_and_add(&dist_sum_us[st], us);
	}
}

SEC("tracepoint/tcp/tcp_cong_state_set")
int tcp_cong_state_set(struct trace_event_raw_tcp_cong_state_set *ctx)
{
	__u64 key = (__u64)ctx->skaddr, now = bpf_ktime_get_ns();
	__u32 st = ctx->cong_state;
	struct tcpcong_flow *v;

	if (!ports_ok(ctx->sport, ctx->dport))
		return 0;
	v = bpf_map_lookup_elem(&flows, &key);
	if (!v) {
		/* A flow from before we started: its clock starts now, in the new state. */
		struct tcpcong_flow nv = {.last_ts = now, .state = st};

		tk_flow_from_tp(ctx, &nv.flow);
		bpf_map_update_elem(&flows, &key, &nv, BPF_NOEXIST);
		return 0;
	}
	if (v->state == st || v->closed)
		return 0;
	account(v, now);
	v->last_ts = now;
	v->state = st;
	__sync_fetch_and_add(&v->changes, 1);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 key = (__u64)ctx->skaddr, now = bpf_ktime_get_ns();
	struct tcpcong_flow *v;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (ctx->newstate == TCP_ESTABLISHED) {
		struct tcpcong_flow nv = {.last_ts = now, .state = 0 /* Open */};

		if (!ports_ok(ctx->sport, ctx->dport))
			return 0;
		tk_flow_from_tp(ctx, &nv.flow);
		/* A reused sock pointer starts afresh. */
		bpf_map_update_elem(&flows, &key, &nv, BPF_ANY);
		return 0;
	}
	if (ctx->newstate != TCP_CLOSE)
		return 0;
	v = bpf_map_lookup_elem(&flows, &key);
	if (!v || v->closed)
		return 0;
	account(v, now);
	v->last_ts = now;
	v->closed = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
