// SPDX-License-Identifier: GPL-2.0
/* exitsnoop: process (or, with --per-thread, thread) exits from sched:sched_process_exit. */
/* Few, small events: a small ring buffer (its pages count in the RSS from the start). */
#define SNOOP_RINGBUF_BYTES (64 * 1024)
#include "snoop_common.bpf.h"
#include "exitsnoop.h"

const volatile bool per_thread = false;
const volatile bool failed_only = false;
/* task_struct members, found by user space in the kernel's BTF. */
const volatile struct snoop_field f_exit_code = {}, f_start_time = {}, f_real_parent = {},
				  f_tgid = {};

SEC("tracepoint/sched/sched_process_exit")
int process_exit(void *ctx)
{
	void *task = (void *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct exitsnoop_event *e;
	__u32 exit_code;

	/* A process exits when its leader does; other threads only count with --per-thread. */
	if (!per_thread && (__u32)id != (id >> 32))
		return 0;
	if (!snoop_task_wanted())
		return 0;
	exit_code = snoop_field_read(task, &f_exit_code);
	if (failed_only && exit_code == 0)
		return 0;
	if (!snoop_reserve(e))
		return 0;
	e->start_ns = snoop_field_read(task, &f_start_time);
	e->exit_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ppid = snoop_field_read((void *)snoop_field_read(task, &f_real_parent), &f_tgid);
	e->exit_code = exit_code;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
