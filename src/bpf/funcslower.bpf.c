// SPDX-License-Identifier: GPL-2.0
/* funcslower: report calls slower than a threshold, with result, arguments and stacks. */
#include "uregs.bpf.h"

#include "func_pair.bpf.h"

const volatile __u64 min_ns = 1000000;
const volatile bool want_ustack = false;
const volatile bool want_kstack = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

__u64 lost_events = 0; /* ring buffer full */

SEC("uprobe")
int slow_entry(struct pt_regs *ctx)
{
	return pair_entry(ctx);
}

SEC("uprobe")
int slow_return(struct pt_regs *ctx)
{
	struct call_start st;
	struct slow_event *e;
	__u64 delta, pid_tgid;

	if (pair_return(ctx, &st))
		return 0;
	delta = bpf_ktime_get_ns() - st.ts;
	if (delta < min_ns)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost_events, 1);
		return 0;
	}
	pid_tgid = bpf_get_current_pid_tgid();
	e->lat_ns = delta;
	e->retval = ctx->ax;
	__builtin_memcpy(e->args, st.args, sizeof(e->args));
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->idx = COOKIE_IDX(bpf_get_attach_cookie(ctx));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->caller = 0;
	/* At a RET the caller's frame is not yet on the frame-pointer chain: keep [SP]. */
	if (COOKIE_IS_GO(bpf_get_attach_cookie(ctx)))
		bpf_probe_read_user(&e->caller, sizeof(e->caller), (void *)ctx->sp);
	e->ustack_len = want_ustack ?
		bpf_get_stack(ctx, e->ustack, sizeof(e->ustack), BPF_F_USER_STACK) : 0;
	e->kstack_len = want_kstack ? bpf_get_stack(ctx, e->kstack, sizeof(e->kstack), 0) : 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
