// SPDX-License-Identifier: GPL-2.0
/*
 * tcpconnlat without kprobes: the time from CLOSE -> SYN_SENT (inside connect(), in the
 * connecting task, whose pid/comm are cached then) to SYN_SENT -> ESTABLISHED (the SYN-ACK's
 * arrival, often in softirq). bcc measures from tcp_v4_connect() entry to the SYN-ACK; the two
 * start points are a few microseconds apart.
 */
#include "tcp_common.bpf.h"
#include "tcpconnlat.h"

const volatile __u32 targ_pid = 0;
const volatile __u16 targ_family = 0;
const volatile __u64 min_us = 0;

TK_OWNER_MAP(start, 8192);

SEC("tracepoint/sock/inet_sock_set_state")
int tcpconnlat_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	const void *sk = ctx->skaddr;
	struct tcpconnlat_event *e;
	struct tk_owner *o;
	__u64 now, delta_us;

	if (ctx->protocol != IPPROTO_TCP || !tk_family_ok(targ_family, ctx->family))
		return 0;
	if (ctx->newstate == TCP_SYN_SENT) {
		if (!targ_pid || tk_current_tgid() == targ_pid)
			tk_owner_set(&start, sk);
		return 0;
	}
	if (ctx->oldstate != TCP_SYN_SENT)
		return 0;
	o = tk_owner_get(&start, sk);
	if (!o)
		return 0;
	if (ctx->newstate != TCP_ESTABLISHED)
		goto cleanup; /* refused or aborted: no latency to report */
	now = bpf_ktime_get_ns();
	delta_us = (now - o->ts_ns) / 1000;
	if (delta_us < min_us)
		goto cleanup;
	e = tcp_event_reserve(sizeof(*e));
	if (!e)
		goto cleanup;
	e->ts_ns = now;
	e->delta_us = delta_us;
	tcp_event_flow_owner(e, ctx, o);
	bpf_ringbuf_submit(e, 0);
cleanup:
	tk_owner_del(&start, sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
