// SPDX-License-Identifier: GPL-2.0
/*
 * tcplife: a TCP connection's life, reported when it reaches CLOSE, with bytes from the
 * tcp_sock (bytes_acked sent, bytes_received received: what bcc reports). Birth is the last
 * transition into a state below FIN_WAIT1 (bcc's rule). The owner comes from connect(),
 * accept() or close() (see tcp_owner_track()), so softirq-context closes are attributed to
 * the process, not to whatever ran the softirq.
 */
#include "tcp_common.bpf.h"
#include "tcplife.h"

TCP_SESSION_STATE(birth);

SEC("tracepoint/sock/inet_sock_set_state")
int tcplife_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 key = (__u64)ctx->skaddr, now, *start;
	const struct tcp_sock *tp = ctx->skaddr;
	int ns = ctx->newstate;
	struct tcplife_event *e;
	struct tk_owner cur, *o;

	if (ctx->protocol != IPPROTO_TCP || !tk_family_ok(targ_family, ctx->family))
		return 0;
	tcp_owner_track(&owners, ctx->skaddr, ns);
	if ((filter_lports && !tcp_port_in(&lports, ctx->sport)) ||
	    (filter_dports && !tcp_port_in(&dports, ctx->dport))) {
		bpf_map_delete_elem(&birth, &key);
		if (ns == TCP_CLOSE)
			tk_owner_del(&owners, ctx->skaddr);
		return 0;
	}
	now = bpf_ktime_get_ns();
	if (ns < TCP_FIN_WAIT1)
		bpf_map_update_elem(&birth, &key, &now, BPF_ANY);
	if (ns != TCP_CLOSE)
		return 0;

	start = bpf_map_lookup_elem(&birth, &key);
	if (!start)
		goto cleanup; /* born before we started */
	o = tk_owner_get(&owners, ctx->skaddr);
	if (!o) {
		tk_owner_current(&cur);
		o = &cur;
	}
	if (targ_pid && o->pid != targ_pid)
		goto cleanup;
	e = tcp_event_reserve(sizeof(*e));
	if (!e)
		goto cleanup;
	e->ts_ns = now;
	e->span_us = (now - *start) / 1000;
	e->rx_b = BPF_CORE_READ(tp, bytes_received);
	e->tx_b = BPF_CORE_READ(tp, bytes_acked);
	e->flow = (struct tk_flow){};
	tk_flow_from_iss(ctx, &e->flow);
	e->pid = o->pid;
	e->pad = 0;
	__builtin_memcpy(e->comm, o->comm, TK_COMM_LEN);
	bpf_ringbuf_submit(e, 0);
cleanup:
	bpf_map_delete_elem(&birth, &key);
	tk_owner_del(&owners, ctx->skaddr);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
