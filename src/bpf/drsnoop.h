/* SPDX-License-Identifier: GPL-2.0 */
/* drsnoop: the event shared by drsnoop.bpf.c and tools/drsnoop.c. */
#ifndef TK_DRSNOOP_H
#define TK_DRSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct drsnoop_event {
	__u64 ts_ns; /* the reclaim's end */
	__u32 pid;   /* tgid */
	__u32 tid;
	__u32 uid;
	__u32 memcg; /* 1: reclaim within a memory cgroup's limit, 0: global direct reclaim */
	__u64 delta_ns;
	__u64 nr_reclaimed; /* pages */
	char comm[16];
};

#endif
