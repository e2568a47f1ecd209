/* SPDX-License-Identifier: GPL-2.0 */
/* tcpcong: per-flow congestion state durations, shared by tcpcong.bpf.c and tools/tcpcong.c. */
#ifndef TK_TCPCONG_H
#define TK_TCPCONG_H

#include "tk_net.h"

/* The kernel's enum tcp_ca_state: Open, Disorder, CWR, Recovery, Loss. */
#define TCPCONG_NSTATES 5
#define TCPCONG_SLOTS	64

struct tcpcong_flow {
	struct tk_flow flow;
	__u64 last_ts;			/* when the current state began (ns) */
	__u64 dura_us[TCPCONG_NSTATES]; /* time spent per state since the last print */
	__u64 changes;			/* state changes since the last print */
	__u32 state;			/* current state */
	__u32 closed;			/* the socket closed: user space drops it after printing */
};

#endif
