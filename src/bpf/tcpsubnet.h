/* SPDX-License-Identifier: GPL-2.0 */
/* tcpsubnet: bytes per destination address, shared by tcpsubnet.bpf.c and tools/tcpsubnet.c. */
#ifndef TK_TCPSUBNET_H
#define TK_TCPSUBNET_H

struct tcpsubnet_key {
	__u16 family;
	__u16 pad;
	__u8 daddr[16]; /* network order, IPv4 in the first 4 bytes */
};

#endif
