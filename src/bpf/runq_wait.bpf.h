/* SPDX-License-Identifier: GPL-2.0 */
/*
 * runqlat and runqslower: how long a thread waited on a run queue, from becoming runnable
 * (sched_wakeup, sched_wakeup_new, or preempted while still runnable at sched_switch) to its
 * turn on a CPU (sched_switch to it). Include after vmlinux.h and tk_map.bpf.h.
 */
#ifndef TK_RUNQ_WAIT_BPF_H
#define TK_RUNQ_WAIT_BPF_H

#define RUNQ_TASK_RUNNING 0

const volatile __u32 runq_tgid = 0; /* -p: this process's threads only */
const volatile __u32 runq_tid = 0;  /* -t: this thread only */

/* when each runnable thread was queued, by tid */
TK_MAP(runq_starts, BPF_MAP_TYPE_HASH, 10240, __u32, __u64);

static __always_inline void runq_queued(struct task_struct *t)
{
	__u32 tid = BPF_CORE_READ(t, pid);
	__u64 now;

	if (!tid)
		return; /* the idle task */
	if (runq_tgid && BPF_CORE_READ(t, tgid) != runq_tgid)
		return;
	if (runq_tid && tid != runq_tid)
		return;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&runq_starts, &tid, &now, BPF_ANY);
}

/*
 * At sched_switch from prev to next: how long next waited (nanoseconds in *ns), or false
 * when it was not queued since we started, or is filtered out.
 */
static __always_inline bool runq_switch(struct task_struct *prev, struct task_struct *next,
					__u64 *ns)
{
	__u32 tid = BPF_CORE_READ(next, pid);
	__u64 *ts;

	/* preempted while runnable: it waits in the queue again from now */
	if (BPF_CORE_READ(prev, __state) == RUNQ_TASK_RUNNING)
		runq_queued(prev);
	ts = bpf_map_lookup_elem(&runq_starts, &tid);
	if (!ts)
		return false;
	*ns = bpf_ktime_get_ns() - *ts;
	bpf_map_delete_elem(&runq_starts, &tid);
	return true;
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(runq_wakeup, struct task_struct *p)
{
	runq_queued(p);
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(runq_wakeup_new, struct task_struct *p)
{
	runq_queued(p);
	return 0;
}

#endif
