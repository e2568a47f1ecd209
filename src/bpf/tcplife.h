/* SPDX-License-Identifier: GPL-2.0 */
/* tcplife: event shared by tcplife.bpf.c and tools/tcplife.c. */
#ifndef TCPLIFE_H
#define TCPLIFE_H

#include "tk_net.h"

struct tcplife_event {
	__u64 ts_ns;
	__u64 span_us;
	__u64 rx_b;
	__u64 tx_b;
	struct tk_flow flow;
	__u32 pid;
	__u32 pad;
	char comm[TK_COMM_LEN];
};

#endif
