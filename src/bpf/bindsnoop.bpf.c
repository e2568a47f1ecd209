// SPDX-License-Identifier: GPL-2.0
/*
 * bindsnoop: bind() of IPv4 and IPv6 sockets, from syscalls:sys_enter/exit_bind. There is no
 * kprobe on inet_bind here, so the socket is found through the fd in the caller's file table
 * at exit: its protocol, options and, after success, the address and port the kernel bound
 * (port 0 asks for an ephemeral one). Failed binds report the requested sockaddr.
 */
#include "snoop_common.bpf.h"
#include "tk_net.bpf.h"
#include "bindsnoop.h"

/* Bit numbers of inet_sock::inet_flags (kernels since 6.6 keep these options there). */
#define TK_INET_FLAGS_FREEBIND		   11
#define TK_INET_FLAGS_TRANSPARENT	   15
#define TK_INET_FLAGS_BIND_ADDRESS_NO_PORT 18

const volatile bool report_errors = false;

struct bind_args {
	const void *uaddr;
	__s32 fd;
	__s32 addrlen;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct bind_args);
} starts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_bind")
int bind_entry(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct bind_args a = {
		.fd = ctx->args[0],
		.uaddr = (const void *)ctx->args[1],
		.addrlen = ctx->args[2],
	};

	if (!snoop_task_wanted())
		return 0;
	bpf_map_update_elem(&starts, &tid, &a, BPF_ANY);
	return 0;
}

static __always_inline __u8 sock_opts(struct sock *sk)
{
	struct inet_sock *inet = (struct inet_sock *)sk;
	unsigned long flags = 0;
	__u8 opts = 0;

	if (bpf_core_field_exists(inet->inet_flags)) {
		flags = BPF_CORE_READ(inet, inet_flags);
		if (flags & (1UL << TK_INET_FLAGS_FREEBIND))
			opts |= BINDSNOOP_OPT_FREEBIND;
		if (flags & (1UL << TK_INET_FLAGS_TRANSPARENT))
			opts |= BINDSNOOP_OPT_TRANSPARENT;
		if (flags & (1UL << TK_INET_FLAGS_BIND_ADDRESS_NO_PORT))
			opts |= BINDSNOOP_OPT_BIND_ADDR_NOPORT;
	}
	if (BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse))
		opts |= BINDSNOOP_OPT_REUSEADDR;
	if (BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuseport))
		opts |= BINDSNOOP_OPT_REUSEPORT;
	return opts;
}

/* The requested address from the caller's sockaddr. */
static __always_inline bool user_addr(struct bindsnoop_event *e, const struct bind_args *a)
{
	struct sockaddr_in6 sin6 = {};
	struct sockaddr_in *sin = (struct sockaddr_in *)&sin6;

	if (a->addrlen < (int)sizeof(*sin))
		return false;
	if (bpf_probe_read_user(&sin6, a->addrlen < (int)sizeof(sin6) ? sizeof(*sin) : sizeof(sin6),
				a->uaddr))
		return false;
	if (sin6.sin6_family != e->family)
		return false;
	e->port = bpf_ntohs(sin6.sin6_port);
	if (e->family == AF_INET)
		__builtin_memcpy(e->addr, &sin->sin_addr, 4);
	else
		__builtin_memcpy(e->addr, &sin6.sin6_addr, 16);
	return true;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int bind_return(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct bindsnoop_event *e;
	struct bind_args *a;
	struct sock *sk;
	long ret = ctx->ret;
	__u16 family;

	a = bpf_map_lookup_elem(&starts, &tid);
	if (!a)
		return 0;
	if (ret != 0 && !report_errors)
		goto out;
	sk = tk_sock_from_fd(a->fd);
	if (!sk)
		goto out;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		goto out;
	if (!snoop_reserve(e))
		goto out;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = tid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->family = family;
	e->protocol = BPF_CORE_READ(sk, sk_protocol);
	e->bound_dev_if = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
	e->opts = sock_opts(sk);
	if (ret == 0) {
		e->port = BPF_CORE_READ(sk, __sk_common.skc_num);
		if (family == AF_INET)
			BPF_CORE_READ_INTO((__u32 *)e->addr, sk, __sk_common.skc_rcv_saddr);
		else
			/* Through struct in6_addr: READ_INTO copies sizeof(*dst) bytes. */
			BPF_CORE_READ_INTO((struct in6_addr *)e->addr, sk,
					   __sk_common.skc_v6_rcv_saddr);
	} else {
		user_addr(e, a);
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
