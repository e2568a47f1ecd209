/* SPDX-License-Identifier: GPL-2.0 */
/* syncsnoop: the event shared by syncsnoop.bpf.c and tools/syncsnoop.c. */
#ifndef TK_SYNCSNOOP_H
#define TK_SYNCSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum syncsnoop_sys {
	SYNCSNOOP_SYNC,
	SYNCSNOOP_FSYNC,
	SYNCSNOOP_FDATASYNC,
	SYNCSNOOP_MSYNC,
	SYNCSNOOP_SYNC_FILE_RANGE,
	SYNCSNOOP_SYNC_FILE_RANGE2,
	SYNCSNOOP_SYNCFS,
	SYNCSNOOP_NR,
};

struct syncsnoop_event {
	__u64 ts_ns; /* bpf_ktime_get_ns() */
	__u32 pid;   /* tgid */
	__u32 tid;
	__u32 sys; /* enum syncsnoop_sys */
	__s32 fd;  /* the fd argument, -1 for sync() and msync() */
	char comm[16];
};

#endif
