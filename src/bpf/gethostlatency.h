/* SPDX-License-Identifier: GPL-2.0 */
/* gethostlatency: what its BPF half sends for each lookup that returned. */
#ifndef TK_GETHOSTLATENCY_H
#define TK_GETHOSTLATENCY_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define GHL_HOST_LEN 80 /* bcc's */
#define GHL_COMM_LEN 16

struct ghl_event {
	__u64 lat_ns;
	__u32 pid, tid;
	__u32 idx; /* which function: the plan's index (the probe's cookie) */
	char comm[GHL_COMM_LEN];
	char host[GHL_HOST_LEN];
};

#endif
