// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF reader, and what we do with a binary after it, on arbitrary files: symbols, their
 * file offsets and code (decoded as insn.c does for probes), sections, the Go tables.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/elf.h"
#include "core/gosym.h"
#include "core/insn.h"
#include "fuzz_common.h"

#define MAX_FUNCS  256
#define MAX_DECODE 4096

struct walk {
	struct elf_file *ef;
	unsigned int n;
	bool go;
};

static int on_func(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	struct walk *w = ctx;
	struct func_layout l;
	const uint8_t *code;
	uint64_t off;
	int64_t delta;

	if (!name || !*name)
		abort();
	elf_file__vaddr_to_offset(w->ef, addr, &off);
	elf_file__segment_delta(w->ef, addr, &delta);
	if (size > MAX_DECODE)
		size = MAX_DECODE;
	code = size ? elf_file__bytes_at(w->ef, addr, size) : NULL;
	if (code)
		insn_func_layout(code, size, addr, w->go, &l);
	return ++w->n >= MAX_FUNCS;
}

static void go_tables(struct elf_file *ef)
{
	static const char *const names[] = {".gopclntab", ".data.rel.ro.gopclntab"};
	struct gosym_table *t;
	struct gosym_func f;
	const void *data;
	uint64_t addr, text = 0;
	size_t size;
	char ver[64];

	elf_file__section(ef, ".text", &text, &size);
	for (int i = 0; i < 2; i++) {
		data = elf_file__section(ef, names[i], &addr, &size);
		if (!data || gosym_table__parse(data, size, text, &t))
			continue;
		for (size_t k = 0; k < gosym_table__count(t) && k < MAX_FUNCS; k++)
			gosym_table__func(t, k, &f);
		gosym_table__lookup(t, text, &f);
		gosym_table__free(t);
	}
	data = elf_file__section(ef, ".go.buildinfo", &addr, &size);
	if (data)
		gosym_buildinfo_version(data, size, ver, sizeof(ver));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	struct walk w = {0};
	uint64_t off, addr;
	size_t len;

	if (!path || elf_file__open(path, &w.ef))
		return 0;
	w.go = elf_file__is_go(w.ef);
	elf_file__is_pie(w.ef);
	elf_file__for_each_func(w.ef, on_func, &w);
	elf_file__section(w.ef, ".symtab", &addr, &len);
	if (elf_file__section(w.ef, ".text", &addr, &len)) {
		elf_file__vaddr_to_offset(w.ef, addr, &off);
		elf_file__bytes_at(w.ef, addr, len);
	}
	go_tables(w.ef);
	elf_file__close(w.ef);
	return 0;
}
