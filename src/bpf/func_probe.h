/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the BPF and user halves of the function tools: how a probe's cookie is laid out
 * and what an event of funcslower carries.
 */
#ifndef TK_FUNC_PROBE_H
#define TK_FUNC_PROBE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * A probe's cookie says everything the BPF side must know about its site, so one program
 * serves Go and C functions of several binaries at once:
 *   bits  0-31  index of the function in the tool's table
 *   bits 32-39  entry condition (enum entry_cond in core/insn.h): a probe on Go's prologue
 *               branch to morestack counts only the pass where the branch is not taken
 *   bit  40     the function is Go code (register ABI, goroutine-keyed pairing)
 *   bits 48-63  offset of goid in runtime.g for that binary's Go version
 */
#define COOKIE_IDX(c)	   ((__u32)(c))
#define COOKIE_COND(c)	   ((__u32)((c) >> 32) & 0xff)
#define COOKIE_IS_GO(c)	   (((c) >> 40) & 1)
#define COOKIE_GOID_OFF(c) ((__u32)((c) >> 48))
#define COOKIE(idx, cond, go, goid_off)                                                          \
	((__u64)(idx) | ((__u64)(cond) << 32) | ((__u64)!!(go) << 40) | ((__u64)(goid_off) << 48))

#define HIST_SLOTS	65
#define MAX_STACK	64
#define MAX_ARGS	6
#define COMM_LEN	16

/*
 * The key that pairs a call's entry with its return, for the tools (func_pair.bpf.h) and
 * the language's Go uretprobes (lang/gopair.c) alike: goroutines move between threads and
 * two processes of one binary have the same goroutine ids and stack offsets, so it is
 * (process, goroutine id, g.stack.hi - SP) for Go and (process, thread, SP) for C.
 */
struct call_key {
	__u32 tgid;
	__u32 pad;
	__u64 id;  /* goroutine id (Go) or thread id (C) */
	__u64 pos; /* g.stack.hi - SP (Go) or SP after return (C) */
};

/* funclatency: one histogram per (function, process), as bcc keys library targets. */
struct lat_key {
	__u32 idx;
	__u32 tgid;
};

struct lat_hist {
	__u64 slots[HIST_SLOTS];
	__u64 total; /* in the chosen unit */
	__u64 count;
};

struct slow_event {
	__u64 lat_ns;
	__u64 retval;
	__u64 args[MAX_ARGS];
	__u64 caller; /* return address: the frame a stack taken at a RET lacks */
	__u32 pid, tid;
	__u32 idx;
	__s32 ustack_len; /* bytes, or negative errno */
	__s32 kstack_len;
	char comm[COMM_LEN];
	__u64 ustack[MAX_STACK];
	__u64 kstack[MAX_STACK];
};

#endif
