// SPDX-License-Identifier: GPL-2.0
/*
 * memleak: libc's allocator, traced with uprobes at the entries (the sizes, per thread) and
 * uretprobes at the returns of the allocating functions (libc is C). An allocation stays in
 * allocs, with its user stack taken at the return (the caller's frame is then the one that
 * the frame-pointer walk starts from), until free() or realloc() gives it back.
 */
#include "uregs.bpf.h"

#include "tk_events.bpf.h"
#include "memleak.h"
#include "stack_common.bpf.h"

const volatile __u32 filter_tgid = 0;
const volatile __u64 min_size = 0;
const volatile __u64 max_size = ~0ULL;
const volatile __u64 sample_rate = 1;  /* -s: every Nth allocation (by time, as bcc) */
const volatile bool trace_all = false; /* -t */

TK_MAP(sizes, BPF_MAP_TYPE_HASH, 10240, __u32, __u64);	 /* thread -> size asked for */
TK_MAP(memptrs, BPF_MAP_TYPE_HASH, 10240, __u32, __u64); /* thread -> posix_memalign's out */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1000000);
	__type(key, __u64);
	__type(value, struct memleak_alloc);
} allocs SEC(".maps");

TK_EVENTS_RINGBUF(1 << 20);

static __always_inline bool wanted(__u64 pid_tgid)
{
	return !filter_tgid || (pid_tgid >> 32) == filter_tgid;
}

static __always_inline void trace(__u64 pid_tgid, __u32 func, __u64 addr, __u64 size)
{
	struct memleak_event *e;

	if (!trace_all)
		return;
	e = TK_EVENT_RESERVE(struct memleak_event);
	if (!e)
		return;
	e->addr = addr;
	e->size = size;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->func = func;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline int alloc_enter(__u64 size)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;

	if (!wanted(pid_tgid) || size < min_size || size > max_size)
		return 0;
	if (sample_rate > 1 && bpf_ktime_get_ns() % sample_rate)
		return 0;
	bpf_map_update_elem(&sizes, &tid, &size, BPF_ANY);
	return 0;
}

static __always_inline int free_enter(__u64 addr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct memleak_alloc *a;
	__u64 size = 0;

	if (!wanted(pid_tgid) || !addr)
		return 0;
	a = bpf_map_lookup_elem(&allocs, &addr);
	if (a) {
		size = a->size;
		bpf_map_delete_elem(&allocs, &addr);
	}
	trace(pid_tgid, ML_FREE, addr, size);
	return 0;
}

static __always_inline int alloc_exit(struct pt_regs *ctx, __u64 addr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct memleak_alloc a = {};
	__u64 *size = bpf_map_lookup_elem(&sizes, &tid);

	if (!size)
		return 0; /* filtered at entry, or entered before we attached */
	a.size = *size;
	bpf_map_delete_elem(&sizes, &tid);
	if (!addr)
		return 0;
	a.ts_ns = bpf_ktime_get_ns();
	a.ustack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	bpf_map_update_elem(&allocs, &addr, &a, BPF_ANY);
	trace(pid_tgid, (__u32)bpf_get_attach_cookie(ctx), addr, a.size);
	return 0;
}

SEC("uprobe")
int malloc_enter(struct pt_regs *ctx)
{
	return alloc_enter(ctx->di);
}

SEC("uprobe")
int calloc_enter(struct pt_regs *ctx)
{
	return alloc_enter(ctx->di * ctx->si);
}

SEC("uprobe")
int realloc_enter(struct pt_regs *ctx)
{
	free_enter(ctx->di);
	return alloc_enter(ctx->si);
}

SEC("uprobe")
int posix_memalign_enter(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), memptr = ctx->di;
	__u32 tid = (__u32)pid_tgid;

	if (!wanted(pid_tgid))
		return 0;
	bpf_map_update_elem(&memptrs, &tid, &memptr, BPF_ANY);
	return alloc_enter(ctx->dx);
}

/* aligned_alloc(align, size), memalign(align, size) */
SEC("uprobe")
int align_size_enter(struct pt_regs *ctx)
{
	return alloc_enter(ctx->si);
}

/* valloc(size), pvalloc(size): pvalloc rounds up to pages, as bcc counts it not */
SEC("uprobe")
int size_enter(struct pt_regs *ctx)
{
	return alloc_enter(ctx->di);
}

SEC("uprobe")
int free_entry(struct pt_regs *ctx)
{
	return free_enter(ctx->di);
}

SEC("uprobe")
int alloc_return(struct pt_regs *ctx)
{
	return alloc_exit(ctx, ctx->ax);
}

SEC("uprobe")
int posix_memalign_return(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *memptr = bpf_map_lookup_elem(&memptrs, &tid), addr = 0;

	if (!memptr)
		return 0;
	/* 0 on success: the block's address is then in *memptr */
	if (ctx->ax == 0)
		bpf_probe_read_user(&addr, sizeof(addr), (void *)*memptr);
	bpf_map_delete_elem(&memptrs, &tid);
	return alloc_exit(ctx, addr);
}

char LICENSE[] SEC("license") = "GPL";
