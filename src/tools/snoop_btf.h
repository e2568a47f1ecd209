/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offsets of a few kernel struct members, read straight from /sys/kernel/btf/vmlinux in a
 * few streaming passes with a small buffer.
 *
 * Why not CO-RE: libbpf 1.1 reads the whole 5.5 MB kernel BTF and copies it before it can
 * relocate anything (about 11 MB of peak RSS, 5x what a libbpf-tools tool needs). The snoop
 * tools need a handful of members (task_struct.real_parent, sock_common.skc_family, ...), so
 * they look those up here and hand the offsets to their BPF side through .rodata, where
 * bpf_probe_read_kernel() reads them (snoop_field_read() in src/bpf/snoop_common.bpf.h).
 */
#ifndef TK_SNOOP_BTF_H
#define TK_SNOOP_BTF_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/snoop_field.h"

struct snoop_btf_query {
	const char *strct;  /* "task_struct" */
	const char *member; /* "real_parent"; found also inside anonymous structs and unions */
	struct snoop_field *out;
	bool optional; /* missing is fine: out->size stays 0 */
};

/* The queries behind snoop_file_from_fd() (src/bpf/snoop_common.bpf.h); r: skel->rodata. */
#define SNOOP_FD_QUERIES(r)                                                                        \
	{"task_struct", "files", &(r)->f_files}, {"files_struct", "fdt", &(r)->f_fdt},             \
		{"fdtable", "max_fds", &(r)->f_max_fds},                                           \
	{                                                                                          \
		"fdtable", "fd", &(r)->f_fd                                                        \
	}

/*
 * Resolve every query against path (NULL: /sys/kernel/btf/vmlinux). 0, or a negative errno
 * after a one-line error naming the first required member that was not found.
 */
int snoop_btf_resolve(const char *path, struct snoop_btf_query *q, size_t n);

#endif
