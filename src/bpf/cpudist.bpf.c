// SPDX-License-Identifier: GPL-2.0
/*
 * cpudist: how long threads run on a CPU at a time (or, with -O, stay off it), as log2
 * histograms (bcc's cpudist): at sched_switch the thread going off CPU ends an on-CPU slice
 * and starts an off-CPU one; the thread coming on the reverse.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define HIST_TOOL_KEY	  __u32
#define HIST_TOOL_ENTRIES 10240
#include "hist_tool.bpf.h"

const volatile __u32 targ_tgid = 0;	      /* -p */
const volatile bool targ_offcpu = false;      /* -O */
const volatile bool targ_per_process = false; /* -P */
const volatile bool targ_per_thread = false;  /* -L */
const volatile bool targ_idle = false;	      /* -I */
const volatile bool targ_ms = false;	      /* -m */

/* when each thread's current slice began, by tid (the idle tasks, all tid 0, by CPU) */
TK_MAP(starts, BPF_MAP_TYPE_HASH, 10240, __u32, __u64);

static __always_inline bool wanted(struct task_struct *t, __u32 tid)
{
	if (!tid && !targ_idle)
		return false;
	return !targ_tgid || BPF_CORE_READ(t, tgid) == targ_tgid;
}

/* above any pid (at most 2^22): the idle task of this CPU */
static __always_inline __u32 start_key(__u32 tid)
{
	return tid ? tid : 0x80000000u | bpf_get_smp_processor_id();
}

static __always_inline void slice_start(struct task_struct *t, __u64 now)
{
	__u32 tid = BPF_CORE_READ(t, pid), k = start_key(tid);

	if (wanted(t, tid))
		bpf_map_update_elem(&starts, &k, &now, BPF_ANY);
}

static __always_inline void slice_end(struct task_struct *t, __u64 now)
{
	__u32 tid = BPF_CORE_READ(t, pid), k = start_key(tid), key = 0;
	const char *comm = NULL;
	__u64 *ts = bpf_map_lookup_elem(&starts, &k), delta;

	if (!ts)
		return; /* began before we started, or filtered */
	delta = now - *ts;
	bpf_map_delete_elem(&starts, &k);
	delta /= targ_ms ? 1000000 : 1000;
	if (targ_per_process) {
		key = BPF_CORE_READ(t, tgid);
		/* bcc reads /proc/PID/comm: the leader's (an address: read in hist_tool_add) */
		comm = BPF_CORE_READ(t, group_leader)->comm;
	} else if (targ_per_thread) {
		key = tid;
		comm = t->comm;
	}
	hist_tool_add(&key, delta, comm);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(cpudist_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();

	if (targ_offcpu) {
		slice_start(prev, now);
		slice_end(next, now);
	} else {
		slice_end(prev, now);
		slice_start(next, now);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
