// SPDX-License-Identifier: GPL-2.0
/*
 * tcptracer without kprobes: connect (C), accept (A) and close (X) of TCP connections.
 *
 *  C  SYN_SENT -> ESTABLISHED, attributed to the task that entered SYN_SENT (connect(), which
 *     runs in that task), because the handshake completes in softirq context.
 *  A  the return of accept()/accept4() in the accepting task; the socket comes from the fd.
 *  X  the first step out of an open state: ESTABLISHED/CLOSE_WAIT -> FIN_WAIT1/LAST_ACK (run by
 *     close() or shutdown() in the owner) or -> CLOSE (reset), and SYN_SENT -> CLOSE (refused).
 *     Attributed to the cached owner when there is one, else the current task.
 */
#include "tcp_common.bpf.h"
#include "tcptracer.h"

const volatile __u32 targ_pid = 0;
const volatile __u16 targ_family = 0;
const volatile __u32 targ_netns = 0;

TK_OWNER_MAP(owners, 16384);

static __always_inline void emit(__u32 type, const struct tk_flow *f, __u32 pid, const char *comm,
				 __u32 netns)
{
	struct tcptracer_event *e = tcp_event_reserve(sizeof(*e));

	if (!e)
		return;
	e->ts_ns = bpf_ktime_get_ns();
	e->flow = *f;
	e->pid = pid;
	e->netns = netns;
	e->type = type;
	__builtin_memcpy(e->comm, comm, TK_COMM_LEN);
	bpf_ringbuf_submit(e, 0);
}

static __always_inline bool is_close_step(int os, int ns)
{
	if (os == TCP_ESTABLISHED || os == TCP_CLOSE_WAIT)
		return ns == TCP_FIN_WAIT1 || ns == TCP_LAST_ACK || ns == TCP_CLOSE;
	return os == TCP_SYN_SENT && ns == TCP_CLOSE;
}

SEC("tracepoint/sock/inet_sock_set_state")
int tcptracer_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	const struct sock *sk = ctx->skaddr;
	int os = ctx->oldstate, ns = ctx->newstate;
	struct tk_owner cur, *o;
	struct tk_flow f = {};
	__u32 netns;

	if (ctx->protocol != IPPROTO_TCP || !tk_family_ok(targ_family, ctx->family))
		return 0;
	if (ns == TCP_SYN_SENT) {
		/* connect(): this runs in the connecting task. */
		if (!targ_pid || tk_current_tgid() == targ_pid)
			tk_owner_set(&owners, sk);
		return 0;
	}
	o = tk_owner_get(&owners, sk);
	if (os == TCP_SYN_SENT && ns == TCP_ESTABLISHED) {
		if (!o)
			return 0; /* not ours (filtered) or connect before we started */
		netns = tcp_sk_netns(sk);
		if (targ_netns && netns != targ_netns)
			return 0;
		tk_flow_from_tp(ctx, &f);
		if (tcp_flow_complete(&f))
			emit(TCPTRACER_CONNECT, &f, o->pid, o->comm, netns);
		return 0;
	}
	if (is_close_step(os, ns)) {
		if (!o) {
			tk_owner_current(&cur);
			o = &cur;
		}
		netns = tcp_sk_netns(sk);
		tk_flow_from_tp(ctx, &f);
		if ((!targ_pid || o->pid == targ_pid) && (!targ_netns || netns == targ_netns) &&
		    tcp_flow_complete(&f))
			emit(TCPTRACER_CLOSE, &f, o->pid, o->comm, netns);
	}
	if (ns == TCP_CLOSE)
		tk_owner_del(&owners, sk);
	return 0;
}

static __always_inline int on_accept_exit(long ret)
{
	struct tk_flow f = {};
	struct tk_owner cur;
	struct sock *sk;
	__u32 netns;

	if (targ_pid && tk_current_tgid() != targ_pid)
		return 0;
	sk = tcp_accepted(ret, targ_family, &f);
	if (!sk)
		return 0;
	netns = tcp_sk_netns(sk);
	if (targ_netns && netns != targ_netns)
		return 0;
	/* From here on this task owns the connection (its close is ours to report). */
	tk_owner_set(&owners, sk);
	tk_owner_current(&cur);
	if (tcp_flow_complete(&f))
		emit(TCPTRACER_ACCEPT, &f, cur.pid, cur.comm, netns);
	return 0;
}

TCP_ACCEPT_EXIT_PROGS(tcptracer_accept4, tcptracer_accept, on_accept_exit)

char LICENSE[] SEC("license") = "GPL";
