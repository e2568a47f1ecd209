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
#include "lang/compile.h"

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
