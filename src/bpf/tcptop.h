/* SPDX-License-Identifier: GPL-2.0 */
/* tcptop: map key and value shared by tcptop.bpf.c and tools/tcptop.c. */
#ifndef TCPTOP_H
#define TCPTOP_H

#include "tk_net.h"

struct tcptop_key {
	struct tk_flow flow;
	__u32 pid;
	__u32 pad;
};

struct tcptop_val {
	__u64 sent;
	__u64 received;
	char comm[TK_COMM_LEN];
};

#endif
