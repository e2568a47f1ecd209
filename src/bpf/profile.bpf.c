// SPDX-License-Identifier: GPL-2.0
/*
 * profile: a software perf event (cpu-clock) on every CPU samples whatever runs there; each
 * sample counts its (process, comm, kernel stack, user stack) in the counts map, which user
 * space reads once at the end (bcc's profile.py).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "stack_common.bpf.h"

const volatile bool include_idle = false; /* -I */

/* user space sets max_entries from --hash-storage-size */
TK_MAP(counts, BPF_MAP_TYPE_HASH, 40960, struct stack_key, __u64);

SEC("perf_event")
int profile_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct stack_key k = {.pid = tgid};

	/* a CPU's idle task is thread 0 (each CPU has its own, all with tid 0) */
	if (!include_idle && tid == 0)
		return 0;
	if (!stack_target(tgid, tid))
		return 0;
	bpf_get_current_comm(&k.comm, sizeof(k.comm));
	stack_key_stacks(ctx, &k);
	stack_count_add(&counts, &k, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
