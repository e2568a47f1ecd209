// SPDX-License-Identifier: GPL-2.0
/*
 * stackcount: count events by their kernel and user stacks. Events are uprobes on function
 * entries (Go's after the stack check), tracepoints (raw, or perf events), or syscall events
 * seen through the raw sys_enter/sys_exit tracepoints.
 */
#include "uregs.bpf.h"

#include "func_probe.h"
#include "stack_common.bpf.h"

const volatile __s32 filter_cpu = -1;
/* bcc: a count per process (pid and comm in the key), except for kernel stacks only */
const volatile bool per_process = true;

#define NO_PROCESS 0xffffffffu

TK_MAP(counts, BPF_MAP_TYPE_HASH, 40960, struct stack_key, __u64);

static __always_inline int count(void *ctx, __u64 caller)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct stack_key k = {.pid = NO_PROCESS};

	if (!stack_target(pid_tgid >> 32, (__u32)pid_tgid))
		return 0;
	if (filter_cpu >= 0 && bpf_get_smp_processor_id() != (__u32)filter_cpu)
		return 0;
	if (per_process) {
		k.pid = pid_tgid >> 32;
		bpf_get_current_comm(k.comm, sizeof(k.comm));
	}
	stack_key_stacks(ctx, &k);
	k.caller = user_stacks ? caller : 0;
	stack_count_add(&counts, &k, 1);
	return 0;
}

SEC("uprobe")
int count_uprobe(struct pt_regs *ctx)
{
	__u64 caller = 0;

	/* On Go's `JBE/JB morestack`, only the pass that enters the body is a call. */
	if (!entry_cond_met(COOKIE_COND(bpf_get_attach_cookie(ctx)), ctx->flags))
		return 0;
	/* at a function's entry [SP] is the return address into the caller */
	bpf_probe_read_user(&caller, sizeof(caller), (void *)ctx->sp);
	return count(ctx, caller);
}

SEC("tracepoint")
int count_tracepoint(void *ctx)
{
	return count(ctx, 0);
}

SEC("raw_tp")
int count_raw_tp(void *ctx)
{
	return count(ctx, 0);
}

/*
 * syscalls:sys_enter_X / sys_exit_X: views of the raw sys_enter / sys_exit tracepoints,
 * whose number says whether X is traced (want_enter / want_exit, by number).
 */
#define MAX_SYSCALLS 1024

TK_MAP(want_enter, BPF_MAP_TYPE_ARRAY, MAX_SYSCALLS, __u32, __u8);
TK_MAP(want_exit, BPF_MAP_TYPE_ARRAY, MAX_SYSCALLS, __u32, __u8);

static __always_inline int count_if_wanted(void *ctx, void *map, long nr)
{
	__u32 key = nr;
	__u8 *on;

	if (nr < 0 || nr >= MAX_SYSCALLS)
		return 0;
	on = bpf_map_lookup_elem(map, &key);
	return on && *on ? count(ctx, 0) : 0;
}

SEC("raw_tp")
int count_sys_enter(__u64 *ctx)
{
	/* sys_enter(struct pt_regs *regs, long id) */
	return count_if_wanted(ctx, &want_enter, ctx[1]);
}

SEC("raw_tp")
int count_sys_exit(__u64 *ctx)
{
	/* sys_exit(struct pt_regs *regs, long ret): the number is in regs->orig_ax */
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long nr = -1;

	bpf_probe_read_kernel(&nr, sizeof(nr), &regs->orig_ax);
	return count_if_wanted(ctx, &want_exit, nr);
}

char LICENSE[] SEC("license") = "GPL";
