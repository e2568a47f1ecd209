// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF types and location expressions, one DIE at a time (libdw). Every walk is bounded:
 * type chains can cycle in a hostile file.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dwarf_die.h"

#define MAX_TYPE_DEPTH 16
#define MAX_ARRAY_DIMS 8

/* ---- types ------------------------------------------------------------------------------ */

bool dw_die_type(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, DW_AT_type, &attr) && dwarf_formref_die(&attr, type);
}

const char *dw_die_name(Dwarf_Die *die)
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
bool dw_type_peel(Dwarf_Die *type, Dwarf_Die *out)
{
	Dwarf_Die t = *type;

	for (int depth = 0; depth < MAX_TYPE_DEPTH; depth++) {
		int tag = dwarf_tag(&t);

		if (tag != DW_TAG_typedef && !is_qualifier(tag)) {
			*out = t;
			return true;
		}
		if (!dw_die_type(&t, &t))
			return false; /* typedef of void */
	}
	return false;
}

enum dwarf_type_kind dw_type_kind(Dwarf_Die *type)
{
	Dwarf_Die t;
	Dwarf_Attribute attr;
	Dwarf_Word enc;

	if (!dw_type_peel(type, &t))
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
uint64_t dw_type_size(Dwarf_Die *type)
{
	Dwarf_Die t, elem;
	Dwarf_Attribute attr;
	Dwarf_Word sz;
	uint64_t n, es;

	if (!dw_type_peel(type, &t))
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
		if (!dw_die_type(&t, &elem) || !dw_type_peel(&elem, &elem))
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
void dw_type_name(Dwarf_Die *type, bool go, char *buf, size_t len)
{
	char suffix[DW_TYPE_NAME_MAX] = "", prefix[DW_TYPE_NAME_MAX] = "";
	Dwarf_Die t = *type;
	const char *name = NULL;

	buf[0] = '\0';
	for (int depth = 0; depth < MAX_TYPE_DEPTH; depth++) {
		int tag = dwarf_tag(&t);
		const char *tag_prefix = "";
		char dim[32];

		name = dw_die_name(&t);
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
		if (!dw_die_type(&t, &t)) {
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

void dw_param_location(Dwarf_Die *param, uint64_t pc, struct dwarf_loc *loc)
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
