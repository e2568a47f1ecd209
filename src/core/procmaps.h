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
/* Prefix path with /proc/PID/root so that a process in another mount namespace is reached. */
int proc_root_path(int pid, const char *path, char *out, size_t len);
/* comm of a process, escaped for a terminal. */
int proc_comm(int pid, char *buf, size_t len);

#endif
