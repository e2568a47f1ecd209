// SPDX-License-Identifier: GPL-2.0
/*
 * syscount: syscalls counted by number (or by process, -P) at raw_syscalls:sys_exit, with
 * their time from sys_enter for -L. Raw tracepoints: these two fire for every syscall of the
 * machine, and a raw tracepoint costs less than the perf-event tracepoint.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tk_map.bpf.h"
#include "syscount.h"

const volatile __u32 filter_tgid = 0;
const volatile __u32 filter_tid = 0;
const volatile __s32 filter_nr = -1; /* --syscall */
const volatile bool failed_only = false;
const volatile __s32 filter_errno = 0; /* -e: only calls returning -filter_errno */
const volatile bool latency = false;
const volatile bool by_process = false;

TK_MAP(start, BPF_MAP_TYPE_HASH, 10240, __u32, __u64);
TK_MAP(data, BPF_MAP_TYPE_HASH, 10240, __u32, struct syscount_val);

static __always_inline bool task_wanted(__u64 id)
{
	if (filter_tgid && (id >> 32) != filter_tgid)
		return false;
	return !filter_tid || (__u32)id == filter_tid;
}

/* Loaded with -L only: the entry time of each call, by thread. sys_enter(regs, id) */
SEC("raw_tp/sys_enter")
int sys_enter(__u64 *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), ts;
	__u32 tid = (__u32)id;

	if (!task_wanted(id))
		return 0;
	if (filter_nr >= 0 && (long)ctx[1] != filter_nr)
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("raw_tp/sys_exit")
int sys_exit(__u64 *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	__u64 id = bpf_get_current_pid_tgid(), delta = 0, *ts;
	struct syscount_val *v, init = {};
	long ret = ctx[1], nr = -1;
	__u32 tid = (__u32)id, key;

	if (!task_wanted(id))
		return 0;
	/* sys_exit(regs, ret) has no number: the syscall's is in the saved registers */
	bpf_probe_read_kernel(&nr, sizeof(nr), &regs->orig_ax);
	if (nr < 0 || (filter_nr >= 0 && nr != filter_nr))
		return 0;
	if (latency) {
		ts = bpf_map_lookup_elem(&start, &tid);
		if (!ts)
			return 0; /* entered before we attached */
		delta = bpf_ktime_get_ns() - *ts;
		bpf_map_delete_elem(&start, &tid);
	}
	if ((failed_only && ret >= 0) || (filter_errno && ret != -filter_errno))
		return 0;
	key = by_process ? id >> 32 : nr;
	if (by_process)
		bpf_get_current_comm(init.comm, sizeof(init.comm));
	v = tk_map_lookup_or_init(&data, &key, &init);
	if (!v)
		return 0;
	__sync_fetch_and_add(&v->count, 1);
	if (ret < 0)
		__sync_fetch_and_add(&v->errors, 1);
	if (latency)
		__sync_fetch_and_add(&v->total_ns, delta);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
