// SPDX-License-Identifier: GPL-2.0
/* syncsnoop: calls of sync(), fsync(), fdatasync(), msync(), sync_file_range() and syncfs(). */
/* Few, small events: a small ring buffer (its pages count in the RSS from the start). */
#define SNOOP_RINGBUF_BYTES (64 * 1024)
#include "snoop_common.bpf.h"
#include "syncsnoop.h"

static __always_inline int sync_enter(__u32 sys, int fd)
{
	struct syncsnoop_event *e;

	if (!snoop_task_wanted())
		return 0;
	if (!snoop_reserve(e))
		return 0;
	snoop_event_task(e);
	e->sys = sys;
	e->fd = fd;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* fd_arg: the fd's argument index, or -1 when the call takes none. */
#define SYNC_PROG(name, sys, fd_arg)                                                               \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                                \
	int name##_entry(struct snoop_sys_enter *ctx)                                              \
	{                                                                                          \
		return sync_enter(                                                                 \
			sys, (fd_arg) < 0 ? -1 : (int)ctx->args[(fd_arg) < 0 ? 0 : (fd_arg)]);     \
	}

SYNC_PROG(sync, SYNCSNOOP_SYNC, -1)
SYNC_PROG(fsync, SYNCSNOOP_FSYNC, 0)
SYNC_PROG(fdatasync, SYNCSNOOP_FDATASYNC, 0)
SYNC_PROG(msync, SYNCSNOOP_MSYNC, -1)
SYNC_PROG(sync_file_range, SYNCSNOOP_SYNC_FILE_RANGE, 0)
SYNC_PROG(sync_file_range2, SYNCSNOOP_SYNC_FILE_RANGE2, 0)
SYNC_PROG(syncfs, SYNCSNOOP_SYNCFS, 0)

char LICENSE[] SEC("license") = "GPL";
