/* SPDX-License-Identifier: GPL-2.0 */
/* oomkill: the event shared by oomkill.bpf.c and tools/oomkill.c. */
#ifndef TK_OOMKILL_H
#define TK_OOMKILL_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct oomkill_event {
	__u64 ts_ns;
	__u32 pid; /* the trigger: the task that ran the OOM killer (its tgid) */
	__u32 tid;
	char comm[16];
	__u32 victim_pid;
	__u32 victim_uid;
	char victim_comm[16];
	/* the victim's memory, in KiB, as oom:mark_victim reports it */
	__u64 total_vm_kb;
	__u64 anon_rss_kb;
	__u64 file_rss_kb;
	__u64 shmem_rss_kb;
	__s32 oom_score_adj;
	__u32 pad;
};

#endif
