/* SPDX-License-Identifier: GPL-2.0 */
/* biolatency: what biolatency.bpf.c and tools/biolatency.c share. */
#ifndef TK_BIOLATENCY_H
#define TK_BIOLATENCY_H

#include "bio_common.h"

/* what a histogram's key is (targ_key) */
enum biolatency_key {
	BIOLATENCY_KEY_NONE,
	BIOLATENCY_KEY_DISK,  /* -D: the disk's major << 20 | first minor */
	BIOLATENCY_KEY_FLAGS, /* -F: cmd_flags & BIOLATENCY_FLAGS_SHOWN */
};

/*
 * -F: the bits of cmd_flags bcc names (the operation, then REQ_SYNC, META, PRIO, NOMERGE,
 * IDLE, FUA, RAHEAD, BACKGROUND, NOWAIT: enum req_flag_bits 11-15, 17, 19-21); the others are
 * left out of the key, so that each histogram has its own name.
 */
#define BIOLATENCY_FLAGS_SHOWN (BIO_REQ_OP_MASK | 0x1f << 11 | 1 << 17 | 0x7 << 19)

#endif
