// SPDX-License-Identifier: GPL-2.0
/*
 * mountsnoop: mount(), umount2() and the new mount API (fsopen, fsconfig, fsmount, move_mount)
 * from their syscall tracepoints. The arguments are kept per thread at entry and their strings
 * read at exit, with the result.
 */
#define SNOOP_RINGBUF_BYTES (64 * 1024) /* rare, if large, events */
#include "snoop_common.bpf.h"
#include "mountsnoop.h"

struct mount_args {
	__u64 args[6];
	__u32 op;
};

SNOOP_ARGS_MAP(starts, struct mount_args);

/*
 * nargs: the call's own count, no more: a program reading past its tracepoint's record is
 * refused at attach (EACCES).
 */
static __always_inline int mount_enter(const unsigned long *args, __u32 op, int nargs)
{
	struct mount_args a = {.op = op};

#pragma unroll
	for (int i = 0; i < 6; i++)
		if (i < nargs)
			a.args[i] = args[i];
	return snoop_args_stash(&starts, &a);
}

/* String argument i of the call into the event's slot n, "" for NULL or unreadable */
static __always_inline void user_str(struct mountsnoop_event *e, int n, int i)
{
	const char *src = (const char *)e->args[i];

	if (!src || bpf_probe_read_user_str(e->str[n], MOUNTSNOOP_STR, src) < 0)
		e->str[n][0] = '\0';
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
	__builtin_memcpy(e->args, a.args, sizeof(e->args));
	e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	BPF_CORE_READ_STR_INTO(&e->pcomm, task, real_parent, comm);
	for (int n = 0; n < MOUNTSNOOP_STRS; n++)
		e->str[n][0] = '\0';
	switch (a.op) {
	case MOUNTSNOOP_MOUNT:
		user_str(e, 0, 0);
		user_str(e, 1, 1);
		user_str(e, 2, 2);
		user_str(e, 3, 4);
		break;
	case MOUNTSNOOP_UMOUNT:
	case MOUNTSNOOP_FSOPEN:
		user_str(e, 0, 0);
		break;
	case MOUNTSNOOP_FSCONFIG:
		user_str(e, 0, 2);
		if (MOUNTSNOOP_FSCONFIG_STR(a.args[1]))
			user_str(e, 1, 3);
		break;
	case MOUNTSNOOP_MOVE_MOUNT:
		user_str(e, 0, 1);
		user_str(e, 1, 3);
		break;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SNOOP_SYSCALL_PROGS(mount, mount_entry, mount_return, mount_enter, mount_exit, MOUNTSNOOP_MOUNT, 5)
SNOOP_SYSCALL_PROGS(umount, umount_entry, umount_return, mount_enter, mount_exit, MOUNTSNOOP_UMOUNT,
		    2)
SNOOP_SYSCALL_PROGS(fsopen, fsopen_entry, fsopen_return, mount_enter, mount_exit, MOUNTSNOOP_FSOPEN,
		    2)
SNOOP_SYSCALL_PROGS(fsconfig, fsconfig_entry, fsconfig_return, mount_enter, mount_exit,
		    MOUNTSNOOP_FSCONFIG, 5)
SNOOP_SYSCALL_PROGS(fsmount, fsmount_entry, fsmount_return, mount_enter, mount_exit,
		    MOUNTSNOOP_FSMOUNT, 3)
SNOOP_SYSCALL_PROGS(move_mount, move_mount_entry, move_mount_return, mount_enter, mount_exit,
		    MOUNTSNOOP_MOVE_MOUNT, 5)

char LICENSE[] SEC("license") = "GPL";
