// SPDX-License-Identifier: GPL-2.0
/*
 * tcpaccept without kprobes: the return of accept()/accept4() in the accepting task, the new
 * socket found through the returned fd. (inet_sock_set_state's SYN_RECV -> ESTABLISHED would
 * name whichever task the handshake's last ACK ran in, so it is not used.)
 */
#include "tcp_common.bpf.h"
#include "tcpaccept.h"

const volatile __u32 targ_pid = 0;
const volatile __u16 targ_family = 0;
const volatile bool filter_ports = false;

TCP_PORT_MAP(lports);

static __always_inline int on_accept_exit(long ret)
{
	struct tcpaccept_event *e;
	struct tk_flow f = {};
	__u64 id;

	id = bpf_get_current_pid_tgid();
	if (targ_pid && (id >> 32) != targ_pid)
		return 0;
	if (!tcp_accepted(ret, targ_family, &f))
		return 0;
	if (filter_ports && !tcp_port_in(&lports, f.sport))
		return 0;
	e = tcp_event_reserve(sizeof(*e));
	if (!e)
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->flow = f;
	e->pid = id >> 32;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

TCP_ACCEPT_EXIT_PROGS(tcpaccept_accept4, tcpaccept_accept, on_accept_exit)

char LICENSE[] SEC("license") = "GPL";
