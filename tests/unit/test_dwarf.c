// SPDX-License-Identifier: GPL-2.0
/*
 * dwarf.c on this test binary's own DWARF (unit tests are built with -g): a function taking
 * a struct by value and a pointer, as C's SysV ABI passes them (RDI, RSI, RDX at entry).
 * Go's DWARF is checked on the real targets in tests/e2e/test_readers.py.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/dwarf.h"
#include "core/elf.h"
#include "unit.h"

struct pair {
	long a;
	long b;
};

__attribute__((noinline, used)) long dwarf_test_mul(struct pair p, long *out)
{
	__asm__ volatile("" : : "r"(p.a), "r"(p.b), "r"(out) : "memory");
	*out = p.a * p.b;
	return *out;
}

static int find_addr(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	if (strcmp(name, "dwarf_test_mul"))
		return 0;
	*(uint64_t *)ctx = addr;
	return 1;
}

static void test_params(void)
{
	struct dwarf_file *df;
	struct elf_file *ef;
	struct dwarf_func f;
	uint64_t addr = 0, pe;

	/* The link-time address, as the probes use it. */
	CHECK(elf_file__open("/proc/self/exe", &ef) == 0);
	elf_file__for_each_func(ef, find_addr, &addr);
	elf_file__close(ef);
	CHECK(addr != 0);

	CHECK(dwarf_file__open("/proc/self/exe", &df) == 0);
	if (!df)
		return;
	CHECK(dwarf_file__func(df, addr, &f) == 0);
	CHECK_STR(f.name, "dwarf_test_mul");
	CHECK(f.low_pc == addr && f.high_pc > addr);
	CHECK(f.nparams == 2);
	if (f.nparams == 2) {
		const struct dwarf_param *p = &f.params[0], *q = &f.params[1];

		CHECK_STR(p->name, "p");
		CHECK_STR(p->type, "struct pair");
		CHECK(p->kind == DWARF_TYPE_STRUCT && p->size == 16 && !p->is_result);
		CHECK(p->nmembers == 2);
		if (p->nmembers == 2) {
			CHECK_STR(p->members[0].name, "a");
			CHECK_STR(p->members[0].type, "long int");
			CHECK(p->members[0].offset == 0 && p->members[0].size == 8);
			CHECK(p->members[0].kind == DWARF_TYPE_INT);
			CHECK_STR(p->members[1].name, "b");
			CHECK(p->members[1].offset == 8);
		}
		/* SysV: a 16-byte struct of two INTEGER eightbytes goes in RDI, RSI. */
		CHECK(p->loc.npieces == 2);
		CHECK(p->loc.pieces[0].kind == DWARF_LOC_REG && p->loc.pieces[0].size == 8);
		CHECK_STR(dwarf_reg_name(p->loc.pieces[0].reg), "di");
		CHECK_STR(dwarf_reg_name(p->loc.pieces[1].reg), "si");

		CHECK_STR(q->name, "out");
		CHECK_STR(q->type, "long int *");
		CHECK(q->kind == DWARF_TYPE_PTR && q->size == 8 && q->nmembers == 0);
		CHECK(q->loc.npieces == 1 && q->loc.pieces[0].kind == DWARF_LOC_REG);
		CHECK_STR(dwarf_reg_name(q->loc.pieces[0].reg), "dx");
	}
	dwarf_func__free(&f);

	/* An address inside the function finds it too; one in no function does not. */
	CHECK(dwarf_file__func(df, addr + 1, &f) == 0);
	dwarf_func__free(&f);
	CHECK(dwarf_file__func(df, 8, &f) == -ENOENT);
	CHECK(dwarf_file__prologue_end(df, 8, &pe) == -ENOENT);
	/* C has no Go runtime.g */
	{
		struct dwarf_go_g g;

		CHECK(dwarf_file__go_g_offsets(df, &g) == -ENOENT);
	}
	dwarf_file__close(df);
}

static void test_open_errors(void)
{
	struct dwarf_file *df;

	CHECK(dwarf_file__open("/nonexistent/x", &df) == -ENOENT && df == NULL);
	CHECK(dwarf_file__open("/proc/self/status", &df) == -ENOEXEC);
	CHECK(dwarf_reg_name(0) && !strcmp(dwarf_reg_name(0), "ax"));
	CHECK_STR(dwarf_reg_name(8), "r8");
	CHECK(dwarf_reg_name(17) == NULL && dwarf_reg_name(-1) == NULL);
}

UNIT_MAIN(test_params, test_open_errors)
