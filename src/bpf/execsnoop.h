/* SPDX-License-Identifier: GPL-2.0 */
/* execsnoop: the event shared by execsnoop.bpf.c and tools/execsnoop.c. */
#ifndef TK_EXECSNOOP_H
#define TK_EXECSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define EXECSNOOP_COMM_LEN	   16
#define EXECSNOOP_ARGSIZE	   128 /* bytes per argument, as bcc's ARGSIZE */
#define EXECSNOOP_MAX_ARGS	   60  /* upper bound of --max-args */
#define EXECSNOOP_DEFAULT_MAX_ARGS 20
#define EXECSNOOP_ARGS_BYTES	   (EXECSNOOP_MAX_ARGS * EXECSNOOP_ARGSIZE)

struct execsnoop_event {
	__u64 ts_ns; /* bpf_ktime_get_ns() at return */
	__u32 pid;   /* tgid */
	__u32 ppid;  /* real parent's tgid */
	__u32 uid;
	__s32 retval;
	__u32 args_count;
	__u32 args_size; /* bytes used in args */
	__u32 truncated; /* more arguments than --max-args */
	char comm[EXECSNOOP_COMM_LEN];
	/* The file name, then argv[1..]: NUL-terminated strings back to back. */
	char args[EXECSNOOP_ARGS_BYTES];
};

#endif
