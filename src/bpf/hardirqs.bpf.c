// SPDX-License-Identifier: GPL-2.0
/*
 * hardirqs: time in (or the count of) each hard IRQ handler, by its name, from
 * irq:irq_handler_entry/exit (bcc's hardirqs).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "hardirqs.h"

#define HIST_TOOL_KEY	  struct hardirq_key
#define HIST_TOOL_ENTRIES 256
#include "hist_tool.bpf.h"
#include "irq_time.bpf.h"

const volatile bool targ_ns = false; /* -N */

SEC("raw_tp/irq_handler_entry")
int BPF_PROG(irq_handler_entry, int irq, struct irqaction *action)
{
	struct irq_start *s = irq_begin();

	if (s)
		bpf_probe_read_kernel_str(s->key.name, sizeof(s->key.name),
					  BPF_CORE_READ(action, name));
	return 0;
}

SEC("raw_tp/irq_handler_exit")
int BPF_PROG(irq_handler_exit, int irq, struct irqaction *action, int ret)
{
	irq_end(targ_ns);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
