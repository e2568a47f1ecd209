/* SPDX-License-Identifier: GPL-2.0 */
/* runqslower: the event shared by runqslower.bpf.c and tools/runqslower.c. */
#ifndef TK_RUNQSLOWER_H
#define TK_RUNQSLOWER_H

#define RUNQSLOWER_COMM_LEN 16

struct runqslower_event {
	__u64 delta_us;
	__u32 tid, tgid;
	__u32 prev_tid;
	__u32 pad;
	char comm[RUNQSLOWER_COMM_LEN];
	char prev_comm[RUNQSLOWER_COMM_LEN];
};

#endif
