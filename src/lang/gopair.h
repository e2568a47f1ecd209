/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TK_LANG_GOPAIR_H
#define TK_LANG_GOPAIR_H

#include <linux/bpf.h>
#include <stdint.h>

#include "bpf/func_probe.h"
#include "lang/cg.h"

#define GOPAIR_REGS_SIZE 168   /* struct pt_regs on x86-64 */
#define GOPAIR_KEY_SIZE	 sizeof(struct call_key)
#define GOPAIR_MAX_CALLS 16384 /* calls in flight; an LRU drops those that never return */

/* The hidden entry program of a paired Go uretprobe; returns its length or -errno. */
int gopair_entry_program(struct attach_point *ap, const struct cg_maps *fds,
			 struct bpf_insn **out);
/* In the RET program: copy the entry registers to heap[saved_off] (exit if none). */
void gopair_emit_fetch(struct cg *g, uint32_t saved_off);

#endif
