/* SPDX-License-Identifier: GPL-2.0 */
/* biotop: the map shared by biotop.bpf.c and tools/biotop.c. */
#ifndef TK_BIOTOP_H
#define TK_BIOTOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "bio_common.h"

/* One row of the table: a process's reads or writes to one disk. */
struct biotop_key {
	__u32 pid; /* the task that started the requests; 0: not seen */
	__u32 write;
	__u32 major, minor; /* the disk's */
	char comm[BIO_COMM_LEN];
};

struct biotop_val {
	__u64 bytes;
	__u64 ns; /* the requests' latencies added up, issue to completion */
	__u64 io;
	char disk[BIO_DISK_LEN];
};

#endif
