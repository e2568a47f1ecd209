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
	bool go120; /* 0xfffffff1: _func.startLine, 16-byte inline tree entries */
	unsigned int ptrsize;
	unsigned int quantum;
	size_t nfunc;
	uint64_t text_start; /* Go 1.18+ only */
	/* byte ranges inside data, [start, end) */
	size_t functab, functab_end;
	size_t funcdata;	      /* base of funcoff */
	size_t names, names_end;      /* funcnametab */
	size_t cutab, cutab_end;      /* Go 1.16+: per-CU file indexes into filetab */
	size_t filetab, filetab_end;  /* Go 1.16+ */
	size_t pctab, pctab_end;      /* Go 1.16+: pcvalue tables */
	unsigned int field_size;      /* size of one functab field */
	unsigned int func_entry_size; /* size of _func.entry */
	/* What FUNCDATA points into (gosym_table__set_funcdata()): vaddr fd_addr on. */
	const uint8_t *fd;
	size_t fd_size;
	uint64_t fd_addr, gofunc;
	/* Copies this table owns (gosym_table__load_elf()), freed with it. */
	void *own_data, *own_fd;
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

/* End of the table at start: next when that follows it inside the data, else the data's end. */
static size_t range_end(uint64_t start, uint64_t next, size_t size)
{
	return next > start && next <= size ? next : size;
}

static int parse_header(struct gosym_table *t, uint64_t text_start)
{
	const uint8_t *d = t->data;
	uint32_t magic;
	unsigned int nwords;
	uint64_t names_off, cu_off, file_off, pc_off, pcln_off;

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
	t->quantum = d[6];
	t->go120 = magic == GO120_MAGIC;
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
		file_off = header_word(t, 4);
		pc_off = header_word(t, 5);
		pcln_off = header_word(t, 6);
		goto offsets;
	case PCLN_GO118:
		t->text_start = header_word(t, 2);
		/* 0: unrelocated (PIE) or no longer written (Go >= 1.26): use the caller's. */
		if (!t->text_start)
			t->text_start = text_start;
		names_off = header_word(t, 3);
		cu_off = header_word(t, 4);
		file_off = header_word(t, 5);
		pc_off = header_word(t, 6);
		pcln_off = header_word(t, 7);
		t->field_size = 4;
		t->func_entry_size = 4;
	offsets:
		if (names_off >= t->size || pcln_off >= t->size)
			return -EINVAL;
		/* Each table is followed by the next; where not, bound it by the data. */
		t->names = names_off;
		t->names_end = range_end(names_off, cu_off, t->size);
		t->cutab = cu_off < t->size ? cu_off : t->size;
		t->cutab_end = range_end(t->cutab, file_off, t->size);
		t->filetab = file_off < t->size ? file_off : t->size;
		t->filetab_end = range_end(t->filetab, pc_off, t->size);
		t->pctab = pc_off < t->size ? pc_off : t->size;
		t->pctab_end = range_end(t->pctab, pcln_off, t->size);
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
	if (!t)
		return;
	free(t->own_data);
	free(t->own_fd);
	free(t);
}

size_t gosym_table__count(const struct gosym_table *t)
{
	return t ? t->nfunc : 0;
}

/* A NUL-terminated string at off inside [start, end) of the data, or NULL. */
static const char *str_at(const struct gosym_table *t, size_t start, size_t end, uint64_t off)
{
	const uint8_t *s;

	if (off >= end - start)
		return NULL;
	s = t->data + start + off;
	return memchr(s, 0, end - start - off) ? (const char *)s : NULL;
}

/* A function name: nameoff into funcnametab (an i32 that must not be negative). */
static const char *func_name(const struct gosym_table *t, uint32_t nameoff)
{
	const char *name;

	if (nameoff & 0x80000000u)
		return NULL;
	name = str_at(t, t->names, t->names_end, nameoff);
	return name && *name ? name : NULL;
}

/* Offset of _func i in the data, holding at least min bytes; 0 when corrupt. */
static size_t func_at(const struct gosym_table *t, size_t i, size_t min)
{
	uint64_t funcoff = functab_funcoff(t, i), entry = functab_entry(t, i);
	size_t func;

	if (funcoff > t->size - t->funcdata || t->size - t->funcdata - funcoff < min)
		return 0;
	func = t->funcdata + funcoff;
	/* The _func must agree with the functab (the runtime checks this too). */
	if (t->ver == PCLN_GO118 ? t->text_start + rd32(t->data + func) != entry
				 : rdptr(t, func) != entry)
		return 0;
	return func;
}

int gosym_table__func(const struct gosym_table *t, size_t i, struct gosym_func *f)
{
	size_t func;

	if (!t || i >= t->nfunc)
		return -EINVAL;
	/* _func must hold its entry and nameoff fields. */
	func = func_at(t, i, t->func_entry_size + 4);
	if (!func)
		return -EINVAL;
	f->name = func_name(t, rd32(t->data + func + t->func_entry_size));
	if (!f->name)
		return -EINVAL;
	f->entry = functab_entry(t, i);
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

/* The functab slot holding pc; -ENOENT if none. */
static int lookup_index(const struct gosym_table *t, uint64_t pc, size_t *i)
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
	*i = lo;
	return 0;
}

int gosym_table__lookup(const struct gosym_table *t, uint64_t pc, struct gosym_func *f)
{
	size_t i;

	if (lookup_index(t, pc, &i) || gosym_table__func(t, i, f))
		return -ENOENT;
	return 0;
}

/* ---- source lines and inlined calls ---------------------------------------------------- */

#define PCDATA_INLTREEINDEX 2
#define FUNCDATA_INLTREE    3
#define MAX_INLINE_DEPTH    64	      /* inlined calls followed at one pc */
#define MAX_INLINE_INDEX    (1 << 20) /* the runtime's own bound on an inline tree */

/* What frames need of one _func (Go 1.16+), every offset inside the data. */
struct func_info {
	const char *name;
	uint64_t entry, end;
	uint32_t pcfile, pcln, cuoff;
	uint32_t npcdata, nfuncdata;
	size_t pcdata;	 /* offset of pcdata[0] */
	size_t funcdata; /* offset of funcdata[0] */
};

/*
 * _func after its entry (4 bytes from Go 1.18, a uintptr before): nameoff args deferreturn
 * pcsp pcfile pcln npcdata cuOffset as u32, startLine i32 (Go 1.20+), then funcID flag pad
 * nfuncdata as bytes; then npcdata u32 pctab offsets; then nfuncdata funcdata: u32 offsets
 * from moduledata.gofunc (Go 1.18+), or pointer-aligned absolute addresses (Go 1.16-1.17).
 */
static int func_info(const struct gosym_table *t, size_t i, struct func_info *fi)
{
	size_t fixed = t->func_entry_size + 36 + (t->go120 ? 4 : 0), func, pcdata_end;
	const uint8_t *p;

	func = func_at(t, i, fixed);
	if (!func)
		return -EINVAL;
	p = t->data + func + t->func_entry_size;
	fi->name = func_name(t, rd32(p));
	if (!fi->name)
		return -EINVAL;
	fi->entry = functab_entry(t, i);
	fi->end = functab_entry(t, i + 1);
	fi->pcfile = rd32(p + 16);
	fi->pcln = rd32(p + 20);
	fi->npcdata = rd32(p + 24);
	fi->cuoff = rd32(p + 28);
	fi->nfuncdata = t->data[func + fixed - 1];
	fi->pcdata = func + fixed;
	if (fi->npcdata > (t->size - fi->pcdata) / 4)
		return -EINVAL;
	pcdata_end = fi->pcdata + (size_t)fi->npcdata * 4;
	if (t->ver == PCLN_GO118) {
		fi->funcdata = pcdata_end;
		if (fi->nfuncdata > (t->size - fi->funcdata) / 4)
			fi->nfuncdata = 0;
	} else {
		/* _func is pointer-aligned in memory, so this aligns the absolute address too. */
		fi->funcdata =
			func + ((pcdata_end - func + t->ptrsize - 1) & ~(size_t)(t->ptrsize - 1));
		if (fi->funcdata > t->size || fi->nfuncdata > (t->size - fi->funcdata) / t->ptrsize)
			fi->nfuncdata = 0;
	}
	return 0;
}

/*
 * The value of the pcvalue table at off in pctab for pc, as runtime.pcvalue decodes it: from
 * -1 at entry, steps of (zigzag value delta, pc delta in quanta) until past pc; a zero value
 * delta after the first step ends the table. Bounded: each step consumes at least 2 bytes.
 */
static int pcvalue(const struct gosym_table *t, uint32_t off, uint64_t entry, uint64_t pc,
		   int32_t *out)
{
	size_t p, end = t->pctab_end;
	uint64_t at = entry, uv, pcd;
	uint32_t val = (uint32_t)-1;
	bool first = true;
	size_t n;

	if (!off || off >= end - t->pctab)
		return -ENOENT;
	for (p = t->pctab + off; p < end; first = false) {
		if (!t->data[p] && !first)
			break;
		n = uvarint(t->data + p, end - p, &uv);
		if (!n)
			return -EINVAL;
		p += n;
		val += -((uint32_t)uv & 1) ^ ((uint32_t)uv >> 1);
		n = uvarint(t->data + p, end - p, &pcd);
		if (!n)
			return -EINVAL;
		p += n;
		at += (uint64_t)(uint32_t)pcd * t->quantum;
		if (pc < at) {
			*out = (int32_t)val;
			return 0;
		}
	}
	return -ENOENT;
}

/* The source file of file index fileno of the function's compilation unit, or NULL. */
static const char *file_name(const struct gosym_table *t, const struct func_info *fi,
			     int32_t fileno)
{
	uint64_t idx = (uint64_t)fi->cuoff + (uint64_t)fileno;
	uint32_t off;

	if (fileno < 0 || idx >= (t->cutab_end - t->cutab) / 4)
		return NULL;
	off = rd32(t->data + t->cutab + idx * 4);
	return off == UINT32_MAX ? NULL : str_at(t, t->filetab, t->filetab_end, off);
}

/* File and line of pc in the function (frames' unknowns: NULL, 0). */
static void file_line(const struct gosym_table *t, const struct func_info *fi, uint64_t pc,
		      struct src_frame *fr)
{
	int32_t v;

	fr->file = pcvalue(t, fi->pcfile, fi->entry, pc, &v) ? NULL : file_name(t, fi, v);
	fr->line = pcvalue(t, fi->pcln, fi->entry, pc, &v) || v < 0 ? 0 : (uint32_t)v;
}

/* The bytes of funcdata, len of them, at vaddr; NULL outside what set_funcdata() gave. */
static const uint8_t *fd_bytes(const struct gosym_table *t, uint64_t vaddr, size_t len)
{
	if (!t->fd || vaddr < t->fd_addr || vaddr - t->fd_addr > t->fd_size ||
	    t->fd_size - (vaddr - t->fd_addr) < len)
		return NULL;
	return t->fd + (vaddr - t->fd_addr);
}

/* Address of the function's inline tree; 0 when it has none (or it is out of reach). */
static uint64_t inline_tree(const struct gosym_table *t, const struct func_info *fi)
{
	uint32_t off;

	if (fi->nfuncdata <= FUNCDATA_INLTREE || !t->fd)
		return 0;
	if (t->ver != PCLN_GO118)
		return rdptr(t, fi->funcdata + FUNCDATA_INLTREE * t->ptrsize);
	off = rd32(t->data + fi->funcdata + FUNCDATA_INLTREE * 4);
	return off == UINT32_MAX ? 0 : t->gofunc + off;
}

struct inl_call {
	const char *name;
	uint32_t parent_pc; /* from the entry of the function holding the inlined code */
};

/*
 * Entry ix of the inline tree at tree. Go 1.20+ (16 bytes): funcID u8, pad[3], nameOff i32,
 * parentPc i32, startLine i32. Go 1.16-1.19 (20 bytes): parent i16, funcID u8, pad, file
 * i32, line i32, func i32 (nameoff), parentPc i32.
 */
static int inl_call(const struct gosym_table *t, const struct func_info *fi, uint64_t tree,
		    int32_t ix, struct inl_call *c)
{
	size_t esize = t->go120 ? 16 : 20;
	const uint8_t *e;
	uint32_t ppc;

	if (ix < 0 || ix >= MAX_INLINE_INDEX)
		return -EINVAL;
	e = fd_bytes(t, tree + (uint64_t)ix * esize, esize);
	if (!e)
		return -EINVAL;
	c->name = func_name(t, rd32(e + (t->go120 ? 4 : 12)));
	ppc = rd32(e + (t->go120 ? 8 : 16));
	if (!c->name || ppc >= fi->end - fi->entry)
		return -EINVAL;
	c->parent_pc = ppc;
	return 0;
}

/* The inline tree index at pc: -1 when pc is in the function's own code. */
static int32_t inline_index(const struct gosym_table *t, const struct func_info *fi, uint64_t pc)
{
	int32_t ix;

	if (fi->npcdata <= PCDATA_INLTREEINDEX ||
	    pcvalue(t, rd32(t->data + fi->pcdata + PCDATA_INLTREEINDEX * 4), fi->entry, pc, &ix))
		return -1;
	return ix;
}

int gosym_table__set_funcdata(struct gosym_table *t, const void *data, size_t size, uint64_t addr,
			      uint64_t gofunc)
{
	if (!t || (!data && size))
		return -EINVAL;
	t->fd = data;
	t->fd_size = size;
	t->fd_addr = addr;
	t->gofunc = gofunc;
	return 0;
}

int gosym_table__frames(const struct gosym_table *t, uint64_t pc, struct src_frame *frames, int max)
{
	struct src_frame tmp[MAX_INLINE_DEPTH];
	struct func_info fi;
	struct inl_call c;
	uint64_t tree;
	size_t i;
	int n = 0, skip;

	if (!t || max < 1)
		return -EINVAL;
	if (t->ver == PCLN_GO12)
		return -ENOTSUP;
	if (lookup_index(t, pc, &i) || func_info(t, i, &fi))
		return -ENOENT;
	tree = inline_tree(t, &fi);
	/*
	 * As the runtime's inlineUnwinder: the inline index at pc names the innermost inlined
	 * function; its parentPc is an instruction of the caller whose file:line is the call
	 * site and whose own index names the caller, up to the function itself (index -1).
	 */
	for (;;) {
		file_line(t, &fi, pc, &tmp[n]);
		if (!tree || n + 1 == MAX_INLINE_DEPTH ||
		    inl_call(t, &fi, tree, inline_index(t, &fi, pc), &c))
			break;
		tmp[n++].func = c.name;
		pc = fi.entry + c.parent_pc;
	}
	tmp[n++].func = fi.name;
	skip = n > max ? n - max : 0;
	memcpy(frames, tmp + skip, (size_t)(n - skip) * sizeof(*tmp));
	return n - skip;
}

/* ---- finding FUNCDATA's bytes in a file ------------------------------------------------ */

/* Sections that hold go:func.* (Go 1.18-1.25: .rodata; 1.26+: inside .gopclntab). */
static const char *const funcdata_sections[] = {".gopclntab", ".data.rel.ro.gopclntab", ".rodata",
						".data.rel.ro"};
/* Sections that hold runtime.firstmoduledata (1.26+: its own .go.module). */
static const char *const moduledata_sections[] = {".go.module", ".noptrdata", ".data",
						  ".data.rel.ro"};
#define NELEM(a)      (sizeof(a) / sizeof((a)[0]))
#define MD_TEXT	      22 /* moduledata word: text (after pcHeader, 6 slices, 4 words) */
#define MD_MAX	      64 /* words of moduledata looked at for gofunc */
#define GOFUNC_CHECKS 32 /* inline trees that must decode for a gofunc guess to hold */

/* Where vaddr falls among the sections that may hold funcdata: their bytes from vaddr on. */
static const uint8_t *section_from(struct elf_file *ef, uint64_t vaddr, size_t *len)
{
	for (size_t i = 0; i < NELEM(funcdata_sections); i++) {
		uint64_t addr;
		size_t size;
		const uint8_t *d = elf_file__section(ef, funcdata_sections[i], &addr, &size);

		if (d && vaddr >= addr && vaddr - addr < size) {
			*len = size - (vaddr - addr);
			return d + (vaddr - addr);
		}
	}
	return NULL;
}

/*
 * Whether FUNCDATA as t has it now makes sense: the inline trees of the first functions that
 * have one decode to named functions and call sites inside their holders. Go's moduledata
 * moves fields between versions (1.20 added covctrs, 1.27 typedesclen and itabs), so gofunc
 * is a guess among its words that this check confirms.
 */
static bool funcdata_checks(const struct gosym_table *t)
{
	unsigned int ok = 0;

	for (size_t i = 0; i < t->nfunc && ok < GOFUNC_CHECKS; i++) {
		struct func_info fi;
		struct inl_call c;
		uint64_t tree;

		if (func_info(t, i, &fi) || !(tree = inline_tree(t, &fi)))
			continue;
		if (inl_call(t, &fi, tree, 0, &c))
			return false;
		ok++;
	}
	return true;
}

/* The moduledata whose pcHeader is the table at pcln (and whose funcnametab agrees). */
static const uint8_t *find_moduledata(struct elf_file *ef, const struct gosym_table *t,
				      uint64_t pcln, size_t *len)
{
	for (size_t i = 0; i < NELEM(moduledata_sections); i++) {
		size_t size, words = MD_MAX * t->ptrsize;
		const uint8_t *d = elf_file__section(ef, moduledata_sections[i], NULL, &size);

		for (size_t at = 0; d && size >= words && at <= size - words; at += t->ptrsize) {
			if (rd64(d + at) == pcln && rd64(d + at + 8) == pcln + t->names) {
				*len = size - at;
				return d + at;
			}
		}
	}
	return NULL;
}

/* gofunc (Go 1.18+): the moduledata word that makes funcdata_checks() hold. */
static int find_gofunc(struct elf_file *ef, struct gosym_table *t, uint64_t pcln)
{
	/* Where Go 1.18-1.19, 1.20-1.26 and 1.27 have it; then every other word. */
	static const unsigned int known[] = {40, 38, 43};
	size_t len, flen;
	const uint8_t *md = find_moduledata(ef, t, pcln, &len), *d;

	if (!md || t->ptrsize != 8)
		return -ENOENT;
	for (unsigned int k = 0; k < NELEM(known) + MD_MAX; k++) {
		unsigned int w = k < NELEM(known) ? known[k] : k - NELEM(known);
		uint64_t v;

		if (w <= MD_TEXT || (k >= NELEM(known) && (w == 38 || w == 40 || w == 43)))
			continue;
		v = rd64(md + w * 8);
		d = section_from(ef, v, &flen);
		if (!d)
			continue;
		gosym_table__set_funcdata(t, d, flen, v, v);
		if (funcdata_checks(t))
			return 0;
	}
	gosym_table__set_funcdata(t, NULL, 0, 0, 0);
	return -ENOENT;
}

int gosym_table__load_elf(struct elf_file *ef, struct gosym_table **out)
{
	struct gosym_table *t;
	uint64_t pcln = 0, rodata;
	const void *d;
	size_t size;
	int err;

	*out = NULL;
	err = gosym_table__from_elf(ef, &t);
	if (err)
		return err;
	for (size_t i = 0; i < 2 && !pcln; i++)
		if (elf_file__section(ef, funcdata_sections[i], &pcln, &size) != (void *)t->data)
			pcln = 0;
	/* Inline trees: best effort, a table without them still has files and lines. */
	if (t->ver == PCLN_GO118 && pcln)
		find_gofunc(ef, t, pcln);
	else if (t->ver == PCLN_GO116 && (d = elf_file__section(ef, ".rodata", &rodata, &size)))
		gosym_table__set_funcdata(t, d, size, rodata, 0);

	t->own_data = malloc(t->size);
	if (!t->own_data)
		goto nomem;
	memcpy(t->own_data, t->data, t->size);
	if (t->fd && t->fd >= t->data && t->fd < t->data + t->size) {
		/* go:func.* inside the table (Go 1.26+): no second copy */
		t->fd = (const uint8_t *)t->own_data + (t->fd - t->data);
	} else if (t->fd) {
		t->own_fd = malloc(t->fd_size);
		if (!t->own_fd)
			goto nomem;
		memcpy(t->own_fd, t->fd, t->fd_size);
		t->fd = t->own_fd;
	}
	t->data = t->own_data;
	*out = t;
	return 0;
nomem:
	gosym_table__free(t);
	return -ENOMEM;
}

/* ---- .go.buildinfo ------------------------------------------------------------------- */

static const char buildinfo_magic[14] = "\xff Go buildinf:";
#define BUILDINFO_HDR	32 /* header before the inline strings */
#define BUILDINFO_ALIGN 16
#define BUILDINFO_SCAN	(64 * 1024)

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
