/* SPDX-License-Identifier: GPL-2.0 */
/*
 * softirqs and hardirqs: when the current CPU's handler began, kept per CPU (handlers of a
 * kind do not nest on one CPU), and the -c CPU filter. Include after hist_tool.bpf.h.
 */
#ifndef TK_IRQ_TIME_BPF_H
#define TK_IRQ_TIME_BPF_H

const volatile __s32 targ_cpu = -1; /* -c: this CPU only */

struct irq_start {
	__u64 ts;
	HIST_TOOL_KEY key;
};

TK_MAP(irq_starts, BPF_MAP_TYPE_PERCPU_ARRAY, 1, __u32, struct irq_start);

/* A handler begins on this CPU: its start, for the caller to set its key; NULL: filtered. */
static __always_inline struct irq_start *irq_begin(void)
{
	__u32 zero = 0;
	struct irq_start *s;

	if (targ_cpu >= 0 && bpf_get_smp_processor_id() != (__u32)targ_cpu)
		return NULL;
	s = bpf_map_lookup_elem(&irq_starts, &zero);
	if (!s)
		return NULL;
	s->ts = bpf_ktime_get_ns();
	/* a key compares as bytes: none of a longer name's may stay after a shorter one */
	__builtin_memset(&s->key, 0, sizeof(s->key));
	return s;
}

/*
 * It ends: its time into key's histogram, in microseconds (or nanoseconds: ns), summed in
 * nanoseconds (hist_tool.sum_scale).
 */
static __always_inline void irq_end(bool ns)
{
	__u32 zero = 0;
	struct irq_start *s = bpf_map_lookup_elem(&irq_starts, &zero);
	__u64 delta;

	if (!s || !s->ts)
		return; /* began before we started, or another CPU's */
	delta = bpf_ktime_get_ns() - s->ts;
	s->ts = 0;
	hist_tool_add_slot(&s->key, delta, tk_log2_slot(ns ? delta : delta / 1000), NULL);
}

#endif
