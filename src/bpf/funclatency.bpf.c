// SPDX-License-Identifier: GPL-2.0
/* funclatency: log2 histogram of call durations per function, Go-safe pairing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "func_pair.bpf.h"

const volatile __u64 unit_div = 1; /* 1 ns, 1000 us, 1000000 ms */

/* [nfuncs * HIST_SLOTS] counters and [nfuncs] total nanoseconds; resized before load. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HIST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

SEC("uprobe")
int lat_entry(struct pt_regs *ctx)
{
	return pair_entry(ctx);
}

SEC("uprobe")
int lat_return(struct pt_regs *ctx)
{
	__u32 idx = COOKIE_IDX(bpf_get_attach_cookie(ctx)), slot;
	struct call_start st;
	__u64 delta, *v;

	if (pair_return(ctx, &st))
		return 0;
	delta = bpf_ktime_get_ns() - st.ts;
	v = bpf_map_lookup_elem(&totals, &idx);
	if (v)
		*v += delta;
	slot = idx * HIST_SLOTS + log2_slot(delta / unit_div);
	v = bpf_map_lookup_elem(&hists, &slot);
	if (v)
		(*v)++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
