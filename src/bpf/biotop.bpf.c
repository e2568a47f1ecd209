// SPDX-License-Identifier: GPL-2.0
/*
 * biotop: block I/O by process, disk and direction (bcc's biotop): requests, bytes and
 * latency added up at each completion into a map the user half takes out every interval.
 */
#include "vmlinux.h"

#include "bio_common.bpf.h"
#include "biotop.h"

TK_MAP(counts, BPF_MAP_TYPE_HASH, 10240, struct biotop_key, struct biotop_val);

BIO_COMMON_PROGS

SEC("raw_tp/block_rq_complete")
int BPF_PROG(biotop_done, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	static const struct biotop_val zero;
	struct biotop_key k = {};
	struct biotop_val *v;
	struct gendisk *disk;
	struct bio_req r;

	if (!bio_req_done(rq, nr_bytes, &r))
		return 0;
	disk = bio_disk(rq);
	k.pid = r.pid;
	k.write = (bio_cmd_flags(rq) & BIO_REQ_OP_MASK) == BIO_REQ_OP_WRITE;
	k.major = BPF_CORE_READ(disk, major);
	k.minor = BPF_CORE_READ(disk, first_minor);
	__builtin_memcpy(k.comm, r.comm, sizeof(k.comm));
	v = tk_map_lookup_or_init(&counts, &k, &zero);
	if (!v)
		return 0;
	if (!v->disk[0])
		BPF_CORE_READ_STR_INTO(&v->disk, disk, disk_name);
	__sync_fetch_and_add(&v->bytes, r.bytes);
	__sync_fetch_and_add(&v->ns, bpf_ktime_get_ns() - r.issued_ns);
	__sync_fetch_and_add(&v->io, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
