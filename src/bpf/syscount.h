/* SPDX-License-Identifier: GPL-2.0 */
/* syscount: the map value shared by syscount.bpf.c and tools/syscount.c. */
#ifndef TK_SYSCOUNT_H
#define TK_SYSCOUNT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Keyed by syscall number, or by process id with -P. */
struct syscount_val {
	__u64 count;
	__u64 errors;	/* returned < 0 */
	__u64 total_ns; /* with -L */
	char comm[16];	/* -P: the process's, at its first counted call */
};

#endif
