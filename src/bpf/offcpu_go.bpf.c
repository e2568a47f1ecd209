// SPDX-License-Identifier: GPL-2.0
/*
 * offcputime --go: a goroutine is off CPU from its runtime.gopark (it is the current
 * goroutine: R14 in Go's register ABI) until runtime.execute(gp) runs it again (gp in RAX),
 * whatever its threads do meanwhile; the time goes to the user stack it parked with. Both
 * sites are entry probes after Go's stack check, attached to one process; the cookie carries
 * the goid offset of that binary's Go version (func_probe.h).
 */
#include "uregs.bpf.h"

#include "func_probe.h"
#include "offcpu_go.h"
#include "stack_common.bpf.h"

const volatile __u64 min_us = 1;     /* -m */
const volatile __u64 max_us = ~0ull; /* -M */

struct park_key {
	__u32 tgid;
	__u32 pad;
	__u64 goid;
};

struct park {
	__u64 ts;
	struct stack_key key;
};

/* Parked goroutines. LRU: those that exit parked, or stay parked, must not fill it. */
TK_MAP(parks, BPF_MAP_TYPE_LRU_HASH, 65536, struct park_key, struct park);
/* nanoseconds parked, by process and stack */
TK_MAP(counts, BPF_MAP_TYPE_HASH, 40960, struct stack_key, __u64);

static __always_inline int park_key(struct park_key *k, __u64 g, __u64 cookie)
{
	k->tgid = bpf_get_current_pid_tgid() >> 32;
	k->pad = 0;
	return bpf_probe_read_user(&k->goid, sizeof(k->goid),
				   (void *)(g + COOKIE_GOID_OFF(cookie)));
}

static __always_inline int on_park(struct pt_regs *ctx, __u64 cookie)
{
	struct park p = {};
	struct park_key k;

	if (park_key(&k, ctx->r14, cookie))
		return 0;
	p.key.pid = k.tgid;
	p.key.kstack = -EFAULT; /* parking is the runtime's, in user space */
	p.key.ustack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	/* gopark's caller (time.Sleep, runtime.chanrecv): not yet on the frame-pointer chain */
	bpf_probe_read_user(&p.key.caller, sizeof(p.key.caller), (void *)ctx->sp);
	bpf_get_current_comm(p.key.comm, sizeof(p.key.comm));
	p.ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&parks, &k, &p, BPF_ANY);
	return 0;
}

static __always_inline int on_run(struct pt_regs *ctx, __u64 cookie)
{
	struct park_key k;
	struct park *p;
	__u64 ns, us;

	if (park_key(&k, ctx->ax, cookie))
		return 0;
	p = bpf_map_lookup_elem(&parks, &k);
	if (!p)
		return 0; /* a new goroutine, a preempted one, or parked before we started */
	ns = bpf_ktime_get_ns() - p->ts;
	us = ns / 1000;
	if (us >= min_us && us <= max_us)
		stack_count_add(&counts, &p->key, ns);
	bpf_map_delete_elem(&parks, &k);
	return 0;
}

SEC("uprobe")
int offcpu_go(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);

	/* On Go's `JBE/JB morestack`, only the pass that enters the body is a call. */
	if (!entry_cond_met(COOKIE_COND(cookie), ctx->flags))
		return 0;
	if (COOKIE_IDX(cookie) == OFFCPU_GO_PARK)
		return on_park(ctx, cookie);
	return on_run(ctx, cookie);
}

char LICENSE[] SEC("license") = "GPL";
