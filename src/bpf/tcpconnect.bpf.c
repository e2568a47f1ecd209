// SPDX-License-Identifier: GPL-2.0
/*
 * tcpconnect without kprobes. connect() moves the socket CLOSE -> SYN_SENT in the calling task
 * (sock:inet_sock_set_state); the addresses and the remote port are known then, the local port
 * not yet (it is picked right after). So the connect is remembered per thread at SYN_SENT and
 * reported at the return of the connect syscall, when inet_sport is set. Like bcc, every
 * attempt that sent a SYN is reported, refused ones included.
 */
#include "tcp_common.bpf.h"
#include "tcpconnect.h"

const volatile __u32 targ_pid = 0;
const volatile __u32 targ_uid = 0;
const volatile bool filter_uid = false;
const volatile bool filter_ports = false;
const volatile __u16 targ_family = 0;

TCP_PORT_MAP(dports);

struct pending {
	__u64 sk;
	struct tcpconnect_event ev;
};

TK_MAP(pending, BPF_MAP_TYPE_HASH, 8192, __u32, struct pending);

SEC("tracepoint/sock/inet_sock_set_state")
int tcpconnect_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, uid = (__u32)bpf_get_current_uid_gid();
	struct pending p = {};

	if (ctx->protocol != IPPROTO_TCP || ctx->oldstate != TCP_CLOSE ||
	    ctx->newstate != TCP_SYN_SENT)
		return 0;
	if (!tk_family_ok(targ_family, ctx->family))
		return 0;
	if (targ_pid && (id >> 32) != targ_pid)
		return 0;
	if (filter_uid && uid != targ_uid)
		return 0;
	if (filter_ports && !tcp_port_in(&dports, ctx->dport))
		return 0;
	p.sk = (__u64)ctx->skaddr;
	tk_flow_from_tp(ctx, &p.ev.flow);
	p.ev.pid = id >> 32;
	p.ev.uid = uid;
	bpf_get_current_comm(p.ev.comm, sizeof(p.ev.comm));
	bpf_map_update_elem(&pending, &tid, &p, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int tcpconnect_enter(void *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	/* A SYN_SENT left by a connect that never returned here (e.g. sendto MSG_FASTOPEN). */
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tcpconnect_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct tcpconnect_event *e;
	struct pending *p;
	struct inet_sock *inet;

	p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;
	e = tcp_event_reserve(sizeof(*e));
	if (e) {
		*e = p->ev;
		inet = (struct inet_sock *)p->sk;
		e->flow.sport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
		e->ts_ns = bpf_ktime_get_ns();
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
