// SPDX-License-Identifier: GPL-2.0
/* The language's value types (types.h): predicates, names for messages, compatibility, copies. */
#include <stdio.h>
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
	case LT_TUPLE: {
		size_t o = 0;

		buf[0] = 0;
		for (uint32_t i = 0; i < t->nmembers && o + 1 < len; i++) {
			char m[64];

			o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
				      lt_type_str(t->members[i].type, m, sizeof(m)));
		}
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
		for (uint32_t i = 0; i < a->nmembers; i++)
			if (!types_compatible(a->members[i].type, b->members[i].type))
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
		}
		lt_tuple_layout(m, src->nmembers);
		dst->members = m;
	}
}
