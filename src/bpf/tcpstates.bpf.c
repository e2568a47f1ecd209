// SPDX-License-Identifier: GPL-2.0
/*
 * tcpstates: every TCP state change (sock:inet_sock_set_state) with the time spent in the
 * previous state. The C-PID/C-COMM columns name the socket's owner when it is known (cached at
 * connect, accept and close; see tcp_owner_track()), else the current task, which for
 * softirq-context changes is whatever task the packet arrived in.
 */
#include "tcp_common.bpf.h"
#include "tcpstates.h"

TCP_SESSION_STATE(last);

SEC("tracepoint/sock/inet_sock_set_state")
int tcpstates_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 key = (__u64)ctx->skaddr, now, *tsp;
	int ns = ctx->newstate;
	struct tcpstates_event *e;
	const struct tk_owner *o;
	struct tk_owner cur;

	if (!tcp_session_wanted(ctx))
		return 0;
	now = bpf_ktime_get_ns();
	o = tcp_session_owner(ctx, &cur);
	if (!o)
		goto update;
	e = tcp_event_reserve(sizeof(*e));
	if (!e)
		goto update;
	tsp = bpf_map_lookup_elem(&last, &key);
	e->ts_ns = now;
	e->skaddr = key;
	e->span_us = tsp ? (now - *tsp) / 1000 : 0;
	tcp_event_flow_owner(e, ctx, o);
	e->oldstate = ctx->oldstate;
	e->newstate = ns;
	bpf_ringbuf_submit(e, 0);
update:
	if (ns == TCP_CLOSE) {
		bpf_map_delete_elem(&last, &key);
		tk_owner_del(&owners, ctx->skaddr);
	} else {
		bpf_map_update_elem(&last, &key, &now, BPF_ANY);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
