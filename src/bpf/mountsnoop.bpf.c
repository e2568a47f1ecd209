// SPDX-License-Identifier: GPL-2.0
/*
 * mountsnoop: mount() and umount2() from their syscall tracepoints. The argument pointers are
 * kept per thread at entry and their strings read at exit, with the result.
 */
#define SNOOP_RINGBUF_BYTES (64 * 1024) /* rare, if large, events */
#include "snoop_common.bpf.h"
#include "mountsnoop.h"

struct mount_args {
	const char *source, *target, *type, *data;
	__u64 flags;
	__u32 op;
};

SNOOP_ARGS_MAP(starts, struct mount_args);

static __always_inline int mount_enter(const unsigned long *args, __u32 op)
{
	struct mount_args a = {.op = op};

	if (op == MOUNTSNOOP_MOUNT) {
		a.source = (const char *)args[0];
		a.target = (const char *)args[1];
		a.type = (const char *)args[2];
		a.flags = args[3];
		a.data = (const char *)args[4];
	} else {
		a.target = (const char *)args[0];
		a.flags = args[1];
	}
	return snoop_args_stash(&starts, &a);
}

/* A user string argument into dst, "" for NULL or unreadable */
static __always_inline void user_str(char *dst, const char *src)
{
	if (!src || bpf_probe_read_user_str(dst, MOUNTSNOOP_STR, src) < 0)
		dst[0] = '\0';
}

static __always_inline int mount_exit(long ret)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct mountsnoop_event *e;
	struct mount_args a;

	if (!snoop_exit_event(&starts, a, true, e))
		return 0;
	e->ret = ret;
	e->op = a.op;
	e->flags = a.flags;
	e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	BPF_CORE_READ_STR_INTO(&e->pcomm, task, real_parent, comm);
	user_str(e->source, a.source);
	user_str(e->target, a.target);
	user_str(e->type, a.type);
	user_str(e->data, a.data);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SNOOP_SYSCALL_PROGS(mount, mount_entry, mount_return, mount_enter, mount_exit, MOUNTSNOOP_MOUNT)
SNOOP_SYSCALL_PROGS(umount, umount_entry, umount_return, mount_enter, mount_exit, MOUNTSNOOP_UMOUNT)

char LICENSE[] SEC("license") = "GPL";
