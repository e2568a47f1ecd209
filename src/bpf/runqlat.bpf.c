// SPDX-License-Identifier: GPL-2.0
/*
 * runqlat: run queue latency (runq_wait.bpf.h) as log2 histograms (bcc's runqlat).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "runqlat.h"

#define HIST_TOOL_KEY	  __u32
#define HIST_TOOL_ENTRIES 10240
#include "hist_tool.bpf.h"

#include "runq_wait.bpf.h"

const volatile __u32 targ_key = RUNQLAT_KEY_NONE;
const volatile bool targ_ms = false; /* -m */

SEC("raw_tp/sched_switch")
int BPF_PROG(runqlat_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 tid = BPF_CORE_READ(next, pid), key = 0;
	const char *comm = NULL;
	__u64 delta;

	if (!runq_switch(prev, next, &delta))
		return 0;
	delta /= targ_ms ? 1000000 : 1000;
	if (targ_key == RUNQLAT_KEY_PID) {
		key = BPF_CORE_READ(next, tgid);
		/* bcc reads /proc/PID/comm: the leader's (an address: read in hist_tool_add) */
		comm = BPF_CORE_READ(next, group_leader)->comm;
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
