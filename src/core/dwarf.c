// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF through libdw. libdw decompresses Go's SHF_COMPRESSED .debug_* sections itself.
 * We walk DIE trees by hand instead of libdw's recursive visitors so that every walk has a
 * bound we chose: a hostile file can make sibling links loop or type chains cycle.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dwarf.h"

#define MAX_SIBLINGS	 (1u << 20) /* DIEs visited per child list */
#define MAX_CUS		 (1u << 16)
#define MAX_DIES_SCANNED (1u << 22) /* top-level DIEs looked at when searching a type */
#define MAX_TYPE_DEPTH	 16
#define MAX_LINES	 (1u << 24)
#define TYPE_NAME_MAX	 256
#define MAX_ARRAY_DIMS	 8

struct dwarf_file {
	int fd;
	Elf *elf;
	Dwarf *dw;
};

int dwarf_file__open(const char *path, struct dwarf_file **out)
{
	struct dwarf_file *df;
	int err;

	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	df = calloc(1, sizeof(*df));
	if (!df)
		return -ENOMEM;
	df->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (df->fd < 0) {
		err = -errno;
		free(df);
		return err;
	}
	err = -ENOEXEC;
	df->elf = elf_begin(df->fd, ELF_C_READ_MMAP, NULL);
	if (!df->elf || elf_kind(df->elf) != ELF_K_ELF)
		goto fail;
	err = -ENOENT;
	df->dw = dwarf_begin_elf(df->elf, DWARF_C_READ, NULL);
	if (!df->dw)
		goto fail;
	*out = df;
	return 0;
fail:
	dwarf_file__close(df);
	return err;
}

void dwarf_file__close(struct dwarf_file *df)
{
	if (!df)
		return;
	if (df->dw)
		dwarf_end(df->dw);
	if (df->elf)
		elf_end(df->elf);
	if (df->fd >= 0)
		close(df->fd);
	free(df);
}

/* ---- finding the function ------------------------------------------------------------ */

/* The CU holding addr: libdw's aranges (built from CU ranges when .debug_aranges is absent),
 * else a scan of every CU's ranges. */
static int find_cu(struct dwarf_file *df, uint64_t addr, Dwarf_Die *cu)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	unsigned int n = 0;

	if (dwarf_addrdie(df->dw, addr, cu))
		return 0;
	while (n++ < MAX_CUS && dwarf_nextcu(df->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (next <= off)
			break;
		if (dwarf_offdie(df->dw, off + hsize, cu) && dwarf_haspc(cu, addr) > 0)
			return 0;
		off = next;
	}
	return -ENOENT;
}

static bool is_func_at(Dwarf_Die *die, uint64_t addr)
{
	return dwarf_tag(die) == DW_TAG_subprogram && dwarf_haspc(die, addr) > 0;
}

/* The subprogram holding addr among the CU's children (one level into namespaces). */
static int find_func(struct dwarf_file *df, uint64_t addr, Dwarf_Die *fn)
{
	Dwarf_Die cu, die, inner;
	unsigned int n = 0;

	if (find_cu(df, addr, &cu) || dwarf_child(&cu, &die))
		return -ENOENT;
	do {
		int tag = dwarf_tag(&die);

		if (is_func_at(&die, addr)) {
			*fn = die;
			return 0;
		}
		if ((tag == DW_TAG_namespace || tag == DW_TAG_module) &&
		    !dwarf_child(&die, &inner)) {
			do {
				if (is_func_at(&inner, addr)) {
					*fn = inner;
					return 0;
				}
			} while (++n < MAX_SIBLINGS && dwarf_siblingof(&inner, &inner) == 0);
		}
	} while (++n < MAX_SIBLINGS && dwarf_siblingof(&die, &die) == 0);
	return -ENOENT;
}

static int prologue_end_in(Dwarf_Die *fn, uint64_t low, uint64_t high, uint64_t *addr)
{
	Dwarf_Die cu;
	Dwarf_Lines *lines;
	size_t nlines;
	uint64_t best = 0;

	if (!dwarf_diecu(fn, &cu, NULL, NULL) || dwarf_getsrclines(&cu, &lines, &nlines))
		return -ENOENT;
	if (nlines > MAX_LINES)
		nlines = MAX_LINES;
	for (size_t i = 0; i < nlines; i++) {
		Dwarf_Line *line = dwarf_onesrcline(lines, i);
		Dwarf_Addr a;
		bool pe;

		if (!line || dwarf_lineaddr(line, &a) || dwarf_lineprologueend(line, &pe) || !pe)
			continue;
		if (a >= low && a < high && (!best || a < best))
			best = a;
	}
	if (!best)
		return -ENOENT;
	*addr = best;
	return 0;
}

static int func_range(Dwarf_Die *fn, uint64_t *low, uint64_t *high)
{
	Dwarf_Addr lo, hi;

	if (dwarf_lowpc(fn, &lo) || dwarf_highpc(fn, &hi) || hi <= lo)
		return -ENOENT;
	*low = lo;
	*high = hi;
	return 0;
}

int dwarf_file__prologue_end(struct dwarf_file *df, uint64_t func_addr, uint64_t *addr)
{
	Dwarf_Die fn;
	uint64_t low, high;

	if (!df || find_func(df, func_addr, &fn) || func_range(&fn, &low, &high))
		return -ENOENT;
	return prologue_end_in(&fn, low, high, addr);
}

/* ---- types ------------------------------------------------------------------------------ */

static bool die_type(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, DW_AT_type, &attr) && dwarf_formref_die(&attr, type);
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, DW_AT_name, &attr) ? dwarf_formstring(&attr) : NULL;
}

static bool is_qualifier(int tag)
{
	return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
	       tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type;
}

/* Follow typedefs and qualifiers to the type that has a shape; false on a cycle. */
static bool peel(Dwarf_Die *type, Dwarf_Die *out)
{
	Dwarf_Die t = *type;

	for (int depth = 0; depth < MAX_TYPE_DEPTH; depth++) {
		int tag = dwarf_tag(&t);

		if (tag != DW_TAG_typedef && !is_qualifier(tag)) {
			*out = t;
			return true;
		}
		if (!die_type(&t, &t))
			return false; /* typedef of void */
	}
	return false;
}

static enum dwarf_type_kind type_kind(Dwarf_Die *type)
{
	Dwarf_Die t;
	Dwarf_Attribute attr;
	Dwarf_Word enc;

	if (!peel(type, &t))
		return DWARF_TYPE_OTHER;
	switch (dwarf_tag(&t)) {
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		return DWARF_TYPE_PTR;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
		return DWARF_TYPE_STRUCT;
	case DW_TAG_array_type:
		return DWARF_TYPE_ARRAY;
	case DW_TAG_enumeration_type:
		return DWARF_TYPE_INT;
	case DW_TAG_base_type:
		if (!dwarf_attr(&t, DW_AT_encoding, &attr) || dwarf_formudata(&attr, &enc))
			return DWARF_TYPE_OTHER;
		switch (enc) {
		case DW_ATE_signed:
		case DW_ATE_signed_char:
			return DWARF_TYPE_INT;
		case DW_ATE_unsigned:
		case DW_ATE_unsigned_char:
		case DW_ATE_UTF:
			return DWARF_TYPE_UINT;
		case DW_ATE_float:
			return DWARF_TYPE_FLOAT;
		case DW_ATE_boolean:
			return DWARF_TYPE_BOOL;
		}
		return DWARF_TYPE_OTHER;
	}
	return DWARF_TYPE_OTHER;
}

static uint64_t array_count(Dwarf_Die *arr)
{
	Dwarf_Die sub;
	Dwarf_Attribute attr;
	Dwarf_Word v;
	uint64_t total = 1;
	unsigned int dims = 0;

	if (dwarf_child(arr, &sub))
		return 0;
	do {
		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		if (dwarf_attr(&sub, DW_AT_count, &attr) && !dwarf_formudata(&attr, &v))
			;
		else if (dwarf_attr(&sub, DW_AT_upper_bound, &attr) && !dwarf_formudata(&attr, &v))
			v++;
		else
			return 0;
		if (v && total > UINT64_MAX / v)
			return 0;
		total *= v;
	} while (++dims < MAX_ARRAY_DIMS && dwarf_siblingof(&sub, &sub) == 0);
	return dims ? total : 0;
}

/* Byte size of a type, by our own bounded walk; 0 when unknown. */
static uint64_t type_size(Dwarf_Die *type)
{
	Dwarf_Die t, elem;
	Dwarf_Attribute attr;
	Dwarf_Word sz;
	uint64_t n, es;

	if (!peel(type, &t))
		return 0;
	if (dwarf_attr(&t, DW_AT_byte_size, &attr) && !dwarf_formudata(&attr, &sz))
		return sz;
	switch (dwarf_tag(&t)) {
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		return 8;
	case DW_TAG_array_type:
		/* One level: the element's own size must be direct (no nested arrays). */
		if (!die_type(&t, &elem) || !peel(&elem, &elem))
			return 0;
		if (!dwarf_attr(&elem, DW_AT_byte_size, &attr) || dwarf_formudata(&attr, &sz))
			return dwarf_tag(&elem) == DW_TAG_pointer_type ? 8 * array_count(&t) : 0;
		es = sz;
		n = array_count(&t);
		return es && n <= UINT64_MAX / es ? es * n : 0;
	}
	return 0;
}

static void append(char *buf, size_t len, const char *s)
{
	size_t at = strlen(buf);

	if (at < len)
		snprintf(buf + at, len - at, "%s", s);
}

static void prepend(char *buf, size_t len, const char *s)
{
	size_t sl = strlen(s), bl = strlen(buf);

	if (sl + bl + 1 > len)
		return;
	memmove(buf + sl, buf, bl + 1);
	memcpy(buf, s, sl);
}

/*
 * A C-like name for a type: its own name when it has one (every Go type does), else built
 * from pointers and qualifiers: "const char *".
 */
static void type_name(Dwarf_Die *type, bool go, char *buf, size_t len)
{
	char suffix[TYPE_NAME_MAX] = "", prefix[TYPE_NAME_MAX] = "";
	Dwarf_Die t = *type;
	const char *name = NULL;

	buf[0] = '\0';
	for (int depth = 0; depth < MAX_TYPE_DEPTH; depth++) {
		int tag = dwarf_tag(&t);
		const char *tag_prefix = "";
		char dim[32];

		name = die_name(&t);
		if (name) {
			switch (tag) {
			case DW_TAG_structure_type:
				tag_prefix = go ? "" : "struct ";
				break;
			case DW_TAG_union_type:
				tag_prefix = "union ";
				break;
			case DW_TAG_enumeration_type:
				tag_prefix = "enum ";
				break;
			}
			snprintf(buf, len, "%s%s%s%s", prefix, tag_prefix, name, suffix);
			return;
		}
		if (tag == DW_TAG_pointer_type) {
			prepend(suffix, sizeof(suffix), " *");
		} else if (tag == DW_TAG_const_type) {
			append(prefix, sizeof(prefix), "const ");
		} else if (tag == DW_TAG_volatile_type) {
			append(prefix, sizeof(prefix), "volatile ");
		} else if (tag == DW_TAG_array_type) {
			snprintf(dim, sizeof(dim), "[%llu]", (unsigned long long)array_count(&t));
			append(suffix, sizeof(suffix), dim);
		} else if (tag == DW_TAG_structure_type) {
			snprintf(buf, len, "%sstruct <anon>%s", prefix, suffix);
			return;
		} else if (tag == DW_TAG_subroutine_type) {
			snprintf(buf, len, "%sfunc%s", prefix, suffix);
			return;
		}
		if (!die_type(&t, &t)) {
			/* void */
			snprintf(buf, len, "%svoid%s", prefix, suffix);
			return;
		}
	}
	snprintf(buf, len, "?");
}

/* ---- locations --------------------------------------------------------------------------- */

static bool piece_push(struct dwarf_loc *loc, const struct dwarf_piece *p)
{
	if (loc->npieces == DWARF_MAX_PIECES)
		return false;
	loc->pieces[loc->npieces++] = *p;
	return true;
}

/*
 * The simple expressions compilers emit for parameters at entry: a register, a memory slot
 * relative to CFA/frame base/register, or pieces of those. Anything else is UNSUPPORTED.
 */
static void parse_expr(const Dwarf_Op *ops, size_t n, struct dwarf_loc *loc)
{
	struct dwarf_piece cur = {.kind = DWARF_LOC_NONE};
	bool have = false;

	memset(loc, 0, sizeof(*loc));
	for (size_t i = 0; i < n; i++) {
		const Dwarf_Op *op = &ops[i];
		uint8_t a = op->atom;

		if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
			cur = (struct dwarf_piece){.kind = DWARF_LOC_REG, .reg = a - DW_OP_reg0};
			have = true;
		} else if (a == DW_OP_regx) {
			cur = (struct dwarf_piece){.kind = DWARF_LOC_REG, .reg = (int)op->number};
			have = true;
		} else if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
			cur = (struct dwarf_piece){.kind = DWARF_LOC_BREG,
						   .reg = a - DW_OP_breg0,
						   .off = (int64_t)op->number};
			have = true;
		} else if (a == DW_OP_fbreg) {
			cur = (struct dwarf_piece){.kind = DWARF_LOC_FBREG,
						   .off = (int64_t)op->number};
			have = true;
		} else if (a == DW_OP_call_frame_cfa) {
			cur = (struct dwarf_piece){.kind = DWARF_LOC_CFA};
			have = true;
		} else if (a == DW_OP_addr) {
			cur = (struct dwarf_piece){.kind = DWARF_LOC_ADDR,
						   .off = (int64_t)op->number};
			have = true;
		} else if (a == DW_OP_plus_uconst && have && cur.kind != DWARF_LOC_REG) {
			cur.off += (int64_t)op->number;
		} else if ((a == DW_OP_consts || a == DW_OP_constu) && i + 1 < n &&
			   ops[i + 1].atom == DW_OP_plus && have && cur.kind != DWARF_LOC_REG) {
			cur.off += (int64_t)op->number;
			i++;
		} else if (a == DW_OP_piece) {
			struct dwarf_piece p = have ? cur : (struct dwarf_piece){0};

			p.size = (uint32_t)op->number;
			if (!piece_push(loc, &p))
				goto unsupported;
			have = false;
		} else {
			goto unsupported;
		}
	}
	if (have && !loc->npieces)
		piece_push(loc, &cur);
	else if (have)
		goto unsupported; /* a trailing part without its piece size */
	return;
unsupported:
	memset(loc, 0, sizeof(*loc));
	loc->npieces = 1;
	loc->pieces[0].kind = DWARF_LOC_UNSUPPORTED;
}

static bool leb128(const uint8_t **p, const uint8_t *end, bool sign, uint64_t *v)
{
	uint64_t x = 0;
	unsigned int shift = 0;
	uint8_t b;

	do {
		if (*p >= end || shift >= 64)
			return false;
		b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (sign && shift < 64 && (b & 0x40))
		x |= ~0ull << shift;
	*v = x;
	return true;
}

/*
 * Decode the operations parse_expr() understands from a raw block. Go writes single
 * expressions (`DW_OP_call_frame_cfa` for a stack argument) as DW_FORM_block1, which libdw
 * refuses as a location in a DWARF 4 unit. Returns the number of ops, -1 on anything else.
 */
static int decode_block(const uint8_t *p, size_t len, Dwarf_Op *ops, int max)
{
	const uint8_t *end = p + len;
	int n = 0;

	while (p < end) {
		Dwarf_Op *op = &ops[n];
		uint8_t a = *p++;
		bool ok = true;

		if (n == max)
			return -1;
		memset(op, 0, sizeof(*op));
		op->atom = a;
		if ((a >= DW_OP_reg0 && a <= DW_OP_reg31) || a == DW_OP_call_frame_cfa ||
		    a == DW_OP_plus)
			;
		else if (a >= DW_OP_breg0 && a <= DW_OP_breg31)
			ok = leb128(&p, end, true, &op->number);
		else if (a == DW_OP_fbreg || a == DW_OP_consts)
			ok = leb128(&p, end, true, &op->number);
		else if (a == DW_OP_regx || a == DW_OP_piece || a == DW_OP_plus_uconst ||
			 a == DW_OP_constu)
			ok = leb128(&p, end, false, &op->number);
		else if (a == DW_OP_addr && end - p >= 8) {
			memcpy(&op->number, p, 8);
			p += 8;
		} else
			return -1;
		if (!ok)
			return -1;
		n++;
	}
	return n;
}

#define MAX_BLOCK_OPS 32

static void param_location(Dwarf_Die *param, uint64_t pc, struct dwarf_loc *loc)
{
	Dwarf_Op ops[MAX_BLOCK_OPS], *expr;
	Dwarf_Attribute attr;
	Dwarf_Block block;
	size_t len;
	int n;

	memset(loc, 0, sizeof(*loc));
	if (!dwarf_attr_integrate(param, DW_AT_location, &attr))
		return;
	if (dwarf_getlocation_addr(&attr, pc, &expr, &len, 1) == 1) {
		if (len)
			parse_expr(expr, len, loc);
		return;
	}
	/* A plain block holds for the whole function. */
	if (dwarf_formblock(&attr, &block) || !block.length)
		return;
	n = decode_block(block.data, block.length, ops, MAX_BLOCK_OPS);
	if (n > 0) {
		parse_expr(ops, (size_t)n, loc);
	} else {
		loc->npieces = 1;
		loc->pieces[0].kind = DWARF_LOC_UNSUPPORTED;
	}
}

/* ---- parameters -------------------------------------------------------------------------- */

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int add_members(struct dwarf_param *p, Dwarf_Die *type, bool go)
{
	Dwarf_Die t, m, mt;
	unsigned int n = 0;

	if (!peel(type, &t) || dwarf_child(&t, &m))
		return 0;
	p->members = calloc(DWARF_MAX_MEMBERS, sizeof(*p->members));
	if (!p->members)
		return -ENOMEM;
	do {
		struct dwarf_member *dm;
		Dwarf_Attribute attr;
		Dwarf_Word off = 0;
		char tname[TYPE_NAME_MAX] = "?";

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		dm = &p->members[p->nmembers];
		if (dwarf_attr(&m, DW_AT_data_member_location, &attr))
			dwarf_formudata(&attr, &off); /* a location expression stays 0 */
		if (die_type(&m, &mt)) {
			type_name(&mt, go, tname, sizeof(tname));
			dm->kind = type_kind(&mt);
			dm->size = type_size(&mt);
		}
		dm->offset = off;
		dm->name = dup_or_empty(die_name(&m));
		dm->type = strdup(tname);
		p->nmembers++;
		if (!dm->name || !dm->type)
			return -ENOMEM;
	} while (p->nmembers < DWARF_MAX_MEMBERS && ++n < MAX_SIBLINGS &&
		 dwarf_siblingof(&m, &m) == 0);
	return 0;
}

static int add_param(struct dwarf_func *f, Dwarf_Die *die, bool go)
{
	struct dwarf_param *p = &f->params[f->nparams];
	Dwarf_Attribute attr;
	Dwarf_Die type;
	char tname[TYPE_NAME_MAX] = "?";
	bool flag = false;

	f->nparams++;
	if (die_type(die, &type)) {
		type_name(&type, go, tname, sizeof(tname));
		p->kind = type_kind(&type);
		p->size = type_size(&type);
	}
	p->name = dup_or_empty(die_name(die));
	p->type = strdup(tname);
	if (!p->name || !p->type)
		return -ENOMEM;
	if (dwarf_attr_integrate(die, DW_AT_variable_parameter, &attr) &&
	    !dwarf_formflag(&attr, &flag))
		p->is_result = flag;
	param_location(die, f->low_pc, &p->loc);
	if (p->kind == DWARF_TYPE_STRUCT)
		return add_members(p, &type, go);
	return 0;
}

static bool cu_is_go(Dwarf_Die *die)
{
	Dwarf_Die cu;

	return dwarf_diecu(die, &cu, NULL, NULL) && dwarf_srclang(&cu) == DW_LANG_Go;
}

/*
 * DW_AT_frame_base is DW_OP_call_frame_cfa for Go and gcc. Go writes it as DW_FORM_block1,
 * which libdw's location API refuses in a DWARF 4 unit, so look at the raw block too.
 */
static bool frame_base_is_cfa(Dwarf_Die *fn)
{
	Dwarf_Attribute attr;
	Dwarf_Block block;
	Dwarf_Op *expr;
	size_t len;

	if (!dwarf_attr(fn, DW_AT_frame_base, &attr))
		return false;
	if (dwarf_getlocation(&attr, &expr, &len) == 0)
		return len == 1 && expr[0].atom == DW_OP_call_frame_cfa;
	return dwarf_formblock(&attr, &block) == 0 && block.length == 1 &&
	       block.data[0] == DW_OP_call_frame_cfa;
}

int dwarf_file__func(struct dwarf_file *df, uint64_t func_addr, struct dwarf_func *out)
{
	Dwarf_Die fn, child;
	unsigned int n = 0;
	bool go;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!df || find_func(df, func_addr, &fn) || func_range(&fn, &out->low_pc, &out->high_pc))
		return -ENOENT;
	go = cu_is_go(&fn);
	out->name = dup_or_empty(die_name(&fn));
	out->params = calloc(DWARF_MAX_PARAMS, sizeof(*out->params));
	if (!out->name || !out->params) {
		dwarf_func__free(out);
		return -ENOMEM;
	}
	prologue_end_in(&fn, out->low_pc, out->high_pc, &out->prologue_end);
	out->frame_base_is_cfa = frame_base_is_cfa(&fn);

	if (dwarf_child(&fn, &child) == 0) {
		do {
			if (dwarf_tag(&child) == DW_TAG_formal_parameter)
				err = add_param(out, &child, go);
		} while (!err && out->nparams < DWARF_MAX_PARAMS && ++n < MAX_SIBLINGS &&
			 dwarf_siblingof(&child, &child) == 0);
	}
	if (err) {
		dwarf_func__free(out);
		return err;
	}
	/* Go's and gcc's frame base is the CFA: say so once, so users handle only CFA. */
	for (unsigned int i = 0; out->frame_base_is_cfa && i < out->nparams; i++) {
		struct dwarf_loc *loc = &out->params[i].loc;

		for (unsigned int k = 0; k < loc->npieces; k++)
			if (loc->pieces[k].kind == DWARF_LOC_FBREG)
				loc->pieces[k].kind = DWARF_LOC_CFA;
	}
	return 0;
}

void dwarf_func__free(struct dwarf_func *f)
{
	if (!f)
		return;
	for (unsigned int i = 0; f->params && i < f->nparams; i++) {
		struct dwarf_param *p = &f->params[i];

		for (unsigned int j = 0; p->members && j < p->nmembers; j++) {
			free(p->members[j].name);
			free(p->members[j].type);
		}
		free(p->members);
		free(p->name);
		free(p->type);
	}
	free(f->params);
	free(f->name);
	memset(f, 0, sizeof(*f));
}

/* ---- Go's runtime.g --------------------------------------------------------------------- */

static int member_offset(Dwarf_Die *st, const char *name, uint64_t *off, Dwarf_Die *type)
{
	Dwarf_Die m;
	unsigned int n = 0;

	if (dwarf_child(st, &m))
		return -ENOENT;
	do {
		Dwarf_Attribute attr;
		Dwarf_Word v;
		const char *mn;

		if (dwarf_tag(&m) != DW_TAG_member || !(mn = die_name(&m)) || strcmp(mn, name))
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &attr) ||
		    dwarf_formudata(&attr, &v))
			return -EINVAL;
		*off = v;
		if (type && (!die_type(&m, type) || !peel(type, type)))
			return -EINVAL;
		return 0;
	} while (++n < MAX_SIBLINGS && dwarf_siblingof(&m, &m) == 0);
	return -ENOENT;
}

static bool find_struct(struct dwarf_file *df, const char *name, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	unsigned int ncu = 0, n = 0; /* n: DIEs over all CUs, so many small CUs stay bounded */

	while (ncu++ < MAX_CUS && dwarf_nextcu(df->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (next <= off || n >= MAX_DIES_SCANNED)
			break;
		if (dwarf_offdie(df->dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *dn;

				if (dwarf_tag(&die) == DW_TAG_structure_type &&
				    (dn = dwarf_diename(&die)) && !strcmp(dn, name)) {
					*out = die;
					return true;
				}
			} while (++n < MAX_DIES_SCANNED && dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return false;
}

int dwarf_file__go_g_offsets(struct dwarf_file *df, struct dwarf_go_g *out)
{
	Dwarf_Die g, stack;
	uint64_t goid, st, hi;

	if (!df || !find_struct(df, "runtime.g", &g))
		return -ENOENT;
	if (member_offset(&g, "goid", &goid, NULL) || member_offset(&g, "stack", &st, &stack) ||
	    member_offset(&stack, "hi", &hi, NULL))
		return -EINVAL;
	if (goid > UINT32_MAX || st + hi > UINT32_MAX)
		return -EINVAL;
	out->goid = (uint32_t)goid;
	out->stack_hi = (uint32_t)(st + hi);
	return 0;
}

const char *dwarf_reg_name(int reg)
{
	/* x86-64 psABI DWARF numbering: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip */
	static const char *const names[] = {"ax",  "dx",  "cx",	 "bx",	"si",  "di",
					    "bp",  "sp",  "r8",	 "r9",	"r10", "r11",
					    "r12", "r13", "r14", "r15", "ip"};

	if (reg < 0 || reg >= (int)(sizeof(names) / sizeof(names[0])))
		return NULL;
	return names[reg];
}
