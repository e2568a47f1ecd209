// SPDX-License-Identifier: GPL-2.0
/*
 * runqlen: run queue length sampled on each CPU (a cpu-clock perf event, 99 Hz), as linear
 * histograms (bcc's runqlen): at each sample, how many tasks wait on this CPU's run queue
 * besides the one running.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define HIST_TOOL_KEY	  __u32
#define HIST_TOOL_ENTRIES 1024
#include "hist_tool.bpf.h"

const volatile bool targ_per_cpu = false; /* -C */

SEC("perf_event")
int runqlen_sample(struct bpf_perf_event_data *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 key = targ_per_cpu ? bpf_get_smp_processor_id() : 0;
	__u64 len;

	/*
	 * The CPU's struct rq through the current task's CFS run queue (CO-RE): its nr_running
	 * counts the runnable tasks of every class on this CPU, of every cgroup, where bcc's
	 * cfs_rq->nr_running counts the entities of the current task's group only.
	 */
	len = BPF_CORE_READ(t, se.cfs_rq, rq, nr_running);
	if (len > 0)
		len--; /* the one running now is not waiting */
	hist_tool_add_slot(&key, len, len, NULL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
