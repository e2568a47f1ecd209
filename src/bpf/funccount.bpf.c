// SPDX-License-Identifier: GPL-2.0
/* funccount: one counter per probed function, indexed by the probe's cookie. */
#include "uregs.bpf.h"

#include "func_probe.h"
#include "tk_map.bpf.h"

const volatile __u32 filter_tgid = 0;
const volatile __s32 filter_cpu = -1;

/* Resized to the number of functions before load. */
TK_MAP(counts, BPF_MAP_TYPE_PERCPU_ARRAY, 1, __u32, __u64);

static __always_inline int count(__u64 cookie)
{
	__u32 idx = COOKIE_IDX(cookie);
	__u64 *c;

	if (filter_tgid && (bpf_get_current_pid_tgid() >> 32) != filter_tgid)
		return 0;
	if (filter_cpu >= 0 && bpf_get_smp_processor_id() != (__u32)filter_cpu)
		return 0;
	c = bpf_map_lookup_elem(&counts, &idx);
	if (c)
		(*c)++;
	return 0;
}

SEC("uprobe")
int count_uprobe(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);

	/* On Go's `JBE/JB morestack`, only the pass that enters the body is a call. */
	if (!entry_cond_met(COOKIE_COND(cookie), ctx->flags))
		return 0;
	return count(cookie);
}

SEC("tracepoint")
int count_tracepoint(void *ctx)
{
	return count(bpf_get_attach_cookie(ctx));
}

/* Raw tracepoints: the cookie is the index (kernel >= 6.10). */
SEC("raw_tp")
int count_raw_tp(void *ctx)
{
	return count(bpf_get_attach_cookie(ctx));
}

/*
 * syscalls:sys_enter_X / sys_exit_X are views of the raw sys_enter / sys_exit tracepoints,
 * which carry the syscall number: one raw attach serves every syscall event, mapped here
 * from number to index + 1 (0: not traced).
 */
#define MAX_SYSCALLS 1024

TK_MAP(sys_enter_idx, BPF_MAP_TYPE_ARRAY, MAX_SYSCALLS, __u32, __u32);
TK_MAP(sys_exit_idx, BPF_MAP_TYPE_ARRAY, MAX_SYSCALLS, __u32, __u32);

static __always_inline int count_syscall(void *map, long nr)
{
	__u32 key = nr, *idx;

	if (nr < 0 || nr >= MAX_SYSCALLS)
		return 0;
	idx = bpf_map_lookup_elem(map, &key);
	return idx && *idx ? count(*idx - 1) : 0;
}

SEC("raw_tp")
int count_sys_enter(__u64 *ctx)
{
	/* sys_enter(struct pt_regs *regs, long id) */
	return count_syscall(&sys_enter_idx, ctx[1]);
}

SEC("raw_tp")
int count_sys_exit(__u64 *ctx)
{
	/* sys_exit(struct pt_regs *regs, long ret): the number is in regs->orig_ax */
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long nr = -1;

	bpf_probe_read_kernel(&nr, sizeof(nr), &regs->orig_ax);
	return count_syscall(&sys_exit_idx, nr);
}

SEC("kprobe.multi")
int count_kprobe(struct pt_regs *ctx)
{
	return count(bpf_get_attach_cookie(ctx));
}

char LICENSE[] SEC("license") = "GPL";
