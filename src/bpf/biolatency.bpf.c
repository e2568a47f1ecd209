// SPDX-License-Identifier: GPL-2.0
/*
 * biolatency: block I/O latency, from issue (or with -Q from the request's start) to
 * completion, as log2 histograms: one, or one per disk (-D) or per set of flags (-F)
 * (bcc's biolatency), from the block tracepoints of bio_common.bpf.h.
 */
#include "vmlinux.h"

#include "bio_common.bpf.h"
#include "biolatency.h"

#define HIST_TOOL_KEY	  __u32
#define HIST_TOOL_ENTRIES 4096
#include "hist_tool.bpf.h"

const volatile __u32 targ_key = BIOLATENCY_KEY_NONE;
const volatile bool targ_queued = false; /* -Q */
const volatile bool targ_ms = false;	 /* -m */

BIO_COMMON_PROGS

SEC("raw_tp/block_rq_complete")
int BPF_PROG(biolatency_done, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct bio_req r;
	__u64 start, delta;
	__u32 key = 0;

	if (!bio_req_done(rq, nr_bytes, &r))
		return 0;
	start = targ_queued && r.queued_ns ? r.queued_ns : r.issued_ns;
	delta = bpf_ktime_get_ns() - start;
	if (targ_key == BIOLATENCY_KEY_DISK)
		key = bio_disk_dev(rq);
	else if (targ_key == BIOLATENCY_KEY_FLAGS)
		key = bio_cmd_flags(rq) & BIOLATENCY_FLAGS_SHOWN;
	/* the row by the unit, the sum in ns: -e's exact total (the tool's sum_scale) */
	hist_tool_add_slot(&key, delta, tk_log2_slot(delta / (targ_ms ? 1000000 : 1000)), NULL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
