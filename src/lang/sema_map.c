// SPDX-License-Identifier: GPL-2.0
/*
 * Semantic analysis of maps: every @name gets one mapdef whose key and value types all its
 * uses must agree on (learnt from assignments in a quiet first pass, then checked).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compile.h"
#include "lang/diag.h"
#include "lang/parser.h"

static int map_find(struct compiler *c, const char *name)
{
	for (int i = 0; i < c->nmaps; i++)
		if (!strcmp(c->maps[i].name, name))
			return i;
	return -1;
}

int sema_map_get(struct compiler *c, struct node *n)
{
	int i = map_find(c, n->name);

	if (i >= 0)
		return i;
	c->maps = realloc(c->maps, (c->nmaps + 1) * sizeof(*c->maps));
	if (!c->maps)
		abort();
	memset(&c->maps[c->nmaps], 0, sizeof(c->maps[0]));
	c->maps[c->nmaps].name = strdup(n->name);
	c->maps[c->nmaps].m.name = c->maps[c->nmaps].name;
	c->maps[c->nmaps].loc = n->loc;
	c->maps[c->nmaps].m.fd = -1;
	return c->nmaps++;
}

int sema_map_value(struct compiler *c, struct node *map, enum lt_agg agg, const struct lt_type *val,
		   struct loc loc)
{
	struct mapdef *md = &c->maps[NS(map)->map];
	static const char *const agg_names[] = {"none", "count", "sum",	 "min",	  "max",
						"avg",	"stats", "hist", "lhist", "tseries"};

	if (!md->typed) {
		md->m.agg = agg;
		md->m.percpu = agg != LT_AGG_NONE;
		if (val)
			type_copy(c, &md->m.val, val);
		md->typed = true;
		return agg == LT_AGG_TSERIES ? tseries_map_params(c, md, true) : 0;
	}
	if (md->m.agg != agg) {
		char b[64];

		return sema_err(c, map->loc,
				"Type mismatch for %s: trying to assign value of type '%s' when "
				"map already contains a value of type '%s'",
				md->name, agg ? agg_names[agg] : lt_type_str(val, b, sizeof(b)),
				md->m.agg ? agg_names[md->m.agg] : "value");
	}
	if (agg == LT_AGG_NONE && val && !types_compatible(&md->m.val, val)) {
		char a[64], b[64];

		return sema_err(c, map->loc,
				"Type mismatch for %s: trying to assign value of type '%s' when "
				"map already contains a value of type '%s'",
				md->name, lt_type_str(val, a, sizeof(a)),
				lt_type_str(&md->m.val, b, sizeof(b)));
	}
	if (agg == LT_AGG_TSERIES)
		return tseries_map_params(c, md, false);
	if (agg == LT_AGG_NONE && val && val->kind == LT_STR && val->size > md->m.val.size)
		md->m.val.size = val->size;
	return 0;
}

/* A whole-map argument: print(@m), clear(@m), zero(@m). */
int sema_map_ref(struct compiler *c, struct node *arg, const char *fn)
{
	struct nsema *s;
	int i;

	if (arg->kind != N_MAP)
		return sema_err(c, arg->loc, "%s() expects a map to be provided", fn);
	if (arg->args)
		return sema_err(c, arg->loc,
				"The map passed to %s() should not be indexed by a key", fn);
	s = sema_info(arg);
	i = sema_map_get(c, arg);
	s->map = i;
	s->ext = VX_MAPREF;
	return 0;
}

/*
 * let @m = TYPE(N); (bpftrace 0.24): the map's BPF type and max entries. Plain values live
 * in a hash or an LRU hash, aggregations in their per-CPU kinds; either of a pair may be
 * declared for the other. The hint lists the kinds in bpftrace's order (its hash table's).
 */
int sema_map_decls(struct compiler *c)
{
	static const struct {
		const char *name;
		int type;
	} kinds[] = {
		{"percpulruhash", BPF_MAP_TYPE_LRU_PERCPU_HASH},
		{"percpuhash", BPF_MAP_TYPE_PERCPU_HASH},
		{"lruhash", BPF_MAP_TYPE_LRU_HASH},
		{"hash", BPF_MAP_TYPE_HASH},
	};
	int ret = 0;

	for (struct node *d = c->prog->b; d; d = d->next) {
		struct mapdef *md;
		int i, k;

		if (d->kind != N_LET || !d->a || d->a->kind != N_MAP || !d->b)
			continue;
		for (k = 0; k < 4 && strcmp(kinds[k].name, d->b->name); k++)
			;
		if (k == 4) {
			ret = sema_err(c, d->loc, "Invalid bpf map type: %s", d->b->name);
			diag_hint(c->diag, "Valid map types: %s, %s, %s, %s", kinds[0].name,
				  kinds[1].name, kinds[2].name, kinds[3].name);
			continue;
		}
		i = map_find(c, d->a->name);
		if (i < 0) {
			diag_warn(c->diag, d->loc, "Unused map: %s", d->a->name);
			continue;
		}
		md = &c->maps[i];
		/* kinds 0, 1 are per-CPU */
		if ((k < 2) != md->m.percpu) {
			struct loc l = md->loc; /* the map's name where it is first used */

			l.end = l.col + (int)strlen(md->name);
			ret = sema_err(c, l,
				       "Incompatible map types. Type from declaration: %s. Type "
				       "from value/key type: %s",
				       kinds[k].name, md->m.percpu ? "percpuhash" : "hash");
			continue;
		}
		md->decl_type = kinds[k].type;
		md->max_entries = d->b->args ? (uint32_t)d->b->args->num : 0;
	}
	return ret;
}
