/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the block I/O tools (biosnoop, biotop, biolatency, bitesize) have alike in user space:
 * the -d DISK option, and the operation letter of a request. Their BPF side is
 * src/bpf/bio_common.bpf.h.
 */
#ifndef TK_TOOLS_BIO_COMMON_H
#define TK_TOOLS_BIO_COMMON_H

#include <stdint.h>

#include "bpf/bio_common.h"

/* -d DISK into the const char * at off: a row of a tool's options table */
#define BIO_OPT_DISK(off)                                                                          \
	{                                                                                          \
		'd', "disk", "DISK", "trace this disk only", TOOL_OPT_STR, off                     \
	}

/*
 * The kernel dev_t (major << 20 | minor) of the block device /dev/NAME, the BPF side's
 * targ_dev: 0, or 1 after bcc's one-line error "no such disk 'NAME'".
 */
int bio_disk_dev(const char *name, uint32_t *dev);

/* bcc's T column: 'W' for a write, 'R' for anything else */
static inline char bio_op_char(uint32_t cmd_flags)
{
	return (cmd_flags & BIO_REQ_OP_MASK) == BIO_REQ_OP_WRITE ? 'W' : 'R';
}

#endif
