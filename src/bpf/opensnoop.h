/* SPDX-License-Identifier: GPL-2.0 */
/* opensnoop: the event shared by opensnoop.bpf.c and tools/opensnoop.c. */
#ifndef TK_OPENSNOOP_H
#define TK_OPENSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define OPENSNOOP_PATH_LEN 256 /* bcc's NAME_MAX-sized file name */

struct opensnoop_event {
	__u64 ts_ns;
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 uid;
	__s32 ret; /* fd, or -errno */
	__s32 dfd; /* directory fd of openat/openat2; AT_FDCWD (-100) for open */
	__u32 mode;
	__u64 flags;
	char comm[16];
	char path[OPENSNOOP_PATH_LEN];
};

#endif
