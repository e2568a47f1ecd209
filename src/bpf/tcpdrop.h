/* SPDX-License-Identifier: GPL-2.0 */
/* tcpdrop: the event shared by tcpdrop.bpf.c and tools/tcpdrop.c. */
#ifndef TK_TCPDROP_H
#define TK_TCPDROP_H

#include "tk_net.h"

#define TCPDROP_MAX_STACK 64

struct tcpdrop_event {
	struct tk_flow flow; /* from the packet: s* = packet source, d* = destination */
	__u32 pid;
	__u32 reason;
	__u8 state;    /* of the socket, 0 when the packet had none */
	__u8 tcpflags; /* byte 13 of the TCP header */
	__u16 pad;
	__s32 nframes; /* kernel stack frames in stack[], < 0 on error */
	__u64 stack[TCPDROP_MAX_STACK];
};

#endif
