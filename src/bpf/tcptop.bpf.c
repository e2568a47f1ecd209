// SPDX-License-Identifier: GPL-2.0
/*
 * tcptop without kprobes: bytes per (process, connection) from sock:sock_send_length and
 * sock:sock_recv_length, which fire in the sending/receiving task after sock_sendmsg() and
 * sock_recvmsg() with the byte count. Summed in a hash that user space reads and clears at
 * every interval. MSG_PEEK reads are not counted (the data is read again later).
 */
#include "tcp_common.bpf.h"
#include "tcptop.h"

#define TK_MSG_PEEK 2

const volatile __u32 targ_pid = 0;
const volatile __u16 targ_family = 0;

TK_MAP(flows, BPF_MAP_TYPE_HASH, 10240, struct tcptop_key, struct tcptop_val);

static __always_inline int account(const struct sock *sk, __u16 family, __u16 protocol, int ret,
				   bool send)
{
	struct tcptop_key key = {};
	struct tcptop_val *v, zero = {};
	__u64 id;

	if (protocol != IPPROTO_TCP || ret <= 0)
		return 0;
	if ((family != AF_INET && family != AF_INET6) || !tk_family_ok(targ_family, family))
		return 0;
	id = bpf_get_current_pid_tgid();
	if (targ_pid && (id >> 32) != targ_pid)
		return 0;
	tk_flow_from_sk(sk, &key.flow);
	key.pid = id >> 32;
	v = bpf_map_lookup_elem(&flows, &key);
	if (!v) {
		/* The comm only for a new entry: not on every send and receive. */
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		v = tk_map_lookup_or_init(&flows, &key, &zero);
		if (!v)
			return 0; /* map full */
	}
	if (send)
		__sync_fetch_and_add(&v->sent, ret);
	else
		__sync_fetch_and_add(&v->received, ret);
	return 0;
}

SEC("tracepoint/sock/sock_send_length")
int tcptop_send(struct trace_event_raw_sock_msg_length *ctx)
{
	return account(ctx->sk, ctx->family, ctx->protocol, ctx->ret, true);
}

SEC("tracepoint/sock/sock_recv_length")
int tcptop_recv(struct trace_event_raw_sock_msg_length *ctx)
{
	if (ctx->flags & TK_MSG_PEEK)
		return 0;
	return account(ctx->sk, ctx->family, ctx->protocol, ctx->ret, false);
}

char LICENSE[] SEC("license") = "GPL";
