// SPDX-License-Identifier: GPL-2.0
/* funclatency: log2 histogram of call durations per (function, process), Go-safe pairing. */
#include "uregs.bpf.h"

#include "func_pair.bpf.h"

const volatile __u64 unit_div = 1; /* 1 ns, 1000 us, 1000000 ms */

TK_MAP(hists, BPF_MAP_TYPE_HASH, 16384, struct lat_key, struct lat_hist);

/* Too big for the BPF stack: the initial value lives in .bss. */
struct lat_hist zero_hist = {};

SEC("uprobe")
int lat_entry(struct pt_regs *ctx)
{
	return pair_entry(ctx);
}

SEC("uprobe")
int lat_return(struct pt_regs *ctx)
{
	struct lat_key key = { .idx = COOKIE_IDX(bpf_get_attach_cookie(ctx)) };
	struct call_start st;
	struct lat_hist *h;
	__u64 delta;
	__u32 slot;

	if (pair_return(ctx, &st))
		return 0;
	delta = (bpf_ktime_get_ns() - st.ts) / unit_div;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	h = tk_map_lookup_or_init(&hists, &key, &zero_hist);
	if (!h)
		return 0;
	slot = tk_log2_slot(delta);
	if (slot < HIST_SLOTS)
		__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->total, delta);
	__sync_fetch_and_add(&h->count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
