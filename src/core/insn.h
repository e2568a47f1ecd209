/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What we need to know about x86-64 instructions to probe a function safely (capstone):
 * where its RETs are, where Go's stack-check prologue ends, which instruction boundaries
 * exist, and which instructions the kernel's uprobe code mis-emulates.
 */
#ifndef TK_INSN_H
#define TK_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/func_probe.h" /* enum entry_cond */

#define FUNC_MAX_RETS 64

struct func_layout {
	uint32_t entry_off;	  /* where the entry probe goes, relative to the function */
	enum entry_cond entry_cond;
	uint32_t body_off;	  /* first instruction after the stack check (0 if none) */
	uint32_t nrets;
	uint32_t ret_off[FUNC_MAX_RETS]; /* every RET instruction */
	uint32_t ntail_jmps;	  /* JMPs leaving [0,size): exits without a RET */
	bool go_prologue;	  /* a Go stack-check prologue was recognised */
	bool truncated;		  /* decoding stopped early (bad bytes or too many RETs) */
};

/*
 * Decode code[0..size) of a function at address addr. go: recognise Go's
 * `CMP SP|R12, 0x10(R14); JBE` prologue (and the big-frame variants). Returns 0 or -EINVAL
 * (the first instruction cannot be decoded) / -ENOMEM.
 */
int insn_func_layout(const uint8_t *code, size_t size, uint64_t addr, bool go,
		     struct func_layout *out);

/* True if off is the start of an instruction in a linear decode of code[0..size). */
bool insn_is_boundary(const uint8_t *code, size_t size, uint64_t addr, size_t off);

/*
 * True if a uprobe on the instruction at code must be refused: the kernel emulates any
 * prefixed 0x90 as a NOP, but REX.B + 0x90 is `xchg rAX, r8` (Linux arch/x86 uprobes bug).
 */
bool insn_uprobe_unsafe(const uint8_t *code, size_t len);

/*
 * True if the kernel's uprobe code refuses to probe the instruction at code (x86
 * good_insns_64: int3/int N/into/iret, in/out, hlt, cli/sti, opcodes invalid in 64-bit
 * mode, VEX-prefixed instructions; is_prefix_bad: LOCK and ES/CS/SS/DS prefixes). One such
 * site would fail a whole uprobe_multi link (-ENOTSUPP, 524, when a process maps the file).
 * Implemented in insn_uprobe.c.
 */
bool insn_uprobe_refused(const uint8_t *code, size_t len);

#endif
