/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry/return pairing that is correct for Go. Goroutines move between threads, so the key
 * is never the thread id: it is (tgid, goroutine id, g.stack.hi - SP). Both halves of the key
 * are the same at the entry probe and at the RET probe (SP points at the return PC in both),
 * survive stack copying (offsets from the top are kept), and differ per recursive frame. For
 * C code, with a uretprobe, the key is (tgid, tid, SP at entry + 8 == SP after the return).
 * The map is an LRU: calls that never return through a RET (panics, Goexit, tail jumps)
 * must not fill it up.
 */
#ifndef TK_FUNC_PAIR_BPF_H
#define TK_FUNC_PAIR_BPF_H

#include "func_probe.h"
#include "tk_map.bpf.h"
#include "tk_log2.bpf.h"

const volatile __u32 filter_tgid = 0;
const volatile bool capture_args = false;

struct call_start {
	__u64 ts;
	__u64 args[MAX_ARGS];
};

TK_MAP(starts, BPF_MAP_TYPE_LRU_HASH, 65536, struct call_key, struct call_start);

static __always_inline bool tgid_wanted(void)
{
	return !filter_tgid || (bpf_get_current_pid_tgid() >> 32) == filter_tgid;
}

static __always_inline int make_key(struct pt_regs *ctx, __u64 cookie, struct call_key *k,
				    bool at_entry)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	k->tgid = pid_tgid >> 32;
	k->pad = 0;
	if (COOKIE_IS_GO(cookie)) {
		__u64 g = ctx->r14, hi = 0;

		/* R14 holds the current g in Go's register ABI (Go >= 1.17). */
		if (bpf_probe_read_user(&k->id, sizeof(k->id),
					(void *)(g + COOKIE_GOID_OFF(cookie))) ||
		    bpf_probe_read_user(&hi, sizeof(hi), (void *)(g + 8)))
			return -1;
		k->pos = hi - ctx->sp;
	} else {
		k->id = (__u32)pid_tgid;
		k->pos = at_entry ? ctx->sp + 8 : ctx->sp;
	}
	return 0;
}

static __always_inline void read_args(struct pt_regs *ctx, bool go, __u64 *a)
{
	__u64 ax = ctx->ax, bx = ctx->bx, cx = ctx->cx, dx = ctx->dx, di = ctx->di;
	__u64 si = ctx->si, r8 = ctx->r8, r9 = ctx->r9;

	/* Keep the loads here: merged into the branches, they become ctx+var (rejected). */
	asm volatile("" ::: "memory");
	/* Go ABIInternal: RAX, RBX, RCX, RDI, RSI, R8; C (SysV): RDI, RSI, RDX, RCX, R8, R9. */
	a[0] = go ? ax : di;
	a[1] = go ? bx : si;
	a[2] = go ? cx : dx;
	a[3] = go ? di : cx;
	a[4] = go ? si : r8;
	a[5] = go ? r8 : r9;
}

static __always_inline int pair_entry(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	struct call_start st = {};
	struct call_key k;

	if (!tgid_wanted() || !entry_cond_met(COOKIE_COND(cookie), ctx->flags))
		return 0;
	if (make_key(ctx, cookie, &k, true))
		return 0;
	if (capture_args)
		read_args(ctx, COOKIE_IS_GO(cookie), st.args);
	st.ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &k, &st, BPF_ANY);
	return 0;
}

/* On return: the matching start (consumed), or NULL. */
static __always_inline int pair_return(struct pt_regs *ctx, struct call_start *out)
{
	struct call_start *st;
	struct call_key k;

	if (!tgid_wanted() || make_key(ctx, bpf_get_attach_cookie(ctx), &k, false))
		return -1;
	st = bpf_map_lookup_elem(&starts, &k);
	if (!st)
		return -1;
	*out = *st;
	bpf_map_delete_elem(&starts, &k);
	return 0;
}

#endif
