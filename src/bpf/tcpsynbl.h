/* SPDX-License-Identifier: GPL-2.0 */
/* tcpsynbl: histogram value shared by tcpsynbl.bpf.c and tools/tcpsynbl.c (key: backlog_max). */
#ifndef TK_TCPSYNBL_H
#define TK_TCPSYNBL_H

#define TCPSYNBL_SLOTS 64

struct tcpsynbl_hist {
	__u64 slots[TCPSYNBL_SLOTS];
	__u64 sum; /* of the backlog sizes: --metrics' _sum */
};

#endif
