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
	struct tk_owner cur, *o;

	if (ctx->protocol != IPPROTO_TCP || !tk_family_ok(targ_family, ctx->family))
		return 0;
	tcp_owner_track(&owners, ctx->skaddr, ns);
	if ((filter_lports && !tcp_port_in(&lports, ctx->sport)) ||
	    (filter_dports && !tcp_port_in(&dports, ctx->dport))) {
		bpf_map_delete_elem(&last, &key);
		goto out;
	}
	now = bpf_ktime_get_ns();
	o = tk_owner_get(&owners, ctx->skaddr);
	if (!o) {
		tk_owner_current(&cur);
		o = &cur;
	}
	if (targ_pid && o->pid != targ_pid)
		goto update;
	e = tcp_event_reserve(sizeof(*e));
	if (!e)
		goto update;
	tsp = bpf_map_lookup_elem(&last, &key);
	e->ts_ns = now;
	e->skaddr = key;
	e->span_us = tsp ? (now - *tsp) / 1000 : 0;
	e->flow = (struct tk_flow){};
	tk_flow_from_iss(ctx, &e->flow);
	e->pid = o->pid;
	e->oldstate = ctx->oldstate;
	e->newstate = ns;
	e->pad = 0;
	__builtin_memcpy(e->comm, o->comm, TK_COMM_LEN);
	bpf_ringbuf_submit(e, 0);
update:
	if (ns == TCP_CLOSE)
		bpf_map_delete_elem(&last, &key);
	else
		bpf_map_update_elem(&last, &key, &now, BPF_ANY);
out:
	if (ns == TCP_CLOSE)
		tk_owner_del(&owners, ctx->skaddr);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
