// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction-level facts for probing a function (capstone 4, x86-64).
 *
 * A linear sweep over [addr, addr+size) is safe for Go: the Go toolchain emits no data in
 * .text on amd64 and pads functions with int3. For C it is safe as long as the compiler put
 * no literal pools in .text, which gcc/clang do not do on x86-64. When a byte sequence does
 * not decode we stop and report the layout as truncated rather than guessing.
 */
#include <errno.h>
#include <string.h>

#include <capstone/capstone.h>

#include "core/insn.h"

/* How many leading instructions may hold the Go stack check (maymorestack adds a few). */
#define PROLOGUE_WINDOW 8
/* g.stackguard0 (Go functions) and g.stackguard1 (runtime functions marked CFunc). */
#define G_STACKGUARD0	 0x10
#define G_STACKGUARD1	 0x18
#define MAX_TRACKED_REGS 4

struct decoder {
	csh h;
	cs_insn *insn;
	const uint8_t *code;
	size_t size;
	uint64_t addr;
	/* cursor of cs_disasm_iter */
	const uint8_t *p;
	size_t left;
	uint64_t pc;
};

static int decoder__open(struct decoder *d, const uint8_t *code, size_t size, uint64_t addr)
{
	memset(d, 0, sizeof(*d));
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &d->h) != CS_ERR_OK)
		return -ENOMEM;
	if (cs_option(d->h, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK) {
		cs_close(&d->h);
		return -ENOMEM;
	}
	d->insn = cs_malloc(d->h);
	if (!d->insn) {
		cs_close(&d->h);
		return -ENOMEM;
	}
	d->code = d->p = code;
	d->size = d->left = size;
	d->addr = d->pc = addr;
	return 0;
}

static void decoder__close(struct decoder *d)
{
	if (d->insn)
		cs_free(d->insn, 1);
	cs_close(&d->h);
}

/* Next instruction into d->insn; false at the end or on bytes that do not decode. */
static bool decoder__next(struct decoder *d)
{
	if (!d->left)
		return false;
	return cs_disasm_iter(d->h, &d->p, &d->left, &d->pc, d->insn);
}

static uint32_t insn_off(const struct decoder *d)
{
	return (uint32_t)(d->insn->address - d->addr);
}

/* Registers known to hold g or an SP-derived value, in the prologue window. */
struct reg_set {
	unsigned int n;
	unsigned int regs[MAX_TRACKED_REGS];
};

static bool reg_set__has(const struct reg_set *s, unsigned int reg)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (s->regs[i] == reg)
			return true;
	return false;
}

static void reg_set__add(struct reg_set *s, unsigned int reg)
{
	if (!reg_set__has(s, reg) && s->n < MAX_TRACKED_REGS)
		s->regs[s->n++] = reg;
}

static bool is_stackguard_mem(const cs_x86_op *op, const struct reg_set *g_regs)
{
	return op->type == X86_OP_MEM && op->mem.segment == X86_REG_INVALID &&
	       op->mem.index == X86_REG_INVALID && reg_set__has(g_regs, op->mem.base) &&
	       (op->mem.disp == G_STACKGUARD0 || op->mem.disp == G_STACKGUARD1);
}

/*
 * Learn from a prologue-window instruction which registers hold g (ABI0 code loads it from
 * TLS: `mov rcx, fs:[-8]` or `mov rcx, fs:[rcx]`) or a value derived from SP (`mov r12, rsp`,
 * `lea r12, [rsp - X]`; `sub r12, X` keeps it derived).
 */
static void track_regs(const cs_insn *insn, struct reg_set *g_regs, struct reg_set *sp_regs)
{
	const cs_x86 *x = &insn->detail->x86;

	if (x->op_count != 2 || x->operands[0].type != X86_OP_REG)
		return;
	const cs_x86_op *dst = &x->operands[0], *src = &x->operands[1];

	if (insn->id == X86_INS_MOV && src->type == X86_OP_MEM && src->mem.segment == X86_REG_FS)
		reg_set__add(g_regs, dst->reg);
	else if (insn->id == X86_INS_MOV && src->type == X86_OP_REG && src->reg == X86_REG_RSP)
		reg_set__add(sp_regs, dst->reg);
	else if (insn->id == X86_INS_LEA && src->type == X86_OP_MEM &&
		 src->mem.base == X86_REG_RSP && src->mem.index == X86_REG_INVALID)
		reg_set__add(sp_regs, dst->reg);
}

/* `cmp SPREG, [G + 0x10]` in either operand order. */
static bool is_stack_check(const cs_insn *insn, const struct reg_set *g_regs,
			   const struct reg_set *sp_regs)
{
	const cs_x86 *x = &insn->detail->x86;

	if (insn->id != X86_INS_CMP || x->op_count != 2)
		return false;
	for (int i = 0; i < 2; i++) {
		const cs_x86_op *r = &x->operands[i], *m = &x->operands[!i];

		if (r->type == X86_OP_REG && reg_set__has(sp_regs, r->reg) &&
		    is_stackguard_mem(m, g_regs))
			return true;
	}
	return false;
}

static bool direct_target(const cs_insn *insn, uint64_t *target)
{
	const cs_x86 *x = &insn->detail->x86;

	if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
		return false;
	*target = (uint64_t)x->operands[0].imm;
	return true;
}

/*
 * The conditional jump right after the stack check: where the entry probe goes and when it
 * counts. The jump must go forward inside the function (to the morestack block Go puts at
 * the end); otherwise this is not the prologue we know and we leave the entry at +0.
 */
static void set_prologue(const struct decoder *d, struct func_layout *out)
{
	const cs_insn *insn = d->insn;
	uint64_t target;
	uint32_t off = insn_off(d);
	uint32_t next = off + insn->size;

	if (!direct_target(insn, &target) || target <= insn->address ||
	    target >= d->addr + d->size || target == d->addr + next)
		return;

	out->go_prologue = true;
	out->body_off = next;
	switch (insn->id) {
	case X86_INS_JBE:
		out->entry_off = off;
		out->entry_cond = ENTRY_JBE_NOT_TAKEN;
		break;
	case X86_INS_JB:
		out->entry_off = off;
		out->entry_cond = ENTRY_JB_NOT_TAKEN;
		break;
	case X86_INS_JAE:
	case X86_INS_JA:
		/* An unsigned form whose not-taken condition we cannot express: probe the body. */
		out->entry_off = next;
		out->entry_cond = ENTRY_ALWAYS;
		break;
	default:
		/* Signed or flag tests: not a stack check. */
		out->go_prologue = false;
		out->body_off = 0;
		break;
	}
}

static bool is_jcc(unsigned int id)
{
	switch (id) {
	case X86_INS_JAE:
	case X86_INS_JA:
	case X86_INS_JBE:
	case X86_INS_JB:
	case X86_INS_JE:
	case X86_INS_JGE:
	case X86_INS_JG:
	case X86_INS_JLE:
	case X86_INS_JL:
	case X86_INS_JNE:
	case X86_INS_JNO:
	case X86_INS_JNP:
	case X86_INS_JNS:
	case X86_INS_JO:
	case X86_INS_JP:
	case X86_INS_JS:
		return true;
	default:
		return false;
	}
}

/*
 * A jump that leaves the function: a direct JMP/Jcc whose target is outside
 * [addr, addr+size), or `jmp [rip + X]` (a tail call through the GOT). Register-indirect
 * jumps are usually switch tables inside the function, so they are not counted.
 */
static bool is_tail_jump(const struct decoder *d)
{
	const cs_insn *insn = d->insn;
	const cs_x86 *x = &insn->detail->x86;
	uint64_t target;

	if (insn->id != X86_INS_JMP && !is_jcc(insn->id))
		return false;
	if (direct_target(insn, &target))
		return target < d->addr || target >= d->addr + d->size;
	return insn->id == X86_INS_JMP && x->op_count == 1 && x->operands[0].type == X86_OP_MEM &&
	       x->operands[0].mem.base == X86_REG_RIP &&
	       x->operands[0].mem.index == X86_REG_INVALID;
}

int insn_func_layout(const uint8_t *code, size_t size, uint64_t addr, bool go,
		     struct func_layout *out)
{
	struct reg_set g_regs = {.n = 1, .regs = {X86_REG_R14}};
	struct reg_set sp_regs = {.n = 1, .regs = {X86_REG_RSP}};
	struct decoder d;
	bool check_seen = false;
	unsigned int n = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!code || !size)
		return -EINVAL;
	err = decoder__open(&d, code, size, addr);
	if (err)
		return err;

	while (decoder__next(&d)) {
		const cs_insn *insn = d.insn;

		if (go && n < PROLOGUE_WINDOW && !out->go_prologue) {
			if (check_seen && is_jcc(insn->id))
				set_prologue(&d, out);
			check_seen = is_stack_check(insn, &g_regs, &sp_regs);
			track_regs(insn, &g_regs, &sp_regs);
		}
		n++;

		if (insn->id == X86_INS_RET) {
			if (out->nrets == FUNC_MAX_RETS) {
				out->truncated = true;
				break;
			}
			out->ret_off[out->nrets++] = insn_off(&d);
		} else if (is_tail_jump(&d)) {
			out->ntail_jmps++;
		}
	}
	if (d.left && !out->truncated)
		out->truncated = true; /* bytes that do not decode */
	if (out->go_prologue && out->body_off >= size - d.left) {
		/* The body after the check does not decode: trust nothing about the prologue. */
		out->go_prologue = false;
		out->entry_off = out->body_off = 0;
		out->entry_cond = ENTRY_ALWAYS;
	}
	decoder__close(&d);
	return n ? 0 : -EINVAL;
}

bool insn_is_boundary(const uint8_t *code, size_t size, uint64_t addr, size_t off)
{
	struct decoder d;
	bool found = false;

	if (!code || off >= size || decoder__open(&d, code, size, addr))
		return false;
	while (decoder__next(&d)) {
		uint64_t at = d.insn->address - addr;

		if (at >= off) {
			found = at == off;
			break;
		}
	}
	decoder__close(&d);
	return found;
}

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0xf0: /* lock */
	case 0xf2: /* repne */
	case 0xf3: /* rep */
	case 0x2e: /* segment overrides */
	case 0x36:
	case 0x3e:
	case 0x26:
	case 0x64:
	case 0x65:
	case 0x66: /* operand size */
	case 0x67: /* address size */
		return true;
	default:
		return false;
	}
}

bool insn_uprobe_unsafe(const uint8_t *code, size_t len)
{
	bool rex_b = false;

	/* An x86 instruction is at most 15 bytes, prefixes included. */
	if (len > 15)
		len = 15;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = code[i];

		if (is_legacy_prefix(b))
			continue;
		if ((b & 0xf0) == 0x40) {
			/* Be conservative: any REX.B in the prefix run counts. */
			rex_b |= b & 0x01;
			continue;
		}
		return b == 0x90 && rex_b;
	}
	return false;
}
