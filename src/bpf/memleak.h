/* SPDX-License-Identifier: GPL-2.0 */
/* memleak: the outstanding allocations its BPF half keeps, and its -t trace records. */
#ifndef TK_MEMLEAK_H
#define TK_MEMLEAK_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Which allocator function a probe is on: its cookie (the entry programs share one exit). */
enum memleak_func {
	ML_MALLOC,
	ML_CALLOC,
	ML_REALLOC,
	ML_POSIX_MEMALIGN,
	ML_ALIGNED_ALLOC,
	ML_VALLOC,
	ML_MEMALIGN,
	ML_PVALLOC,
	ML_FREE,
	ML_NFUNCS,
};

/* allocs: address -> this, while the block is outstanding */
struct memleak_alloc {
	__u64 size;
	__u64 ts_ns;  /* bpf_ktime_get_ns() at the allocation's return */
	__s32 ustack; /* id in the stacks map, or a negative errno */
	__u32 pad;
};

/* -t: one record per allocation (at its return) or free (at its entry) */
struct memleak_event {
	__u64 addr;
	__u64 size; /* of the allocation; a free: of the block when it was tracked, else 0 */
	__u32 pid, tid;
	__u32 func; /* enum memleak_func */
	__u32 pad;
};

#endif
