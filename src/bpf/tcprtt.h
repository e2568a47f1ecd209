/* SPDX-License-Identifier: GPL-2.0 */
/* tcprtt: histogram key and value shared by tcprtt.bpf.c and tools/tcprtt.c. */
#ifndef TK_TCPRTT_H
#define TK_TCPRTT_H

#include "tk_net.h"

#define TCPRTT_SLOTS 64

/* All zero unless -b/-B: then the local/remote address. */
struct tcprtt_key {
	__u16 family;
	__u16 pad;
	__u8 addr[16];
};

struct tcprtt_hist {
	__u64 latency; /* sum, in the histogram's unit (for -e) */
	__u64 cnt;
	__u64 slots[TCPRTT_SLOTS];
};

#endif
