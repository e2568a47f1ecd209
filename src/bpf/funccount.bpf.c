// SPDX-License-Identifier: GPL-2.0
/* funccount: one counter per probed function, indexed by the probe's cookie. */
#include "uregs.bpf.h"

#include "func_probe.h"

const volatile __u32 filter_tgid = 0;
const volatile __s32 filter_cpu = -1;

/* Resized to the number of functions before load. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

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
	__u64 cookie = bpf_get_attach_cookie(ctx), fl = ctx->flags;

	/* On Go's `JBE/JB morestack`, only the pass that enters the body is a call. */
	if ((COOKIE_COND(cookie) == 1 && (fl & 0x41)) || (COOKIE_COND(cookie) == 2 && (fl & 1)))
		return 0;
	return count(cookie);
}

SEC("tracepoint")
int count_tracepoint(void *ctx)
{
	return count(bpf_get_attach_cookie(ctx));
}

SEC("kprobe.multi")
int count_kprobe(struct pt_regs *ctx)
{
	return count(bpf_get_attach_cookie(ctx));
}

char LICENSE[] SEC("license") = "GPL";
