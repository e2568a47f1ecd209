/* SPDX-License-Identifier: GPL-2.0 */
/* opensnoop: the event shared by opensnoop.bpf.c and tools/opensnoop.c. */
#ifndef TK_OPENSNOOP_H
#define TK_OPENSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define OPENSNOOP_PATH_LEN  256	 /* bcc's NAME_MAX-sized file name */
#define OPENSNOOP_NAME_MAX  256	 /* one directory name, with -F */
#define OPENSNOOP_DIR_BYTES 1024 /* -F: the directory names of a relative path */

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
	/*
	 * -F, for a relative path: the names of the directories it starts from (the cwd, or
	 * openat's directory), innermost first, NUL-terminated back to back. Only dir_size
	 * bytes of dir travel through the ring buffer.
	 */
	__u32 dir_depth;
	__u32 dir_size;
	__u32 dir_root; /* the walk reached the root: the names make the whole path */
	__u32 pad;
	char dir[OPENSNOOP_DIR_BYTES + OPENSNOOP_NAME_MAX]; /* room for a last name at the end */
};

#endif
