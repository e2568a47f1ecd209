// SPDX-License-Identifier: GPL-2.0
/*
 * .gopclntab reader (layouts from Go's debug/gosym/pclntab.go and runtime/symtab.go).
 *
 * Header: magic u32, two zero bytes, pc quantum, pointer size, then pointer-sized words:
 *   Go 1.2-1.15  (0xfffffffb): nfunc; functab follows the header; offsets relative to the
 *                              whole table; entries are absolute uintptrs.
 *   Go 1.16-1.17 (0xfffffffa): nfunc nfiles funcnameOff cuOff filetabOff pctabOff pclnOff;
 *                              functab entries {uintptr entry, uintptr funcoff}.
 *   Go 1.18+     (0xfffffff0, 0xfffffff1): nfunc nfiles textStart funcnameOff cuOff
 *                              filetabOff pctabOff pclnOff; functab entries
 *                              {u32 entryoff, u32 funcoff}, entryoff relative to textStart.
 *                              textStart is 0 in a PIE file (left to a relocation) and in
 *                              every file from Go 1.26 (the runtime keeps it in moduledata):
 *                              then the base is the caller's, .text's address, as Go's own
 *                              tools (cmd/internal/objfile) always take it.
 * funcoff is relative to the functab (1.16+) or to the table (1.2). A _func starts with
 * its entry (u32 entryoff for 1.18+, uintptr before) followed by i32 nameoff.
 *
 * Everything is validated before use: the table is mapped from a file we did not build.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/elf.h"
#include "core/gosym.h"

#define GO12_MAGIC  0xfffffffbu
#define GO116_MAGIC 0xfffffffau
#define GO118_MAGIC 0xfffffff0u
#define GO120_MAGIC 0xfffffff1u

enum pcln_version { PCLN_GO12, PCLN_GO116, PCLN_GO118 };

struct gosym_table {
	const uint8_t *data;
	size_t size;
	enum pcln_version ver;
	unsigned int ptrsize;
	size_t nfunc;
	uint64_t text_start; /* Go 1.18+ only */
	/* byte ranges inside data, [start, end) */
	size_t functab, functab_end;
	size_t funcdata;	      /* base of funcoff */
	size_t names, names_end;      /* funcnametab */
	unsigned int field_size;      /* size of one functab field */
	unsigned int func_entry_size; /* size of _func.entry */
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint64_t rdptr(const struct gosym_table *t, size_t off)
{
	return t->ptrsize == 8 ? rd64(t->data + off) : rd32(t->data + off);
}

/* Header word i (after the 8-byte magic/quantum/ptrsize prefix); caller checked bounds. */
static uint64_t header_word(const struct gosym_table *t, unsigned int i)
{
	return rdptr(t, 8 + (size_t)i * t->ptrsize);
}

/* Entry address of functab slot i (i <= nfunc; slot nfunc holds the end of the last). */
static uint64_t functab_entry(const struct gosym_table *t, size_t i)
{
	size_t off = t->functab + i * 2 * t->field_size;

	if (t->ver == PCLN_GO118)
		return t->text_start + rd32(t->data + off);
	return rdptr(t, off);
}

static uint64_t functab_funcoff(const struct gosym_table *t, size_t i)
{
	size_t off = t->functab + (i * 2 + 1) * t->field_size;

	return t->field_size == 4 ? rd32(t->data + off) : rdptr(t, off);
}

static int parse_header(struct gosym_table *t, uint64_t text_start)
{
	const uint8_t *d = t->data;
	uint32_t magic;
	unsigned int nwords;
	uint64_t names_off, cu_off, pcln_off;

	if (t->size < 16)
		return -EINVAL;
	magic = rd32(d);
	switch (magic) {
	case GO12_MAGIC:
		t->ver = PCLN_GO12;
		nwords = 1;
		break;
	case GO116_MAGIC:
		t->ver = PCLN_GO116;
		nwords = 7;
		break;
	case GO118_MAGIC:
	case GO120_MAGIC:
		t->ver = PCLN_GO118;
		nwords = 8;
		break;
	default:
		return -ENOTSUP; /* also big-endian tables, which x86 never has */
	}
	if (d[4] || d[5] || (d[6] != 1 && d[6] != 2 && d[6] != 4) || (d[7] != 4 && d[7] != 8))
		return -EINVAL;
	t->ptrsize = d[7];
	if (t->size < 8 + (size_t)nwords * t->ptrsize)
		return -EINVAL;

	t->nfunc = header_word(t, 0);
	t->field_size = t->ptrsize;
	t->func_entry_size = t->ptrsize;
	switch (t->ver) {
	case PCLN_GO12:
		t->functab = 8 + t->ptrsize;
		t->funcdata = 0;
		t->names = 0;
		t->names_end = t->size;
		break;
	case PCLN_GO116:
		names_off = header_word(t, 2);
		cu_off = header_word(t, 3);
		pcln_off = header_word(t, 6);
		goto offsets;
	case PCLN_GO118:
		t->text_start = header_word(t, 2);
		/* 0: unrelocated (PIE) or no longer written (Go >= 1.26): use the caller's. */
		if (!t->text_start)
			t->text_start = text_start;
		names_off = header_word(t, 3);
		cu_off = header_word(t, 4);
		pcln_off = header_word(t, 7);
		t->field_size = 4;
		t->func_entry_size = 4;
	offsets:
		if (names_off >= t->size || pcln_off >= t->size)
			return -EINVAL;
		t->names = names_off;
		/* funcnametab is followed by the cu table; if not, bound it by the data. */
		t->names_end = cu_off > names_off && cu_off <= t->size ? cu_off : t->size;
		t->functab = pcln_off;
		t->funcdata = pcln_off;
		break;
	}

	/* nfunc + 1 entries of two fields; check without overflowing. */
	if (!t->nfunc || t->functab > t->size ||
	    t->nfunc >= (t->size - t->functab) / (2 * t->field_size))
		return -EINVAL;
	t->functab_end = t->functab + (t->nfunc * 2 + 1) * t->field_size;
	return 0;
}

/* Entries must ascend for binary search (Go sorts them; a forged table may not). */
static int check_sorted(const struct gosym_table *t)
{
	uint64_t prev = functab_entry(t, 0);

	for (size_t i = 1; i <= t->nfunc; i++) {
		uint64_t e = functab_entry(t, i);

		if (e < prev)
			return -EINVAL;
		prev = e;
	}
	return 0;
}

int gosym_table__parse(const void *data, size_t size, uint64_t text_start, struct gosym_table **out)
{
	struct gosym_table *t;
	int err;

	*out = NULL;
	if (!data)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->data = data;
	t->size = size;
	err = parse_header(t, text_start);
	if (!err)
		err = check_sorted(t);
	if (err) {
		free(t);
		return err;
	}
	*out = t;
	return 0;
}

void gosym_table__free(struct gosym_table *t)
{
	free(t);
}

size_t gosym_table__count(const struct gosym_table *t)
{
	return t ? t->nfunc : 0;
}

int gosym_table__func(const struct gosym_table *t, size_t i, struct gosym_func *f)
{
	uint64_t funcoff, entry, name_at;
	size_t func;
	const uint8_t *name, *nul;
	uint32_t nameoff;

	if (!t || i >= t->nfunc)
		return -EINVAL;
	entry = functab_entry(t, i);
	funcoff = functab_funcoff(t, i);
	/* _func must hold its entry and nameoff fields. */
	if (funcoff > t->size - t->funcdata ||
	    t->size - t->funcdata - funcoff < t->func_entry_size + 4)
		return -EINVAL;
	func = t->funcdata + funcoff;

	/* The _func must agree with the functab (the runtime checks this too). */
	if (t->ver == PCLN_GO118) {
		if (t->text_start + rd32(t->data + func) != entry)
			return -EINVAL;
	} else if (rdptr(t, func) != entry) {
		return -EINVAL;
	}

	nameoff = rd32(t->data + func + t->func_entry_size);
	name_at = (uint64_t)t->names + nameoff;
	if (nameoff & 0x80000000u || name_at >= t->names_end)
		return -EINVAL;
	name = t->data + name_at;
	nul = memchr(name, 0, t->names_end - name_at);
	if (!nul || nul == name)
		return -EINVAL;

	f->name = (const char *)name;
	f->entry = entry;
	f->end = functab_entry(t, i + 1);
	return 0;
}

int gosym_table__from_elf(struct elf_file *ef, struct gosym_table **out)
{
	uint64_t addr, text = 0;
	size_t size, tsize;
	const void *data = elf_file__section(ef, ".gopclntab", &addr, &size);

	*out = NULL;
	if (!data)
		data = elf_file__section(ef, ".data.rel.ro.gopclntab", &addr, &size);
	if (!data)
		return -ENOENT;
	if (!elf_file__section(ef, ".text", &text, &tsize))
		text = 0;
	return gosym_table__parse(data, size, text, out);
}

int gosym_table__for_each_func(const struct gosym_table *t, elf_func_cb cb, void *ctx)
{
	size_t n = gosym_table__count(t);

	for (size_t i = 0; i < n; i++) {
		struct gosym_func f;
		int ret;

		if (gosym_table__func(t, i, &f))
			continue;
		ret = cb(f.name, f.entry, f.end > f.entry ? f.end - f.entry : 0, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int gosym_table__lookup(const struct gosym_table *t, uint64_t pc, struct gosym_func *f)
{
	size_t lo = 0, hi;

	if (!t || pc < functab_entry(t, 0) || pc >= functab_entry(t, t->nfunc))
		return -ENOENT;
	/* Last slot whose entry <= pc; entries were checked ascending at parse time. */
	hi = t->nfunc;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (functab_entry(t, mid) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	if (gosym_table__func(t, lo, f))
		return -ENOENT;
	return 0;
}

/* ---- .go.buildinfo ------------------------------------------------------------------- */

static const char buildinfo_magic[14] = "\xff Go buildinf:";
#define BUILDINFO_HDR	32 /* header before the inline strings */
#define BUILDINFO_ALIGN 16
#define BUILDINFO_SCAN	(64 * 1024)

/* Unsigned LEB128 as Go's binary.Uvarint; 0 bytes consumed on error. */
static size_t uvarint(const uint8_t *p, size_t len, uint64_t *v)
{
	uint64_t x = 0;

	for (size_t i = 0; i < len && i < 10; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

int gosym_buildinfo_version(const void *data, size_t size, char *buf, size_t buflen)
{
	const uint8_t *d = data;
	size_t at, n, scan = size < BUILDINFO_SCAN ? size : BUILDINFO_SCAN;
	uint64_t len;

	if (!d || !buf || !buflen)
		return -EINVAL;
	/* The blob is 16-byte aligned, normally at the start of the section. */
	for (at = 0; at + BUILDINFO_HDR <= scan; at += BUILDINFO_ALIGN)
		if (!memcmp(d + at, buildinfo_magic, sizeof(buildinfo_magic)))
			break;
	if (at + BUILDINFO_HDR > scan)
		return -EINVAL;
	if (!(d[at + 15] & 2))
		return -ENOTSUP; /* Go < 1.18: pointers to strings in the data segment */

	at += BUILDINFO_HDR;
	n = uvarint(d + at, size - at, &len);
	if (!n || len == 0 || len > size - at - n || len >= buflen)
		return -EINVAL;
	for (uint64_t i = 0; i < len; i++) {
		uint8_t c = d[at + n + i];

		if (c < 0x20 || c > 0x7e)
			return -EINVAL;
	}
	memcpy(buf, d + at + n, len);
	buf[len] = '\0';
	return 0;
}

/*
 * runtime.g offsets by Go minor version, each checked against the DWARF of a binary built
 * with that toolchain here (1.17.13, 1.18.10, Debian's 1.19.8, 1.20.14, 1.21.13, 1.22.12,
 * 1.23.12, 1.24.13, 1.25.14, 1.26.8, 1.26.11, 1.27.4). g.stack is g's first field in every
 * version (the runtime's assembly depends on it), so stack.hi stays at 8; goid follows
 * g.sched and the syscall fields, which is what moves:
 *   1.23 added g.syscallbp before goid (0x98 -> 0xa0);
 *   1.25 dropped gobuf.ret from g.sched (0xa0 -> 0x98).
 * Go < 1.17 passes arguments on the stack and the Go-aware probes assume the register ABI,
 * so the table starts at 1.17.
 */
static const struct g_layout {
	unsigned int first, last; /* minor versions, inclusive */
	struct gosym_g_offsets off;
} g_layouts[] = {
	{ 17, 22, { .goid = 0x98, .stack_hi = 8 } },
	{ 23, 24, { .goid = 0xa0, .stack_hi = 8 } },
	{ 25, 27, { .goid = 0x98, .stack_hi = 8 } },
};
#define N_G_LAYOUTS (sizeof(g_layouts) / sizeof(g_layouts[0]))

/*
 * Go minor version of a buildinfo version string: "go1.23.12", "go1.24rc1", "go1.26.8
 * X:nodwarf5", "devel go1.25-abcdef ..."; -1 when there is none.
 */
static long go_minor(const char *version)
{
	const char *p = version ? strstr(version, "go1.") : NULL;
	char *end;
	long minor;

	if (!p || p[4] < '0' || p[4] > '9')
		return -1;
	minor = strtol(p + 4, &end, 10);
	return end > p + 4 && minor >= 0 && minor < 1000 ? minor : -1;
}

int gosym_g_offsets(const char *version, struct gosym_g_offsets *out)
{
	long minor = go_minor(version);

	for (size_t i = 0; i < N_G_LAYOUTS; i++) {
		if (minor >= g_layouts[i].first && minor <= g_layouts[i].last) {
			*out = g_layouts[i].off;
			return 0;
		}
	}
	/* A guess for a binary without DWARF: the nearest version's layout. */
	if (minor > (long)g_layouts[N_G_LAYOUTS - 1].last)
		*out = g_layouts[N_G_LAYOUTS - 1].off;
	else
		*out = g_layouts[0].off;
	return -ENOENT;
}
