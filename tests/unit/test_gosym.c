// SPDX-License-Identifier: GPL-2.0
/*
 * gosym.c on pclntabs built here, byte by byte, in each of the four layouts, and on
 * corrupted copies of them; source frames of the real targets against `go tool objdump` and
 * `go tool addr2line`. Function lists of real binaries are compared with `go tool nm` in
 * tests/e2e/test_readers.py.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/gosym.h"
#include "unit.h"
#include "unit_targets.h"

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

/* ---- source frames: a hand-built function with two levels of inlined calls ------------- */

/*
 * main.outer, 0x30 bytes at TEXT: its own code at [0, 0x10) (a.go, lines 10 then 11 from
 * 0x8), main.mid inlined at [0x10, 0x20) (b.go 20, then 21 from 0x18; called at outer+0x8),
 * main.leaf inlined into mid at [0x20, 0x30) (b.go 30; called at 0x18).
 */
#define INL_END	 0x30
#define GOFUNC	 0x500000ull /* FUNCDATA's address */
#define TREE_OFF 0x10	     /* the inline tree in it */
static const char inl_names[] = "main.outer\0main.mid\0main.leaf";
enum { NAME_OUTER = 0, NAME_MID = 11, NAME_LEAF = 20 };

struct inl_tab {
	uint8_t b[1024], fd[256];
	size_t size, fd_size;
	size_t func; /* where the _func is */
};

/* Go's pcvalue encoding: (zigzag value delta, pc delta) pairs from -1, ending with 0. */
static size_t put_pcvalue(uint8_t *p, const int32_t *vals, const uint32_t *pcs, int n)
{
	size_t at = 0;
	int32_t prev = -1;

	for (int i = 0; i < n; i++) {
		int32_t d = vals[i] - prev;
		uint32_t zz = d < 0 ? ((uint32_t)(-d - 1) << 1) | 1 : (uint32_t)d << 1;

		/* every value and delta here is below 128: one byte each */
		p[at++] = (uint8_t)zz;
		p[at++] = (uint8_t)(pcs[i] - (i ? pcs[i - 1] : 0));
		prev = vals[i];
	}
	p[at++] = 0;
	return at;
}

static void put_inl_entry(uint8_t *e, enum layout l, uint32_t nameoff, uint32_t parent_pc)
{
	if (l == L120) {
		put32(e + 4, nameoff);
		put32(e + 8, parent_pc);
		put32(e + 12, 1); /* startLine */
	} else {
		put32(e + 12, nameoff);
		put32(e + 16, parent_pc);
	}
}

static void build_inl(struct inl_tab *t, enum layout l)
{
	static const int32_t lines[] = {10, 11, 20, 21, 30}, files[] = {0, 1}, inl[] = {-1, 0, 1};
	static const uint32_t line_pcs[] = {0x8, 0x10, 0x18, 0x20, INL_END};
	static const uint32_t file_pcs[] = {0x10, INL_END}, inl_pcs[] = {0x10, 0x20, INL_END};
	size_t words = l == L116 ? 7 : 8, ps = 8, at, names, cu, ft, pc, pcfile, pcln, pcinl, ftab;
	size_t esize = l == L120 ? 16 : 20, fixed, pcdata;
	uint64_t w[8] = {0};

	memset(t, 0, sizeof(*t));
	put32(t->b, l == L116 ? 0xfffffffa : l == L118 ? 0xfffffff0 : 0xfffffff1);
	t->b[6] = 1;
	t->b[7] = (uint8_t)ps;
	at = names = 8 + words * ps;
	memcpy(t->b + at, inl_names, sizeof(inl_names));
	at += sizeof(inl_names);
	cu = at = (at + 3) & ~3ul;
	put32(t->b + at, 0); /* file 0: a.go, 1: b.go */
	put32(t->b + at + 4, 5);
	at += 8;
	ft = at;
	memcpy(t->b + at, "a.go\0b.go", 10);
	at += 10;
	pc = at;
	t->b[at++] = 0; /* offset 0 is "no table" */
	pcfile = at - pc;
	at += put_pcvalue(t->b + at, files, file_pcs, 2);
	pcln = at - pc;
	at += put_pcvalue(t->b + at, lines, line_pcs, 5);
	pcinl = at - pc;
	at += put_pcvalue(t->b + at, inl, inl_pcs, 3);
	ftab = at = (at + 7) & ~7ul;

	if (l == L116) {
		/* functab: {uintptr entry, uintptr funcoff} x2; _func with a uintptr entry */
		t->func = ftab + 32;
		put64(t->b + ftab, TEXT);
		put64(t->b + ftab + 8, t->func - ftab);
		put64(t->b + ftab + 16, TEXT + INL_END);
		put64(t->b + t->func, TEXT);
		fixed = 8 + 36;
	} else {
		t->func = ftab + 16;
		put32(t->b + ftab, 0);
		put32(t->b + ftab + 4, (uint32_t)(t->func - ftab));
		put32(t->b + ftab + 8, INL_END);
		put32(t->b + t->func, 0);
		fixed = 4 + 36 + (l == L120 ? 4 : 0);
	}
	at = t->func + (l == L116 ? 8 : 4); /* after the entry */
	put32(t->b + at, NAME_OUTER);
	put32(t->b + at + 16, (uint32_t)pcfile);
	put32(t->b + at + 20, (uint32_t)pcln);
	put32(t->b + at + 24, 3);      /* npcdata */
	t->b[t->func + fixed - 1] = 4; /* nfuncdata */
	pcdata = t->func + fixed;
	put32(t->b + pcdata + 8, (uint32_t)pcinl);
	at = pcdata + 12;
	if (l == L116) {
		at = (at + 7) & ~7ul;
		put64(t->b + at + 24, GOFUNC + TREE_OFF); /* absolute */
		at += 32;
	} else {
		for (int i = 0; i < 3; i++)
			put32(t->b + at + i * 4, UINT32_MAX);
		put32(t->b + at + 12, TREE_OFF);
		at += 16;
	}
	t->size = at;

	w[0] = 1; /* nfunc */
	w[1] = 2; /* nfiles */
	if (l == L116) {
		w[2] = names, w[3] = cu, w[4] = ft, w[5] = pc, w[6] = ftab;
	} else {
		w[2] = TEXT, w[3] = names, w[4] = cu, w[5] = ft, w[6] = pc, w[7] = ftab;
	}
	for (size_t i = 0; i < words; i++)
		put64(t->b + 8 + i * 8, w[i]);

	/* the inline tree: [0] mid called at outer+0x8, [1] leaf called at outer+0x18 */
	put_inl_entry(t->fd + TREE_OFF, l, NAME_MID, 0x8);
	put_inl_entry(t->fd + TREE_OFF + esize, l, NAME_LEAF, 0x18);
	t->fd_size = TREE_OFF + 2 * esize;
}

static void check_frame(const struct src_frame *f, const char *func, const char *file,
			uint32_t line)
{
	CHECK_STR(f->func, func);
	CHECK_STR(f->file, file);
	CHECK(f->line == line);
}

/* Frames on any bytes: bounded count, strings inside the buffers they came from. */
static void frames_anyway(const uint8_t *b, size_t size, const uint8_t *fd, size_t fd_size)
{
	struct gosym_table *g;
	struct src_frame f[4];

	if (gosym_table__parse(b, size, TEXT, &g))
		return;
	gosym_table__set_funcdata(g, fd, fd_size, GOFUNC, GOFUNC);
	for (uint64_t pc = TEXT; pc <= TEXT + INL_END; pc += 4) {
		int n = gosym_table__frames(g, pc, f, 4);

		CHECK(n <= 4);
		for (int i = 0; i < n; i++) {
			CHECK((const uint8_t *)f[i].func >= b &&
			      (const uint8_t *)f[i].func < b + size);
			CHECK(!f[i].file || ((const uint8_t *)f[i].file >= b &&
					     (const uint8_t *)f[i].file < b + size));
		}
	}
	gosym_table__free(g);
}

static void check_frames_layout(enum layout l)
{
	struct inl_tab t;
	struct gosym_table *g;
	struct src_frame f[8];
	size_t esize = l == L120 ? 16 : 20;

	build_inl(&t, l);
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == 0);
	if (!g)
		return;
	/* No FUNCDATA: the holder alone, with the file:line of the inlined code. */
	CHECK(gosym_table__frames(g, TEXT + 0x24, f, 8) == 1);
	check_frame(&f[0], "main.outer", "b.go", 30);

	CHECK(gosym_table__set_funcdata(g, t.fd, t.fd_size, GOFUNC, GOFUNC) == 0);
	CHECK(gosym_table__frames(g, TEXT + 0x4, f, 8) == 1);
	check_frame(&f[0], "main.outer", "a.go", 10);
	CHECK(gosym_table__frames(g, TEXT + 0x8, f, 8) == 1);
	check_frame(&f[0], "main.outer", "a.go", 11);
	CHECK(gosym_table__frames(g, TEXT + 0x12, f, 8) == 2);
	check_frame(&f[0], "main.mid", "b.go", 20);
	check_frame(&f[1], "main.outer", "a.go", 11);
	CHECK(gosym_table__frames(g, TEXT + 0x2f, f, 8) == 3);
	check_frame(&f[0], "main.leaf", "b.go", 30);
	check_frame(&f[1], "main.mid", "b.go", 21);
	check_frame(&f[2], "main.outer", "a.go", 11);
	/* Cut to max: the outermost frames stay. */
	CHECK(gosym_table__frames(g, TEXT + 0x20, f, 2) == 2);
	check_frame(&f[0], "main.mid", "b.go", 21);
	check_frame(&f[1], "main.outer", "a.go", 11);
	CHECK(gosym_table__frames(g, TEXT + INL_END, f, 8) == -ENOENT);
	CHECK(gosym_table__frames(g, TEXT - 1, f, 8) == -ENOENT);
	CHECK(gosym_table__frames(g, TEXT, f, 0) == -EINVAL);

	/* A call site outside the function, a name outside funcnametab: no inlined frame. */
	put_inl_entry(t.fd + TREE_OFF + esize, l, NAME_LEAF, INL_END);
	CHECK(gosym_table__frames(g, TEXT + 0x24, f, 8) == 1);
	check_frame(&f[0], "main.outer", "b.go", 30);
	put_inl_entry(t.fd + TREE_OFF + esize, l, 0x7fffff, 0x18);
	CHECK(gosym_table__frames(g, TEXT + 0x24, f, 8) == 1);
	/* A call site that is its own inlined code: bounded, never endless. */
	put_inl_entry(t.fd + TREE_OFF + esize, l, NAME_LEAF, 0x20);
	CHECK(gosym_table__frames(g, TEXT + 0x24, f, 8) == 8);
	check_frame(&f[7], "main.outer", "b.go", 30);
	gosym_table__free(g);

	/* Every truncation and every byte flipped: errors or fewer frames, never a crash. */
	build_inl(&t, l);
	for (size_t n = 0; n <= t.size; n++) {
		uint8_t *cut = malloc(n ? n : 1);

		memcpy(cut, t.b, n);
		frames_anyway(cut, n, t.fd, t.fd_size);
		free(cut);
	}
	for (size_t n = 0; n <= t.fd_size; n++)
		frames_anyway(t.b, t.size, t.fd, n);
	for (size_t i = 0; i < t.size + t.fd_size; i++) {
		uint8_t *p = i < t.size ? &t.b[i] : &t.fd[i - t.size];

		*p ^= 0xff;
		frames_anyway(t.b, t.size, t.fd, t.fd_size);
		*p ^= 0xff;
	}
}

static void test_frames_go116(void)
{
	check_frames_layout(L116);
}

static void test_frames_go118(void)
{
	check_frames_layout(L118);
}

static void test_frames_go120(void)
{
	check_frames_layout(L120);
}

static void test_frames_go12(void)
{
	struct tab t;
	struct gosym_table *g;
	struct src_frame f[2];

	/* Go 1.2-1.15 tables keep lines per file differently: not decoded. */
	build(&t, L12);
	CHECK(gosym_table__parse(t.b, t.size, TEXT, &g) == 0);
	CHECK(gosym_table__frames(g, TEXT + 0x20, f, 2) == -ENOTSUP);
	gosym_table__free(g);
}

/* ---- source frames of real binaries, against Go's own tools -------------------------------- */

static char root[2048]; /* the repository */

static const char *go_tool(void)
{
	const char *go = getenv("GO");

	return go ? go : access("/usr/local/go/bin/go", X_OK) == 0 ? "/usr/local/go/bin/go" : "go";
}

static struct gosym_table *load(const char *path)
{
	struct elf_file *ef;
	struct gosym_table *g = NULL;

	CHECK(elf_file__open(path, &ef) == 0);
	if (!ef)
		return NULL;
	CHECK(gosym_table__load_elf(ef, &g) == 0);
	elf_file__close(ef); /* the table has its own copies */
	return g;
}

/* Source lines of goprof/main.go: mix's body, and the line calling it in hotLoop. */
static bool goprof_lines(unsigned int *mix_first, unsigned int *mix_last, unsigned int *call)
{
	char path[4096], line[512];
	unsigned int no = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/targets/goprof/main.go", root);
	f = fopen(path, "r");
	if (!f)
		return false;
	*mix_first = *mix_last = *call = 0;
	while (fgets(line, sizeof(line), f)) {
		no++;
		if (!strncmp(line, "func mix(", 9))
			*mix_first = no + 1;
		else if (*mix_first && !*mix_last && !strcmp(line, "}\n"))
			*mix_last = no - 1;
		else if (strstr(line, "x = mix(x)"))
			*call = no;
	}
	fclose(f);
	return *mix_first && *mix_last && *call;
}

/*
 * Every pc of main.hotLoop in bin against `go tool objdump` of ref (bin itself, or the
 * unstripped build of a stripped bin: objdump needs a symbol table): where objdump says
 * mix's lines, frames are [main.mix main.go:that line, main.hotLoop main.go:the call].
 */
static void check_hotloop(const char *bin, const char *ref)
{
	char cmd[8192], line[512];
	unsigned int mix_first = 0, mix_last = 0, call = 0, lno, inlined = 0, pcs = 0;
	struct unit_func hot = {.name = "main.hotLoop"};
	uint64_t pc, ref_entry = 0;
	struct gosym_table *g;
	struct src_frame f[8];
	FILE *p;

	CHECK(goprof_lines(&mix_first, &mix_last, &call));
	g = load(bin);
	if (!g)
		return;
	CHECK(gosym_table__for_each_func(g, unit_find_func, &hot) == 1);
	snprintf(cmd, sizeof(cmd), "%s tool objdump -s 'main.hotLoop$' '%s'", go_tool(), ref);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	while (p && fgets(line, sizeof(line), p)) {
		int n;

		if (sscanf(line, " main.go:%u 0x%" SCNx64, &lno, &pc) != 2)
			continue;
		if (!ref_entry)
			ref_entry = pc;
		pcs++;
		n = gosym_table__frames(g, pc - ref_entry + hot.addr, f, 8);
		CHECK(n >= 1);
		if (n < 1)
			continue;
		if (lno >= mix_first && lno <= mix_last) {
			inlined++;
			CHECK(n == 2);
			CHECK_STR(f[0].func, "main.mix");
			CHECK(f[0].line == lno);
			CHECK(f[0].file && strstr(f[0].file, "/goprof/main.go"));
			CHECK(f[n - 1].line == call);
			CHECK(f[n - 1].file && strstr(f[n - 1].file, "/goprof/main.go"));
		} else {
			CHECK(n == 1);
			CHECK(f[0].line == lno);
		}
		CHECK_STR(f[n - 1].func, "main.hotLoop");
	}
	CHECK(p && pclose(p) == 0);
	/* mix's three lines are in the loop */
	CHECK(inlined >= 3 && pcs > inlined);
	if (inlined < 3)
		fprintf(stderr, "%s: %u pcs of main.hotLoop, %u in mix\n", bin, pcs, inlined);
	gosym_table__free(g);
}

#define A2L_SAMPLES 300

/*
 * A sample of pcs over every function of bin against `go tool addr2line`, which prints the
 * function holding a pc (the outermost frame) and the file:line of its innermost one.
 */
static void check_addr2line(const char *bin)
{
	char tmp[] = "/tmp/test_gosym.XXXXXX", cmd[8192], fn[4096], fl[4096];
	uint64_t pcs[A2L_SAMPLES * 3];
	size_t n = 0, step, matched = 0;
	struct gosym_table *g = load(bin);
	struct src_frame f[16];
	struct gosym_func fu;
	FILE *in, *p;
	int fd;

	if (!g)
		return;
	step = gosym_table__count(g) / A2L_SAMPLES + 1;
	for (size_t i = 0; i < gosym_table__count(g) && n + 3 <= A2L_SAMPLES * 3; i += step)
		if (gosym_table__func(g, i, &fu) == 0 && fu.end > fu.entry)
			for (int k = 0; k < 3; k++)
				pcs[n++] = fu.entry + (fu.end - fu.entry) * (uint64_t)k / 3;
	fd = mkstemp(tmp);
	in = fd >= 0 ? fdopen(fd, "w") : NULL;
	CHECK(in != NULL);
	if (!in) {
		gosym_table__free(g);
		return;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(in, "0x%" PRIx64 "\n", pcs[i]);
	fclose(in);
	snprintf(cmd, sizeof(cmd), "%s tool addr2line '%s' < %s", go_tool(), bin, tmp);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	for (size_t i = 0; p && i < n && fgets(fn, sizeof(fn), p) && fgets(fl, sizeof(fl), p);
	     i++) {
		char *colon = strrchr(fl, ':');
		int k = gosym_table__frames(g, pcs[i], f, 16);

		fn[strcspn(fn, "\n")] = '\0';
		if (!colon || !strcmp(fn, "?"))
			continue;
		*colon = '\0';
		CHECK(k >= 1);
		if (k < 1)
			continue;
		CHECK_STR(f[k - 1].func, fn);
		if (!*fl) {
			/* ":-1": no line there (padding after the last instruction); nor here */
			CHECK(!f[0].file && !f[0].line);
			continue;
		}
		CHECK_STR(f[0].file, fl);
		CHECK(f[0].line == strtoul(colon + 1, NULL, 10));
		if (!f[0].file || strcmp(f[0].file, fl) ||
		    f[0].line != strtoul(colon + 1, NULL, 10))
			fprintf(stderr, "  at 0x%" PRIx64 " in %s\n", pcs[i], bin);
		matched++;
	}
	CHECK(p && pclose(p) == 0);
	unlink(tmp);
	CHECK(matched > n / 2);
	gosym_table__free(g);
}

static void test_frames_real(void)
{
	static const char *const rpc[] = {"rpcserver", "rpcserver-stripped", "rpcserver-pie",
					  "rpcserver-pie-stripped"};
	char bin[4096], ref[4096], dir[2400], *extra, *save = NULL;
	struct dirent *de;
	DIR *d;

	CHECK(unit_repo_root(root, sizeof(root)));
	snprintf(bin, sizeof(bin), "%s/tests/targets/bin/goprof", root);
	check_hotloop(bin, bin);
	snprintf(ref, sizeof(ref), "%s", bin);
	snprintf(bin, sizeof(bin), "%s/tests/targets/bin/goprof-stripped", root);
	check_hotloop(bin, ref);

	/* The matrix's own builds of goprof (tests/e2e/test_srclines.py): "BIN:REF ..." */
	extra = getenv("TK_GOPROF_BUILDS");
	for (char *w = extra ? strtok_r(extra, " ", &save) : NULL; w;
	     w = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(w, ':');

		CHECK(colon != NULL);
		if (!colon)
			continue;
		*colon = '\0';
		check_hotloop(w, colon + 1);
	}

	for (size_t i = 0; i < sizeof(rpc) / sizeof(rpc[0]); i++) {
		snprintf(bin, sizeof(bin), "%s/tests/targets/bin/%s", root, rpc[i]);
		check_addr2line(bin);
	}
	/* and the Go version matrix, bin/go1.N/ */
	snprintf(dir, sizeof(dir), "%s/tests/targets/bin", root);
	d = opendir(dir);
	CHECK(d != NULL);
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "go1.", 4))
			continue;
		for (size_t i = 0; i < sizeof(rpc) / sizeof(rpc[0]); i++) {
			snprintf(bin, sizeof(bin), "%s/%s/%s", dir, de->d_name, rpc[i]);
			if (access(bin, R_OK) == 0)
				check_addr2line(bin);
		}
	}
	if (d)
		closedir(d);
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
	  test_frames_go12, test_frames_go116, test_frames_go118, test_frames_go120,
	  test_frames_real, test_buildinfo, test_g_offsets)
