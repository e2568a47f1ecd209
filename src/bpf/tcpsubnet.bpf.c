// SPDX-License-Identifier: GPL-2.0
/*
 * tcpsubnet: bytes TCP sockets send, per destination address, from sock:sock_send_length
 * (fired at the end of every sendmsg on a socket with the bytes actually sent; bcc counts the
 * size asked of tcp_sendmsg()). User space sorts the destinations into subnets.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tk_net.bpf.h"
#include "tcpsubnet.h"

#define IPPROTO_TCP 6

TK_MAP(bytes, BPF_MAP_TYPE_HASH, 10240, struct tcpsubnet_key, __u64);

SEC("tracepoint/sock/sock_send_length")
int sock_send_length(struct trace_event_raw_sock_msg_length *ctx)
{
	const struct sock *sk = ctx->sk;
	struct tcpsubnet_key key = {};
	__u64 n = ctx->ret, *v;

	if (ctx->protocol != IPPROTO_TCP || ctx->ret <= 0)
		return 0;
	key.family = ctx->family;
	/* Explicit sizes: BPF_CORE_READ_INTO() on an array would copy one element. */
	if (key.family == AF_INET)
		bpf_core_read(key.daddr, 4, &sk->__sk_common.skc_daddr);
	else if (key.family == AF_INET6)
		bpf_core_read(key.daddr, 16, &sk->__sk_common.skc_v6_daddr);
	else
		return 0;
	v = bpf_map_lookup_elem(&bytes, &key);
	if (v) {
		__sync_fetch_and_add(v, n);
		return 0;
	}
	if (bpf_map_update_elem(&bytes, &key, &n, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&bytes, &key);
		if (v)
			__sync_fetch_and_add(v, n);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
