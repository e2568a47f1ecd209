/* SPDX-License-Identifier: GPL-2.0 */
/* exitsnoop: the event shared by exitsnoop.bpf.c and tools/exitsnoop.c. */
#ifndef TK_EXITSNOOP_H
#define TK_EXITSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct exitsnoop_event {
	__u64 start_ns; /* task->start_time (CLOCK_MONOTONIC) */
	__u64 exit_ns;	/* bpf_ktime_get_ns() at exit */
	__u32 pid;	/* tgid */
	__u32 tid;
	__u32 ppid;
	__u32 exit_code; /* task->exit_code: (code << 8) | core dump bit 0x80 | signal */
	char comm[16];
};

#endif
