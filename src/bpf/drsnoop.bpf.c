// SPDX-License-Identifier: GPL-2.0
/*
 * drsnoop: direct reclaim, the time an allocating task spends reclaiming pages itself, from the
 * vmscan begin/end tracepoints: global direct reclaim (bcc's), and the reclaim a task does when
 * its memory cgroup is at its limit (memcg_reclaim), which is direct reclaim too but has
 * tracepoints of its own.
 */
#include "snoop_common.bpf.h"
#include "drsnoop.h"

TK_MAP(start, BPF_MAP_TYPE_HASH, 10240, __u32, __u64);

static __always_inline int reclaim_begin(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 ts;

	if (!snoop_task_wanted())
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
	return 0;
}

static __always_inline int reclaim_end(unsigned long nr_reclaimed, __u32 memcg)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct drsnoop_event *e;
	__u64 *ts = bpf_map_lookup_elem(&start, &tid), t0;

	if (!ts)
		return 0;
	t0 = *ts;
	bpf_map_delete_elem(&start, &tid);
	if (!snoop_reserve(e))
		return 0;
	snoop_event_task(e);
	e->delta_ns = e->ts_ns - t0;
	e->nr_reclaimed = nr_reclaimed;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->memcg = memcg;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_direct_reclaim_begin")
int direct_begin(void *ctx)
{
	return reclaim_begin();
}

SEC("tracepoint/vmscan/mm_vmscan_direct_reclaim_end")
int direct_end(struct trace_event_raw_mm_vmscan_direct_reclaim_end_template *ctx)
{
	return reclaim_end(ctx->nr_reclaimed, 0);
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_begin")
int memcg_begin(void *ctx)
{
	return reclaim_begin();
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_end")
int memcg_end(struct trace_event_raw_mm_vmscan_direct_reclaim_end_template *ctx)
{
	return reclaim_end(ctx->nr_reclaimed, 1);
}

char LICENSE[] SEC("license") = "GPL";
