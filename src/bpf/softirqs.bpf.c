// SPDX-License-Identifier: GPL-2.0
/* softirqs: time in each soft IRQ vector, from irq:softirq_entry/exit (bcc's softirqs). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define HIST_TOOL_KEY	  __u32 /* the vector: NET_RX_SOFTIRQ... */
#define HIST_TOOL_ENTRIES 32
#include "hist_tool.bpf.h"
#include "irq_time.bpf.h"

const volatile bool targ_ns = false; /* -N */

SEC("raw_tp/softirq_entry")
int BPF_PROG(softirq_entry, unsigned int vec)
{
	struct irq_start *s = irq_begin();

	if (s)
		s->key = vec;
	return 0;
}

SEC("raw_tp/softirq_exit")
int BPF_PROG(softirq_exit, unsigned int vec)
{
	irq_end(targ_ns);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
