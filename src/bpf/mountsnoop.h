/* SPDX-License-Identifier: GPL-2.0 */
/* mountsnoop: the event shared by mountsnoop.bpf.c and tools/mountsnoop.c. */
#ifndef TK_MOUNTSNOOP_H
#define TK_MOUNTSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define MOUNTSNOOP_STR	256 /* each string argument, NUL included (longer ones are cut) */
#define MOUNTSNOOP_STRS 4   /* string arguments of a call, at most (mount's) */

enum mountsnoop_op {
	MOUNTSNOOP_MOUNT,
	MOUNTSNOOP_UMOUNT,
	MOUNTSNOOP_FSOPEN,
	MOUNTSNOOP_FSCONFIG,
	MOUNTSNOOP_FSMOUNT,
	MOUNTSNOOP_MOVE_MOUNT,
};

/* fsconfig()'s commands whose value is a string (FSCONFIG_SET_STRING, _SET_PATH{,_EMPTY}) */
#define MOUNTSNOOP_FSCONFIG_STR(cmd) ((cmd) == 1 || (cmd) == 3 || (cmd) == 4)

struct mountsnoop_event {
	__u64 ts_ns;
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 ppid;
	__u32 mnt_ns; /* the mount namespace's inode number */
	__s32 ret;
	__u32 op;      /* enum mountsnoop_op */
	__u64 args[6]; /* the call's arguments as they came */
	char comm[16];
	char pcomm[16];
	/*
	 * Its string arguments in order (mount: source, target, type, data; umount: target;
	 * fsopen: the fs name; fsconfig: key, and value where it is a string; move_mount: from
	 * and to path); "" where NULL.
	 */
	char str[MOUNTSNOOP_STRS][MOUNTSNOOP_STR];
};

#endif
