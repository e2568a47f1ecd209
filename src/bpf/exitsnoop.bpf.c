// SPDX-License-Identifier: GPL-2.0
/* exitsnoop: process (or, with --per-thread, thread) exits from sched:sched_process_exit. */
/* Few, small events: a small ring buffer (its pages count in the RSS from the start). */
#define SNOOP_RINGBUF_BYTES (64 * 1024)
#include "snoop_common.bpf.h"
#include "exitsnoop.h"

const volatile bool per_thread = false;
const volatile bool failed_only = false;

SEC("tracepoint/sched/sched_process_exit")
int process_exit(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct exitsnoop_event *e;
	__u32 exit_code;

	/* A process exits when its leader does; other threads only count with --per-thread. */
	if (!per_thread && (__u32)id != (id >> 32))
		return 0;
	if (!snoop_task_wanted())
		return 0;
	exit_code = BPF_CORE_READ(task, exit_code);
	if (failed_only && exit_code == 0)
		return 0;
	if (!snoop_reserve(e))
		return 0;
	e->start_ns = BPF_CORE_READ(task, start_time);
	e->exit_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = exit_code;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
