// SPDX-License-Identifier: GPL-2.0
/*
 * The language's value types (types.h): predicates, names for messages, compatibility,
 * copies; and records, 0.25's named tuples: a tuple whose members have names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/btftypes.h"
#include "lang/cg.h"
#include "lang/compile.h"
#include "lang/lexer.h"

bool lt_is_int(const struct lt_type *t)
{
	return t->kind == LT_INT || t->kind == LT_KSYM || t->kind == LT_TIMESTAMP ||
	       t->kind == LT_PROBE;
}

const char *lt_type_str(const struct lt_type *t, char *buf, size_t len)
{
	switch (t->kind) {
	case LT_INT:
		if (t->is_bool)
			return "bool";
		if (t->btf_ptr)
			return bt_name(NULL, t->btf_ref, t->btf_ptr, buf, len);
		snprintf(buf, len, "%sint%u", t->is_signed ? "" : "unsigned ", t->size * 8);
		return buf;
	case LT_STR:
		snprintf(buf, len, "string[%u]", t->size);
		return buf;
	case LT_BUF:
		return "buffer";
	case LT_KSTACK:
		return "kstack";
	case LT_USTACK:
		return "ustack";
	case LT_KSYM:
		return "ksym";
	case LT_USYM:
		return "usym";
	case LT_INET:
		return "inet";
	case LT_TIMESTAMP:
		return "timestamp";
	case LT_PROBE:
		return "probe";
	case LT_CSTRUCT:
		return bt_name(NULL, t->btf_ref, 0, buf, len);
	case LT_ARRAY: {
		char e[32];

		snprintf(buf, len, "%s[%u]", lt_type_str(t->elem, e, sizeof(e)), t->size);
		return buf;
	}
	case LT_TUPLE: {
		size_t o = 0;

		buf[0] = 0;
		if (lt_is_record(t))
			o = (size_t)snprintf(buf, len, "record { ");
		for (uint32_t i = 0; i < t->nmembers && o + 1 < len; i++) {
			char m[64];

			if (lt_is_record(t))
				o += snprintf(buf + o, len - o, "%s.%s = ", i ? ", " : "",
					      t->members[i].name);
			else if (i)
				o += snprintf(buf + o, len - o, ", ");
			if (o + 1 < len)
				o += snprintf(buf + o, len - o, "%s",
					      lt_type_str(t->members[i].type, m, sizeof(m)));
		}
		if (lt_is_record(t) && o + 1 < len)
			snprintf(buf + o, len - o, " }");
		return buf;
	}
	default:
		return "none";
	}
}

bool types_compatible(const struct lt_type *a, const struct lt_type *b)
{
	if (lt_is_int(a) && lt_is_int(b))
		return a->kind == b->kind || (a->kind == LT_INT && b->kind == LT_INT);
	if (a->kind != b->kind)
		return false;
	if (a->kind == LT_TUPLE) {
		if (a->nmembers != b->nmembers)
			return false;
		if (a->is_record != b->is_record)
			return false;
		for (uint32_t i = 0; i < a->nmembers; i++)
			if (!types_compatible(a->members[i].type, b->members[i].type) ||
			    (a->is_record && strcmp(a->members[i].name, b->members[i].name)))
				return false;
	}
	return true;
}

/* Key/value types are stored with ints widened and strings kept at their size. */
void type_copy(struct compiler *c, struct lt_type *dst, const struct lt_type *src)
{
	*dst = *src;
	if (src->kind == LT_TUPLE) {
		struct lt_member *m = c_alloc(c, src->nmembers * sizeof(*m));

		for (uint32_t i = 0; i < src->nmembers; i++) {
			struct lt_type *t = c_alloc(c, sizeof(*t));

			type_copy(c, t, src->members[i].type);
			m[i].type = t;
			m[i].name = src->members[i].name;
		}
		lt_tuple_layout(m, src->nmembers);
		dst->members = m;
	}
}

/* ---- records ---------------------------------------------------------------------- */

bool lt_is_record(const struct lt_type *t)
{
	return t->kind == LT_TUPLE && t->is_record;
}

int record_unwrap(struct compiler *c, struct node *n)
{
	struct node *values = NULL, **names = &n->a;

	if (n->a)
		return 0;
	for (struct node *f = n->args; f; f = f->next)
		for (struct node *k = n->args; k != f; k = k->next)
			if (!strcmp(k->a->name, f->a->name))
				return sema_err(c, f->a->loc,
						"Named argument list already contains name: %s",
						f->a->name);
	for (struct node *f = n->args, *next; f; f = next) {
		next = f->next;
		f->next = NULL;
		*names = f->a;
		names = &f->a->next;
		node_append(&values, f->b);
		f->a = f->b = NULL;
		n->args = next;
		node_free(f);
	}
	n->args = values;
	return 0;
}

int record_name(struct compiler *c, struct node *n)
{
	struct nsema *s = NS(n);
	struct lt_member *m = (struct lt_member *)s->t.members;
	uint32_t i = 0;

	for (struct node *k = n->a; k && i < s->t.nmembers; k = k->next, i++)
		m[i].name = k->name;
	s->t.is_record = true;
	return 0;
}

int record_field(struct compiler *c, struct node *n)
{
	const struct lt_type *r = &NS(n->a)->t;
	struct nsema *s = sema_info(n);

	for (uint32_t i = 0; i < r->nmembers; i++)
		if (!strcmp(r->members[i].name, n->name)) {
			s->k[0] = i;
			s->t = *r->members[i].type;
			return 0;
		}
	return sema_err(c, n->loc, "Record does not contain a field named '%s'", n->name);
}

/* ---- tuples and records compared ------------------------------------------------------ */

int tuple_compare(struct compiler *c, struct node *n)
{
	const struct lt_type *a = &NS(n->a)->t, *b = &NS(n->b)->t;
	char x[256], y[256];

	/* 0.17 compared no tuples: its error, word for word */
	if (b->kind != LT_TUPLE || !types_compatible(a, b) || a->nmembers != b->nmembers ||
	    c->opts->dialect == LANG_0_17)
		return sema_err(c, n->loc, "Type mismatch for '%s': comparing '%s' with '%s'",
				tok_name(n->op), lt_type_str(a, x, sizeof(x)),
				lt_type_str(b, y, sizeof(y)));
	sema_set_bool(c, n);
	return 0;
}

/* Jump to ne unless the values of types ta at heap a and tb at heap b are equal. */
static void members_equal(struct cg *g, const struct lt_type *ta, const struct lt_type *tb,
			  uint32_t a, uint32_t b, int ne)
{
	if (ta->kind == LT_TUPLE) {
		for (uint32_t i = 0; i < ta->nmembers; i++)
			members_equal(g, ta->members[i].type, tb->members[i].type,
				      a + ta->members[i].offset, b + tb->members[i].offset, ne);
		return;
	}
	if (ta->kind == LT_STR) {
		uint32_t sa = lt_type_size(ta), sb = lt_type_size(tb);

		/* strings of two sizes: equal up to the shorter one's NUL */
		cg_str_equal(g, a, b, sa < sb ? sa : sb);
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, ne);
		return;
	}
	/* integers are 8 bytes here; other values are compared byte for byte, 8 at a time */
	for (uint32_t o = 0; o < lt_type_size(ta); o += 8) {
		uint32_t w = lt_type_size(ta) - o >= 8 ? 8 : lt_type_size(ta) - o;
		int size = w == 8 ? BPF_DW : w >= 4 ? BPF_W : w >= 2 ? BPF_H : BPF_B;

		cg_ldx(g, size, BPF_REG_1, BPF_REG_9, (int16_t)(a + o));
		cg_ldx(g, size, BPF_REG_2, BPF_REG_9, (int16_t)(b + o));
		cg_jmp_reg(g, BPF_JNE, BPF_REG_1, BPF_REG_2, ne);
	}
}

int cg_tuple_equal(struct cg *g, struct node *n)
{
	const struct lt_type *ta = &NS(n->a)->t, *tb = &NS(n->b)->t;
	uint32_t saved = g->heap, a = cg_heap_alloc(g, lt_type_size(ta)),
		 b = cg_heap_alloc(g, lt_type_size(tb));
	int ne = cg_label(g), done = cg_label(g);

	cg_zero(g, a, lt_type_size(ta));
	cg_value(g, n->a, a);
	cg_zero(g, b, lt_type_size(tb));
	cg_value(g, n->b, b);
	members_equal(g, ta, tb, a, b, ne);
	cg_mov_imm(g, BPF_REG_0, n->op == TOK_EQ);
	cg_ja(g, done);
	cg_bind(g, ne);
	cg_mov_imm(g, BPF_REG_0, n->op != TOK_EQ);
	cg_bind(g, done);
	g->heap = saved;
	return g->err;
}
