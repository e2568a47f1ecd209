// SPDX-License-Identifier: GPL-2.0
/*
 * offcputime: at sched_switch the task going off CPU (prev, still current) records when and
 * its stacks; when it comes back on CPU (next of a later switch) the time it was away is
 * added to the counts of the stacks it left with. Nanoseconds are summed; -m/-M filter each
 * period in microseconds, as bcc's offcputime.py does.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "stack_common.bpf.h"

#define PF_KTHREAD 0x00200000

const volatile bool user_threads_only = false;	 /* -u */
const volatile bool kernel_threads_only = false; /* -k */
const volatile __u64 min_us = 1;		 /* -m */
const volatile __u64 max_us = ~0ull;		 /* -M */
const volatile bool state_filter = false;	 /* --state given */
const volatile __u32 state = 0;

struct start {
	__u64 ts;
	struct stack_key key;
};

/* threads off CPU now, by tid */
TK_MAP(starts, BPF_MAP_TYPE_HASH, 32768, __u32, struct start);
/* nanoseconds off CPU, by thread and stacks */
TK_MAP(counts, BPF_MAP_TYPE_HASH, 40960, struct stack_key, __u64);

struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

static __always_inline bool prev_wanted(void *ctx, struct task_struct *prev)
{
	__u32 flags = BPF_CORE_READ(prev, flags);
	__u32 st;

	if (user_threads_only && (flags & PF_KTHREAD))
		return false;
	if (kernel_threads_only && !(flags & PF_KTHREAD))
		return false;
	if (!stack_target(BPF_CORE_READ(prev, tgid), BPF_CORE_READ(prev, pid)))
		return false;
	if (!state_filter)
		return true;
	st = task_state(prev);
	/* bcc: --state 0 is "running" (preempted), any other value a bit mask */
	return state ? (st & state) != 0 : st == 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(offcpu_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns(), us;
	__u32 tid = BPF_CORE_READ(prev, pid);
	struct start *s, init = {.ts = now};

	/* prev is still current: its stacks are the ones it leaves the CPU with */
	if (tid && prev_wanted(ctx, prev)) {
		init.key.pid = BPF_CORE_READ(prev, tgid);
		init.key.tid = tid;
		bpf_get_current_comm(&init.key.comm, sizeof(init.key.comm));
		stack_key_stacks(ctx, &init.key);
		bpf_map_update_elem(&starts, &tid, &init, BPF_ANY);
	}
	tid = BPF_CORE_READ(next, pid);
	s = bpf_map_lookup_elem(&starts, &tid);
	if (!s)
		return 0; /* went off CPU before we started, or filtered */
	us = (now - s->ts) / 1000;
	if (us >= min_us && us <= max_us)
		stack_count_add(&counts, &s->key, now - s->ts);
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
