// SPDX-License-Identifier: GPL-2.0
/*
 * Which first instructions the kernel's x86 uprobe code refuses (arch/x86/kernel/uprobes.c,
 * good_insns_64 and its comments). A uprobe_multi link fails as a whole on one refused
 * site, so we leave such functions out up front and say so.
 */
#include "core/insn.h"

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	}
	return false;
}

static bool opcode_refused(uint8_t op)
{
	switch (op) {
	/* invalid in 64-bit mode: push/pop of segment registers, BCD, pusha/popa, bound */
	case 0x06: case 0x07: case 0x0e: case 0x16: case 0x17: case 0x1e: case 0x1f:
	case 0x27: case 0x2f: case 0x37: case 0x3f: case 0x60: case 0x61: case 0x62:
	case 0x82: case 0x9a: case 0xd4: case 0xd5: case 0xd6: case 0xea:
	/* VEX prefixes (were les/lds) */
	case 0xc4: case 0xc5:
	/* ins/outs, in/out: fault in user space */
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
	case 0xec: case 0xed: case 0xee: case 0xef:
	/* int3, int N, into, iret, int1, hlt, cli, sti */
	case 0xcc: case 0xcd: case 0xce: case 0xcf: case 0xf1: case 0xf4: case 0xfa: case 0xfb:
		return true;
	}
	return false;
}

/*
 * The kernel's is_prefix_bad(): a LOCK prefix (cannot be single-stepped out of line) or an
 * ES/CS/SS/DS segment override refuses the instruction, whatever it is. Go's assembly has
 * such first instructions (runtime/internal/atomic.(*Uint8).And is `lock and`).
 */
static bool is_prefix_bad(uint8_t b)
{
	return b == 0xf0 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e;
}

bool insn_uprobe_refused(const uint8_t *code, size_t len)
{
	size_t i = 0;

	while (i < len && i < 14 && is_legacy_prefix(code[i])) {
		if (is_prefix_bad(code[i]))
			return true;
		i++;
	}
	if (i < len && (code[i] & 0xf0) == 0x40)
		i++;
	if (i >= len)
		return true;
	/* ud2 and the 0x0f 0x0b-based emulate prefix are refused too. */
	if (code[i] == 0x0f)
		return i + 1 < len && code[i + 1] == 0x0b;
	return opcode_refused(code[i]);
}
