// SPDX-License-Identifier: GPL-2.0
/*
 * The least a printf-style uprobe tracer does: per hit, reserve a ring buffer record with the
 * pid, comm and the first two SysV arguments, and submit it. No CO-RE.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

struct event {
	__u32 pid;
	char comm[16];
	__u64 arg0, arg1;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);
} events SEC(".maps");

SEC("uprobe")
int print_hit(struct pt_regs *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->arg0 = ctx->di;
	e->arg1 = ctx->si;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
