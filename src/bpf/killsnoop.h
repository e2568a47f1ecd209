/* SPDX-License-Identifier: GPL-2.0 */
/* killsnoop: the event shared by killsnoop.bpf.c and tools/killsnoop.c. */
#ifndef TK_KILLSNOOP_H
#define TK_KILLSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum killsnoop_call { KILLSNOOP_KILL, KILLSNOOP_TKILL, KILLSNOOP_TGKILL };

struct killsnoop_event {
	__u64 ts_ns;
	__u32 pid; /* sender's tgid */
	__u32 tid;
	__s32 tpid; /* kill: pid argument (may be 0 or negative: a group); tkill/tgkill: tid */
	__s32 sig;
	__s32 ret;
	__u32 call; /* enum killsnoop_call */
	char comm[16];
};

#endif
