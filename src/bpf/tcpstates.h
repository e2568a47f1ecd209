/* SPDX-License-Identifier: GPL-2.0 */
/* tcpstates: event shared by tcpstates.bpf.c and tools/tcpstates.c. */
#ifndef TCPSTATES_H
#define TCPSTATES_H

#include "tk_net.h"

struct tcpstates_event {
	__u64 ts_ns;
	__u64 skaddr;
	__u64 span_us;
	struct tk_flow flow;
	__u32 pid;
	__u32 oldstate;
	__u32 newstate;
	__u32 pad;
	char comm[TK_COMM_LEN];
};

#endif
