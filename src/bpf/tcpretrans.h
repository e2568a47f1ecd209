/* SPDX-License-Identifier: GPL-2.0 */
/* tcpretrans: the event shared by tcpretrans.bpf.c and tools/tcpretrans.c. */
#ifndef TK_TCPRETRANS_H
#define TK_TCPRETRANS_H

#include "tk_net.h"

#define TCPRETRANS_RETRANSMIT 1 /* bcc's 'R' */
#define TCPRETRANS_TLP	      2 /* bcc's 'L' */

struct tcpretrans_event {
	struct tk_flow flow; /* s* = local, d* = remote */
	__u32 pid;
	__u32 state;
	__u32 seq;
	__u32 type;
};

#endif
