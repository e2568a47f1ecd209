// SPDX-License-Identifier: GPL-2.0
/*
 * execsnoop: exec() calls from sys_enter/exit_execve(at). The command line is collected at
 * entry (the old image's memory still holds it) in a per-process map entry and sent at exit
 * with the return value and the new comm.
 */
/* Events are sent at their length (a few hundred bytes each, usually): 128 KiB is plenty. */
#define SNOOP_RINGBUF_BYTES (128 * 1024)
#include "snoop_common.bpf.h"
#include "execsnoop.h"

const volatile bool ignore_failed = true;
const volatile __u32 max_args = EXECSNOOP_DEFAULT_MAX_ARGS;
const volatile __u32 filter_ppid = 0;

/*
 * Keyed by tgid, not tid: when a non-leader thread execs, it takes over the leader's pid, so
 * at exit only the tgid still names the entry. An LRU of 1024: entries are preallocated
 * (10240 of these 7.7 KB values took 79 MB and 20 ms to set up), and one left behind by a
 * task killed inside execve() is evicted in time instead of filling the map.
 */
TK_MAP(execs, BPF_MAP_TYPE_LRU_HASH, 1024, __u32, struct execsnoop_event);

static const struct execsnoop_event empty_event = {};

/* args[first]: the file name, args[first + 1]: argv. */
static __always_inline int exec_enter(const unsigned long *args, int first)
{
	const char *filename = (const char *)args[first];
	const char *const *argv = (const char *const *)args[first + 1];
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, ppid, size, i;
	struct execsnoop_event *e;
	const char *argp;
	long ret;

	if (!snoop_task_wanted())
		return 0;
	ppid = BPF_CORE_READ(task, real_parent, tgid);
	if (filter_ppid && ppid != filter_ppid)
		return 0;
	if (bpf_map_update_elem(&execs, &tgid, &empty_event, BPF_ANY)) {
		__sync_fetch_and_add(&lost_events, 1);
		return 0;
	}
	e = bpf_map_lookup_elem(&execs, &tgid);
	if (!e)
		return 0;
	e->pid = tgid;
	e->ppid = ppid;
	e->uid = (__u32)bpf_get_current_uid_gid();

	ret = bpf_probe_read_user_str(e->args, EXECSNOOP_ARGSIZE, filename);
	if (ret <= 0)
		return 0;
	size = ret;
	e->args_count = 1;
	e->args_size = size;

	/* argv[0] is skipped: the file name stands in its place, as in bcc. */
	for (i = 1; i < EXECSNOOP_MAX_ARGS; i++) {
		if (i >= max_args)
			break;
		argp = NULL;
		if (bpf_probe_read_user(&argp, sizeof(argp), &argv[i]) || !argp)
			return 0;
		if (size > EXECSNOOP_ARGS_BYTES - EXECSNOOP_ARGSIZE) {
			e->truncated = 1; /* no room for one more */
			return 0;
		}
		ret = bpf_probe_read_user_str(&e->args[size], EXECSNOOP_ARGSIZE, argp);
		if (ret <= 0)
			return 0;
		size += ret;
		e->args_count++;
		e->args_size = size;
	}
	argp = NULL;
	if (!bpf_probe_read_user(&argp, sizeof(argp), &argv[i]) && argp)
		e->truncated = 1;
	return 0;
}

static __always_inline int exec_exit(long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct execsnoop_event *e;
	__u32 len;

	e = bpf_map_lookup_elem(&execs, &tgid);
	if (!e)
		return 0;
	if (ret < 0 && ignore_failed)
		goto out;
	e->retval = ret;
	e->ts_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	len = e->args_size;
	if (len > EXECSNOOP_ARGS_BYTES)
		goto out;
	snoop_output(e, __builtin_offsetof(struct execsnoop_event, args) + len);
out:
	bpf_map_delete_elem(&execs, &tgid);
	return 0;
}

SNOOP_SYSCALL_PROGS(execve, execve_enter, execve_exit, exec_enter, exec_exit, 0)
SNOOP_SYSCALL_PROGS(execveat, execveat_enter, execveat_exit, exec_enter, exec_exit, 1)

char LICENSE[] SEC("license") = "GPL";
