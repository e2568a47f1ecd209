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
	const struct tk_owner *o;
	struct tk_owner cur;

	if (!tcp_session_wanted(ctx))
		return 0;
	now = bpf_ktime_get_ns();
	if (ns < TCP_FIN_WAIT1)
		bpf_map_update_elem(&birth, &key, &now, BPF_ANY);
	if (ns != TCP_CLOSE)
		return 0;

	start = bpf_map_lookup_elem(&birth, &key);
	if (!start)
		goto cleanup; /* born before we started */
	o = tcp_session_owner(ctx, &cur);
	if (!o)
		goto cleanup;
	e = tcp_event_reserve(sizeof(*e));
	if (!e)
		goto cleanup;
	e->ts_ns = now;
	e->span_us = (now - *start) / 1000;
	e->rx_b = BPF_CORE_READ(tp, bytes_received);
	e->tx_b = BPF_CORE_READ(tp, bytes_acked);
	tcp_event_flow_owner(e, ctx, o);
	bpf_ringbuf_submit(e, 0);
cleanup:
	bpf_map_delete_elem(&birth, &key);
	tk_owner_del(&owners, ctx->skaddr);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
