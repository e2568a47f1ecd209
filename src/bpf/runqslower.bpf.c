// SPDX-License-Identifier: GPL-2.0
/*
 * runqslower: a record for each run queue latency (runq_wait.bpf.h) above a threshold, with
 * the thread that ran before (bcc's runqslower).
 */
#define SNOOP_RINGBUF_BYTES (256 * 1024)
#include "snoop_common.bpf.h"

#include "runq_wait.bpf.h"
#include "runqslower.h"

const volatile __u64 min_us = 10000;

SEC("raw_tp/sched_switch")
int BPF_PROG(runqslower_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct runqslower_event *e;
	__u64 ns;

	if (!runq_switch(prev, next, &ns) || ns / 1000 < min_us)
		return 0;
	if (!snoop_reserve(e))
		return 0;
	e->delta_us = ns / 1000;
	e->tid = BPF_CORE_READ(next, pid);
	e->tgid = BPF_CORE_READ(next, tgid);
	e->prev_tid = BPF_CORE_READ(prev, pid);
	e->pad = 0;
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), next->comm);
	bpf_probe_read_kernel_str(e->prev_comm, sizeof(e->prev_comm), prev->comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
