// SPDX-License-Identifier: GPL-2.0
/*
 * Function parameters by name from DWARF, with the registers they really live in at entry
 * (Go's register ABI included: bpftrace maps DWARF parameters to SysV registers, which is
 * wrong for Go). `args.args.A` reads the A member of the struct parameter `args`.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/dwarf.h"
#include "lang/cg.h"
#include "lang/compile.h"
#include "lang/goargs.h"

static const struct {
	const char *name;
	int off;
} pt_regs_x86[] = {
	{"r15", 0},  {"r14", 8},  {"r13", 16}, {"r12", 24}, {"bp", 32},	 {"bx", 40},
	{"r11", 48}, {"r10", 56}, {"r9", 64},  {"r8", 72},  {"ax", 80},	 {"cx", 88},
	{"dx", 96},  {"si", 104}, {"di", 112}, {"ip", 128}, {"sp", 152},
};

int reg_offset(const char *name)
{
	for (size_t i = 0; i < sizeof(pt_regs_x86) / sizeof(pt_regs_x86[0]); i++)
		if (name && !strcmp(pt_regs_x86[i].name, name))
			return pt_regs_x86[i].off;
	return -1;
}

static int piece_reg(const struct dwarf_piece *pc)
{
	return pc->kind == DWARF_LOC_REG ? reg_offset(dwarf_reg_name(pc->reg)) : -1;
}

/* The register holding bytes [off, off+8) of a value split into pieces, or -1. */
static int reg_at(const struct dwarf_loc *loc, uint64_t size, uint64_t off)
{
	uint64_t at = 0;

	if (loc->npieces == 1 && loc->pieces[0].size == 0)
		return off == 0 && size <= 8 ? piece_reg(&loc->pieces[0]) : -1;
	for (unsigned int i = 0; i < loc->npieces; i++) {
		uint64_t sz = loc->pieces[i].size ? loc->pieces[i].size : size;

		if (off == at)
			return piece_reg(&loc->pieces[i]);
		at += sz;
	}
	return -1;
}

/* Go's integer result registers, in ABI order (go-tracing.md; internal/abi). */
static const char *const go_int_regs[] = {"ax", "bx", "cx", "di", "si", "r8", "r9", "r10", "r11"};
#define GO_INT_REGS (int)(sizeof(go_int_regs) / sizeof(go_int_regs[0]))

/*
 * How many integer registers Go's register ABI gives a value of this shape: -1 when it
 * takes float registers (X0.., which a uprobe's pt_regs does not hold) or goes to memory.
 * Strings are two words, slices three, interfaces (error) two, structs their members'.
 */
static int go_int_words(const struct dwarf_param *dp)
{
	int words = 0;

	switch (dp->kind) {
	case DWARF_TYPE_INT:
	case DWARF_TYPE_UINT:
	case DWARF_TYPE_BOOL:
	case DWARF_TYPE_PTR:
		return dp->size <= 8 ? 1 : -1;
	case DWARF_TYPE_STRUCT:
		for (unsigned int m = 0; m < dp->nmembers; m++) {
			enum dwarf_type_kind k = dp->members[m].kind;

			if (k == DWARF_TYPE_FLOAT || k == DWARF_TYPE_STRUCT ||
			    k == DWARF_TYPE_ARRAY || dp->members[m].size > 8)
				return -1;
			words += dp->members[m].size ? 1 : 0;
		}
		return words;
	default:
		return dp->size ? -1 : 0;
	}
}

/*
 * A Go function's results at its RET: DWARF gives them no location there, so assign them as
 * the ABI does, in order, from RAX, RBX, RCX, RDI, RSI, R8-R11; a result that does not fit
 * in what is left goes to the stack (and takes no register). Unnamed results are `~r0`,
 * `~r1` in DWARF, which no identifier can spell: they are `rN` here.
 */
static int go_results_load(struct attach_point *ap, const struct dwarf_func *fn)
{
	int next = 0;

	for (unsigned int i = 0; i < fn->nparams; i++) {
		const struct dwarf_param *dp = &fn->params[i];
		struct go_param *gp;
		int words = go_int_words(dp);

		if (!dp->is_result || !dp->name)
			continue;
		gp = &ap->up.params[ap->up.nparams++];
		gp->name = strdup(dp->name[0] == '~' ? dp->name + 1 : dp->name);
		gp->type_name = strdup(dp->type ? dp->type : "?");
		if (!gp->name || !gp->type_name)
			return -ENOMEM;
		gp->size = (int)dp->size;
		gp->is_signed = dp->kind == DWARF_TYPE_INT;
		gp->is_result = true;
		if (words < 0 || next + words > GO_INT_REGS)
			continue; /* in X registers or on the stack: not readable */
		for (int k = 0; k < words && k < 8; k++)
			gp->regs[gp->nregs++] = reg_offset(go_int_regs[next + k]);
		if (dp->kind == DWARF_TYPE_STRUCT) {
			int w = 0; /* a member's word: zero-sized members take none */

			for (unsigned int m = 0; m < dp->nmembers && gp->nmembers < 16; m++) {
				int k = gp->nmembers++;

				gp->member_names[k] =
					strdup(dp->members[m].name ? dp->members[m].name : "?");
				if (!gp->member_names[k])
					return -ENOMEM;
				gp->member_reg[k] =
					dp->members[m].size && w < gp->nregs ? gp->regs[w++] : -1;
			}
		}
		next += words;
	}
	return 0;
}

int go_params_load(struct attach_point *ap, const char *path, uint64_t addr)
{
	struct dwarf_file *df;
	struct dwarf_func fn;
	int ret;

	ret = dwarf_file__open(path, &df);
	if (ret)
		return ret;
	ret = dwarf_file__func(df, addr, &fn);
	if (ret) {
		dwarf_file__close(df);
		return ret;
	}
	ap->up.params = calloc(fn.nparams ? fn.nparams : 1, sizeof(*ap->up.params));
	if (!ap->up.params) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < fn.nparams; i++) {
		const struct dwarf_param *dp = &fn.params[i];
		struct go_param *gp;

		if (dp->is_result || !dp->name)
			continue;
		gp = &ap->up.params[ap->up.nparams++];
		gp->name = strdup(dp->name);
		gp->type_name = strdup(dp->type ? dp->type : "?");
		gp->size = (int)dp->size;
		gp->is_signed = dp->kind == DWARF_TYPE_INT;
		for (unsigned int k = 0; k < dp->loc.npieces && gp->nregs < 8; k++) {
			int r = piece_reg(&dp->loc.pieces[k]);

			if (r < 0) {
				gp->nregs = 0;
				break;
			}
			gp->regs[gp->nregs++] = r;
		}
		if (dp->kind == DWARF_TYPE_STRUCT) {
			for (unsigned int m = 0; m < dp->nmembers && gp->nmembers < 16; m++) {
				int k = gp->nmembers++;

				gp->member_names[k] =
					strdup(dp->members[m].name ? dp->members[m].name : "?");
				gp->member_reg[k] =
					dp->members[m].size <= 8
						? reg_at(&dp->loc, dp->size, dp->members[m].offset)
						: -1;
			}
		}
	}
	ret = 0;
	/* a Go return probe also sees the results, in the registers of its RET */
	if (ap->type == PT_URETPROBE && ap->up.is_go)
		ret = go_results_load(ap, &fn);
out:
	dwarf_func__free(&fn);
	dwarf_file__close(df);
	return ret;
}

/* Types as bpftrace prints them: Go's "*main.Arith" and C's "char *" both become "T*". */
static void type_str(const char *t, char *out, size_t len)
{
	size_t lead = 0, trail = 0, n;
	const char *b;

	while (t[lead] == '*')
		lead++;
	b = t + lead;
	n = strlen(b);
	while (n && (b[n - 1] == '*' || b[n - 1] == ' ')) {
		if (b[n - 1] == '*')
			trail++;
		n--;
	}
	if (lead + trail > 16)
		lead = trail = 0;
	snprintf(out, len, "%.*s%.*s", (int)n, b, (int)(lead + trail), "****************");
}

int go_params_print(const char *path, uint64_t addr)
{
	struct dwarf_file *df;
	struct dwarf_func fn;
	int ret = dwarf_file__open(path, &df);

	if (ret)
		return ret;
	ret = dwarf_file__func(df, addr, &fn);
	if (!ret) {
		for (unsigned int i = 0; i < fn.nparams; i++) {
			char t[256];

			type_str(fn.params[i].type ? fn.params[i].type : "?", t, sizeof(t));
			/* bpftrace names Go's built-in struct types (string, slices) "struct X" */
			printf("    %s%s %s\n",
			       fn.params[i].kind == DWARF_TYPE_STRUCT && !strchr(t, '.') &&
					       strcmp(t, "error")
				       ? "struct "
				       : "",
			       t, fn.params[i].name ? fn.params[i].name : "?");
		}
		dwarf_func__free(&fn);
	}
	dwarf_file__close(df);
	return ret;
}

/* ---- Go's error values ------------------------------------------------------------------ */

/*
 * An error is an interface: (itab, data) in two words. What prints is its dynamic type's name
 * and, for the types whose first field is their message (errors.New's, fmt.Errorf's), that
 * message: `*errors.errorString: negative`, `*main.codeErr`, `<nil>`. The name comes from a
 * map filled at compile time with the binary's types that have an Error method (DWARF),
 * keyed by their hash, which itab.hash copies: no address, so PIE and ASLR do not matter. A
 * hash it lacks prints `<unknown error type>`.
 */
struct go_err_name {
	char name[64]; /* "T" or "T: " */
	uint32_t len;  /* of name */
	uint32_t msg;  /* data points to a struct whose first field is the message string */
};

#define ITAB_HASH_OFF  16 /* itab.hash: Inter, Type, then Hash (Go 1.17 to 1.27) */
#define ERR_NAME_MAX   63 /* name bytes kept, so that name + message fit GO_ERROR_STRLEN */
#define ERR_MSG_MAX    63
#define GO_ERR_MAP_MAX 4096

_Static_assert(ERR_NAME_MAX + ERR_MSG_MAX < GO_ERROR_STRLEN, "name and message fit");

bool go_param_is_error(const struct go_param *gp)
{
	return gp->nregs == 2 && !strcmp(gp->type_name, "error");
}

static bool has_error_param(const struct attach_point *ap)
{
	for (int i = 0; i < ap->up.nparams; i++)
		if (go_param_is_error(&ap->up.params[i]))
			return true;
	return false;
}

int go_error_map_create(const struct attach_point *ap)
{
	static const char *const msg_first[] = {"*errors.errorString", "*fmt.wrapError"};
	struct dwarf_go_type *its = NULL;
	struct dwarf_file *df;
	size_t n = 0;
	int fd, ret;

	if (!has_error_param(ap))
		return -ENOENT;
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "tk_goerrs", sizeof(uint32_t),
			    sizeof(struct go_err_name), GO_ERR_MAP_MAX, NULL);
	if (fd < 0)
		return -errno;
	ret = dwarf_file__open(ap->up.path, &df);
	if (!ret) {
		ret = dwarf_file__go_error_types(df, &its, &n);
		dwarf_file__close(df);
	}
	for (size_t i = 0; !ret && i < n && i < GO_ERR_MAP_MAX; i++) {
		struct go_err_name v = {0};
		bool msg = false;

		for (size_t k = 0; k < sizeof(msg_first) / sizeof(msg_first[0]); k++)
			msg |= !strcmp(its[i].type, msg_first[k]);
		snprintf(v.name, sizeof(v.name), "%s%s", its[i].type, msg ? ": " : "");
		v.len = (uint32_t)strlen(v.name);
		v.msg = msg;
		/* two types of one hash: the first one wins, as good as any */
		if (bpf_map_update_elem(fd, &its[i].hash, &v, BPF_NOEXIST) && errno != EEXIST)
			ret = -errno;
	}
	free(its);
	/* no symbols (stripped): an empty map, every error of an unknown type */
	if (ret && ret != -ENOENT) {
		close(fd);
		return ret;
	}
	return fd;
}

void go_emit_error(struct cg *g, const struct go_param *gp, uint32_t off, int map_fd)
{
	bool saved = g->ap->up.stash && !gp->is_result;
	int base = saved ? BPF_REG_9 : BPF_REG_6;
	int16_t adj = saved ? (int16_t)g->saved_regs : 0;
	uint32_t heap = g->heap, key = cg_heap_alloc(g, 8), str = cg_heap_alloc(g, 16),
		 nlen = cg_heap_alloc(g, 8);
	int nonnil = cg_label(g), known = cg_label(g), fits = cg_label(g), done = cg_label(g);
	static const char nil[] = "<nil>", unknown[] = "<unknown error type>";

	cg_zero(g, off, GO_ERROR_STRLEN);
	cg_ldx(g, BPF_DW, BPF_REG_3, base, (int16_t)(adj + gp->regs[0]));
	cg_jmp_imm(g, BPF_JNE, BPF_REG_3, 0, nonnil);
	cg_const_str(g, off, nil, sizeof(nil) - 1, sizeof(nil));
	cg_ja(g, done);
	cg_bind(g, nonnil);
	/* key = itab.hash */
	cg_zero(g, key, 8);
	cg_alu_imm(g, BPF_ADD, BPF_REG_3, ITAB_HASH_OFF);
	cg_heap_ptr(g, BPF_REG_1, key);
	cg_mov_imm(g, BPF_REG_2, 4);
	cg_call(g, BPF_FUNC_probe_read_user);
	cg_map_lookup(g, map_fd, key);
	cg_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, known);
	cg_const_str(g, off, unknown, sizeof(unknown) - 1, sizeof(unknown));
	cg_ja(g, done);
	cg_bind(g, known);
	for (uint32_t i = 0; i < sizeof(((struct go_err_name *)0)->name); i += 8) {
		cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_0, (int16_t)i);
		cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(off + i), BPF_REG_1);
	}
	cg_ldx(g, BPF_W, BPF_REG_1, BPF_REG_0, offsetof(struct go_err_name, len));
	cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)nlen, BPF_REG_1);
	cg_ldx(g, BPF_W, BPF_REG_1, BPF_REG_0, offsetof(struct go_err_name, msg));
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_1, 0, done);
	/* the message: the string header at data, then its bytes after the name */
	cg_heap_ptr(g, BPF_REG_1, str);
	cg_mov_imm(g, BPF_REG_2, 16);
	cg_ldx(g, BPF_DW, BPF_REG_3, base, (int16_t)(adj + gp->regs[1]));
	cg_call(g, BPF_FUNC_probe_read_user);
	cg_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, done);
	cg_ldx(g, BPF_DW, BPF_REG_2, BPF_REG_9, (int16_t)(str + 8));
	cg_jmp_imm(g, BPF_JLE, BPF_REG_2, ERR_MSG_MAX, fits);
	cg_mov_imm(g, BPF_REG_2, ERR_MSG_MAX);
	cg_bind(g, fits);
	cg_ldx(g, BPF_DW, BPF_REG_4, BPF_REG_9, (int16_t)nlen);
	cg_alu_imm(g, BPF_AND, BPF_REG_4, ERR_NAME_MAX);
	cg_heap_ptr(g, BPF_REG_1, off);
	cg_alu_reg(g, BPF_ADD, BPF_REG_1, BPF_REG_4);
	cg_ldx(g, BPF_DW, BPF_REG_3, BPF_REG_9, (int16_t)str);
	cg_call(g, BPF_FUNC_probe_read_user);
	cg_bind(g, done);
	g->heap = heap;
}

bool go_param_int_slice(const struct go_param *gp, struct lt_type *elem, uint32_t *elem_size)
{
	static const struct {
		const char *name;
		uint32_t size;
		bool is_signed, is_bool;
	} ints[] = {
		{"int", 8, true},     {"int8", 1, true},   {"int16", 2, true},	 {"int32", 4, true},
		{"int64", 8, true},   {"uint", 8, false},  {"uint8", 1, false},	 {"uint16", 2, false},
		{"uint32", 4, false}, {"uint64", 8, false}, {"uintptr", 8, false}, {"byte", 1, false},
		{"rune", 4, true},    {"bool", 1, false, true},
	};

	if (gp->nregs != 3 || strncmp(gp->type_name, "[]", 2))
		return false;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (!strcmp(gp->type_name + 2, ints[i].name)) {
			*elem = (struct lt_type){.kind = LT_INT,
						 .size = ints[i].size,
						 .is_signed = ints[i].is_signed,
						 .is_bool = ints[i].is_bool};
			*elem_size = ints[i].size;
			return true;
		}
	return false;
}

/*
 * A slice's (ptr, len, cap) registers: the length, then min(len, GO_SLICE_ELEMS) elements read
 * in one go into the value's tail and widened in place from the first one up: element i goes
 * to 8 + 8i, which ends before element i + 1 starts in the tail.
 */
void go_emit_slice(struct cg *g, const struct go_param *gp, uint32_t off,
		   const struct lt_type *elem, uint32_t elem_size)
{
	bool saved = g->ap->up.stash && !gp->is_result;
	int base = saved ? BPF_REG_9 : BPF_REG_6;
	int16_t adj = saved ? (int16_t)g->saved_regs : 0;
	uint32_t raw = off + 8 + 8 * GO_SLICE_ELEMS - elem_size * GO_SLICE_ELEMS;
	int fits = cg_label(g);
	int ldsz = elem_size == 8 ? BPF_DW : elem_size == 4 ? BPF_W : elem_size == 2 ? BPF_H : BPF_B;

	cg_zero(g, off, 8 + 8 * GO_SLICE_ELEMS);
	cg_ldx(g, BPF_DW, BPF_REG_2, base, (int16_t)(adj + gp->regs[1]));
	cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)off, BPF_REG_2);
	cg_jmp_imm(g, BPF_JLE, BPF_REG_2, GO_SLICE_ELEMS, fits);
	cg_mov_imm(g, BPF_REG_2, GO_SLICE_ELEMS);
	cg_bind(g, fits);
	cg_alu_imm(g, BPF_MUL, BPF_REG_2, (int32_t)elem_size);
	cg_ldx(g, BPF_DW, BPF_REG_3, base, (int16_t)(adj + gp->regs[0]));
	cg_heap_ptr(g, BPF_REG_1, raw);
	cg_call(g, BPF_FUNC_probe_read_user);
	if (elem_size == 8)
		return;
	for (int i = 0; i < GO_SLICE_ELEMS; i++) {
		cg_ldx(g, ldsz, BPF_REG_0, BPF_REG_9, (int16_t)(raw + elem_size * (uint32_t)i));
		cg_extend(g, (int)elem_size, elem->is_signed);
		cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(off + 8 + 8 * (uint32_t)i), BPF_REG_0);
	}
}
