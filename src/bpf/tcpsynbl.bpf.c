// SPDX-License-Identifier: GPL-2.0
/*
 * tcpsynbl: the listen backlog each time a handshake completes, from
 * sock:inet_sock_set_state LISTEN -> SYN_RECV. That transition is the child socket being
 * created (inet_csk_clone_lock() inside tcp_v4/v6_syn_recv_sock(), bcc's kprobe point), and
 * the child is a fresh copy of the listener, so its sk_ack_backlog and sk_max_ack_backlog are
 * the listener's values at that moment: the queue of connections waiting for accept(), not
 * counting this one. Handshakes refused because that queue is full create no child and are
 * not counted (bcc's kprobe sees them, with backlog == backlog_max).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tk_net.bpf.h"
#include "tk_log2.bpf.h"
#include "tcpsynbl.h"

#define IPPROTO_TCP 6

const volatile __u16 targ_family = 0;

/* Keyed by backlog_max. */
TK_MAP(hists, BPF_MAP_TYPE_HASH, 1024, __u64, struct tcpsynbl_hist);

static struct tcpsynbl_hist zero;

SEC("tracepoint/sock/inet_sock_set_state")
int inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	const struct sock *child = ctx->skaddr;
	struct tcpsynbl_hist *h;
	__u64 max;
	__u32 backlog;

	if (ctx->protocol != IPPROTO_TCP || ctx->oldstate != TCP_LISTEN ||
	    ctx->newstate != TCP_SYN_RECV)
		return 0;
	if (!tk_family_ok(targ_family, ctx->family))
		return 0;
	max = BPF_CORE_READ(child, sk_max_ack_backlog);
	backlog = BPF_CORE_READ(child, sk_ack_backlog);
	h = tk_map_lookup_or_init(&hists, &max, &zero);
	if (!h)
		return 0;
	__sync_fetch_and_add(&h->slots[tk_log2_slot(backlog)], 1);
	__sync_fetch_and_add(&h->sum, backlog);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
