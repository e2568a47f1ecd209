/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/PID/maps: which file backs an address, load biases, libraries of a running process. */
#ifndef TK_PROCMAPS_H
#define TK_PROCMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct proc_map {
	uint64_t start, end, offset;
	uint64_t inode;
	uint64_t dev; /* makedev(major, minor) of the line's device field */
	bool exec;
	char *path; /* as the kernel shows it; NULL for anonymous mappings */
};

struct proc_maps {
	int pid;
	struct proc_map *maps;
	size_t n;
};

/* -ESRCH when the process is gone. */
int proc_maps__load(int pid, struct proc_maps *pm);
void proc_maps__free(struct proc_maps *pm);
/* Mapping holding addr, or NULL. */
const struct proc_map *proc_maps__find(const struct proc_maps *pm, uint64_t addr);
/*
 * First file-backed mapping whose path's basename matches a library name: "c", "libc",
 * "libc.so.6" all match /usr/lib/x86_64-linux-gnu/libc.so.6.
 */
const struct proc_map *proc_maps__find_lib(const struct proc_maps *pm, const char *name);

/* Library base name vs a user's name for it: "c", "libc", "libc.so.6" match "libc.so.6". */
bool lib_name_matches(const char *base, const char *name);

/* true if /proc/PID exists (and is not a zombie we reaped). */
bool proc_alive(int pid);
/*
 * The one place that says which file a path names for a process: FILE as process PID sees
 * it, as a path this process (the tracer) can open and hand to the kernel.
 * - A path under /proc/ is the tracer's own (/proc/PID/root/server, /proc/PID/map_files/...)
 *   and is used as it is, with or without a PID.
 * - With pid > 0, an absolute path is the process's: /proc/PID/root/FILE, so that a process
 *   in a container (its own mount namespace or chroot) is reached. Host processes share the
 *   tracer's root, where this names the same file.
 *   Symlinks inside are followed as the process would (path_in_root()).
 * - A relative path, or no PID: the path as it is (the tracer's working directory).
 * 0, or -ENOENT when that file does not exist (out is still filled, for messages),
 * -ELOOP, -ENAMETOOLONG.
 */
int proc_file_path(int pid, const char *file, char *out, size_t len);
/*
 * ROOT followed by absolute PATH with every symlink resolved inside ROOT, as for a process
 * whose root ROOT is: an absolute target starts again at ROOT, ".." stops at it. -ENOENT
 * when a component is missing (out then holds ROOT, the resolved part and the rest as it is).
 */
int path_in_root(const char *root, const char *path, char *out, size_t len);
/*
 * The file behind mapping m of process pid, as a path the tracer can open: /proc/PID/maps
 * shows a path relative to the reader's root when the file is reachable from it (a chroot
 * under the host's tree), else relative to the process's root (pivot_root: containers).
 * Tried in order, each only if it holds the mapped inode: proc_file_path(m->path), m->path
 * itself, then /proc/PID/map_files/START-END (the mapping itself, also for deleted files).
 * -ENOENT if none works.
 */
int proc_map_path(int pid, const struct proc_map *m, char *out, size_t len);
/* comm of a process, escaped for a terminal. */
int proc_comm(int pid, char *buf, size_t len);

#endif
