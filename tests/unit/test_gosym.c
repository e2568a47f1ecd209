// SPDX-License-Identifier: GPL-2.0
/*
 * gosym.c on pclntabs built here, byte by byte, in each of the four layouts, and on
 * corrupted copies of them. Real binaries are compared with `go tool nm` in
 * tests/e2e/test_readers.py.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/gosym.h"
#include "unit.h"

enum layout { L12, L116, L118, L120 };

static const char *const names[] = {"runtime.text", "main.(*Arith).Mul", "main.main",
				    "main.main.func1"};
static const uint32_t offs[] = {0x0, 0x20, 0x40, 0x100}; /* entry offsets from text */
#define NF	  4
#define END_OFF	  0x140
#define TEXT	  0x401000ULL
#define FUNC_SIZE 48 /* room for any _func layout */

struct tab {
	uint8_t b[2048];
	size_t size;
	size_t functab; /* where functab starts */
	size_t names;	/* where funcnametab starts */
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void build(struct tab *t, enum layout l)
{
	static const uint32_t magic[] = {0xfffffffb, 0xfffffffa, 0xfffffff0, 0xfffffff1};
	uint32_t nameoff[NF];
	size_t at, hdr_words = l == L12 ? 1 : l == L116 ? 7 : 8;
	size_t fsz = l >= L118 ? 4 : 8; /* functab field size */
	size_t esz = l >= L118 ? 4 : 8; /* _func.entry size */
	uint64_t w[8] = {0};

	memset(t, 0, sizeof(*t));
	put32(t->b, magic[l]);
	t->b[6] = 1; /* quantum */
	t->b[7] = 8; /* ptrsize */
	at = 8 + hdr_words * 8;

	/* funcnametab (Go 1.2: names live anywhere in the table, offsets from its start) */
	t->names = at;
	for (int i = 0; i < NF; i++) {
		nameoff[i] = (uint32_t)(at - (l == L12 ? 0 : t->names));
		strcpy((char *)t->b + at, names[i]);
		at += strlen(names[i]) + 1;
	}
	size_t names_end = at;
	at = (at + 7) & ~7ul;
	if (l == L12) {
		/* Go 1.2's functab must follow the header: move the names after it. */
		memset(t->b + 16, 0, at - 16);
		t->functab = 16;
		at = t->functab + (NF * 2 + 1) * fsz + 4;
		at = (at + 7) & ~7ul;
		t->names = at;
		for (int i = 0; i < NF; i++) {
			nameoff[i] = (uint32_t)at;
			strcpy((char *)t->b + at, names[i]);
			at += strlen(names[i]) + 1;
		}
		at = (at + 7) & ~7ul;
	} else {
		t->functab = at;
		at += (NF * 2 + 1) * fsz;
		at = (at + 7) & ~7ul;
	}

	/* functab and _funcs */
	size_t base = l == L12 ? 0 : t->functab;
	for (int i = 0; i <= NF; i++) {
		uint64_t entry = (l >= L118 ? 0 : TEXT) + (i < NF ? offs[i] : END_OFF);
		uint8_t *slot = t->b + t->functab + i * 2 * fsz;
		size_t func = at + (size_t)i * FUNC_SIZE;

		if (fsz == 4)
			put32(slot, (uint32_t)entry);
		else
			put64(slot, entry);
		if (i == NF)
			break;
		if (fsz == 4)
			put32(slot + 4, (uint32_t)(func - base));
		else
			put64(slot + 8, func - base);
		if (esz == 4)
			put32(t->b + func, (uint32_t)entry);
		else
			put64(t->b + func, entry);
		put32(t->b + func + esz, nameoff[i]);
	}
	t->size = at + NF * FUNC_SIZE;

	/* header words */
	w[0] = NF;
	w[1] = 1; /* nfiles */
	if (l == L116) {
		w[2] = t->names;
		w[3] = w[4] = w[5] = names_end;
		w[6] = t->functab;
	} else if (l >= L118) {
		w[2] = TEXT;
		w[3] = t->names;
		w[4] = w[5] = w[6] = names_end;
		w[7] = t->functab;
	}
	for (size_t i = 0; i < hdr_words; i++)
		put64(t->b + 8 + i * 8, w[i]);
}

static void check_layout(enum layout l)
{
	struct tab t;
	struct gosym_table *g;
	struct gosym_func f;

	build(&t, l);
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == 0);
	if (!g)
		return;
	CHECK(gosym_table__count(g) == NF);
	for (int i = 0; i < NF; i++) {
		CHECK(gosym_table__func(g, i, &f) == 0);
		CHECK_STR(f.name, names[i]);
		CHECK(f.entry == TEXT + offs[i]);
		CHECK(f.end == TEXT + (i + 1 < NF ? offs[i + 1] : END_OFF));
	}
	CHECK(gosym_table__func(g, NF, &f) == -EINVAL);

	CHECK(gosym_table__lookup(g, TEXT + 0x20, &f) == 0);
	CHECK_STR(f.name, "main.(*Arith).Mul");
	CHECK(gosym_table__lookup(g, TEXT + 0x3f, &f) == 0);
	CHECK_STR(f.name, "main.(*Arith).Mul");
	CHECK(gosym_table__lookup(g, TEXT + 0x13f, &f) == 0);
	CHECK_STR(f.name, "main.main.func1");
	CHECK(gosym_table__lookup(g, TEXT + 0x0, &f) == 0);
	CHECK_STR(f.name, "runtime.text");
	CHECK(gosym_table__lookup(g, TEXT - 1, &f) == -ENOENT);
	CHECK(gosym_table__lookup(g, TEXT + END_OFF, &f) == -ENOENT);
	gosym_table__free(g);

	/* Every truncation is an error or a table whose entries fail cleanly, never a crash. */
	for (size_t n = 0; n < t.size; n++) {
		/* an exact-size copy, so that a sanitizer sees any read past the end */
		uint8_t *cut = malloc(n ? n : 1);

		memcpy(cut, t.b, n);
		if (gosym_table__parse(cut, n, TEXT, &g) == 0) {
			for (size_t i = 0; i < gosym_table__count(g); i++)
				gosym_table__func(g, i, &f);
			gosym_table__lookup(g, TEXT + 0x20, &f);
			gosym_table__free(g);
		}
		free(cut);
	}
	CHECK(gosym_table__parse(t.b, 16, TEXT, &g) == -EINVAL);
}

static void test_go12(void)
{
	check_layout(L12);
}

static void test_go116(void)
{
	check_layout(L116);
}

static void test_go118(void)
{
	check_layout(L118);
}

static void test_go120(void)
{
	check_layout(L120);
}

static void test_unrelocated_text_start(void)
{
	struct tab t;
	struct gosym_table *g;
	struct gosym_func f;

	/*
	 * textStart is 0 when left for a dynamic relocation (PIE, 1.18+) and always from Go 1.26
	 * on (the linker writes 0: "unused"): the caller's .text address is the base then.
	 */
	for (enum layout l = L118; l <= L120; l++) {
		build(&t, l);
		put64(t.b + 8 + 2 * 8, 0);
		CHECK(gosym_table__parse(t.b, t.size, 0x555000, &g) == 0);
		if (!g)
			continue;
		for (int i = 0; i < NF; i++) {
			CHECK(gosym_table__func(g, i, &f) == 0);
			CHECK(f.entry == 0x555000 + offs[i]);
		}
		CHECK(gosym_table__lookup(g, 0x555000 + 0x3f, &f) == 0);
		CHECK_STR(f.name, "main.(*Arith).Mul");
		CHECK(gosym_table__lookup(g, TEXT + 0x20, &f) == -ENOENT);
		gosym_table__free(g);
	}
}

static void test_corrupt(void)
{
	struct tab t;
	struct gosym_table *g;
	struct gosym_func f;
	size_t func1;

	/* unknown magic, bad pad, bad ptrsize */
	build(&t, L118);
	put32(t.b, 0xfffffff2);
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == -ENOTSUP);
	build(&t, L118);
	t.b[4] = 1;
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == -EINVAL);
	build(&t, L118);
	t.b[7] = 3;
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == -EINVAL);

	/* nfunc far beyond the data, or zero */
	build(&t, L118);
	put64(t.b + 8, 1ull << 62);
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == -EINVAL);
	put64(t.b + 8, 0);
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == -EINVAL);

	/* functab offset outside */
	build(&t, L118);
	put64(t.b + 8 + 7 * 8, t.size + 100);
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == -EINVAL);

	/* entries not ascending */
	build(&t, L118);
	put32(t.b + t.functab + 2 * 4 * 2, 0x10); /* slot 2 entry below slot 1 */
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == -EINVAL);

	/* A bad _func makes that entry fail, the others still work. */
	build(&t, L118);
	func1 = t.functab + (uint32_t)(t.b[t.functab + 12] | t.b[t.functab + 13] << 8);
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == 0);
	put32(t.b + func1 + 4, 0x7fffffff); /* nameoff past the name table */
	CHECK(gosym_table__func(g, 1, &f) == -EINVAL);
	CHECK(gosym_table__lookup(g, TEXT + 0x25, &f) == -ENOENT);
	CHECK(gosym_table__func(g, 2, &f) == 0);
	put32(t.b + func1 + 4, 0x80000000); /* negative */
	CHECK(gosym_table__func(g, 1, &f) == -EINVAL);
	put32(t.b + func1, 0x24); /* entry disagrees with functab */
	CHECK(gosym_table__func(g, 1, &f) == -EINVAL);
	/* funcoff past the end */
	put32(t.b + t.functab + 12, 0xfffffff0);
	CHECK(gosym_table__func(g, 1, &f) == -EINVAL);
	gosym_table__free(g);

	/* The last name with no NUL before the end of funcnametab. */
	build(&t, L118);
	{
		size_t last = t.names;

		for (int i = 0; i < NF - 1; i++)
			last += strlen(names[i]) + 1;
		t.b[last + strlen(names[NF - 1])] = 'x';
		CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == 0);
		CHECK(gosym_table__func(g, NF - 1, &f) == -EINVAL);
		CHECK(gosym_table__func(g, 0, &f) == 0);
		gosym_table__free(g);
	}
	CHECK(gosym_table__parse(NULL, 100, TEXT, &g) == -EINVAL);
}

static void test_buildinfo(void)
{
	uint8_t b[96];
	char v[32];

	memset(b, 0, sizeof(b));
	memcpy(b, "\xff Go buildinf:", 14);
	b[14] = 8;
	b[15] = 2;
	b[32] = 8;
	memcpy(b + 33, "go1.19.8", 8);
	b[41] = 0x10; /* module info follows */
	CHECK(gosym_buildinfo_version(b, sizeof(b), v, sizeof(v)) == 0);
	CHECK_STR(v, "go1.19.8");
	CHECK(gosym_buildinfo_version(b, sizeof(b), v, 8) == -EINVAL);	/* no room for NUL */
	CHECK(gosym_buildinfo_version(b, 40, v, sizeof(v)) == -EINVAL); /* string cut */
	b[32] = 0x80;							/* varint never ends */
	CHECK(gosym_buildinfo_version(b, 33, v, sizeof(v)) == -EINVAL);
	b[32] = 8;
	b[35] = '\n'; /* control character */
	CHECK(gosym_buildinfo_version(b, sizeof(b), v, sizeof(v)) == -EINVAL);
	b[15] = 0; /* Go < 1.18 pointer layout */
	CHECK(gosym_buildinfo_version(b, sizeof(b), v, sizeof(v)) == -ENOTSUP);
	b[0] = 0;
	CHECK(gosym_buildinfo_version(b, sizeof(b), v, sizeof(v)) == -EINVAL);
}

/*
 * runtime.g by hand, per Go minor version, from runtime2.go of each release and checked against
 * DWARF of binaries built with 1.17.13, 1.18.10, 1.19.8, 1.20.14, 1.21.13, 1.22.12, 1.23.12,
 * 1.24.13, 1.25.14, 1.26.8 and 1.27.4 (tests/e2e/test_go_matrix.py rechecks the matrix's).
 * 1.17, 1.18 and 1.20 are not in the e2e matrix: this is their coverage.
 */
static void test_g_offsets(void)
{
	static const struct {
		const char *version;
		uint32_t goid;
	} want[] = {
		{"go1.17.13", 0x98},
		{"go1.18", 0x98},
		{"go1.19.8", 0x98},
		{"go1.20.14", 0x98},
		{"go1.21.0", 0x98},
		{"go1.22.12", 0x98},
		{"go1.23.0", 0xa0}, /* g.syscallbp before goid */
		{"go1.23.12", 0xa0},
		{"go1.24rc1", 0xa0},
		{"go1.25.14", 0x98}, /* gobuf.ret gone from g.sched */
		{"go1.26.8 X:nodwarf5", 0x98},
		{"devel go1.27-abcdef Tue Jan 1 +0000", 0x98},
		{"go1.27.4", 0x98},
	};
	struct gosym_g_offsets off;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		memset(&off, 0xff, sizeof(off));
		CHECK(gosym_g_offsets(want[i].version, &off) == 0);
		CHECK(off.goid == want[i].goid);
		CHECK(off.stack_hi == 8); /* g.stack is g's first field, always */
	}

	/* Outside the table: -ENOENT (ask DWARF), with the nearest layout as the guess. */
	CHECK(gosym_g_offsets("go1.28.0", &off) == -ENOENT && off.goid == 0x98);
	CHECK(gosym_g_offsets("go1.16.15", &off) == -ENOENT && off.goid == 0x98);
	CHECK(gosym_g_offsets("go1.2", &off) == -ENOENT && off.stack_hi == 8);
	CHECK(gosym_g_offsets("go1.", &off) == -ENOENT);
	CHECK(gosym_g_offsets("go1.x", &off) == -ENOENT);
	CHECK(gosym_g_offsets("go1.99999999999999999999", &off) == -ENOENT && off.goid == 0x98);
	CHECK(gosym_g_offsets("", &off) == -ENOENT && off.goid == 0x98);
	CHECK(gosym_g_offsets("unknown", &off) == -ENOENT);
	CHECK(gosym_g_offsets(NULL, &off) == -ENOENT && off.goid == 0x98);
}

UNIT_MAIN(test_go12, test_go116, test_go118, test_go120, test_unrelocated_text_start, test_corrupt,
	  test_buildinfo, test_g_offsets)
