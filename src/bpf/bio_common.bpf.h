/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF side of the block I/O tools (biosnoop, biotop, biolatency, bitesize): each request
 * from its start to its completion, without kprobes. The raw tracepoint block_io_start fires where the
 * request is made from a bio, in the submitting task (bcc's blk_account_io_start kprobe):
 * who issued it, and when it was queued; block_rq_issue when the driver gets it (bcc's
 * blk_mq_start_request); block_rq_complete when it is done. Include after vmlinux.h.
 */
#ifndef TK_BIO_COMMON_BPF_H
#define TK_BIO_COMMON_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bio_common.h"
#include "tk_map.bpf.h"

const volatile __u32 targ_dev = 0;  /* -d: only this disk or partition (bio_dev()), 0: all */
const volatile __u32 targ_tgid = 0; /* -p: only requests this process started */

/* One request in flight, by its address (the block layer reuses them: completion deletes). */
struct bio_req {
	__u64 queued_ns; /* block_io_start; 0: not seen (started before we attached) */
	__u64 issued_ns; /* block_rq_issue; 0: not issued yet */
	__u32 pid;	 /* the task that started it: 0 when not seen */
	__u32 bytes;	 /* its size at issue */
	char comm[BIO_COMM_LEN];
};

TK_MAP(bio_reqs, BPF_MAP_TYPE_HASH, 10240, struct request *, struct bio_req);

static const struct bio_req bio_req_zero;

/* A kernel dev_t (major << 20 | minor) from a disk's numbers. */
static __always_inline __u32 bio_mkdev(__u32 major, __u32 minor)
{
	return major << 20 | minor;
}

static __always_inline struct gendisk *bio_disk(struct request *rq)
{
	return BPF_CORE_READ(rq, q, disk);
}

/* The whole disk's dev_t: bcc's key of a disk (its major and first minor). */
static __always_inline __u32 bio_disk_dev(struct request *rq)
{
	struct gendisk *d = bio_disk(rq);

	return bio_mkdev(BPF_CORE_READ(d, major), BPF_CORE_READ(d, first_minor));
}

/*
 * The -d filter: the partition the request is for (rq->part) or its whole disk, so that
 * "-d vda1" and "-d vda" both work.
 */
static __always_inline bool bio_dev_wanted(struct request *rq)
{
	struct block_device *part;

	if (!targ_dev)
		return true;
	part = BPF_CORE_READ(rq, part);
	if (part && BPF_CORE_READ(part, bd_dev) == targ_dev)
		return true;
	return bio_disk_dev(rq) == targ_dev;
}

/* The request's operation (REQ_OP_*) and flags. */
static __always_inline __u32 bio_cmd_flags(struct request *rq)
{
	return BPF_CORE_READ(rq, cmd_flags);
}

/* block_io_start: the submitting task and the time, for a request the filters keep. */
static __always_inline void bio_req_queued(struct request *rq)
{
	struct bio_req r = {};
	__u64 id = bpf_get_current_pid_tgid();

	if (targ_tgid && id >> 32 != targ_tgid)
		return;
	if (!bio_dev_wanted(rq))
		return;
	r.queued_ns = bpf_ktime_get_ns();
	r.pid = id >> 32;
	bpf_get_current_comm(r.comm, sizeof(r.comm));
	bpf_map_update_elem(&bio_reqs, &rq, &r, BPF_ANY);
}

/*
 * block_rq_issue: the time and size of a request the driver now has. Without -p, one whose
 * start was not seen is timed too (its task unknown, as bcc's); with -p it must have been.
 * The request's entry, or NULL.
 */
static __always_inline struct bio_req *bio_req_issued(struct request *rq)
{
	struct bio_req *r = bpf_map_lookup_elem(&bio_reqs, &rq);

	if (!r) {
		if (targ_tgid || !bio_dev_wanted(rq))
			return NULL;
		r = tk_map_lookup_or_init(&bio_reqs, &rq, &bio_req_zero);
		if (!r)
			return NULL;
	}
	r->issued_ns = bpf_ktime_get_ns();
	r->bytes = BPF_CORE_READ(rq, __data_len);
	return r;
}

/*
 * block_rq_complete: the request's entry copied into *out and deleted; false for one not
 * followed, and for a partial completion (nr_bytes short of what is left: the rest completes
 * later, in another call).
 */
static __always_inline bool bio_req_done(struct request *rq, unsigned int nr_bytes,
					 struct bio_req *out)
{
	struct bio_req *r;

	if (nr_bytes < BPF_CORE_READ(rq, __data_len))
		return false;
	r = bpf_map_lookup_elem(&bio_reqs, &rq);
	if (!r)
		return false;
	*out = *r;
	bpf_map_delete_elem(&bio_reqs, &rq);
	return out->issued_ns != 0;
}

/* The programs every tool has: the start (its autoload is the tool's choice) and the issue. */
#define BIO_COMMON_PROGS                                                                           \
	SEC("raw_tp/block_io_start")                                                               \
	int BPF_PROG(bio_io_start, struct request *rq)                                             \
	{                                                                                          \
		bio_req_queued(rq);                                                                \
		return 0;                                                                          \
	}                                                                                          \
	SEC("raw_tp/block_rq_issue")                                                               \
	int BPF_PROG(bio_rq_issue, struct request *rq)                                             \
	{                                                                                          \
		bio_req_issued(rq);                                                                \
		return 0;                                                                          \
	}

#endif
