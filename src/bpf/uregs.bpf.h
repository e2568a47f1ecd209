/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user-space register file a uprobe program sees, for BPF objects that need nothing
 * else from the kernel. x86-64's struct pt_regs is ABI (ptrace uses it), so it is declared
 * here without CO-RE: no relocation means libbpf never loads the kernel's BTF (5+ MB parsed
 * into memory), which keeps the function tools' start-up fast and their RSS small.
 */
#ifndef TK_UREGS_BPF_H
#define TK_UREGS_BPF_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

#endif
