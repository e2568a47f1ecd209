// SPDX-License-Identifier: GPL-2.0
/*
 * C types in the language (btftypes.h): type references, their names, and the checks and
 * code of `.`/`->`, `[i]`, `*p`, casts, sizeof and pointer arithmetic on C-typed values.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "core/kbtf.h"
#include "lang/btftypes.h"
#include "lang/cdecl.h"
#include "lang/cg.h"
#include "lang/lexer.h"

/*
 * The kernel's BTF is opened once per process and kept: every compile reads the same file,
 * and its pages are the kernel's (kbtf.h). The script's types are remade per program.
 */
static struct kbtf *kernel;
static bool kernel_tried;
static struct kbtf *script;
static const struct node *script_prog;
static char script_err[256];
static struct loc script_err_loc;

static const struct kbtf *kernel_btf(struct compiler *c)
{
	if (c && c->opts->offline)
		return NULL;
	if (!kernel_tried) {
		kernel_tried = true;
		if (kbtf__open(NULL, &kernel))
			kernel = NULL;
	}
	return kernel;
}

/* Where line `line` of C definition d is: its text without the leading blanks. */
static struct loc line_loc(const struct node *d, int line)
{
	const char *s = d->name, *e;
	int col = d->loc.col;

	for (int l = d->loc.line; l < line && strchr(s, '\n'); l++) {
		s = strchr(s, '\n') + 1;
		col = 1;
	}
	for (; *s == ' ' || *s == '\t'; s++)
		col++;
	e = strchr(s, '\n');
	return (struct loc){line, col, col + (int)(e ? e - s : (int)strlen(s))};
}

/* The program's C definitions, parsed when a program is first asked about (cdecl.h). */
static const struct kbtf *script_btf(struct compiler *c)
{
	struct cdecl_src src[64];
	size_t n = 0;
	void *blob = NULL;
	size_t size = 0;
	int err_at = -1;

	if (!c)
		return script;
	if (script_prog == c->prog)
		return script;
	kbtf__close(script);
	script = NULL;
	script_prog = c->prog;
	script_err[0] = 0;
	for (const struct node *d = c->prog ? c->prog->b : NULL; d; d = d->next)
		if (d->kind == N_CDEFS && n < sizeof(src) / sizeof(src[0]))
			src[n++] = (struct cdecl_src){d->name, d->loc.line};
	if (!n)
		return NULL;
	if (cdecl_parse(src, n, kernel_btf(c), &blob, &size, script_err, sizeof(script_err),
			&err_at)) {
		for (const struct node *d = c->prog->b; d; d = d->next)
			if (d->kind == N_CDEFS && d->loc.line <= err_at)
				script_err_loc = line_loc(d, err_at);
		return NULL;
	}
	if (kbtf__new(blob, size, &script))
		script = NULL;
	cdecl_free(blob);
	return script;
}

int bt_check_script(struct compiler *c)
{
	script_btf(c);
	if (script_err[0] && script_prog == c->prog)
		return sema_err(c, script_err_loc, "%s", script_err);
	return 0;
}

const struct kbtf *bt_btf(struct compiler *c, uint32_t ref, uint32_t *id)
{
	*id = ref & ~BT_SCRIPT;
	return ref & BT_SCRIPT ? script_btf(c) : kernel_btf(c);
}

/* ref's type record with typedefs and modifiers skipped (*id: its id); NULL: none. */
static const struct btf_type *resolve(struct compiler *c, uint32_t ref, const struct kbtf **k,
				      uint32_t *id)
{
	*k = bt_btf(c, ref, id);
	if (!*k)
		return NULL;
	*id = kbtf__skip_mods(*k, *id);
	return kbtf__type(*k, *id);
}

static void name_of(const struct kbtf *k, uint32_t id, char *buf, size_t len)
{
	const struct btf_type *t = kbtf__type(k, id);
	const char *name = t ? kbtf__str(k, t->name_off) : "";
	char inner[128];

	if (!t) {
		snprintf(buf, len, "?");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		snprintf(buf, len, "%s %s",
			 btf_is_union(t)    ? "union"
			 : btf_is_struct(t) ? "struct"
					    : "enum",
			 *name ? name : "(anonymous)");
		return;
	case BTF_KIND_PTR:
		name_of(k, t->type, inner, sizeof(inner));
		snprintf(buf, len, "%s%s*", inner, inner[strlen(inner) - 1] == '*' ? "" : " ");
		return;
	case BTF_KIND_ARRAY:
		name_of(k, btf_array(t)->type, inner, sizeof(inner));
		snprintf(buf, len, "%s[%u]", inner, btf_array(t)->nelems);
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		name_of(k, t->type, buf, len);
		return;
	default:
		snprintf(buf, len, "%s", id ? name : "void");
	}
}

const char *bt_name(struct compiler *c, uint32_t ref, uint32_t depth, char *buf, size_t len)
{
	uint32_t id;
	const struct kbtf *k = bt_btf(c, ref, &id);
	size_t o;

	if (!k) {
		snprintf(buf, len, "?");
		return buf;
	}
	name_of(k, id, buf, len);
	o = strlen(buf);
	if (depth && o + 1 < len && buf[o - 1] != '*')
		buf[o++] = ' ';
	for (; depth && o + 1 < len; depth--)
		buf[o++] = '*';
	buf[o] = 0;
	return buf;
}

/* A type of kind called name in b, or -ENOENT. */
static int find_in(const struct kbtf *b, const char *name, int kind)
{
	return b ? kbtf__find(b, name, kind, NULL) : -ENOENT;
}

int bt_lookup(struct compiler *c, const char *name, uint32_t *ref)
{
	static const struct {
		const char *prefix;
		int kind;
	} tags[] = {
		{"struct ", BTF_KIND_STRUCT}, {"union ", BTF_KIND_UNION}, {"enum ", BTF_KIND_ENUM}};
	const struct kbtf *sb = script_btf(c), *kb = kernel_btf(c);
	int kinds[2] = {BTF_KIND_TYPEDEF, BTF_KIND_INT};
	int nk = 2, id;

	if (c && bt_check_script(c))
		return -EINVAL;

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (!strncmp(name, tags[i].prefix, strlen(tags[i].prefix))) {
			name += strlen(tags[i].prefix);
			/* kbtf__find's STRUCT also finds unions: "union X" is checked after */
			kinds[0] = tags[i].kind == BTF_KIND_UNION ? BTF_KIND_STRUCT : tags[i].kind;
			nk = 1;
			break;
		}
	for (int i = 0; i < nk; i++) {
		/* script types shadow the kernel's of the same name */
		id = find_in(sb, name, kinds[i]);
		if (id > 0) {
			*ref = (uint32_t)id | BT_SCRIPT;
			return 0;
		}
		id = find_in(kb, name, kinds[i]);
		if (id > 0) {
			*ref = (uint32_t)id;
			return 0;
		}
	}
	return -ENOENT;
}

void bt_set_ptr(struct node *n, uint32_t ref, uint32_t depth)
{
	sema_set_int(n, 8, false);
	NS(n)->t.btf_ref = ref;
	NS(n)->t.btf_ptr = depth;
}

static void set_object(struct compiler *c, struct node *n, uint32_t ref)
{
	struct nsema *s = sema_info(n);
	uint32_t id;
	const struct kbtf *k = bt_btf(c, ref, &id);
	int64_t size = k ? kbtf__size(k, id) : 0;

	memset(&s->t, 0, sizeof(s->t));
	s->t.kind = LT_CSTRUCT;
	s->t.size = size > 0 ? (uint32_t)size : 0;
	s->t.btf_ref = ref;
}

static bool is_access_kind(const struct node *n)
{
	return n->kind == N_FIELD || n->kind == N_INDEX || (n->kind == N_UNOP && n->op == '*');
}

bool bt_typed(const struct node *n)
{
	const struct nsema *s = n && n->ext ? NS((struct node *)n) : NULL;

	/* a struct value in a variable or a map is printed, not walked: it is not in memory */
	return s && s->t.btf_ref &&
	       (s->t.btf_ptr || (s->t.kind == LT_CSTRUCT && is_access_kind(n)));
}

bool bt_is_access(const struct node *n)
{
	return is_access_kind(n) && bt_typed(n->a);
}

static const char *type_str(struct compiler *c, const struct lt_type *t, char *buf, size_t len)
{
	if (t->btf_ref && (t->btf_ptr || t->kind == LT_CSTRUCT))
		return bt_name(c, t->btf_ref, t->btf_ptr, buf, len);
	return lt_type_str(t, buf, len);
}

/*
 * n is a value of type ref read from memory: an integer (enums too), a pointer, a char
 * array's string, or an object (struct, union, other array) left in memory.
 */
static int set_value(struct compiler *c, struct node *n, uint32_t ref)
{
	const struct kbtf *k;
	uint32_t id, scr = ref & BT_SCRIPT;
	const struct btf_type *t = resolve(c, ref, &k, &id);
	char name[128];

	if (!t)
		return sema_err(c, n->loc, "Cannot resolve unknown type");
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		int enc = btf_int_encoding(t);

		if (t->size > 8)
			break;
		sema_set_int(n, (int)t->size, enc & BTF_INT_SIGNED);
		if ((enc & BTF_INT_BOOL) && c->opts->dialect != LANG_0_17)
			sema_set_bool(c, n);
		return 0;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		sema_set_int(n, t->size <= 8 ? (int)t->size : 8, btf_kflag(t));
		NS(n)->t.btf_ref = ref; /* printed by name (fmt_value.c) */
		return 0;
	case BTF_KIND_PTR: {
		uint32_t pid;
		const struct btf_type *p = resolve(c, scr | t->type, &k, &pid);

		/* void * and function pointers are plain addresses */
		if (!p || !pid || btf_is_func_proto(p)) {
			sema_set_int(n, 8, false);
			return 0;
		}
		bt_set_ptr(n, scr | t->type, 1);
		return 0;
	}
	case BTF_KIND_ARRAY: {
		uint32_t eid;
		const struct btf_type *e = resolve(c, scr | btf_array(t)->type, &k, &eid);

		if (e && btf_is_int(e) && e->size == 1 && btf_array(t)->nelems) {
			sema_set_str(n, btf_array(t)->nelems);
			return 0;
		}
		set_object(c, n, ref);
		return 0;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		set_object(c, n, ref);
		return 0;
	default:
		break;
	}
	return sema_err(c, n->loc, "Can not read a value of type '%s'",
			bt_name(c, ref, 0, name, sizeof(name)));
}

int bt_sema_field(struct compiler *c, struct node *n)
{
	struct nsema *a = NS(n->a), *s = sema_info(n);
	const struct kbtf *k;
	uint32_t id, ref = a->t.btf_ref;
	const struct btf_type *t = resolve(c, ref, &k, &id);
	struct kbtf_member m;
	char name[128];
	int err;

	if (a->t.btf_ptr > 1 || !t || !btf_is_composite(t))
		return sema_err(c, n->loc, "Can not access field '%s' on expression of type '%s'",
				n->name, type_str(c, &a->t, name, sizeof(name)));
	/* 0.17 wanted `->` through a pointer; 0.25 made `.` dereference too */
	if (a->t.btf_ptr && n->op != TOK_ARROW && c->opts->dialect == LANG_0_17)
		return sema_err(c, n->loc,
				"Can not access field '%s' on type '%s'. Try dereferencing it "
				"first, or using '->'",
				n->name, type_str(c, &a->t, name, sizeof(name)));
	if (kbtf__member_of(k, id, n->name, &m))
		return sema_err(c, n->loc,
				"Struct/union of type '%s' does not contain a field named '%s'",
				bt_name(c, ref, 0, name, sizeof(name)), n->name);
	err = set_value(c, n, (ref & BT_SCRIPT) | m.type);
	if (err)
		return err;
	s->k[0] = m.bit_off / 8;
	s->k[1] = m.bitfield ? m.bit_off % 8 : 0;
	s->k[2] = m.bitfield;
	if (m.bitfield && s->t.kind != LT_INT)
		return sema_err(c, n->loc, "Bitfield '%s' is not an integer", n->name);
	return 0;
}

int bt_sema_index(struct compiler *c, struct node *n)
{
	struct nsema *a = NS(n->a), *s = sema_info(n);
	const struct kbtf *k;
	uint32_t id, ref = a->t.btf_ref, scr = ref & BT_SCRIPT, elem;
	const struct btf_type *t = resolve(c, ref, &k, &id);
	int64_t i, esz;
	bool is_const = sema_const_int(c, n->b, &i);
	int err;

	if (!lt_is_int(&NS(n->b)->t) || NS(n->b)->ext)
		return sema_err(c, n->b->loc, "The array index operator [] needs an integer index");
	if (a->t.btf_ptr > 1) {
		/* p[i] on a pointer to pointers: one more pointer */
		bt_set_ptr(n, ref, a->t.btf_ptr - 1);
		esz = 8;
		s->k[1] = 0;
	} else if (a->t.btf_ptr) {
		esz = kbtf__size(k, id);
		err = set_value(c, n, ref);
		if (err)
			return err;
		s->k[1] = 0;
	} else if (t && btf_is_array(t)) {
		elem = scr | btf_array(t)->type;
		esz = kbtf__size(k, btf_array(t)->type);
		if (is_const && (i < 0 || i >= (int64_t)btf_array(t)->nelems))
			return sema_err(c, n->loc,
					"the index %lld is out of bounds for array of size %u",
					(long long)i, btf_array(t)->nelems);
		err = set_value(c, n, elem);
		if (err)
			return err;
		/* runtime indexes are checked against the size (k[1]) */
		s->k[1] = btf_array(t)->nelems;
	} else {
		char name[128];

		return sema_err(c, n->loc,
				"The array index operator [] can only be used on arrays, "
				"pointers, and tuples, found %s.",
				type_str(c, &a->t, name, sizeof(name)));
	}
	if (esz <= 0)
		return sema_err(c, n->loc, "Can not index a pointer to an incomplete type");
	s->k[0] = esz;
	s->k[2] = 0;
	/* 0.24: a run-time index past an array's end warns (k[2]: 1 + its format) */
	if (s->k[1] && !is_const && c->opts->dialect != LANG_0_17)
		s->k[2] = 1 + sema_runtime_warning(c, n->loc,
						   "Array access out of bounds. This can lead to "
						   "unexpected results.");
	return 0;
}

int bt_sema_deref(struct compiler *c, struct node *n)
{
	struct nsema *a = NS(n->a);
	char name[128];

	if (!a->t.btf_ptr)
		return sema_err(c, n->loc, "Can not dereference type '%s'. It is not a pointer.",
				type_str(c, &a->t, name, sizeof(name)));
	if (a->t.btf_ptr > 1) {
		bt_set_ptr(n, a->t.btf_ref, a->t.btf_ptr - 1);
		return 0;
	}
	return set_value(c, n, a->t.btf_ref);
}

/* The cast's type name as written: "struct sock *". */
static const char *cast_name(const struct node *n, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "%s%s", n->name, n->num ? " " : "");

	for (int64_t i = 0; i < n->num && o + 1 < len; i++)
		buf[o++] = '*';
	if (o < len)
		buf[o] = 0;
	return buf;
}

int bt_sema_cast(struct compiler *c, struct node *n)
{
	uint32_t ref;
	const struct kbtf *k;
	uint32_t id;
	const struct btf_type *t;
	char name[128];
	int err;

	err = bt_lookup(c, n->name, &ref);
	if (err == -EINVAL)
		return err;
	if (err) {
		if (c->opts->dialect == LANG_0_17)
			return sema_err(c, n->loc,
					"Unknown type: %s%s (struct types need BTF, not supported)",
					n->name, n->num ? " *" : "");
		return sema_err(c, n->loc, "Cannot resolve unknown type \"%s\"",
				cast_name(n, name, sizeof(name)));
	}
	if (n->num) {
		bt_set_ptr(n, ref, (uint32_t)n->num);
		NS(n)->k[3] = 1; /* no sign extension in code: a pointer is 8 bytes */
		return 0;
	}
	t = resolve(c, ref, &k, &id);
	if (t && (btf_is_int(t) || btf_is_any_enum(t)) && t->size <= 8) {
		sema_set_int(n, (int)t->size,
			     btf_is_int(t) ? btf_int_encoding(t) & BTF_INT_SIGNED : btf_kflag(t));
		/* (enum X)v prints by name (0.22) */
		if (btf_is_any_enum(t) && c->opts->dialect != LANG_0_17)
			NS(n)->t.btf_ref = ref;
		return 0;
	}
	if (t && btf_is_ptr(t)) {
		bt_set_ptr(n, (ref & BT_SCRIPT) | t->type, 1);
		NS(n)->k[3] = 1;
		return 0;
	}
	return sema_err(c, n->loc, "Cannot cast to \"%s\"", cast_name(n, name, sizeof(name)));
}

int bt_sema_sizeof(struct compiler *c, struct node *n, int64_t *size)
{
	uint32_t ref, id;
	const struct kbtf *k;
	int err;

	if (n->a) {
		/* an object's size; a pointer is 8 */
		ref = NS(n->a)->t.btf_ref;
		k = bt_btf(c, ref, &id);
		*size = k ? kbtf__size(k, id) : -ENOENT;
	} else if ((err = bt_lookup(c, n->name, &ref))) {
		if (err == -EINVAL)
			return err;
		if (c->opts->dialect == LANG_0_17)
			return sema_err(c, n->loc,
					"Unknown type: %s (struct types need BTF, not supported)",
					n->name);
		return sema_err(c, n->loc, "Cannot resolve unknown type \"%s\"", n->name);
	} else {
		k = bt_btf(c, ref, &id);
		*size = kbtf__size(k, id);
	}
	if (*size < 0)
		return sema_err(c, n->loc, "Can not take the size of an incomplete type");
	return 0;
}

/* ---- pointer arithmetic ------------------------------------------------------------ */

bool bt_is_ptr_arith(const struct node *n)
{
	return n->kind == N_BINOP && (n->op == '+' || n->op == '-') &&
	       ((n->a->ext && NS(n->a)->t.btf_ptr) || (n->b->ext && NS(n->b)->t.btf_ptr));
}

int bt_sema_ptr_arith(struct compiler *c, struct node *n)
{
	struct nsema *a = NS(n->a), *b = NS(n->b), *s = sema_info(n);
	struct nsema *p = a->t.btf_ptr ? a : b, *i = a->t.btf_ptr ? b : a;
	const struct kbtf *k;
	uint32_t id;
	int64_t esz = 8;
	char x[128], y[128];

	if ((a->t.btf_ptr && b->t.btf_ptr) || !lt_is_int(&i->t) || i->ext ||
	    (n->op == '-' && !a->t.btf_ptr))
		return sema_err(c, n->loc,
				"The %s operator can not be used on expressions of types "
				"%s, %s",
				tok_name(n->op), type_str(c, &a->t, x, sizeof(x)),
				type_str(c, &b->t, y, sizeof(y)));
	if (p->t.btf_ptr == 1) {
		k = bt_btf(c, p->t.btf_ref, &id);
		esz = k ? kbtf__size(k, id) : -ENOENT;
	}
	if (esz <= 0)
		return sema_err(c, n->loc,
				"Can not do arithmetic on a pointer to an incomplete "
				"type");
	bt_set_ptr(n, p->t.btf_ref, p->t.btf_ptr);
	s->k[0] = esz;
	return 0;
}

/* ---- code ------------------------------------------------------------------------------- */

/* The helper that reads what ref's memory holds: script types on uprobes are user memory. */
static int read_helper(struct cg *g, uint32_t ref)
{
	if ((ref & BT_SCRIPT) && (ap_is_uprobe(g->ap) || g->ap->type == PT_USDT))
		return BPF_FUNC_probe_read_user;
	return BPF_FUNC_probe_read_kernel;
}

/* R0 = the address of the object or value that access n reads. */
static int cg_addr(struct cg *g, struct node *n)
{
	struct nsema *s = NS(n), *a = NS(n->a);

	if (n->kind == N_UNOP) /* *p: the pointer's value */
		return cg_int(g, n->a);
	if (n->kind == N_FIELD) {
		if (a->t.btf_ptr)
			cg_int(g, n->a);
		else
			cg_addr(g, n->a);
		if (s->k[0])
			cg_alu_imm(g, BPF_ADD, BPF_REG_0, (int32_t)s->k[0]);
		return g->err;
	}
	/* N_INDEX: base + i * element size; a runtime index out of an array's bounds reads
	 * address 0, which fails and gives zero */
	cg_int(g, n->b);
	cg_push(g);
	if (a->t.btf_ptr)
		cg_int(g, n->a);
	else
		cg_addr(g, n->a);
	cg_pop(g, BPF_REG_1);
	if (s->k[1]) {
		int ok = cg_label(g), done = cg_label(g);

		cg_jmp_imm(g, BPF_JLT, BPF_REG_1, (int32_t)s->k[1], ok);
		if (s->k[2])
			cg_runtime_warning(g, (int)s->k[2] - 1);
		cg_mov_imm(g, BPF_REG_0, 0);
		cg_ja(g, done);
		cg_bind(g, ok);
		cg_alu_imm(g, BPF_MUL, BPF_REG_1, (int32_t)s->k[0]);
		cg_alu_reg(g, BPF_ADD, BPF_REG_0, BPF_REG_1);
		cg_bind(g, done);
	} else {
		cg_alu_imm(g, BPF_MUL, BPF_REG_1, (int32_t)s->k[0]);
		cg_alu_reg(g, BPF_ADD, BPF_REG_0, BPF_REG_1);
	}
	return g->err;
}

/* The type reference whose memory n's access reads: its operand's. */
static uint32_t access_ref(struct node *n)
{
	return NS(n->a)->t.btf_ref;
}

int bt_cg_int(struct cg *g, struct node *n)
{
	struct nsema *s = NS(n);
	uint32_t size = s->t.btf_ptr ? 8 : s->t.size;

	if (cg_addr(g, n))
		return g->err;
	if (n->kind == N_FIELD && s->k[2]) {
		/* a bitfield: the bytes that hold it, shifted down and masked (or sign-extended) */
		uint32_t bits = (uint32_t)(s->k[1] + s->k[2]), bytes = (bits + 7) / 8;

		size = bytes <= 1 ? 1 : bytes <= 2 ? 2 : bytes <= 4 ? 4 : 8;
		cg_mov64(g, BPF_REG_3, BPF_REG_0);
		cg_read(g, read_helper(g, access_ref(n)), (int)size, BPF_REG_0);
		cg_alu_imm(g, BPF_LSH, BPF_REG_0, (int32_t)(64 - bits));
		cg_alu_imm(g, s->t.is_signed ? BPF_ARSH : BPF_RSH, BPF_REG_0,
			   (int32_t)(64 - s->k[2]));
		return g->err;
	}
	cg_mov64(g, BPF_REG_3, BPF_REG_0);
	cg_read(g, read_helper(g, access_ref(n)), (int)size, BPF_REG_0);
	cg_extend(g, (int)size, s->t.is_signed);
	return g->err;
}

int bt_cg_value(struct cg *g, struct node *n, uint32_t off)
{
	struct nsema *s = NS(n);

	if (s->t.kind != LT_STR && s->t.kind != LT_CSTRUCT) {
		if (!bt_cg_int(g, n))
			cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)off, BPF_REG_0);
		return g->err;
	}
	if (cg_addr(g, n))
		return g->err;
	/* a char array, a struct: its bytes as they are (a failed read zero-fills them) */
	cg_mov64(g, BPF_REG_3, BPF_REG_0);
	cg_heap_ptr(g, BPF_REG_1, off);
	cg_mov_imm(g, BPF_REG_2, (int32_t)s->t.size);
	cg_call(g, read_helper(g, access_ref(n)));
	return g->err;
}

int bt_cg_ptr_arith(struct cg *g, struct node *n)
{
	struct nsema *s = NS(n);
	bool left = NS(n->a)->t.btf_ptr != 0;

	/* R0 = the integer operand scaled, R1 = the pointer */
	cg_int(g, left ? n->a : n->b);
	cg_push(g);
	cg_int(g, left ? n->b : n->a);
	cg_alu_imm(g, BPF_MUL, BPF_REG_0, (int32_t)s->k[0]);
	cg_pop(g, BPF_REG_1);
	cg_alu_reg(g, n->op == '-' ? BPF_SUB : BPF_ADD, BPF_REG_1, BPF_REG_0);
	cg_mov64(g, BPF_REG_0, BPF_REG_1);
	return g->err;
}

int32_t bt_incdec_step(struct compiler *c, struct node *n)
{
	const struct lt_type *t = n->ext ? &NS(n)->t : NULL;
	const struct kbtf *k;
	uint32_t id;
	int64_t size;

	/* a map's access node holds its index, the map its value's type */
	if (t && n->kind == N_MAP && NS(n)->map >= 0)
		t = &c->maps[NS(n)->map].m.val;
	if (!t || !t->btf_ptr)
		return 1;
	if (t->btf_ptr > 1)
		return 8;
	k = bt_btf(c, t->btf_ref, &id);
	size = k ? kbtf__size(k, id) : -ENOENT;
	return size > 0 ? (int32_t)size : 1;
}

/* The enumerator `name` of one of k's enums: 0 and its value and type, or -ENOENT. */
static int enum_const_in(const struct kbtf *k, const char *name, int64_t *val, uint32_t *id)
{
	uint32_t n = k ? kbtf__type_cnt(k) : 0;

	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = kbtf__type(k, i);

		if (t && btf_is_any_enum(t) && !kbtf__enum_value(k, i, name, val)) {
			*id = i;
			return 0;
		}
	}
	return -ENOENT;
}

int bt_enum_const(struct compiler *c, const char *name, int64_t *val, uint32_t *ref)
{
	uint32_t id;

	if (!enum_const_in(script_btf(c), name, val, &id)) {
		*ref = BT_SCRIPT | id;
		return 0;
	}
	if (!enum_const_in(kernel_btf(c), name, val, &id)) {
		*ref = id;
		return 0;
	}
	return -ENOENT;
}
