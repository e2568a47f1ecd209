/* SPDX-License-Identifier: GPL-2.0 */
/* biosnoop: the event shared by biosnoop.bpf.c and tools/biosnoop.c. */
#ifndef TK_BIOSNOOP_H
#define TK_BIOSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "bio_common.h"

/* One completed request. */
struct biosnoop_event {
	__u64 ts_ns;	 /* its completion */
	__u64 delta_ns;	 /* from issue to completion */
	__u64 qdelta_ns; /* from its start (queued) to its issue; 0: start not seen */
	__u64 sector;
	__u32 bytes;
	__u32 pid; /* the task that started it; 0: not seen */
	__u32 cmd_flags;
	__u32 dev; /* the disk's major << 20 | first minor */
	char comm[BIO_COMM_LEN];
	char disk[BIO_DISK_LEN];
};

#endif
