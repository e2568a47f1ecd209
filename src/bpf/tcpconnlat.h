/* SPDX-License-Identifier: GPL-2.0 */
/* tcpconnlat: event shared by tcpconnlat.bpf.c and tools/tcpconnlat.c. */
#ifndef TCPCONNLAT_H
#define TCPCONNLAT_H

#include "tk_net.h"

struct tcpconnlat_event {
	__u64 ts_ns;
	__u64 delta_us;
	struct tk_flow flow;
	__u32 pid;
	__u32 pad;
	char comm[TK_COMM_LEN];
};

#endif
