// SPDX-License-Identifier: GPL-2.0
/*
 * opensnoop: open(), openat() and openat2() from their syscall tracepoints. The arguments are
 * kept per thread at entry and sent with the result at exit; the path is read from user
 * memory at exit, when the kernel has certainly faulted it in.
 */
#include "snoop_common.bpf.h"
#include "opensnoop.h"

#define AT_FDCWD_VAL -100

const volatile bool failed_only = false;
const volatile __u64 flags_mask = 0; /* -f: only opens with one of these flags */

struct open_args {
	const char *path;
	__u64 flags;
	__u32 mode;
	__s32 dfd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct open_args);
} starts SEC(".maps");

static __always_inline int open_enter(int dfd, const char *path, __u64 flags, __u32 mode)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct open_args a = {
		.path = path,
		.flags = flags,
		.mode = mode,
		.dfd = dfd,
	};

	if (!snoop_task_wanted())
		return 0;
	if (flags_mask && !(flags & flags_mask))
		return 0;
	bpf_map_update_elem(&starts, &tid, &a, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_open")
int open_entry(struct snoop_sys_enter *ctx)
{
	return open_enter(AT_FDCWD_VAL, (const char *)ctx->args[0], ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int openat_entry(struct snoop_sys_enter *ctx)
{
	return open_enter(ctx->args[0], (const char *)ctx->args[1], ctx->args[2], ctx->args[3]);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int openat2_entry(struct snoop_sys_enter *ctx)
{
	struct {
		__u64 flags, mode, resolve;
	} how = {}; /* struct open_how, a uapi layout */

	bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
	return open_enter(ctx->args[0], (const char *)ctx->args[1], how.flags, how.mode);
}

static __always_inline int open_leave(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct opensnoop_event *e;
	struct open_args *a;

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
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->dfd = a->dfd;
	e->mode = a->mode;
	e->flags = a->flags;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), a->path) < 0)
		e->path[0] = '\0';
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int open_exit(struct snoop_sys_exit *ctx)
{
	return open_leave(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit(struct snoop_sys_exit *ctx)
{
	return open_leave(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int openat2_exit(struct snoop_sys_exit *ctx)
{
	return open_leave(ctx->ret);
}

char LICENSE[] SEC("license") = "GPL";
