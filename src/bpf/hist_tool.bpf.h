/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF side of bcc's log2-histogram tools (tools/hist_tool.h): the map of histograms the
 * summaries take out (read and delete), and under --metrics a second one that keeps them
 * since the start, for a scrape. Before including it, define HIST_TOOL_KEY (the key's type)
 * and HIST_TOOL_ENTRIES (how many keys); include it after vmlinux.h.
 */
#ifndef TK_HIST_TOOL_BPF_H
#define TK_HIST_TOOL_BPF_H

#include "tk_log2.bpf.h"
#include "tk_map.bpf.h"
#include "hist_tool.h"

/* --metrics: user space sets it, and sizes hist_totals to one entry without it */
const volatile bool hist_totals_on = false;

TK_MAP(hists, BPF_MAP_TYPE_HASH, HIST_TOOL_ENTRIES, HIST_TOOL_KEY, struct hist_tool_val);
TK_MAP(hist_totals, BPF_MAP_TYPE_HASH, HIST_TOOL_ENTRIES, HIST_TOOL_KEY, struct hist_tool_val);

static struct hist_tool_val hist_tool_zero;

static __always_inline void hist_tool_add_to(void *map, const HIST_TOOL_KEY *key, __u64 v,
					     __u32 slot, const char *comm)
{
	struct hist_tool_val *h = tk_map_lookup_or_init(map, key, &hist_tool_zero);

	if (!h)
		return;
	if (comm && !h->comm[0])
		bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), comm);
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum, v);
}

/* One value v into row slot of key's histogram (a linear one: slot = v, at most 63). */
static __always_inline void hist_tool_add_slot(const HIST_TOOL_KEY *key, __u64 v, __u32 slot,
					       const char *comm)
{
	if (slot >= HIST_TOOL_SLOTS)
		slot = HIST_TOOL_SLOTS - 1;
	/* the bound again, in a form the compiler keeps for the verifier (see tk_log2_slot) */
	asm volatile("%[s] &= 63" : [s] "+r"(slot));
	hist_tool_add_to(&hists, key, v, slot, comm);
	if (hist_totals_on)
		hist_tool_add_to(&hist_totals, key, v, slot, comm);
}

/*
 * One value v (in the histogram's unit) into key's log2 histogram. comm: a kernel task's comm,
 * kept with a new key (the "pid = 1234 comm" of bcc's -P), or NULL.
 */
static __always_inline void hist_tool_add(const HIST_TOOL_KEY *key, __u64 v, const char *comm)
{
	hist_tool_add_slot(key, v, tk_log2_slot(v), comm);
}

#endif
