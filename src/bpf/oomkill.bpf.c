// SPDX-License-Identifier: GPL-2.0
/*
 * oomkill: OOM kills from oom:mark_victim, which the OOM killer fires in the task that ran it
 * (bcc's kprobe on oom_kill_process() sees the same task), with the victim in its fields.
 */
#define SNOOP_RINGBUF_BYTES (16 * 1024) /* rare events */
#include "snoop_common.bpf.h"
#include "oomkill.h"

SEC("tracepoint/oom/mark_victim")
int mark_victim(struct trace_event_raw_mark_victim *ctx)
{
	struct oomkill_event *e;
	__u32 loc = ctx->__data_loc_comm;

	if (!snoop_reserve(e))
		return 0;
	snoop_event_task(e);
	e->victim_pid = ctx->pid;
	e->victim_uid = ctx->uid;
	/* __data_loc: the string's offset in the record (low 16 bits) and its length */
	if (bpf_probe_read_kernel_str(e->victim_comm, sizeof(e->victim_comm),
				      (void *)ctx + (loc & 0xffff)) < 0)
		e->victim_comm[0] = '\0';
	e->total_vm_kb = ctx->total_vm;
	e->anon_rss_kb = ctx->anon_rss;
	e->file_rss_kb = ctx->file_rss;
	e->shmem_rss_kb = ctx->shmem_rss;
	e->oom_score_adj = ctx->oom_score_adj;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
