/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stack tools' count key, shared by their BPF halves (stack_common.bpf.h) and
 * tools/stack_tool.c, which reads any of their counts maps the same way.
 */
#ifndef TK_STACK_COMMON_H
#define TK_STACK_COMMON_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define STACK_COMM_LEN	  16
#define STACK_MAX_DEPTH	  127 /* perf_event_max_stack: a stack map value's frames */
#define STACK_MAX_TARGETS 16  /* -p/-L: comma-separated PIDs or TIDs (bcc's lists) */

struct stack_key {
	__u32 pid; /* tgid */
	__u32 tid; /* 0: the tool counts per process */
	/* ids in the stacks map, or a negative errno (-EFAULT: no such stack, e.g. a kernel
	 * thread's user stack; -EEXIST, -ENOMEM: the map had no room) */
	__s32 kstack, ustack;
	/*
	 * 0, or the return address at [SP] of a probe on a function's entry (stackcount's
	 * uprobes, offcputime --go's runtime.gopark): the frame-pointer walk there starts at the
	 * caller's frame and skips the caller itself, which user space puts back as frame 1.
	 */
	__u64 caller;
	char comm[STACK_COMM_LEN];
	char extra[STACK_COMM_LEN]; /* a tool's own column (wakeuptime's waker), or "" */
};

#endif
