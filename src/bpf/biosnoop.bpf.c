// SPDX-License-Identifier: GPL-2.0
/*
 * biosnoop: every block I/O request as it completes, with the task that started it, its
 * disk, sector, size and latency (bcc's biosnoop), from the block tracepoints of
 * bio_common.bpf.h.
 */
#include "snoop_common.bpf.h"
#include "bio_common.bpf.h"
#include "biosnoop.h"

BIO_COMMON_PROGS

SEC("raw_tp/block_rq_complete")
int BPF_PROG(biosnoop_done, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct biosnoop_event *e;
	struct gendisk *disk;
	struct bio_req r;

	if (!bio_req_done(rq, nr_bytes, &r))
		return 0;
	if (!snoop_reserve(e))
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->delta_ns = e->ts_ns - r.issued_ns;
	e->qdelta_ns = r.queued_ns ? r.issued_ns - r.queued_ns : 0;
	e->sector = BPF_CORE_READ(rq, __sector);
	e->bytes = r.bytes;
	e->pid = r.pid;
	e->cmd_flags = bio_cmd_flags(rq);
	e->dev = bio_disk_dev(rq);
	__builtin_memcpy(e->comm, r.comm, sizeof(e->comm));
	disk = bio_disk(rq);
	if (BPF_CORE_READ_STR_INTO(&e->disk, disk, disk_name) < 0)
		e->disk[0] = '\0';
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
