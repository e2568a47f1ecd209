/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF side every stack tool shares: the stack map, which stacks to take (-U/-K), the
 * -p/-L target list, and the key of a counts map (stack_common.h). Include after vmlinux.h.
 */
#ifndef TK_STACK_COMMON_BPF_H
#define TK_STACK_COMMON_BPF_H

#include <bpf/bpf_helpers.h>

#include "stack_common.h"
#include "tk_map.bpf.h"

#define EFAULT 14

const volatile bool kernel_stacks = true; /* false with -U */
const volatile bool user_stacks = true;	  /* false with -K */
/* -p / -L: up to STACK_MAX_TARGETS ids; ntargets 0: everyone */
const volatile __u32 targets[STACK_MAX_TARGETS] = {};
const volatile __u32 ntargets = 0;
const volatile bool targets_tid = false; /* the ids are threads (-L, -t), not processes */

/* user space sets max_entries from --stack-storage-size */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, STACK_MAX_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* Whether the task (tgid, tid) is one of the -p/-L targets. */
static __always_inline bool stack_target(__u32 tgid, __u32 tid)
{
	__u32 id = targets_tid ? tid : tgid;

	if (!ntargets)
		return true;
	for (__u32 i = 0; i < STACK_MAX_TARGETS && i < ntargets; i++)
		if (targets[i] == id)
			return true;
	return false;
}

/*
 * The current task's stacks into k (ctx: the program's context). A stack not asked for is
 * -EFAULT, "no such stack", which user space neither shows nor counts as missed.
 */
static __always_inline void stack_key_stacks(void *ctx, struct stack_key *k)
{
	k->kstack = kernel_stacks ? bpf_get_stackid(ctx, &stacks, 0) : -EFAULT;
	k->ustack = user_stacks ? bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK) : -EFAULT;
}

/* Add v to counts[k]. */
static __always_inline void stack_count_add(void *counts, const struct stack_key *k, __u64 v)
{
	__u64 zero = 0, *c = tk_map_lookup_or_init(counts, k, &zero);

	if (c)
		__sync_fetch_and_add(c, v);
}

#endif
