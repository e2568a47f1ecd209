// SPDX-License-Identifier: GPL-2.0
/*
 * statsnoop: the stat() family from its syscall tracepoints (those this architecture lacks,
 * e.g. stat and fstatat64 on x86_64, are dropped by user space before load).
 */
#include "snoop_common.bpf.h"
#include "statsnoop.h"

const volatile bool failed_only = false;

struct stat_args {
	const char *path;
	__u32 sys;
};

TK_MAP(starts, BPF_MAP_TYPE_HASH, 10240, __u32, struct stat_args);

static __always_inline int stat_enter(const char *path, __u32 sys)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct stat_args a = {.path = path, .sys = sys};

	if (!snoop_task_wanted())
		return 0;
	bpf_map_update_elem(&starts, &tid, &a, BPF_ANY);
	return 0;
}

static __always_inline int stat_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct statsnoop_event *e;
	struct stat_args *a;

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
	e->ret = ret;
	e->sys = a->sys;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), a->path) < 0)
		e->path[0] = '\0';
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

/* One entry/exit pair per syscall; arg is the index of the path argument. */
#define STAT_PAIR(name, arg, sys)                                                                  \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                                \
	int name##_entry(struct snoop_sys_enter *ctx)                                              \
	{                                                                                          \
		return stat_enter((const char *)ctx->args[arg], sys);                              \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                                 \
	int name##_return(struct snoop_sys_exit *ctx)                                              \
	{                                                                                          \
		return stat_exit(ctx->ret);                                                        \
	}

STAT_PAIR(stat, 0, STATSNOOP_STAT)
STAT_PAIR(statx, 1, STATSNOOP_STATX)
STAT_PAIR(statfs, 0, STATSNOOP_STATFS)
STAT_PAIR(newstat, 0, STATSNOOP_NEWSTAT)
STAT_PAIR(newlstat, 0, STATSNOOP_NEWLSTAT)
STAT_PAIR(fstatat64, 1, STATSNOOP_FSTATAT64)
STAT_PAIR(newfstatat, 1, STATSNOOP_NEWFSTATAT)

char LICENSE[] SEC("license") = "GPL";
