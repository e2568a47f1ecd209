/* SPDX-License-Identifier: GPL-2.0 */
/* tcptracer: event shared by tcptracer.bpf.c and tools/tcptracer.c. */
#ifndef TCPTRACER_H
#define TCPTRACER_H

#include "tk_net.h"

enum tcptracer_type {
	TCPTRACER_CONNECT = 1,
	TCPTRACER_ACCEPT = 2,
	TCPTRACER_CLOSE = 3,
};

struct tcptracer_event {
	__u64 ts_ns;
	struct tk_flow flow;
	__u32 pid;
	__u32 netns;
	__u32 type;
	char comm[TK_COMM_LEN];
};

#endif
