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

SNOOP_ARGS_MAP(starts, struct stat_args);

/* args[path_arg]: the path. */
static __always_inline int stat_enter(const unsigned long *args, int path_arg, __u32 sys)
{
	struct stat_args a = {.path = (const char *)args[path_arg], .sys = sys};

	return snoop_args_stash(&starts, &a);
}

static __always_inline int stat_exit(long ret)
{
	struct statsnoop_event *e;
	struct stat_args a;

	if (!snoop_exit_event(&starts, a, !failed_only || ret < 0, e))
		return 0;
	e->ret = ret;
	e->sys = a.sys;
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), a.path) < 0)
		e->path[0] = '\0';
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* One entry/exit pair per syscall; arg is the index of the path argument. */
#define STAT_PAIR(name, arg, sys)                                                                  \
	SNOOP_SYSCALL_PROGS(name, name##_entry, name##_return, stat_enter, stat_exit, arg, sys)

STAT_PAIR(stat, 0, STATSNOOP_STAT)
STAT_PAIR(statx, 1, STATSNOOP_STATX)
STAT_PAIR(statfs, 0, STATSNOOP_STATFS)
STAT_PAIR(newstat, 0, STATSNOOP_NEWSTAT)
STAT_PAIR(newlstat, 0, STATSNOOP_NEWLSTAT)
STAT_PAIR(fstatat64, 1, STATSNOOP_FSTATAT64)
STAT_PAIR(newfstatat, 1, STATSNOOP_NEWFSTATAT)

char LICENSE[] SEC("license") = "GPL";
