/* SPDX-License-Identifier: GPL-2.0 */
/* mountsnoop: the event shared by mountsnoop.bpf.c and tools/mountsnoop.c. */
#ifndef TK_MOUNTSNOOP_H
#define TK_MOUNTSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define MOUNTSNOOP_STR 256 /* each string argument, NUL included (longer ones are cut) */

enum mountsnoop_op { MOUNTSNOOP_MOUNT, MOUNTSNOOP_UMOUNT };

struct mountsnoop_event {
	__u64 ts_ns;
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 ppid;
	__u32 mnt_ns; /* the mount namespace's inode number */
	__s32 ret;
	__u32 op; /* enum mountsnoop_op */
	__u64 flags;
	char comm[16];
	char pcomm[16];
	/* mount: source, target, type, data; umount: target only */
	char source[MOUNTSNOOP_STR];
	char target[MOUNTSNOOP_STR];
	char type[MOUNTSNOOP_STR];
	char data[MOUNTSNOOP_STR];
};

#endif
