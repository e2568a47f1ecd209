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
const volatile __u64 flags_mask = 0;   /* -f: only opens with one of these flags */
const volatile bool full_path = false; /* -F */

/* The event is built here: it is too big for the stack, and only part of dir is sent. */
TK_MAP(scratch, BPF_MAP_TYPE_PERCPU_ARRAY, 1, __u32, struct opensnoop_event);

struct open_args {
	const char *path;
	__u64 flags;
	__u32 mode;
	__s32 dfd;
};

SNOOP_ARGS_MAP(starts, struct open_args);

static __always_inline int open_enter(int dfd, const char *path, __u64 flags, __u32 mode)
{
	struct open_args a = {
		.path = path,
		.flags = flags,
		.mode = mode,
		.dfd = dfd,
	};

	if (flags_mask && !(flags & flags_mask))
		return 0;
	return snoop_args_stash(&starts, &a);
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

struct walk {
	struct vfsmount *vfsmnt;
	struct dentry *dentry;
	struct mount *mnt; /* the vfsmount's */
	__u32 size;
};

/*
 * One step of the walk up from a directory: a mount crossing, or one name. Run through
 * bpf_loop() so the verifier checks it once, not once per level.
 */
static long walk_step(__u32 i, void *arg)
{
	struct walk *w = arg;
	/* Locals: BPF_CORE_READ(w->dentry, ...) would relocate struct walk itself too. */
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct dentry *dentry = w->dentry, *root, *parent;
	struct mount *mnt = w->mnt, *mparent;
	struct opensnoop_event *e;
	const unsigned char *name;
	__u32 zero = 0;
	__u64 idx;
	long n;

	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e || !dentry || !vfsmnt)
		return 1;
	root = BPF_CORE_READ(vfsmnt, mnt_root);
	parent = BPF_CORE_READ(dentry, d_parent);
	if (dentry == root || dentry == parent) {
		mparent = BPF_CORE_READ(mnt, mnt_parent);
		if (!mparent || mparent == mnt) {
			e->dir_root = 1;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mparent;
		w->vfsmnt = &mparent->mnt;
		return 0;
	}
	if (w->size >= OPENSNOOP_DIR_BYTES)
		return 1;
	name = BPF_CORE_READ(dentry, d_name.name);
	/*
	 * The mask changes nothing (size < OPENSNOOP_DIR_BYTES) but, done in asm so the compiler
	 * keeps it, shows the verifier the bound on the register it checks.
	 */
	idx = w->size;
	asm volatile("%0 &= %1" : "+r"(idx) : "i"(OPENSNOOP_DIR_BYTES - 1));
	n = bpf_probe_read_kernel_str(&e->dir[idx], OPENSNOOP_NAME_MAX, name);
	if (n <= 0)
		return 1;
	w->size += n;
	e->dir_depth++;
	e->dir_size = w->size;
	w->dentry = parent;
	return 0;
}

/*
 * The names of the directories from path (a struct path: mnt, dentry) up to the root,
 * crossing mount points, as d_path() finds them; innermost first.
 */
static __always_inline void walk_dirs(const struct path *path)
{
	struct walk w = {
		.vfsmnt = BPF_CORE_READ(path, mnt),
		.dentry = BPF_CORE_READ(path, dentry),
	};

	/* container_of(vfsmnt, struct mount, mnt) */
	w.mnt = (void *)w.vfsmnt - bpf_core_field_offset(struct mount, mnt);
	bpf_loop(64, walk_step, &w, 0);
}

/* -F: the walk from where a relative path starts, the cwd or directory fd dfd. */
static __always_inline void walk_from(int dfd)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct file *file;

	if (dfd == AT_FDCWD_VAL) {
		walk_dirs(&BPF_CORE_READ(task, fs)->pwd);
		return;
	}
	file = snoop_file_from_fd(dfd);
	if (file)
		walk_dirs(&file->f_path);
}

static __always_inline int open_leave(long ret)
{
	struct opensnoop_event *e;
	struct open_args a;
	__u32 zero = 0, len;

	if (!snoop_args_take(&starts, &a, sizeof(a), !failed_only || ret < 0))
		return 0;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return 0;
	snoop_event_task(e);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->dfd = a.dfd;
	e->mode = a.mode;
	e->flags = a.flags;
	e->dir_depth = e->dir_size = e->dir_root = 0;
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), a.path) < 0)
		e->path[0] = '\0';
	if (full_path && e->path[0] && e->path[0] != '/')
		walk_from(a.dfd);
	len = e->dir_size;
	if (len > sizeof(e->dir))
		len = sizeof(e->dir);
	snoop_output(e, __builtin_offsetof(struct opensnoop_event, dir) + len);
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
