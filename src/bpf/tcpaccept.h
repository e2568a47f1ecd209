/* SPDX-License-Identifier: GPL-2.0 */
/* tcpaccept: event shared by tcpaccept.bpf.c and tools/tcpaccept.c. */
#ifndef TCPACCEPT_H
#define TCPACCEPT_H

#include "tk_net.h"

struct tcpaccept_event {
	__u64 ts_ns;
	struct tk_flow flow; /* s = local, d = remote */
	__u32 pid;
	__u32 pad;
	char comm[TK_COMM_LEN];
};

#endif
