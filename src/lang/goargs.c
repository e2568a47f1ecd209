// SPDX-License-Identifier: GPL-2.0
/*
 * Function parameters by name from DWARF, with the registers they really live in at entry
 * (Go's register ABI included: bpftrace maps DWARF parameters to SysV registers, which is
 * wrong for Go). `args.args.A` reads the A member of the struct parameter `args`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dwarf.h"
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
