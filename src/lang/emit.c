// SPDX-License-Identifier: GPL-2.0
/* The instruction buffer: raw struct bpf_insn, labels resolved at the end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lang/cg.h"

#define CG_MAX_INSNS 1000000

void cg_emit(struct cg *g, struct bpf_insn in)
{
	if (g->n == g->cap) {
		int cap = g->cap ? g->cap * 2 : 256;
		struct bpf_insn *v;

		if (cap > CG_MAX_INSNS) {
			g->err = -E2BIG;
			return;
		}
		v = realloc(g->insn, cap * sizeof(*v));
		if (!v)
			abort();
		g->insn = v;
		g->insn_loc = realloc(g->insn_loc, cap * sizeof(*g->insn_loc));
		if (!g->insn_loc)
			abort();
		g->cap = cap;
	}
	g->insn_loc[g->n] = g->cur_loc;
	g->insn[g->n++] = in;
}

int cg_label(struct cg *g)
{
	int *v = realloc(g->labels, (g->nlabels + 1) * sizeof(*v));

	if (!v)
		abort();
	g->labels = v;
	g->labels[g->nlabels] = -1;
	return g->nlabels++;
}

void cg_bind(struct cg *g, int label)
{
	g->labels[label] = g->n;
}

static void add_fix(struct cg *g, int label)
{
	void *v = realloc(g->fix, (g->nfix + 1) * sizeof(*g->fix));

	if (!v)
		abort();
	g->fix = v;
	g->fix[g->nfix].at = g->n;
	g->fix[g->nfix].label = label;
	g->nfix++;
}

void cg_jmp_imm(struct cg *g, int op, int reg, int32_t imm, int label)
{
	add_fix(g, label);
	cg_emit(g, INSN(BPF_JMP | op | BPF_K, reg, 0, 0, imm));
}

void cg_jmp_reg(struct cg *g, int op, int dst, int src, int label)
{
	add_fix(g, label);
	cg_emit(g, INSN(BPF_JMP | op | BPF_X, dst, src, 0, 0));
}

void cg_ja(struct cg *g, int label)
{
	add_fix(g, label);
	cg_emit(g, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
}

static bool is_jump(const struct bpf_insn *in)
{
	int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT;
}

/*
 * Drop instructions no path reaches (code after `return`, `break`, `exit()`): the verifier
 * refuses unreachable instructions. Jump offsets are rewritten for the compacted program.
 */
static int cg_prune(struct cg *g)
{
	int n = g->n, *stack, sp = 0, *newidx;
	bool *live = calloc(n + 1, sizeof(*live));

	stack = calloc(n + 1, sizeof(*stack));
	newidx = calloc(n + 1, sizeof(*newidx));
	if (!live || !stack || !newidx)
		abort();
	stack[sp++] = 0;
	while (sp) {
		int i = stack[--sp];

		while (i >= 0 && i < n && !live[i]) {
			const struct bpf_insn *in = &g->insn[i];

			live[i] = true;
			if (in->code == (BPF_LD | BPF_DW | BPF_IMM)) {
				/* a callback's address: its subprogram is live from there */
				if (in->src_reg == BPF_PSEUDO_FUNC && !live[i + 1 + in->imm])
					stack[sp++] = i + 1 + in->imm;
				live[i + 1] = true;
				i += 2;
				continue;
			}
			if (BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) == BPF_EXIT)
				break;
			if (is_jump(in)) {
				int t = i + 1 + in->off;

				if (BPF_OP(in->code) == BPF_JA) {
					i = t;
					continue;
				}
				if (t >= 0 && t < n && !live[t])
					stack[sp++] = t;
			}
			i++;
		}
	}
	for (int i = 0, k = 0; i <= n; i++) {
		newidx[i] = k;
		if (i < n && live[i])
			k++;
	}
	for (int i = 0, k = 0; i < n; i++) {
		struct bpf_insn in = g->insn[i];

		if (!live[i])
			continue;
		if (is_jump(&in) && !(i > 0 && g->insn[i - 1].code == (BPF_LD | BPF_DW | BPF_IMM) &&
				      live[i - 1] && in.code == 0))
			in.off = (int16_t)(newidx[i + 1 + in.off] - k - 1);
		if (in.code == (BPF_LD | BPF_DW | BPF_IMM) && in.src_reg == BPF_PSEUDO_FUNC)
			in.imm = newidx[i + 1 + in.imm] - k - 1;
		g->insn_loc[k] = g->insn_loc[i];
		g->insn[k++] = in;
	}
	g->n = newidx[n];
	free(live);
	free(stack);
	free(newidx);
	return 0;
}

static int cg_resolve(struct cg *g)
{
	for (int i = 0; i < g->nfix; i++) {
		int target = g->labels[g->fix[i].label], off;

		if (target < 0)
			return -EINVAL;
		off = target - g->fix[i].at - 1;
		if (off > 32767 || off < -32768)
			return -E2BIG;
		g->insn[g->fix[i].at].off = (int16_t)off;
	}
	return cg_prune(g);
}

void cg_mov_imm(struct cg *g, int reg, int32_t imm)
{
	cg_emit(g, INSN(BPF_ALU64 | BPF_MOV | BPF_K, reg, 0, 0, imm));
}

void cg_mov64(struct cg *g, int dst, int src)
{
	cg_emit(g, INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0));
}

void cg_ld_imm64(struct cg *g, int reg, uint64_t v)
{
	if ((int64_t)v == (int32_t)v) {
		cg_mov_imm(g, reg, (int32_t)v);
		return;
	}
	cg_emit(g, INSN(BPF_LD | BPF_DW | BPF_IMM, reg, 0, 0, (int32_t)(uint32_t)v));
	cg_emit(g, INSN(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}

void cg_ld_map(struct cg *g, int reg, int fd)
{
	cg_emit(g, INSN(BPF_LD | BPF_DW | BPF_IMM, reg, BPF_PSEUDO_MAP_FD, 0, fd));
	cg_emit(g, INSN(0, 0, 0, 0, 0));
}

void cg_alu_imm(struct cg *g, int op, int reg, int32_t imm)
{
	cg_emit(g, INSN(BPF_ALU64 | op | BPF_K, reg, 0, 0, imm));
}

void cg_alu_reg(struct cg *g, int op, int dst, int src)
{
	cg_emit(g, INSN(BPF_ALU64 | op | BPF_X, dst, src, 0, 0));
}

void cg_ldx(struct cg *g, int size, int dst, int src, int16_t off)
{
	cg_emit(g, INSN(BPF_LDX | size | BPF_MEM, dst, src, off, 0));
}

void cg_stx(struct cg *g, int size, int dst, int16_t off, int src)
{
	cg_emit(g, INSN(BPF_STX | size | BPF_MEM, dst, src, off, 0));
}

void cg_st_imm(struct cg *g, int size, int dst, int16_t off, int32_t imm)
{
	cg_emit(g, INSN(BPF_ST | size | BPF_MEM, dst, 0, off, imm));
}

void cg_call(struct cg *g, int helper)
{
	cg_emit(g, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, helper));
}

void cg_heap_ptr(struct cg *g, int reg, uint32_t off)
{
	cg_mov64(g, reg, BPF_REG_9);
	if (off)
		cg_alu_imm(g, BPF_ADD, reg, (int32_t)off);
}

/* fp-8 is the scratch slot for map keys of helper calls; temporaries start below it. */
void cg_push(struct cg *g)
{
	g->stack += 8;
	if (g->stack > 480) {
		g->err = -E2BIG;
		g->stack = 480;
	}
	cg_stx(g, BPF_DW, BPF_REG_10, (int16_t)(-8 - g->stack), BPF_REG_0);
}

void cg_pop(struct cg *g, int reg)
{
	cg_ldx(g, BPF_DW, reg, BPF_REG_10, (int16_t)(-8 - g->stack));
	g->stack -= 8;
}

uint32_t cg_heap_alloc(struct cg *g, uint32_t size)
{
	uint32_t off = lt_align_up(g->heap, 8);

	size = lt_align_up(size ? size : 8, 8);
	if (off + size > CG_HEAP_SIZE) {
		g->err = -E2BIG;
		return 0;
	}
	g->heap = off + size;
	return off;
}

void cg_zero(struct cg *g, uint32_t off, uint32_t size)
{
	uint32_t i = 0;

	for (; i + 8 <= size; i += 8)
		cg_st_imm(g, BPF_DW, BPF_REG_9, (int16_t)(off + i), 0);
	for (; i + 4 <= size; i += 4)
		cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + i), 0);
	for (; i < size; i++)
		cg_st_imm(g, BPF_B, BPF_REG_9, (int16_t)(off + i), 0);
}

void cg_copy(struct cg *g, uint32_t dst, uint32_t src, uint32_t size)
{
	uint32_t i = 0;

	if (dst == src)
		return;
	for (; i + 8 <= size; i += 8) {
		cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_9, (int16_t)(src + i));
		cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(dst + i), BPF_REG_1);
	}
	for (; i < size; i++) {
		cg_ldx(g, BPF_B, BPF_REG_1, BPF_REG_9, (int16_t)(src + i));
		cg_stx(g, BPF_B, BPF_REG_9, (int16_t)(dst + i), BPF_REG_1);
	}
}

void cg_const_str(struct cg *g, uint32_t off, const char *s, uint32_t len, uint32_t size)
{
	for (uint32_t i = 0; i < size; i += 4) {
		uint32_t w = 0;

		for (uint32_t k = 0; k < 4 && i + k < size; k++)
			if (i + k < len)
				w |= (uint32_t)(unsigned char)s[i + k] << (8 * k);
		if (i + 4 <= size)
			cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + i), (int32_t)w);
		else
			for (uint32_t k = 0; i + k < size; k++)
				cg_st_imm(g, BPF_B, BPF_REG_9, (int16_t)(off + i + k),
					  (int32_t)((w >> (8 * k)) & 0xff));
	}
}

void cg_map_lookup_stack(struct cg *g, int map_fd)
{
	cg_ld_map(g, BPF_REG_1, map_fd);
	cg_mov64(g, BPF_REG_2, BPF_REG_10);
	cg_alu_imm(g, BPF_ADD, BPF_REG_2, -8);
	cg_call(g, BPF_FUNC_map_lookup_elem);
}

void cg_copy_value(struct cg *g, uint32_t off, uint32_t size)
{
	int none = cg_label(g), done = cg_label(g);

	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, none);
	for (uint32_t i = 0; i < size; i += 8) {
		cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_0, (int16_t)i);
		cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(off + i), BPF_REG_1);
	}
	cg_ja(g, done);
	cg_bind(g, none);
	cg_zero(g, off, size);
	cg_bind(g, done);
}

/*
 * dst = (src != 0) without a branch: the sign bit of src | -src. Long strings (0.26's 1024
 * bytes) are scanned without a branch per byte: each is a state the verifier keeps pending,
 * and a few thousand of them make it give up ("The sequence of 8193 jumps is too complex").
 */
void cg_nonzero(struct cg *g, int dst, int src)
{
	cg_mov64(g, dst, src);
	cg_emit(g, INSN(BPF_ALU64 | BPF_NEG, dst, 0, 0, 0));
	cg_alu_reg(g, BPF_OR, dst, src);
	cg_alu_imm(g, BPF_RSH, dst, 63);
}

void cg_count_nonzero(struct cg *g, uint32_t off, int width, uint32_t n)
{
	int size = width == 8 ? BPF_DW : width == 4 ? BPF_W : width == 2 ? BPF_H : BPF_B;
	int done = cg_label(g);

	cg_mov_imm(g, BPF_REG_0, 0);
	if (n > CG_BRANCHY_MAX) {
		/* R3: 1 while no zero was seen; R0 counts while it is */
		cg_mov_imm(g, BPF_REG_3, 1);
		for (uint32_t i = 0; i < n; i++) {
			cg_ldx(g, size, BPF_REG_1, BPF_REG_9, (int16_t)(off + (uint32_t)width * i));
			cg_nonzero(g, BPF_REG_2, BPF_REG_1);
			cg_alu_reg(g, BPF_AND, BPF_REG_3, BPF_REG_2);
			cg_alu_reg(g, BPF_ADD, BPF_REG_0, BPF_REG_3);
		}
		return;
	}
	/* unrolled: n is small (a string's or a stack's bound), no loop for the verifier */
	for (uint32_t i = 0; i < n; i++) {
		cg_ldx(g, size, BPF_REG_1, BPF_REG_9, (int16_t)(off + (uint32_t)width * i));
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_1, 0, done);
		cg_mov_imm(g, BPF_REG_0, (int32_t)(i + 1));
	}
	cg_bind(g, done);
}

void cg_str_diff(struct cg *g, int ha, int16_t a, uint32_t b, uint32_t n, bool prefix)
{
	/* R0 |= the difference of each byte pair while R5 (1 until b's NUL) holds */
	cg_mov_imm(g, BPF_REG_0, 0);
	cg_mov_imm(g, BPF_REG_5, 1);
	for (uint32_t i = 0; i < n; i++) {
		cg_ldx(g, BPF_B, BPF_REG_4, BPF_REG_9, (int16_t)(b + i));
		if (prefix) { /* b's NUL itself is not compared */
			cg_nonzero(g, BPF_REG_3, BPF_REG_4);
			cg_alu_reg(g, BPF_AND, BPF_REG_5, BPF_REG_3);
		}
		cg_ldx(g, BPF_B, BPF_REG_3, ha, (int16_t)(a + (int16_t)i));
		cg_alu_reg(g, BPF_XOR, BPF_REG_3, BPF_REG_4);
		cg_alu_reg(g, BPF_MUL, BPF_REG_3, BPF_REG_5);
		cg_alu_reg(g, BPF_OR, BPF_REG_0, BPF_REG_3);
		if (!prefix) {
			cg_nonzero(g, BPF_REG_3, BPF_REG_4);
			cg_alu_reg(g, BPF_AND, BPF_REG_5, BPF_REG_3);
		}
	}
}

void cg_read(struct cg *g, int helper, int size, int dst)
{
	cg_st_imm(g, BPF_DW, BPF_REG_10, -8, 0);
	cg_mov64(g, BPF_REG_1, BPF_REG_10);
	cg_alu_imm(g, BPF_ADD, BPF_REG_1, -8);
	cg_mov_imm(g, BPF_REG_2, size);
	cg_call(g, helper);
	cg_helper_check(g, helper, 0, NULL);
	cg_ldx(g, BPF_DW, dst, BPF_REG_10, -8);
}

void cg_str_equal(struct cg *g, uint32_t a, uint32_t b, uint32_t n)
{
	int ne = cg_label(g), eq = cg_label(g), done = cg_label(g);

	if (n > CG_BRANCHY_MAX) {
		cg_str_diff(g, BPF_REG_9, (int16_t)a, b, n, false);
		cg_nonzero(g, BPF_REG_1, BPF_REG_0);
		cg_mov64(g, BPF_REG_0, BPF_REG_1);
		cg_alu_imm(g, BPF_XOR, BPF_REG_0, 1);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		cg_ldx(g, BPF_B, BPF_REG_1, BPF_REG_9, (int16_t)(a + i));
		cg_ldx(g, BPF_B, BPF_REG_2, BPF_REG_9, (int16_t)(b + i));
		cg_jmp_reg(g, BPF_JNE, BPF_REG_1, BPF_REG_2, ne);
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_1, 0, eq);
	}
	cg_bind(g, eq);
	cg_mov_imm(g, BPF_REG_0, 1);
	cg_ja(g, done);
	cg_bind(g, ne);
	cg_mov_imm(g, BPF_REG_0, 0);
	cg_bind(g, done);
}

void cg_map_lookup(struct cg *g, int map_fd, uint32_t key_off)
{
	cg_ld_map(g, BPF_REG_1, map_fd);
	cg_heap_ptr(g, BPF_REG_2, key_off);
	cg_call(g, BPF_FUNC_map_lookup_elem);
}

void cg_map_lookup_or_init(struct cg *g, int map_fd, uint32_t key_off, uint32_t val_off,
			   uint32_t val_size, const struct loc *at)
{
	int have = cg_label(g);

	cg_map_lookup(g, map_fd, key_off);
	cg_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, have);
	cg_zero(g, val_off, val_size);
	cg_ld_map(g, BPF_REG_1, map_fd);
	cg_heap_ptr(g, BPF_REG_2, key_off);
	cg_heap_ptr(g, BPF_REG_3, val_off);
	/* NOEXIST: another CPU may have made it meanwhile; the second lookup finds either */
	cg_mov_imm(g, BPF_REG_4, BPF_NOEXIST);
	cg_call(g, BPF_FUNC_map_update_elem);
	cg_helper_check(g, BPF_FUNC_map_update_elem, -EEXIST, at);
	cg_map_lookup(g, map_fd, key_off);
	cg_bind(g, have);
}

void cg_go_entry_check(struct cg *g)
{
	int run = cg_label(g), jb = cg_label(g);

	cg_mov64(g, BPF_REG_1, BPF_REG_6);
	cg_call(g, BPF_FUNC_get_attach_cookie);
	cg_alu_imm(g, BPF_RSH, BPF_REG_0, COOKIE_COND_SHIFT);
	cg_alu_imm(g, BPF_AND, BPF_REG_0, COOKIE_COND_MASK);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, ENTRY_ALWAYS, run);
	cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_6, PR_FLAGS);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, ENTRY_JB_NOT_TAKEN, jb);
	cg_jmp_imm(g, BPF_JSET, BPF_REG_1, JBE_TAKEN_FLAGS, g->exit_label);
	cg_ja(g, run);
	cg_bind(g, jb);
	cg_jmp_imm(g, BPF_JSET, BPF_REG_1, JB_TAKEN_FLAGS, g->exit_label);
	cg_bind(g, run);
}

void cg_count(struct cg *g, enum lt_counter which)
{
	int done = cg_label(g);

	cg_st_imm(g, BPF_W, BPF_REG_10, -8, which);
	cg_map_lookup_stack(g, g->fds->counters);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, done);
	cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	cg_alu_imm(g, BPF_ADD, BPF_REG_1, 1);
	cg_stx(g, BPF_DW, BPF_REG_0, 0, BPF_REG_1);
	cg_bind(g, done);
}

void cg_output(struct cg *g, uint32_t off, uint32_t size)
{
	int done = cg_label(g);

	cg_ld_map(g, BPF_REG_1, g->fds->ringbuf);
	cg_heap_ptr(g, BPF_REG_2, off);
	cg_mov_imm(g, BPF_REG_3, (int32_t)size);
	cg_mov_imm(g, BPF_REG_4, 0);
	cg_call(g, BPF_FUNC_ringbuf_output);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, done);
	cg_count(g, LT_COUNTER_LOST);
	cg_bind(g, done);
}

void cg_return(struct cg *g)
{
	cg_ja(g, g->exit_label);
}

void cg_prologue(struct cg *g)
{
	g->exit_label = cg_label(g);
	cg_mov64(g, BPF_REG_6, BPF_REG_1);
	cg_st_imm(g, BPF_W, BPF_REG_10, -8, 0);
	cg_map_lookup_stack(g, g->fds->heap);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, g->exit_label);
	cg_mov64(g, BPF_REG_9, BPF_REG_0);
}

int cg_epilogue(struct cg *g)
{
	int ret;

	cg_bind(g, g->exit_label);
	cg_mov_imm(g, BPF_REG_0, 0);
	cg_emit(g, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	ret = g->err ? g->err : cg_resolve(g);
	free(g->labels);
	free(g->fix);
	return ret;
}

bool cg_is_blob(const struct lt_type *t)
{
	return !lt_is_int(t) && t->kind != LT_NONE;
}
