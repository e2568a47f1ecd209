/* SPDX-License-Identifier: GPL-2.0 */
/* statsnoop: the event shared by statsnoop.bpf.c and tools/statsnoop.c. */
#ifndef TK_STATSNOOP_H
#define TK_STATSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define STATSNOOP_PATH_LEN 256

/* bcc's sys_type numbering: the SYSCALL column names them. */
enum statsnoop_sys {
	STATSNOOP_STAT = 1,
	STATSNOOP_STATX,
	STATSNOOP_STATFS,
	STATSNOOP_NEWSTAT,
	STATSNOOP_NEWLSTAT,
	STATSNOOP_FSTATAT64,
	STATSNOOP_NEWFSTATAT,
};

struct statsnoop_event {
	__u64 ts_ns;
	__u32 pid; /* tgid */
	__u32 tid;
	__s32 ret;
	__u32 sys; /* enum statsnoop_sys */
	char comm[16];
	char path[STATSNOOP_PATH_LEN];
};

#endif
