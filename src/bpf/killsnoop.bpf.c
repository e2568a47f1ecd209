// SPDX-License-Identifier: GPL-2.0
/* killsnoop: signals sent by kill(), tkill() and tgkill(), with their result. */
/* Few, small events: a small ring buffer (its pages count in the RSS from the start). */
#define SNOOP_RINGBUF_BYTES (64 * 1024)
#include "snoop_common.bpf.h"
#include "killsnoop.h"

const volatile bool failed_only = false;
const volatile __s32 filter_tpid = 0;
const volatile bool sig_filter = false;
const volatile __u64 sig_mask[2] = {}; /* -s: bit n for signal n (0..64) */

struct kill_args {
	__s32 tpid;
	__s32 sig;
	__u32 call;
};

TK_MAP(starts, BPF_MAP_TYPE_HASH, 10240, __u32, struct kill_args);

static __always_inline int kill_enter(__s32 tpid, __s32 sig, __u32 call)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kill_args a = {.tpid = tpid, .sig = sig, .call = call};

	if (!snoop_task_wanted())
		return 0;
	if (filter_tpid && tpid != filter_tpid)
		return 0;
	if (sig_filter &&
	    (sig < 0 || sig > 64 || !(sig_mask[(sig >> 6) & 1] & (1ULL << (sig & 63)))))
		return 0;
	bpf_map_update_elem(&starts, &tid, &a, BPF_ANY);
	return 0;
}

static __always_inline int kill_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct killsnoop_event *e;
	struct kill_args *a;

	a = bpf_map_lookup_elem(&starts, &tid);
	if (!a)
		return 0;
	if (failed_only && ret >= 0)
		goto out;
	if (!snoop_reserve(e))
		goto out;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = tid;
	e->tpid = a->tpid;
	e->sig = a->sig;
	e->call = a->call;
	e->ret = ret;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_kill")
int kill_entry(struct snoop_sys_enter *ctx)
{
	return kill_enter(ctx->args[0], ctx->args[1], KILLSNOOP_KILL);
}

SEC("tracepoint/syscalls/sys_exit_kill")
int kill_return(struct snoop_sys_exit *ctx)
{
	return kill_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_tkill")
int tkill_entry(struct snoop_sys_enter *ctx)
{
	return kill_enter(ctx->args[0], ctx->args[1], KILLSNOOP_TKILL);
}

SEC("tracepoint/syscalls/sys_exit_tkill")
int tkill_return(struct snoop_sys_exit *ctx)
{
	return kill_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_tgkill")
int tgkill_entry(struct snoop_sys_enter *ctx)
{
	return kill_enter(ctx->args[1], ctx->args[2], KILLSNOOP_TGKILL);
}

SEC("tracepoint/syscalls/sys_exit_tgkill")
int tgkill_return(struct snoop_sys_exit *ctx)
{
	return kill_exit(ctx->ret);
}

char LICENSE[] SEC("license") = "GPL";
