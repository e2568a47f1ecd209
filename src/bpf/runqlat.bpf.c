// SPDX-License-Identifier: GPL-2.0
/*
 * runqlat: run queue latency, the time from a thread becoming runnable (sched_wakeup,
 * sched_wakeup_new, or preempted while still runnable at sched_switch) to its turn on a CPU
 * (sched_switch to it), as log2 histograms (bcc's runqlat).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "runqlat.h"

#define HIST_TOOL_KEY	  __u32
#define HIST_TOOL_ENTRIES 10240
#include "hist_tool.bpf.h"

#define TASK_RUNNING 0

const volatile __u32 targ_tgid = 0; /* -p */
const volatile __u32 targ_key = RUNQLAT_KEY_NONE;
const volatile bool targ_ms = false; /* -m */

/* when each runnable thread was queued, by tid */
TK_MAP(starts, BPF_MAP_TYPE_HASH, 10240, __u32, __u64);

static __always_inline void queued(struct task_struct *t)
{
	__u32 tid = BPF_CORE_READ(t, pid);
	__u64 now;

	if (!tid)
		return; /* the idle task */
	if (targ_tgid && BPF_CORE_READ(t, tgid) != targ_tgid)
		return;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &tid, &now, BPF_ANY);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(runqlat_wakeup, struct task_struct *p)
{
	queued(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(runqlat_wakeup_new, struct task_struct *p)
{
	queued(p);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(runqlat_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 tid = BPF_CORE_READ(next, pid), key = 0;
	const char *comm = NULL;
	__u64 *ts, delta;

	/* preempted while runnable: it waits in the queue again from now */
	if (BPF_CORE_READ(prev, __state) == TASK_RUNNING)
		queued(prev);
	ts = bpf_map_lookup_elem(&starts, &tid);
	if (!ts)
		return 0;
	delta = bpf_ktime_get_ns() - *ts;
	bpf_map_delete_elem(&starts, &tid);
	delta /= targ_ms ? 1000000 : 1000;
	if (targ_key == RUNQLAT_KEY_PID) {
		key = BPF_CORE_READ(next, tgid);
		comm = next->group_leader->comm; /* bcc reads /proc/PID/comm: the leader's */
	} else if (targ_key == RUNQLAT_KEY_TID) {
		key = tid;
		comm = next->comm;
	} else if (targ_key == RUNQLAT_KEY_PIDNS) {
		key = BPF_CORE_READ(next, nsproxy, pid_ns_for_children, ns.inum);
	}
	hist_tool_add(&key, delta, comm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
