/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF side shared by the *snoop tools: the "events" ring buffer every tool's user half reads
 * (tools/tool_run.c finds it by that name), a counter of events dropped because the
 * ring buffer was full, and the pid/tid/uid filters most of them take from the command line.
 */
#ifndef SNOOP_COMMON_BPF_H
#define SNOOP_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "tk_map.bpf.h"

#ifndef SNOOP_RINGBUF_BYTES
#define SNOOP_RINGBUF_BYTES (256 * 1024)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SNOOP_RINGBUF_BYTES);
} events SEC(".maps");

/*
 * The records of syscalls:sys_enter_* and sys_exit_* (a stable tracefs layout: the 8-byte
 * common header, the syscall number, then the arguments or the return value). Declared
 * here, outside vmlinux.h's preserve_access_index, so that a tool reading nothing else of
 * the kernel has no CO-RE relocation and needs no kernel BTF at all. Kernel structs are
 * read with BPF_CORE_READ(); the tools that do so open their objects with
 * BTF_MIN_SKEL_OPEN() (core/btfmin.h), so that libbpf relocates against a few KB of BTF
 * instead of reading all of the kernel's (with libbpf 1.1, about 11 MB of peak RSS).
 */
struct snoop_sys_enter {
	__u64 common;
	long id;
	unsigned long args[6];
};

struct snoop_sys_exit {
	__u64 common;
	long id;
	long ret;
};

/* The struct file behind file descriptor fd of the current task, or NULL. */
static __always_inline struct file *snoop_file_from_fd(int fd)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;

	if (!fdt || fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (!fds || bpf_probe_read_kernel(&file, sizeof(file), fds + fd))
		return NULL;
	return file;
}

/* Events the ring buffer had no room for; user space reports the total at exit. */
__u64 lost_events = 0;

/* Filters, set through the skeleton's .rodata before load; 0 / -1 mean "any". */
const volatile __u32 filter_tgid = 0;
const volatile __u32 filter_tid = 0;
const volatile __u32 filter_uid = (__u32)-1;

/* Whether the current task passes the pid, tid and uid filters. */
static __always_inline bool snoop_task_wanted(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (filter_tgid && (id >> 32) != filter_tgid)
		return false;
	if (filter_tid && (__u32)id != filter_tid)
		return false;
	if (filter_uid != (__u32)-1 && (__u32)bpf_get_current_uid_gid() != filter_uid)
		return false;
	return true;
}

/* Reserve one event of *p's type in the ring buffer; counts the loss when full. */
#define snoop_reserve(p)                                                                           \
	({                                                                                         \
		(p) = bpf_ringbuf_reserve(&events, sizeof(*(p)), 0);                               \
		if (!(p))                                                                          \
			__sync_fetch_and_add(&lost_events, 1);                                     \
		(p);                                                                               \
	})

/* The fields every snoop event has: the time, the process and thread, and the thread's comm. */
#define snoop_event_task(e)                                                                        \
	do {                                                                                       \
		__u64 __id = bpf_get_current_pid_tgid();                                           \
		(e)->ts_ns = bpf_ktime_get_ns();                                                   \
		(e)->pid = __id >> 32;                                                             \
		(e)->tid = (__u32)__id;                                                            \
		bpf_get_current_comm((e)->comm, sizeof((e)->comm));                                \
	} while (0)

/* Copy len bytes of data into the ring buffer; counts the loss when full. */
static __always_inline void snoop_output(void *data, __u64 len)
{
	if (bpf_ringbuf_output(&events, data, len, 0))
		__sync_fetch_and_add(&lost_events, 1);
}

/*
 * Syscalls traced at both ends: the exit has the result, the entry the arguments (by the exit
 * the kernel may have changed them). So the entry stashes them per thread in a map declared
 * with SNOOP_ARGS_MAP(), and the exit takes them back.
 */
#define SNOOP_ARGS_MAP(name, args_type) TK_MAP(name, BPF_MAP_TYPE_HASH, 10240, __u32, args_type)

/* At a syscall's entry: keep *args for this thread's exit, if the task passes the filters. */
static __always_inline int snoop_args_stash(void *map, const void *args)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (snoop_task_wanted())
		bpf_map_update_elem(map, &tid, args, BPF_ANY);
	return 0;
}

/*
 * At a syscall's exit: copy into *args (size bytes) what this thread's entry stashed and drop
 * the stash. False when there is none (the entry filtered the call out) or !report (e.g. -x
 * and the call succeeded): then there is nothing to send.
 */
static __always_inline bool snoop_args_take(void *map, void *args, __u32 size, bool report)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	void *a = bpf_map_lookup_elem(map, &tid);

	if (!a)
		return false;
	if (report)
		__builtin_memcpy(args, a, size);
	bpf_map_delete_elem(map, &tid);
	return report;
}

/*
 * How most exits start: take the entry's arguments into a (snoop_args_take()), reserve the event
 * e and fill in its task fields. False when there is nothing to send.
 */
#define snoop_exit_event(map, a, report, e)                                                        \
	({                                                                                         \
		bool __ok = snoop_args_take(map, &(a), sizeof(a), report) && snoop_reserve(e);     \
		if (__ok)                                                                          \
			snoop_event_task(e);                                                       \
		__ok;                                                                              \
	})

/*
 * The two programs of a syscall traced at both ends: enter_prog at sys_enter_<sys> returns
 * on_enter(ctx->args, ...) (the extra arguments say which of them to take), exit_prog at
 * sys_exit_<sys> returns on_exit(ctx->ret).
 */
#define SNOOP_SYSCALL_PROGS(sys, enter_prog, exit_prog, on_enter, on_exit, ...)                    \
	SEC("tracepoint/syscalls/sys_enter_" #sys)                                                 \
	int enter_prog(struct snoop_sys_enter *ctx)                                                \
	{                                                                                          \
		return on_enter(ctx->args, __VA_ARGS__);                                           \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                                                  \
	int exit_prog(struct snoop_sys_exit *ctx)                                                  \
	{                                                                                          \
		return on_exit(ctx->ret);                                                          \
	}

#endif
