/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the BPF and user sides of the tcp* tools. Plain fixed-size fields only, so
 * the layout is the same on both sides. Include from BPF after vmlinux.h, from user space as
 * "bpf/tk_net.h" (it pulls <linux/types.h> itself).
 */
#ifndef TK_NET_SHARED_H
#define TK_NET_SHARED_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TK_COMM_LEN 16

/*
 * One TCP flow as the tools print it. Addresses in network order (IPv4 in the first 4 bytes
 * of the 16), ports in host order, family AF_INET (2) or AF_INET6 (10).
 */
struct tk_flow {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u16 pad;
};

/* The process that owns a socket, cached at a process-context event (see tk_net.bpf.h). */
struct tk_owner {
	__u32 pid; /* tgid */
	__u32 tid;
	__u64 ts_ns; /* when it was cached (e.g. connect start for tcpconnlat) */
	char comm[TK_COMM_LEN];
};

#endif
