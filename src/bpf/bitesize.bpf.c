// SPDX-License-Identifier: GPL-2.0
/*
 * bitesize: block I/O sizes, in Kbytes, as log2 histograms by the name of the process that
 * started each request (bcc's bitesize), from the block tracepoints of bio_common.bpf.h.
 */
#include "vmlinux.h"

#include "bio_common.bpf.h"

struct bitesize_key {
	char comm[BIO_COMM_LEN];
};

#define HIST_TOOL_KEY	  struct bitesize_key
#define HIST_TOOL_ENTRIES 10240
#include "hist_tool.bpf.h"

const volatile char targ_comm[BIO_COMM_LEN] = {}; /* -c: only this process name */

BIO_COMMON_PROGS

static __always_inline bool comm_wanted(const char *comm)
{
	for (int i = 0; i < BIO_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(bitesize_done, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct bitesize_key key = {};
	struct bio_req r;

	if (!bio_req_done(rq, nr_bytes, &r))
		return 0;
	if (targ_comm[0] && !comm_wanted(r.comm))
		return 0;
	__builtin_memcpy(key.comm, r.comm, sizeof(key.comm));
	hist_tool_add(&key, r.bytes / 1024, NULL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
