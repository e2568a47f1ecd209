// SPDX-License-Identifier: GPL-2.0
/*
 * dwarf.c on arbitrary files: functions at the addresses of the ELF's own symbols (and one
 * taken from the input), their parameters and prologue_end, Go's runtime.g offsets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dwarf.h"
#include "core/elf.h"
#include "fuzz_common.h"

#define MAX_FUNCS 64

struct walk {
	struct dwarf_file *df;
	unsigned int n;
};

static void check_func(struct dwarf_file *df, uint64_t addr)
{
	struct dwarf_func f;
	uint64_t pe;

	dwarf_file__prologue_end(df, addr, &pe);
	if (dwarf_file__func(df, addr, &f))
		return;
	if (f.nparams > DWARF_MAX_PARAMS || !f.name)
		abort();
	for (unsigned int i = 0; i < f.nparams; i++) {
		const struct dwarf_param *p = &f.params[i];

		if (!p->name || !p->type || p->nmembers > DWARF_MAX_MEMBERS ||
		    p->loc.npieces > DWARF_MAX_PIECES)
			abort();
		for (unsigned int k = 0; k < p->loc.npieces; k++)
			dwarf_reg_name(p->loc.pieces[k].reg);
		for (unsigned int j = 0; j < p->nmembers; j++)
			if (!p->members[j].name || !p->members[j].type)
				abort();
	}
	dwarf_func__free(&f);
}

static int on_func(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	struct walk *w = ctx;

	check_func(w->df, addr);
	return ++w->n >= MAX_FUNCS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	struct walk w = {0};
	struct elf_file *ef;
	struct dwarf_go_g g;
	uint64_t addr = 0;

	if (!path || dwarf_file__open(path, &w.df))
		return 0;
	dwarf_file__go_g_offsets(w.df, &g);
	if (size >= 24)
		memcpy(&addr, data + 16, sizeof(addr)); /* e_type..e_entry area: often an address */
	check_func(w.df, addr);
	if (elf_file__open(path, &ef) == 0) {
		elf_file__for_each_func(ef, on_func, &w);
		elf_file__close(ef);
	}
	dwarf_file__close(w.df);
	return 0;
}
