/* SPDX-License-Identifier: GPL-2.0 */
/* tcpconnect: event shared by tcpconnect.bpf.c and tools/tcpconnect.c. */
#ifndef TCPCONNECT_H
#define TCPCONNECT_H

#include "tk_net.h"

struct tcpconnect_event {
	__u64 ts_ns;
	struct tk_flow flow;
	__u32 pid;
	__u32 uid;
	char comm[TK_COMM_LEN];
};

#endif
