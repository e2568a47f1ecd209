// SPDX-License-Identifier: GPL-2.0
/*
 * The script's C definitions as BTF (cdecl.h): a small C declaration parser for what a
 * tracing script defines (struct, union, enum, typedef; members of integer, pointer, array,
 * enum and nested struct/union types, bitfields, anonymous members) that lays the types out
 * as gcc does on x86-64 (each member at its alignment, a bitfield never straddling a unit of
 * its type, sizes rounded up to the alignment) and writes them as BTF records.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "core/kbtf.h"
#include "lang/cdecl.h"

struct cmember {
	char *name; /* NULL: an anonymous struct/union */
	uint32_t type, bit_off, bits;
};

struct ctype {
	int kind; /* BTF_KIND_* */
	char *name;
	uint32_t size, align;
	uint32_t ref;	   /* PTR, TYPEDEF: the target; ARRAY: the element */
	uint32_t nelems;   /* ARRAY */
	bool is_signed;	   /* INT, ENUM */
	bool defined;	   /* STRUCT/UNION/ENUM with a body (else a forward declaration) */
	struct cmember *m; /* STRUCT/UNION members */
	int64_t *vals;	   /* ENUM values, names in m[i].name */
	uint32_t n;
};

struct cparse {
	const char *s;
	int line;
	char tok[128];	 /* the current token; "" at the end */
	struct ctype *t; /* t[0] is void; ids are indexes */
	uint32_t nt;
	const struct kbtf *kernel;
	char *err;
	size_t errlen;
	int err_line;
	bool failed;
	int depth; /* of nested bodies: bounded, the input is the user's */
};

static void fail(struct cparse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct cparse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	p->err_line = p->line;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

/* The next token into p->tok: an identifier, a number, or one punctuation character. */
static void next(struct cparse *p)
{
	size_t n = 0;

	for (;;) {
		while (isspace((unsigned char)*p->s))
			p->line += *p->s++ == '\n';
		if (p->s[0] == '/' && p->s[1] == '/') {
			while (*p->s && *p->s != '\n')
				p->s++;
		} else if (p->s[0] == '/' && p->s[1] == '*') {
			const char *e = strstr(p->s + 2, "*/");

			for (const char *q = p->s; q < (e ? e : p->s + strlen(p->s)); q++)
				p->line += *q == '\n';
			p->s = e ? e + 2 : p->s + strlen(p->s);
		} else {
			break;
		}
	}
	if (isalnum((unsigned char)*p->s) || *p->s == '_') {
		while ((isalnum((unsigned char)*p->s) || *p->s == '_') && n + 1 < sizeof(p->tok))
			p->tok[n++] = *p->s++;
	} else if (*p->s) {
		p->tok[n++] = *p->s++;
	}
	p->tok[n] = 0;
}

static bool is(struct cparse *p, const char *t)
{
	return !strcmp(p->tok, t);
}

static bool accept(struct cparse *p, const char *t)
{
	if (!is(p, t))
		return false;
	next(p);
	return true;
}

static void expect(struct cparse *p, const char *t)
{
	if (!accept(p, t))
		fail(p, "C definition: expected '%s' before '%s'", t, *p->tok ? p->tok : "end");
}

static uint32_t add(struct cparse *p, struct ctype t)
{
	struct ctype *v = realloc(p->t, (p->nt + 1) * sizeof(*v));

	if (!v)
		abort();
	p->t = v;
	p->t[p->nt] = t;
	return p->nt++;
}

static uint32_t add_int(struct cparse *p, const char *name, uint32_t size, bool is_signed)
{
	for (uint32_t i = 1; i < p->nt; i++)
		if (p->t[i].kind == BTF_KIND_INT && !strcmp(p->t[i].name, name))
			return i;
	return add(p,
		   (struct ctype){BTF_KIND_INT, strdup(name), size, size, 0, 0, is_signed, true});
}

static uint32_t add_ptr(struct cparse *p, uint32_t to)
{
	return add(p, (struct ctype){BTF_KIND_PTR, NULL, 8, 8, to});
}

/* The struct/union/enum (kind) called name, made as a forward declaration if new. */
static uint32_t tagged(struct cparse *p, int kind, const char *name)
{
	for (uint32_t i = 1; name && i < p->nt; i++)
		if (p->t[i].kind == kind && p->t[i].name && !strcmp(p->t[i].name, name))
			return i;
	return add(p, (struct ctype){kind, name ? strdup(name) : NULL, 0, 1});
}

static uint32_t find_named(struct cparse *p, int kind, const char *name)
{
	for (uint32_t i = 1; i < p->nt; i++)
		if (p->t[i].kind == kind && p->t[i].name && !strcmp(p->t[i].name, name))
			return i;
	return 0;
}

/* Base types: C's words in any order, and the fixed-width names. */
static const struct {
	const char *name;
	uint32_t size;
	bool is_signed;
} fixed[] = {
	{"int8_t", 1, true},	{"int16_t", 2, true},	{"int32_t", 4, true},
	{"int64_t", 8, true},	{"uint8_t", 1, false},	{"uint16_t", 2, false},
	{"uint32_t", 4, false}, {"uint64_t", 8, false}, {"u8", 1, false},
	{"u16", 2, false},	{"u32", 4, false},	{"u64", 8, false},
	{"s8", 1, true},	{"s16", 2, true},	{"s32", 4, true},
	{"s64", 8, true},	{"__u8", 1, false},	{"__u16", 2, false},
	{"__u32", 4, false},	{"__u64", 8, false},	{"__s8", 1, true},
	{"__s16", 2, true},	{"__s32", 4, true},	{"__s64", 8, true},
	{"size_t", 8, false},	{"ssize_t", 8, true},	{"uintptr_t", 8, false},
	{"intptr_t", 8, true},	{"pid_t", 4, true},	{"uid_t", 4, false},
	{"gid_t", 4, false},	{"bool", 1, false},	{"_Bool", 1, false},
};

static bool c_word(const char *w)
{
	static const char *const words[] = {"signed", "unsigned", "char",  "short",
					    "int",    "long",	  "float", "double"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

/* C's integer words in any order ("unsigned long int"), counted as they come. */
struct int_words {
	int longs, shorts, chars, sign;
	bool any;
};

static void int_word(struct int_words *w, const char *tok)
{
	w->any = true;
	w->longs += !strcmp(tok, "long");
	w->shorts += !strcmp(tok, "short");
	w->chars += !strcmp(tok, "char");
	w->sign = !strcmp(tok, "unsigned") ? -1 : !strcmp(tok, "signed") ? 1 : w->sign;
}

/* The type those words make: its canonical name, size and sign. */
static const char *int_words_type(const struct int_words *w, uint32_t *size, bool *is_signed)
{
	bool u = w->sign < 0;

	*is_signed = !u;
	*size = w->chars ? 1 : w->shorts ? 2 : w->longs ? 8 : 4;
	if (w->chars)
		return u ? "unsigned char" : w->sign ? "signed char" : "char";
	if (w->shorts)
		return u ? "unsigned short" : "short";
	if (w->longs > 1)
		return u ? "unsigned long long" : "long long";
	if (w->longs)
		return u ? "unsigned long" : "long";
	return u ? "unsigned int" : "int";
}

bool cdecl_int_name(const char *spelling, uint32_t *size, bool *is_signed)
{
	struct int_words w = {0};
	char buf[64], *tok, *save;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!strcmp(spelling, fixed[i].name)) {
			*size = fixed[i].size;
			*is_signed = fixed[i].is_signed;
			return true;
		}
	if (snprintf(buf, sizeof(buf), "%s", spelling) >= (int)sizeof(buf))
		return false;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!c_word(tok) || !strcmp(tok, "float") || !strcmp(tok, "double"))
			return false;
		int_word(&w, tok);
	}
	if (!w.any)
		return false;
	int_words_type(&w, size, is_signed);
	return true;
}

static uint32_t parse_body(struct cparse *p, uint32_t id);

/* A type specifier (qualifiers skipped): its id, 0 for void; UINT32_MAX after an error. */
static uint32_t parse_spec(struct cparse *p)
{
	struct int_words w = {0};
	uint32_t size;
	bool is_signed;
	const char *name;

	while (is(p, "const") || is(p, "volatile") || is(p, "restrict") || is(p, "static"))
		next(p);
	if (is(p, "struct") || is(p, "union") || is(p, "enum")) {
		int kind = is(p, "struct")  ? BTF_KIND_STRUCT
			   : is(p, "union") ? BTF_KIND_UNION
					    : BTF_KIND_ENUM;
		char name[128] = "";
		uint32_t id;

		next(p);
		if (isalpha((unsigned char)p->tok[0]) || p->tok[0] == '_') {
			snprintf(name, sizeof(name), "%s", p->tok);
			next(p);
		}
		id = tagged(p, kind, *name ? name : NULL);
		if (is(p, "{")) {
			if (p->t[id].defined)
				fail(p, "C definition: redefinition of '%s %s'",
				     kind == BTF_KIND_UNION  ? "union"
				     : kind == BTF_KIND_ENUM ? "enum"
							     : "struct",
				     name);
			parse_body(p, id);
		} else if (!*name) {
			fail(p, "C definition: expected a name or '{' before '%s'", p->tok);
		}
		return p->failed ? UINT32_MAX : id;
	}
	if (is(p, "void")) {
		next(p);
		return 0;
	}
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (is(p, fixed[i].name)) {
			next(p);
			return add_int(p, fixed[i].name, fixed[i].size, fixed[i].is_signed);
		}
	while (c_word(p->tok)) {
		if (is(p, "float") || is(p, "double")) {
			fail(p, "C definition: floating-point members are not supported");
			return UINT32_MAX;
		}
		int_word(&w, p->tok);
		next(p);
	}
	if (w.any) {
		name = int_words_type(&w, &size, &is_signed);
		return add_int(p, name, size, is_signed);
	}
	if (isalpha((unsigned char)p->tok[0]) || p->tok[0] == '_') {
		uint32_t id = find_named(p, BTF_KIND_TYPEDEF, p->tok);
		const struct btf_type *kt;
		int kid;

		if (id) {
			next(p);
			return id;
		}
		/* a kernel typedef of an integer (pid_t, __be32, ...) */
		kid = p->kernel ? kbtf__find(p->kernel, p->tok, BTF_KIND_TYPEDEF, NULL) : -ENOENT;
		kt = kid > 0 ? kbtf__type(p->kernel, kbtf__skip_mods(p->kernel, (uint32_t)kid))
			     : NULL;
		if (kt && (btf_is_int(kt) || btf_is_any_enum(kt)) && kt->size <= 8) {
			uint32_t base =
				add_int(p, p->tok, kt->size,
					btf_is_int(kt) ? btf_int_encoding(kt) & BTF_INT_SIGNED
						       : btf_kflag(kt));

			next(p);
			return base;
		}
		fail(p, "C definition: unknown type name '%s'", p->tok);
		return UINT32_MAX;
	}
	fail(p, "C definition: expected a type before '%s'", *p->tok ? p->tok : "end");
	return UINT32_MAX;
}

/* `*`s, a name (or `(*name)(...)`, a function pointer), `[N]`s: the declared type. */
static uint32_t parse_declarator(struct cparse *p, uint32_t base, char *name, size_t len)
{
	uint32_t dims[8], nd = 0;

	*name = 0;
	while (accept(p, "*")) {
		while (accept(p, "const") || accept(p, "volatile") || accept(p, "restrict"))
			;
		base = add_ptr(p, base);
	}
	if (accept(p, "(")) {
		/* a function pointer: its parameters do not matter here */
		int depth = 1;

		expect(p, "*");
		snprintf(name, len, "%s", p->tok);
		next(p);
		expect(p, ")");
		expect(p, "(");
		while (!p->failed && *p->tok && depth) {
			depth += is(p, "(") - is(p, ")");
			next(p);
		}
		return add_ptr(p, 0);
	}
	if (isalpha((unsigned char)p->tok[0]) || p->tok[0] == '_') {
		snprintf(name, len, "%s", p->tok);
		next(p);
	}
	while (!p->failed && accept(p, "[")) {
		char *end;
		unsigned long v = strtoul(p->tok, &end, 0);

		if (is(p, "]")) {
			v = 0; /* a flexible array member */
		} else if (*end || nd == 8) {
			fail(p, "C definition: array sizes must be numbers ('%s')", p->tok);
			break;
		} else {
			next(p);
		}
		dims[nd++] = (uint32_t)v;
		expect(p, "]");
	}
	/* int a[2][3] is an array of 2 arrays of 3 */
	while (nd--) {
		struct ctype e = p->t[base];

		base = add(p, (struct ctype){BTF_KIND_ARRAY, NULL, e.size * dims[nd], e.align, base,
					     dims[nd]});
	}
	return base;
}

static uint32_t align_up(uint32_t n, uint32_t a)
{
	return a ? (n + a - 1) / a * a : n;
}

/* `{ ... }` of struct/union/enum id: members laid out, or enumerators valued. */
static uint32_t parse_body(struct cparse *p, uint32_t id)
{
	bool is_union = p->t[id].kind == BTF_KIND_UNION;
	uint32_t bit = 0, size = 0, align = 1;
	int64_t val = 0;

	expect(p, "{");
	p->t[id].defined = true;
	if (++p->depth > 32) {
		fail(p, "C definition: types nested too deeply");
		return id;
	}
	if (p->t[id].kind == BTF_KIND_ENUM) {
		struct ctype *e = &p->t[id];

		e->size = e->align = 4;
		while (!p->failed && *p->tok && !is(p, "}")) {
			char name[128];

			snprintf(name, sizeof(name), "%s", p->tok);
			next(p);
			if (accept(p, "=")) {
				bool neg = accept(p, "-");
				char *end;

				val = (int64_t)strtoull(p->tok, &end, 0);
				if (*end)
					fail(p, "C definition: enum values must be numbers ('%s')",
					     p->tok);
				val = neg ? -val : val;
				next(p);
			}
			e = &p->t[id];
			e->m = realloc(e->m, (e->n + 1) * sizeof(*e->m));
			e->vals = realloc(e->vals, (e->n + 1) * sizeof(*e->vals));
			if (!e->m || !e->vals)
				abort();
			e->m[e->n] = (struct cmember){strdup(name)};
			e->vals[e->n++] = val++;
			if (!accept(p, ","))
				break;
		}
		expect(p, "}");
		p->depth--;
		return id;
	}
	while (!p->failed && *p->tok && !is(p, "}")) {
		uint32_t base = parse_spec(p);

		if (p->failed)
			break;
		do {
			char name[128];
			uint32_t ty = parse_declarator(p, base, name, sizeof(name)), bits = 0;
			struct ctype *t = &p->t[ty], *s;
			uint32_t unit = t->size * 8, off;
			bool bitfield = accept(p, ":");

			if (bitfield) {
				bits = (uint32_t)strtoul(p->tok, NULL, 0);
				next(p);
				if (t->kind != BTF_KIND_INT && t->kind != BTF_KIND_ENUM)
					fail(p, "C definition: bitfield '%s' is not an integer",
					     name);
				else if (bits > unit)
					fail(p,
					     "C definition: width of bitfield '%s' exceeds its "
					     "type",
					     name);
			} else if (!*name && t->kind != BTF_KIND_STRUCT &&
				   t->kind != BTF_KIND_UNION) {
				fail(p, "C definition: expected a member name before '%s'", p->tok);
			} else if (!t->size && t->kind != BTF_KIND_ARRAY) {
				fail(p, "C definition: member '%s' has an incomplete type", name);
			}
			if (p->failed)
				break;
			if (bitfield && !bits) {
				/* `int :0;` closes the unit */
				bit = align_up(bit, unit);
				continue;
			}
			if (bitfield) {
				/* a bitfield does not straddle a unit of its type (SysV ABI) */
				off = is_union ? 0 : bit;
				if (off / unit != (off + bits - 1) / unit)
					off = align_up(off, unit);
			} else {
				off = is_union ? 0 : align_up(bit, t->align * 8);
				bits = t->size * 8;
			}
			if (t->align > align)
				align = t->align;
			if (off + bits > size * 8)
				size = (off + bits + 7) / 8;
			bit = off + bits;
			s = &p->t[id];
			s->m = realloc(s->m, (s->n + 1) * sizeof(*s->m));
			if (!s->m)
				abort();
			s->m[s->n++] = (struct cmember){*name ? strdup(name) : NULL, ty, off,
							bitfield ? bits : 0};
		} while (!p->failed && accept(p, ","));
		expect(p, ";");
	}
	expect(p, "}");
	/* attributes after the body (0.26 keeps them; their layout effects are not applied) */
	while (!p->failed && accept(p, "__attribute__")) {
		int depth = 0;

		do {
			depth += is(p, "(") - is(p, ")");
			next(p);
		} while (*p->tok && depth);
	}
	p->t[id].size = align_up(size, align);
	p->t[id].align = align;
	p->depth--;
	return id;
}

/* One top-level definition up to its ';'. */
static void parse_top(struct cparse *p)
{
	bool is_typedef = accept(p, "typedef");
	uint32_t base = parse_spec(p);

	while (!p->failed && !is(p, ";") && *p->tok) {
		char name[128];
		uint32_t ty = parse_declarator(p, base, name, sizeof(name));

		if (!is_typedef || !*name) {
			fail(p, "C definition: only type definitions are supported ('%s')", name);
			return;
		}
		add(p, (struct ctype){BTF_KIND_TYPEDEF, strdup(name), p->t[ty].size, p->t[ty].align,
				      ty});
		if (!accept(p, ","))
			break;
	}
	expect(p, ";");
}

/* ---- BTF -------------------------------------------------------------------------- */

/* A btf_type's info word. */
#define BTF_INFO(kind, kflag, vlen) ((uint32_t)(kflag) << 31 | (uint32_t)(kind) << 24 | (vlen))

struct blob {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct blob *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2 + 256;
		uint8_t *q = realloc(b->p, cap);

		if (!q)
			abort();
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static uint32_t put_str(struct blob *s, const char *str)
{
	uint32_t off = (uint32_t)s->len;

	if (!str || !*str)
		return 0;
	put(s, str, strlen(str) + 1);
	return off;
}

static void put_u32(struct blob *b, uint32_t v)
{
	put(b, &v, 4);
}

static void write_btf(struct cparse *p, uint32_t index_type, void **out, size_t *size)
{
	struct blob ty = {0}, st = {0}, all = {0};
	struct btf_header h = {.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h)};

	put(&st, "", 1);
	for (uint32_t i = 1; i < p->nt; i++) {
		struct ctype *t = &p->t[i];
		bool kflag = false;
		struct btf_type r = {.name_off = put_str(&st, t->name)};
		int kind = t->kind;

		if ((kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) && !t->defined)
			kind = BTF_KIND_FWD;
		for (uint32_t j = 0; kind != BTF_KIND_ENUM && j < t->n; j++)
			kflag |= t->m[j].bits != 0;
		switch (kind) {
		case BTF_KIND_INT:
			r.info = BTF_INFO(BTF_KIND_INT, 0, 0);
			r.size = t->size;
			put(&ty, &r, sizeof(r));
			put_u32(&ty, (t->is_signed ? BTF_INT_SIGNED : 0) << 24 | t->size * 8);
			break;
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
			r.info = BTF_INFO(kind, 0, 0);
			r.type = t->ref;
			put(&ty, &r, sizeof(r));
			break;
		case BTF_KIND_FWD:
			r.info = BTF_INFO(BTF_KIND_FWD, t->kind == BTF_KIND_UNION, 0);
			put(&ty, &r, sizeof(r));
			break;
		case BTF_KIND_ARRAY: {
			struct btf_array a = {t->ref, index_type, t->nelems};

			r.info = BTF_INFO(BTF_KIND_ARRAY, 0, 0);
			put(&ty, &r, sizeof(r));
			put(&ty, &a, sizeof(a));
			break;
		}
		case BTF_KIND_ENUM:
			r.info = BTF_INFO(BTF_KIND_ENUM, 1, t->n);
			r.size = 4;
			put(&ty, &r, sizeof(r));
			for (uint32_t j = 0; j < t->n; j++) {
				struct btf_enum e = {put_str(&st, t->m[j].name),
						     (int32_t)t->vals[j]};

				put(&ty, &e, sizeof(e));
			}
			break;
		default: /* STRUCT, UNION */
			r.info = BTF_INFO(kind, kflag, t->n);
			r.size = t->size;
			put(&ty, &r, sizeof(r));
			for (uint32_t j = 0; j < t->n; j++) {
				struct btf_member m = {put_str(&st, t->m[j].name), t->m[j].type,
						       kflag ? t->m[j].bits << 24 | t->m[j].bit_off
							     : t->m[j].bit_off};

				put(&ty, &m, sizeof(m));
			}
		}
	}
	h.type_len = (uint32_t)ty.len;
	h.str_off = (uint32_t)ty.len;
	h.str_len = (uint32_t)st.len;
	put(&all, &h, sizeof(h));
	put(&all, ty.p, ty.len);
	put(&all, st.p, st.len);
	free(ty.p);
	free(st.p);
	*out = all.p;
	*size = all.len;
}

int cdecl_parse(const struct cdecl_src *src, size_t n, const struct kbtf *kernel, void **btf,
		size_t *size, char *err, size_t errlen, int *err_line)
{
	struct cparse p = {.kernel = kernel, .err = err, .errlen = errlen};
	uint32_t index_type;

	add(&p, (struct ctype){0}); /* void */
	index_type = add_int(&p, "unsigned int", 4, false);
	for (size_t i = 0; i < n && !p.failed; i++) {
		p.s = src[i].text;
		p.line = src[i].line;
		next(&p);
		while (!p.failed && *p.tok)
			parse_top(&p);
	}
	if (!p.failed)
		write_btf(&p, index_type, btf, size);
	*err_line = p.err_line;
	for (uint32_t i = 0; i < p.nt; i++) {
		for (uint32_t j = 0; j < p.t[i].n; j++)
			free(p.t[i].m[j].name);
		free(p.t[i].m);
		free(p.t[i].vals);
		free(p.t[i].name);
	}
	free(p.t);
	return p.failed ? -EINVAL : 0;
}

void cdecl_free(void *btf)
{
	free(btf);
}
