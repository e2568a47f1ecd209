// SPDX-License-Identifier: GPL-2.0
/*
 * Semantic analysis of expressions: gives every expression a type (types.h), collects
 * formats and scratch variables, and checks what each probe type allows; builtins are
 * checked by their families' tables (builtins/). Statements and probes: sema_stmt.c; maps:
 * sema_map.c. Runs twice: a quiet first pass learns map types from every assignment
 * wherever it appears, the second one reports.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/btftypes.h"
#include "lang/cdecl.h"
#include "lang/compile.h"
#include "lang/goargs.h"
#include "lang/lexer.h"
#include "lang/map_metrics.h"
#include "lang/parser.h"
#include "lang/probes.h"

/* ---- map accesses -------------------------------------------------------------- */

/* Type the keys of a map access and check them against earlier uses. */
int sema_map_keys(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	struct mapdef *md;
	struct lt_type key = {0};
	int nk = (int)node_count(n->args), i = 0;
	struct lt_member *m = NULL;

	s->map = sema_map_get(c, n);
	for (struct node *k = n->args; k; k = k->next)
		if (sema_expr(c, k))
			return -EINVAL;
	if (nk) {
		m = c_alloc(c, nk * sizeof(*m));
		for (struct node *k = n->args; k; k = k->next, i++) {
			struct nsema *ks = NS(k);

			if (ks->ext != VX_NONE || ks->t.kind == LT_NONE)
				return sema_err(c, k->loc, "invalid map key");
			m[i].type = &ks->t;
		}
		key.kind = LT_TUPLE;
		key.members = m;
		key.nmembers = nk;
		lt_tuple_layout(m, nk);
	}
	md = &c->maps[s->map];
	if (!md->key_typed) {
		type_copy(c, &md->m.key, &key);
		md->key_typed = true;
		/* --metrics labels: the first access names the keys */
		md->m.key_names = nk ? lang_key_labels(c, n->args, nk) : NULL;
	} else if (!types_compatible(&md->m.key, &key) ||
		   (key.kind == LT_TUPLE && md->m.key.nmembers != key.nmembers)) {
		char a[256], b[256];

		if (md->m.key.kind == LT_NONE || key.kind == LT_NONE)
			return sema_err(c, n->loc,
					"Argument mismatch for %s: trying to access with %s "
					"arguments when map expects %s arguments",
					n->name, key.kind == LT_NONE ? "no" : "some",
					md->m.key.kind == LT_NONE ? "no" : "some");
		return sema_err(c, n->loc,
				"Argument mismatch for %s: trying to access with arguments: [%s] "
				"when map expects arguments: [%s]",
				n->name, lt_type_str(&key, a, sizeof(a)),
				lt_type_str(&md->m.key, b, sizeof(b)));
	} else if (key.kind == LT_TUPLE) {
		/* strings of different sizes share the larger size */
		for (uint32_t k = 0; k < key.nmembers; k++) {
			struct lt_type *mt = (struct lt_type *)md->m.key.members[k].type;

			if (mt->kind == LT_STR && key.members[k].type->size > mt->size)
				mt->size = key.members[k].type->size;
		}
		lt_tuple_layout((struct lt_member *)md->m.key.members, md->m.key.nmembers);
	}
	return 0;
}

/* ---- formats ----------------------------------------------------------------------- */

int fmt_add(struct compiler *c, const char *fmt, struct node *args, int nskip)
{
	struct fmtdef *f;
	int n = 0, i = 0;

	for (struct node *a = args; a; a = a->next)
		if (i++ >= nskip)
			n++;
	c->fmts = realloc(c->fmts, (c->nfmts + 1) * sizeof(*c->fmts));
	if (!c->fmts)
		abort();
	f = &c->fmts[c->nfmts];
	memset(f, 0, sizeof(*f));
	f->f.fmt = strdup(fmt);
	if (n) {
		f->members = c_alloc(c, n * sizeof(*f->members));
		i = 0;
		n = 0;
		for (struct node *a = args; a; a = a->next)
			if (i++ >= nskip)
				f->members[n++].type = &NS(a)->t;
		lt_tuple_layout(f->members, n);
		f->f.args.kind = LT_TUPLE;
		f->f.args.members = f->members;
		f->f.args.nmembers = n;
	}
	return c->nfmts++;
}

/* ---- variables --------------------------------------------------------------------- */

struct var *var_find(struct probe *p, const char *name)
{
	for (int i = 0; i < p->nvars; i++)
		if (!strcmp(p->vars[i].name, name))
			return &p->vars[i];
	return NULL;
}

struct var *var_add(struct probe *p, const char *name)
{
	struct var *v = realloc(p->vars, (p->nvars + 1) * sizeof(*v));

	if (!v)
		abort();
	p->vars = v;
	v = &p->vars[p->nvars++];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	return v;
}

/* ---- expressions ------------------------------------------------------------------- */

/* Bare builtins that 0.23-0.25 gave an argument: pid(init), nsecs(monotonic), comm(pid). */
static bool takes_mode(const char *name)
{
	return !strcmp(name, "pid") || !strcmp(name, "tid") || !strcmp(name, "nsecs") ||
	       !strcmp(name, "comm");
}

/* Builtins that bpftrace 0.17 lacks: unknown names in its dialect, as they were there. */
static bool since_026(const char *name)
{
	static const char *const names[] = {"has_key", "len",	 "ncpus", "jiffies",
					    "strstr",  "strlen", "true",  "false",
					    "getopt",  "errorf", "warnf", "assert",
					    "has_cpid", "usermode", "probetype", "strcap",
					    "signal_name", "syscall_name", "find", "tseries"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/*
 * A C enumerator by its bare name: its value, typed with its enum so that it prints by name
 * until arithmetic makes it a plain integer (builtins/context.c's "$enum" emits it).
 */
static bool enum_const(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	uint32_t ref;
	int64_t v;
	int idx;

	if (bt_enum_const(c, n->name, &v, &ref) || !builtin_find("$enum", false, &idx))
		return false;
	s->builtin = idx;
	sema_set_int(n, 8, true);
	s->t.btf_ref = ref;
	s->k[0] = v;
	return true;
}

static int sema_call(struct compiler *c, struct node *n, bool is_call)
{
	int idx;
	const struct builtin *b = builtin_find(n->name, is_call, &idx);
	struct nsema *s = sema_info(n);
	bool v26 = c->opts->dialect == LANG_0_26;
	unsigned int bad;

	/* 0.24: an argument-less builtin may also be written as a call, `comm()`, `pid()` */
	if (!b && is_call && v26 && (!n->args || takes_mode(n->name)))
		b = builtin_find(n->name, false, &idx);
	if (b && !v26 && since_026(b->name))
		b = NULL;
	if (!b) {
		if (is_call) {
			struct loc l = n->loc;

			l.end = l.col + (int)strlen(n->name);
			return sema_err(c, l, "Unknown function: %s", n->name);
		}
		if (v26 && !c->opts->offline && enum_const(c, n))
			return 0;
		return sema_err(c, n->loc, "Unknown identifier: '%s'", n->name);
	}
	s->builtin = idx;
	/* 0.25 removed sargN: its own error wherever it is used, before the probe type's */
	if (v26 && !strcmp(b->name, "sarg"))
		return b->check(c, n);
	bad = c->cur ? c->cur->types & ~b->probes : 0;
	if (bad) {
		enum probe_type t = 0;

		while (!(bad & PTM(t)))
			t++;
		if (is_call)
			return sema_err(c, n->loc, "%s can not be used with \"%s\" probes", n->name,
					probe_type_name(t));
		if (!strcmp(n->name, "retval"))
			return sema_err(c, n->loc,
					"The retval builtin can only be used with 'kretprobe' and "
					"'uretprobe' and 'kfunc' probes%s",
					t == PT_TRACEPOINT ? " (try to use args->ret instead)"
							   : "");
		return sema_err(c, n->loc, "The %s builtin can not be used with '%s' probes",
				n->name, probe_type_name(t));
	}
	return b->check(c, n);
}

static int sema_binop(struct compiler *c, struct node *n)
{
	struct nsema *a, *b;

	if (sema_expr(c, n->a) || sema_expr(c, n->b))
		return -EINVAL;
	a = NS(n->a);
	b = NS(n->b);
	if (a->ext == VX_AGG || b->ext == VX_AGG) {
		struct node *f = a->ext == VX_AGG ? n->a : n->b;

		return sema_err(c, f->loc, "%s() should be directly assigned to a map", f->name);
	}
	if (bt_is_ptr_arith(n))
		return bt_sema_ptr_arith(c, n);
	if ((n->op == TOK_EQ || n->op == TOK_NE) && a->t.kind == LT_STR && b->t.kind == LT_STR) {
		sema_set_bool(c, n);
		return 0;
	}
	if ((n->op == TOK_EQ || n->op == TOK_NE) && a->t.kind == LT_TUPLE)
		return tuple_compare(c, n);
	if (!lt_is_int(&a->t) || !lt_is_int(&b->t) || a->ext || b->ext) {
		char x[64], y[64];

		return sema_err(c, n->loc, "Type mismatch for '%s': comparing '%s' with '%s'",
				tok_name(n->op), lt_type_str(&a->t, x, sizeof(x)),
				lt_type_str(&b->t, y, sizeof(y)));
	}
	/* 0.26: a difference is signed (`nsecs - @ts[tid]` can be negative) */
	sema_set_int(n, 8, (a->t.is_signed && b->t.is_signed) ||
				   (n->op == '-' && c->opts->dialect == LANG_0_26));
	if (n->op == TOK_EQ || n->op == TOK_NE || n->op == '<' || n->op == '>' || n->op == TOK_LE ||
	    n->op == TOK_GE || n->op == TOK_LAND || n->op == TOK_LOR)
		sema_set_bool(c, n);
	if ((n->op == '/' || n->op == '%') && a->t.is_signed && b->t.is_signed && !c->quiet &&
	    !(n->a->kind == N_NUM && n->b->kind == N_NUM)) {
		struct loc ol = {(int)(n->num >> 40), (int)((n->num >> 20) & 0xfffff),
				 (int)(n->num & 0xfffff)};

		diag_warn(c->diag, ol,
			  "signed operands for '%s' can lead to undefined behavior (cast to "
			  "unsigned to silence warning)",
			  tok_name(n->op));
	}
	/* keep both operands' signedness for comparisons/division in codegen */
	NS(n)->k[0] = a->t.is_signed && b->t.is_signed;
	/* 0.26: a zero divisor gives 1 and a runtime warning (k[1]: 1 + its fmt) */
	if ((n->op == '/' || n->op == '%') && c->opts->dialect == LANG_0_26 &&
	    !(n->b->kind == N_NUM && n->b->num))
		NS(n)->k[1] = 1 + sema_runtime_warning(c, n->loc,
						       "Divide or modulo by 0 detected. This can "
						       "lead to unexpected results. 1 is being used "
						       "as the result.");
	return 0;
}

/*
 * args.xs of a Go slice of integers: a value, its length and first elements (goargs.c); its
 * words stay readable as .array, .len, .cap.
 */
static bool go_slice_value(struct compiler *c, struct node *n, const struct go_param *gp)
{
	struct nsema *s = sema_info(n);
	struct lt_type elem, *e;
	uint32_t esize;

	if (!go_param_int_slice(gp, &elem, &esize))
		return false;
	e = c_alloc(c, sizeof(*e));
	*e = elem;
	s->t = (struct lt_type){.kind = LT_ARRAY, .size = GO_SLICE_ELEMS, .elem = e};
	s->k[3] = 3;
	return true;
}

/*
 * An integer field of a tracepoint: its format's size and sign, except that 0.26 types
 * tracepoint args as C declares them (from BTF since 0.25): a syscall's `int dfd` is held in
 * 8 unsigned bytes by the format, and is an int, -100, by its C type.
 */
static void tp_field_int(struct compiler *c, const struct tp_field *f, struct node *n)
{
	int size = f->size > 8 || f->size <= 0 ? 8 : f->size;
	uint32_t csize;
	bool csigned;

	/* a signed C integer narrower than its slot: the C type (cdecl.c reads the spelling) */
	if (c->opts->dialect == LANG_0_26 && !f->is_ptr &&
	    cdecl_int_name(f->ctype, &csize, &csigned) && csigned && (int)csize <= size) {
		sema_set_int(n, (int)csize, true);
		return;
	}
	sema_set_int(n, size, f->is_signed);
}

static int sema_field(struct compiler *c, struct node *n)
{
	struct nsema *a, *s = sema_info(n);

	if (n->a->kind == N_IDENT)
		n->a->op = '.'; /* `args` as a field's base, not a value (ck_args()) */
	if (sema_expr(c, n->a))
		return -EINVAL;
	a = NS(n->a);
	if (a->ext == VX_ARGS) {
		struct attach_point *ap = c->cur && c->cur->naps ? &c->cur->aps[0] : NULL;

		if (c->cur->type == PT_TRACEPOINT) {
			const struct tp_field *f;

			if (c->opts->offline || !ap || !ap->tp.fmt.nfields) {
				sema_set_int(n, 8, false);
				return 0;
			}
			f = tp_field_find(&ap->tp.fmt, n->name);
			if (!f)
				return sema_err(c, n->loc,
						"Struct/union of type 'struct _tracepoint_%s_%s' "
						"does not contain a field named '%s'",
						ap->tp.cat, ap->tp.name, n->name);
			s->field = f;
			if (f->is_str) {
				sema_set_str(n, f->data_loc ? lang_max_strlen(c->opts) : (uint32_t)f->array_len);
				return 0;
			}
			tp_field_int(c, f, n);
			s->is_user_ptr = f->is_ptr;
			return 0;
		}
		/* Go parameters from DWARF */
		if (ap && ap_is_uprobe(ap) && ap->up.nparams) {
			for (int i = 0; i < ap->up.nparams; i++) {
				if (strcmp(ap->up.params[i].name, n->name))
					continue;
				s->go_param = i;
				if (go_param_is_error(&ap->up.params[i])) {
					/* a Go error: its type and message as text (goargs.c) */
					sema_set_str(n, GO_ERROR_STRLEN);
					s->k[3] = 2;
					return 0;
				}
				if (!strcmp(ap->up.params[i].type_name, "string") &&
				    ap->up.params[i].nregs == 2) {
					/* Go string: (ptr, len) in two registers */
					sema_set_str(n, lang_max_strlen(c->opts));
					s->k[3] = 1;
					return 0;
				}
				if (go_slice_value(c, n, &ap->up.params[i]))
					return 0;
				if (ap->up.params[i].nmembers) {
					s->ext = VX_GOSTRUCT;
					return 0;
				}
				if (ap->up.params[i].nregs < 1)
					return sema_err(c, n->loc,
							"parameter '%s' is not passed in registers",
							n->name);
				sema_set_int(n, 8, true);
				return 0;
			}
		}
		if (c->opts->offline) {
			sema_set_int(n, 8, true);
			return 0;
		}
		return sema_err(c, n->loc, "Can't find a parameter named '%s'%s", n->name,
				ap && ap_is_uprobe(ap) && ap->up.nparams
					? ""
					: " (no DWARF parameters for this probe)");
	}
	if (a->ext == VX_GOSTRUCT || a->t.kind == LT_ARRAY) {
		struct go_param *gp = &c->cur->aps[0].up.params[a->go_param];

		for (int i = 0; i < gp->nmembers; i++)
			if (!strcmp(gp->member_names[i], n->name)) {
				s->go_param = a->go_param;
				s->go_member = i;
				if (gp->member_reg[i] < 0)
					return sema_err(c, n->loc,
							"field '%s' is not in a register", n->name);
				sema_set_int(n, 8, true);
				return 0;
			}
		return sema_err(c, n->loc, "'%s' has no field named '%s'", gp->type_name, n->name);
	}
	if (lt_is_record(&a->t))
		return record_field(c, n);
	if (a->t.kind == LT_TUPLE) {
		char *end;
		long i = strtol(n->name, &end, 10);

		if (*end || i < 0 || i >= (long)a->t.nmembers)
			return sema_err(c, n->loc, "Invalid tuple index: %s", n->name);
		s->k[0] = i;
		s->t = *a->t.members[i].type;
		return 0;
	}
	if (bt_typed(n->a))
		return bt_sema_field(c, n);
	return sema_err(c, n->loc, "Can not access field '%s' on expression of type '%s'", n->name,
			"non-struct");
}

/* $t[N] (0.25): $t.N, N a constant. */
static int tuple_index(struct compiler *c, struct node *n)
{
	const struct lt_type *t = &NS(n->a)->t;
	int64_t i;
	char name[24];

	if (!sema_const_int(c, n->b, &i))
		return sema_err(c, n->b->loc, "The index of a tuple must be a constant integer");
	if (i < 0 || i >= (int64_t)t->nmembers)
		return sema_err(c, n->loc, "Invalid tuple index: %lld. Found %u elements in tuple.",
				(long long)i, t->nmembers);
	snprintf(name, sizeof(name), "%lld", (long long)i);
	node_free(n->b);
	n->b = NULL;
	n->kind = N_FIELD;
	n->op = 0;
	free(n->name);
	n->name = strdup(name);
	if (!n->name)
		abort();
	return sema_field(c, n);
}

static int sema_cast(struct compiler *c, struct node *n)
{
	static const struct {
		const char *name;
		int size;
		bool sign;
	} ints[] = {
		{"int8", 1, true},    {"int16", 2, true},   {"int32", 4, true},
		{"int64", 8, true},   {"uint8", 1, false},  {"uint16", 2, false},
		{"uint32", 4, false}, {"uint64", 8, false}, {"int", 4, true},
		{"char", 1, true},    {"bool", 1, false},   {"uint", 4, false},
		{"long", 8, true},    {"ulong", 8, false},  {"short", 2, true},
		{"ushort", 2, false}, {"uchar", 1, false},  {"size_t", 8, false},
		{"u8", 1, false},     {"u16", 2, false},    {"u32", 4, false},
		{"u64", 8, false},    {"s8", 1, true},	    {"s16", 2, true},
		{"s32", 4, true},     {"s64", 8, true},	    {"void", 1, false},
	};
	struct nsema *s = sema_info(n);

	if (sema_expr(c, n->a))
		return -EINVAL;
	/* integer <-> integer array (0.19) */
	if (strchr(n->name, '[') || (NS(n->a)->t.kind == LT_ARRAY && !NS(n->a)->ext))
		return addr_sema_cast(c, n);
	if (!lt_is_int(&NS(n->a)->t) || NS(n->a)->ext)
		return sema_err(c, n->loc, "Cannot cast from non-integer type");
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (strcmp(n->name, ints[i].name))
			continue;
		if (n->num) {
			/* a pointer: remember the pointee for a later `*` */
			sema_set_int(n, 8, false);
			s->k[1] = n->num > 1 ? 8 : ints[i].size;
			s->k[2] = n->num > 1 ? 0 : ints[i].sign;
			s->k[3] = 1;
			return 0;
		}
		if (!strcmp(n->name, "void"))
			break;
		if (!strcmp(n->name, "bool") && c->opts->dialect == LANG_0_26) {
			/* 0.24's bool: any nonzero value is true (k[0]: made 0/1 in code) */
			sema_set_bool(c, n);
			s->k[0] = 1;
			return 0;
		}
		sema_set_int(n, ints[i].size, ints[i].sign);
		return 0;
	}
	if (!strncmp(n->name, "struct ", 7) || !bt_lookup(c, n->name, &(uint32_t){0}))
		return bt_sema_cast(c, n);
	return sema_err(c, n->loc, "Unknown type: %s%s (struct types need BTF, not supported)",
			n->name, n->num ? " *" : "");
}

static int sema_posparam(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	const char *v;
	char *end;

	if (n->num < 0) {
		sema_set_int(n, 8, false);
		s->k[0] = c->opts->nparams;
		return 0;
	}
	if (n->num == 0 || n->num > c->opts->nparams) {
		/* unset parameters read as 0 (or "" through str()) */
		sema_set_int(n, 8, true);
		s->k[0] = 0;
		s->k[1] = 1;
		return 0;
	}
	v = c->opts->params[n->num - 1];
	s->k[0] = strtoll(v, &end, 0);
	if (*v && !*end) {
		sema_set_int(n, 8, true);
		return 0;
	}
	sema_set_str(n, (uint32_t)strlen(v) + 1);
	s->is_const_str = true;
	return 0;
}

int sema_expr(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);

	memset(s, 0, sizeof(*s));
	s->map = s->var = s->fmt = -1;
	switch (n->kind) {
	case N_NUM:
		sema_set_int(n, 8, true);
		return 0;
	case N_STR:
		s->t.kind = LT_STR;
		s->t.size = (uint32_t)n->num + 1;
		s->is_const_str = true;
		return 0;
	case N_IDENT:
		return sema_call(c, n, false);
	case N_CALL:
		return sema_call(c, n, true);
	case N_MAP: {
		struct mapdef *md;

		if (sema_map_keys(c, n))
			return -EINVAL;
		md = &c->maps[s->map];
		if (!md->typed) {
			if (c->quiet) {
				sema_set_int(n, 8, true);
				return 0;
			}
			return sema_err(c, n->loc, "Undefined map: %s", n->name);
		}
		if (md->m.agg == LT_AGG_NONE) {
			s->t = md->m.val;
			return 0;
		}
		if (md->m.agg == LT_AGG_COUNT || md->m.agg == LT_AGG_SUM ||
		    md->m.agg == LT_AGG_MIN || md->m.agg == LT_AGG_MAX ||
		    (md->m.agg == LT_AGG_AVG && c->opts->dialect == LANG_0_26)) {
			/* the sum over the CPUs (cg_agg_read()); avg since bpftrace 0.22 */
			sema_set_int(n, 8, md->m.agg != LT_AGG_COUNT);
			s->agg = md->m.agg;
			return 0;
		}
		return sema_err(c, n->loc, "The value of a %s map can not be read in a probe",
				md->m.agg == LT_AGG_HIST ? "hist" : "aggregation");
	}
	case N_VAR: {
		struct var *v = var_find(c->cur, n->name);

		if (!v || v->type.kind == LT_NONE)
			return sema_err(c, n->loc, "Undefined or undeclared variable: %s", n->name);
		s->var = (int)(v - c->cur->vars);
		s->t = v->type;
		return 0;
	}
	case N_POSPARAM:
		return sema_posparam(c, n);
	case N_BINOP:
		return sema_binop(c, n);
	case N_UNOP:
		if (sema_expr(c, n->a))
			return -EINVAL;
		if (n->op == '*' && bt_typed(n->a))
			return bt_sema_deref(c, n);
		if (!lt_is_int(&NS(n->a)->t) || NS(n->a)->ext) {
			char x[64];

			return sema_err(
				c, n->loc,
				"The %s operator can not be used on expressions of type '%s'",
				tok_name(n->op), lt_type_str(&NS(n->a)->t, x, sizeof(x)));
		}
		if (n->op == '&')
			return sema_err(c, n->loc, "The & (address-of) operator is not supported");
		/* 0.26: negating a bool is an error; only `!` takes one */
		if (NS(n->a)->t.is_bool && (n->op == '-' || n->op == '~'))
			return sema_err(
				c, n->loc,
				"The %s operator can not be used on expressions of type 'bool'",
				tok_name(n->op));
		if (n->op == '*') {
			struct nsema *a = NS(n->a);

			sema_set_int(n, a->k[3] ? (int)a->k[1] : 8, a->k[3] ? a->k[2] : false);
			return 0;
		}
		sema_set_int(n, 8, n->op == '-' || NS(n->a)->t.is_signed);
		if (n->op == '!')
			sema_set_bool(c, n);
		return 0;
	case N_TERNARY: {
		struct nsema *b, *d;

		if (sema_expr(c, n->a) || sema_expr(c, n->b) || sema_expr(c, n->c))
			return -EINVAL;
		b = NS(n->b);
		d = NS(n->c);
		if (!lt_is_int(&NS(n->a)->t))
			return sema_err(c, n->a->loc, "Invalid condition in ternary");
		if (b->ext || d->ext || b->t.kind != d->t.kind ||
		    !(lt_is_int(&b->t) || b->t.kind == LT_STR))
			return sema_err(
				c, n->loc,
				"Ternary operator must return the same type: have '%s' and '%s'",
				lt_type_str(&b->t, (char[64]){0}, 64),
				lt_type_str(&d->t, (char[64]){0}, 64));
		s->t = b->t;
		if (b->t.kind == LT_STR && d->t.size > s->t.size)
			s->t.size = d->t.size;
		return 0;
	}
	case N_FIELD:
		return sema_field(c, n);
	case N_INDEX: {
		struct nsema *a;

		/* p[i] on a pointer: *(p + i * element size); argv-style arrays of pointers */
		if (sema_expr(c, n->a) || sema_expr(c, n->b))
			return -EINVAL;
		a = NS(n->a);
		if (bt_typed(n->a))
			return bt_sema_index(c, n);
		if (a->t.kind == LT_TUPLE && !a->ext)
			return tuple_index(c, n);
		if (a->t.kind == LT_STR && !a->ext && c->opts->dialect == LANG_0_26)
			return sema_str_index(c, n);
		if (!lt_is_int(&a->t) || a->ext || !lt_is_int(&NS(n->b)->t))
			return sema_err(c, n->loc,
					"The array index operator [] can only be used on arrays "
					"and pointers");
		sema_set_int(n, a->k[3] ? (int)a->k[1] : 8, a->k[3] ? a->k[2] : false);
		s->k[0] = a->k[3] ? a->k[1] : 8;
		return 0;
	}
	case N_CAST:
		return sema_cast(c, n);
	case N_SIZEOF: {
		int64_t sz = 8;
		int t = addr_sizeof(c, n, &sz); /* union, enum, typedef and array names */

		if (t < 0)
			return t;
		if (t) {
			sema_set_int(n, 8, false);
			s->k[0] = sz;
			return 0;
		}
		if (n->a) {
			if (sema_expr(c, n->a))
				return -EINVAL;
			if (bt_typed(n->a) && !NS(n->a)->t.btf_ptr && bt_sema_sizeof(c, n, &sz))
				return -EINVAL;
			if (!bt_typed(n->a) || NS(n->a)->t.btf_ptr)
				sz = lt_is_int(&NS(n->a)->t) ? NS(n->a)->t.size
							     : lt_type_size(&NS(n->a)->t);
		} else if (strstr(n->name, "struct ")) {
			if (bt_sema_sizeof(c, n, &sz))
				return -EINVAL;
		} else {
			static const char *const n1[] = {"int8", "uint8", "char", "bool",
							 "u8",	 "s8",	  "uchar"};
			static const char *const n2[] = {"int16",  "uint16", "short",
							 "ushort", "u16",    "s16"};
			static const char *const n4[] = {"int32", "uint32", "int",
							 "uint",  "u32",    "s32"};

			for (size_t i = 0; i < sizeof(n1) / sizeof(*n1); i++)
				if (!strcmp(n->name, n1[i]))
					sz = 1;
			for (size_t i = 0; i < sizeof(n2) / sizeof(*n2); i++)
				if (!strcmp(n->name, n2[i]))
					sz = 2;
			for (size_t i = 0; i < sizeof(n4) / sizeof(*n4); i++)
				if (!strcmp(n->name, n4[i]))
					sz = 4;
			if (!strcmp(n->name, "string"))
				sz = lang_max_strlen(c->opts);
		}
		sema_set_int(n, 8, false);
		s->k[0] = sz;
		return 0;
	}
	case N_RECORD: {
		/* checked as the tuple of its values, then named (types.c) */
		int err = record_unwrap(c, n);

		if (err)
			return err;
		n->kind = N_TUPLE;
		err = sema_expr(c, n);
		n->kind = N_RECORD;
		return err ? err : record_name(c, n);
	}
	case N_TUPLE: {
		int nm = (int)node_count(n->args), i = 0;
		struct lt_member *m = c_alloc(c, nm * sizeof(*m));

		for (struct node *a = n->args; a; a = a->next, i++) {
			if (sema_expr(c, a))
				return -EINVAL;
			if (NS(a)->ext || NS(a)->t.kind == LT_NONE)
				return sema_err(c, a->loc, "invalid tuple member");
			m[i].type = &NS(a)->t;
		}
		lt_tuple_layout(m, nm);
		s->t.kind = LT_TUPLE;
		s->t.members = m;
		s->t.nmembers = nm;
		return 0;
	}
	case N_INCDEC:
		if (n->a->kind != N_MAP && n->a->kind != N_VAR)
			return sema_err(c, n->loc,
					"The %s operator must be applied to a map or variable",
					tok_name(n->op));
		if (n->a->kind == N_MAP) {
			if (sema_map_keys(c, n->a))
				return -EINVAL;
			if (!c->maps[NS(n->a)->map].typed) {
				struct lt_type it = {.kind = LT_INT, .size = 8, .is_signed = true};

				sema_map_value(c, n->a, LT_AGG_NONE, &it, n->loc);
			}
			if (c->maps[NS(n->a)->map].m.agg != LT_AGG_NONE ||
			    !lt_is_int(&c->maps[NS(n->a)->map].m.val))
				return sema_err(c, n->loc, "The %s operator needs an integer map",
						tok_name(n->op));
		} else if (sema_expr(c, n->a) || !lt_is_int(&NS(n->a)->t)) {
			return sema_err(c, n->loc, "The %s operator needs an integer variable",
					tok_name(n->op));
		}
		sema_set_int(n, 8, true);
		return 0;
	default:
		return sema_err(c, n->loc, "unexpected expression");
	}
}
