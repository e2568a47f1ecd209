/* SPDX-License-Identifier: GPL-2.0 */
/* What the block I/O tools' BPF sides (bio_common.bpf.h) and user halves share. */
#ifndef TK_BIO_COMMON_H
#define TK_BIO_COMMON_H

#define BIO_COMM_LEN 16
#define BIO_DISK_LEN 32 /* the kernel's DISK_NAME_LEN */

/* REQ_OP_* in the low bits of a request's cmd_flags (enum req_op, a kernel ABI since 4.10) */
#define BIO_REQ_OP_MASK	 0xff
#define BIO_REQ_OP_WRITE 1

#endif
