// SPDX-License-Identifier: GPL-2.0
/*
 * wakeuptime: how long threads were blocked, summed by who woke them: at sched_switch the
 * thread going off CPU (prev, still current) records when; at sched_waking of that thread the
 * waker (current) adds the time since to the count of its kernel stack, its comm and the
 * target's comm (bcc's wakeuptime.py). Nanoseconds are summed; -m/-M bound each blocked time
 * in microseconds, as bcc does.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "stack_common.bpf.h"

#define PF_KTHREAD 0x00200000

const volatile bool user_threads_only = false; /* -u */
const volatile __u64 min_us = 1;	       /* -m */
const volatile __u64 max_us = ~0ull;	       /* -M */

/* when each blocked thread left the CPU, by tid */
TK_MAP(starts, BPF_MAP_TYPE_HASH, 32768, __u32, __u64);
/* nanoseconds blocked, by target comm and waker stack and comm */
TK_MAP(counts, BPF_MAP_TYPE_HASH, 40960, struct stack_key, __u64);

/* -p (the target's process) and -u: bcc filters the blocked thread, never the waker */
static __always_inline bool target_wanted(struct task_struct *t)
{
	if (user_threads_only && (BPF_CORE_READ(t, flags) & PF_KTHREAD))
		return false;
	return stack_target(BPF_CORE_READ(t, tgid), BPF_CORE_READ(t, pid));
}

SEC("raw_tp/sched_switch")
int BPF_PROG(wakeup_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 tid = BPF_CORE_READ(prev, pid);
	__u64 now = bpf_ktime_get_ns();

	if (tid && target_wanted(prev))
		bpf_map_update_elem(&starts, &tid, &now, BPF_ANY);
	return 0;
}

/*
 * sched_waking, not bcc's sched_wakeup: it fires in try_to_wake_up() on the waker itself,
 * where sched_wakeup of a wakeup queued to another CPU fires there, from whatever runs
 * (often the idle task), and would name it the waker.
 */
SEC("raw_tp/sched_waking")
int BPF_PROG(wakeup_waking, struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	struct stack_key k = {.ustack = -EFAULT};
	__u64 *ts = bpf_map_lookup_elem(&starts, &tid), ns, us;

	if (!ts)
		return 0; /* blocked before we started, or filtered */
	ns = bpf_ktime_get_ns() - *ts;
	bpf_map_delete_elem(&starts, &tid);
	us = ns / 1000;
	if (us < min_us || us > max_us)
		return 0;
	k.pid = BPF_CORE_READ(p, tgid);
	BPF_CORE_READ_STR_INTO(&k.comm, p, comm);
	bpf_get_current_comm(&k.extra, sizeof(k.extra));
	k.kstack = kernel_stacks ? bpf_get_stackid(ctx, &stacks, 0) : -EFAULT;
	stack_count_add(&counts, &k, ns);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
