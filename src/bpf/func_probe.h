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
 * Where a Go entry probe sits and when it counts: on the prologue's conditional jump to
 * morestack (the kernel emulates a jcc, so it is cheap), counting only the pass where the
 * jump is not taken, which the flags in pt_regs tell. Set by core/insn.c's decoder; tested
 * by the tools' BPF (func_pair.bpf.h, funccount.bpf.c) and the language's emitted code
 * (lang/emit.c cg_go_entry_check) with the flag masks below, and nowhere else.
 */
enum entry_cond {
	ENTRY_ALWAYS = 0,	 /* count every hit */
	ENTRY_JBE_NOT_TAKEN = 1, /* count when !(CF || ZF) */
	ENTRY_JB_NOT_TAKEN = 2,	 /* count when !CF */
};
#define JBE_TAKEN_FLAGS 0x41 /* CF (bit 0) | ZF (bit 6) */
#define JB_TAKEN_FLAGS	0x01 /* CF */

/* Does an entry probe with condition cond, hit with these flags, see a real call? */
static inline int entry_cond_met(unsigned int cond, unsigned long long flags)
{
	if (cond == ENTRY_JBE_NOT_TAKEN)
		return !(flags & JBE_TAKEN_FLAGS);
	if (cond == ENTRY_JB_NOT_TAKEN)
		return !(flags & JB_TAKEN_FLAGS);
	return 1;
}

/*
 * A probe's cookie says everything the BPF side must know about its site, so one program
 * serves Go and C functions of several binaries at once; the tools and the language build
 * them the same way (core/funcplan.h uprobe_sites):
 *   bits  0-31  index of the function (tools) or of the probe name (language)
 *   bits 32-39  entry condition (enum entry_cond)
 *   bit  40     the function is Go code (register ABI, goroutine-keyed pairing)
 *   bits 48-63  offset of goid in runtime.g for that binary's Go version
 */
#define COOKIE_COND_SHIFT  32
#define COOKIE_COND_MASK   0xff
#define COOKIE_IDX(c)	   ((__u32)(c))
#define COOKIE_COND(c)	   ((__u32)((c) >> COOKIE_COND_SHIFT) & COOKIE_COND_MASK)
#define COOKIE_IS_GO(c)	   (((c) >> 40) & 1)
#define COOKIE_GOID_OFF(c) ((__u32)((c) >> 48))
#define COOKIE(idx, cond, go, goid_off)                                                          \
	((__u64)(__u32)(idx) | ((__u64)(cond) << COOKIE_COND_SHIFT) | ((__u64)!!(go) << 40) |    \
	 ((__u64)(goid_off) << 48))

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
