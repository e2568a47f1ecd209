/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tcp* tool objects of tcp-A share beyond tk_net.bpf.h: the "events" ring buffer
 * with its lost-event counter, and the "is this flow printable" check bcc's tools apply.
 */
#ifndef TCP_COMMON_BPF_H
#define TCP_COMMON_BPF_H

#include "tk_net.bpf.h"

#ifndef IPPROTO_TCP
#define IPPROTO_TCP 6
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Events dropped because the ring buffer was full; user space reports the total. */
__u64 lost_events = 0;

static __always_inline void *tcp_event_reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e)
		__sync_fetch_and_add(&lost_events, 1);
	return e;
}

/* bcc's tcptracer drops tuples with a zero address or port (half-set-up sockets). */
static __always_inline bool tcp_flow_complete(const struct tk_flow *f)
{
	const __u64 *s = (const __u64 *)f->saddr, *d = (const __u64 *)f->daddr;

	if (!f->sport || !f->dport)
		return false;
	if (f->family == AF_INET)
		return *(const __u32 *)f->saddr && *(const __u32 *)f->daddr;
	return (s[0] | s[1]) && (d[0] | d[1]);
}

/* Network namespace inode of a socket (bcc's NETNS column). */
static __always_inline __u32 tcp_sk_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* A TCP socket of an IP family (a socket from an fd may be anything). */
static __always_inline bool tcp_sk_is_inet_tcp(const struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (family != AF_INET && family != AF_INET6)
		return false;
	return BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP;
}

/*
 * A set of ports from -P/-L/-D lists, filled by user space after load (tcp_port_filter());
 * a tool declares it with TCP_PORT_MAP(name) and tests it only when its filter flag is set.
 */
#define TCP_PORT_MAP(name) TK_MAP(name, BPF_MAP_TYPE_HASH, 64, __u16, __u8)

static __always_inline bool tcp_port_in(void *map, __u16 port)
{
	return bpf_map_lookup_elem(map, &port) != NULL;
}

/* The TCP socket that accept() returned as ret (an fd, or -errno), else NULL. */
static __always_inline struct sock *tcp_accepted_sk(long ret)
{
	struct sock *sk;

	if (ret < 0)
		return NULL;
	sk = tk_sock_from_fd(ret);
	return sk && tcp_sk_is_inet_tcp(sk) ? sk : NULL;
}

/* Likewise, with its flow in *f, when it is of family (0: any); else NULL. */
static __always_inline struct sock *tcp_accepted(long ret, __u16 family, struct tk_flow *f)
{
	struct sock *sk = tcp_accepted_sk(ret);

	if (!sk)
		return NULL;
	tk_flow_from_sk(sk, f);
	return tk_family_ok(family, f->family) ? sk : NULL;
}

/*
 * The flow of the state change ctx and the owner o into event e: the fields the events of
 * the tools on sock:inet_sock_set_state share.
 */
#define tcp_event_flow_owner(e, ctx, o)                                                            \
	do {                                                                                       \
		(e)->flow = (struct tk_flow){};                                                    \
		tk_flow_from_tp(ctx, &(e)->flow);                                                  \
		(e)->pid = (o)->pid;                                                               \
		(e)->pad = 0;                                                                      \
		__builtin_memcpy((e)->comm, (o)->comm, TK_COMM_LEN);                               \
	} while (0)

/*
 * Owner caching at the process-context steps of a connection's life, for tools that report
 * at a later, possibly softirq, transition: connect() (-> SYN_SENT, always overwrite: a
 * reused socket has a new connect) and close()/shutdown() (ESTABLISHED -> FIN_WAIT1,
 * CLOSE_WAIT -> LAST_ACK, kept if the owner is already known, e.g. from accept).
 */
static __always_inline void tcp_owner_track(void *map, const void *sk, int newstate)
{
	if (newstate == TCP_SYN_SENT)
		tk_owner_set(map, sk);
	else if (newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK)
		tk_owner_set_once(map, sk);
}

/*
 * Two programs at the return of accept4() and accept(), named name4 and name, each calling
 * handler(ret) with the syscall's return value (the accepted fd, or -errno).
 */
#define TCP_ACCEPT_EXIT_PROGS(name4, name, handler)                                                \
	SEC("tracepoint/syscalls/sys_exit_accept4")                                                \
	int name4(struct trace_event_raw_sys_exit *ctx)                                            \
	{                                                                                          \
		return handler(ctx->ret);                                                          \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_accept")                                                 \
	int name(struct trace_event_raw_sys_exit *ctx)                                             \
	{                                                                                          \
		return handler(ctx->ret);                                                          \
	}

/* Record the accepting task as owner of each accepted TCP socket (found through the fd). */
#define TCP_ACCEPT_OWNER_PROGS(map)                                                                \
	static __always_inline int tcp_accept_owner(long ret)                                      \
	{                                                                                          \
		struct sock *sk = tcp_accepted_sk(ret);                                            \
		if (sk)                                                                            \
			tk_owner_set(&map, sk);                                                    \
		return 0;                                                                          \
	}                                                                                          \
	TCP_ACCEPT_EXIT_PROGS(tcp_accept4_owner, tcp_accept_owner_prog, tcp_accept_owner)

/*
 * What the session tools (tcplife, tcpstates) filter on and remember: -p, -4/-6, -L/-D port
 * sets, the owners cached at process-context steps, and a u64 per socket (a timestamp). And
 * their first step at a state change, tcp_session_wanted(ctx): whether it is of a TCP socket
 * that passes -4/-6 and -L/-D. It tracks the owner (tcp_owner_track()); a socket that the port
 * sets filter out is forgotten (its ts_map entry, and its owner at CLOSE). Then
 * tcp_session_owner(ctx, cur): the owner to report (tk_owner_or_current()), NULL when -p
 * filters it out.
 */
#define TCP_SESSION_STATE(ts_map)                                                                  \
	const volatile __u32 targ_pid = 0;                                                         \
	const volatile __u16 targ_family = 0;                                                      \
	const volatile bool filter_lports = false;                                                 \
	const volatile bool filter_dports = false;                                                 \
	TCP_PORT_MAP(lports);                                                                      \
	TCP_PORT_MAP(dports);                                                                      \
	TK_OWNER_MAP(owners, 16384);                                                               \
	TK_MAP(ts_map, BPF_MAP_TYPE_HASH, 16384, __u64, __u64);                                    \
	TCP_ACCEPT_OWNER_PROGS(owners)                                                             \
	static __always_inline bool tcp_session_wanted(                                            \
		const struct trace_event_raw_inet_sock_set_state *ctx)                             \
	{                                                                                          \
		__u64 key = (__u64)ctx->skaddr;                                                    \
		if (ctx->protocol != IPPROTO_TCP || !tk_family_ok(targ_family, ctx->family))       \
			return false;                                                              \
		tcp_owner_track(&owners, ctx->skaddr, ctx->newstate);                              \
		if ((!filter_lports || tcp_port_in(&lports, ctx->sport)) &&                        \
		    (!filter_dports || tcp_port_in(&dports, ctx->dport)))                          \
			return true;                                                               \
		bpf_map_delete_elem(&ts_map, &key);                                                \
		if (ctx->newstate == TCP_CLOSE)                                                    \
			tk_owner_del(&owners, ctx->skaddr);                                        \
		return false;                                                                      \
	}                                                                                          \
	static __always_inline const struct tk_owner *tcp_session_owner(                          \
		const struct trace_event_raw_inet_sock_set_state *ctx, struct tk_owner *cur)       \
	{                                                                                          \
		const struct tk_owner *o = tk_owner_or_current(&owners, ctx->skaddr, cur);         \
		return !targ_pid || o->pid == targ_pid ? o : NULL;                                 \
	}

#endif
