// SPDX-License-Identifier: GPL-2.0
/*
 * A stack profile's storage: interned strings, shared locations, samples (see stack.h).
 * Two open-addressing tables keep interning linear: strings by their bytes, locations by
 * (address, module, kernel, lines). Symbolizing raw addresses is stack_sym.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/stack.h"
#include "core/vec.h"

struct stack_index {
	uint32_t *str_slots; /* string id + 1; 0: empty */
	size_t str_cap;	     /* a power of two */
	uint32_t *loc_slots; /* location index + 1 */
	size_t loc_cap;
};

/* Grow a slot table to twice the size, rehashing with hash(i) of each stored index. */
static int slots_grow(uint32_t **slots, size_t *cap, uint64_t (*hash)(void *, uint32_t), void *ctx)
{
	size_t ncap = *cap ? *cap * 2 : 1024;
	uint32_t *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < *cap; i++) {
		uint32_t v = (*slots)[i];
		size_t j;

		if (!v)
			continue;
		for (j = hash(ctx, v - 1) & (ncap - 1); ns[j]; j = (j + 1) & (ncap - 1))
			;
		ns[j] = v;
	}
	free(*slots);
	*slots = ns;
	*cap = ncap;
	return 0;
}

static uint64_t str_hash(void *ctx, uint32_t id)
{
	struct stack_profile *p = ctx;

	return hash_fnv(HASH_FNV_SEED, p->strs[id], strlen(p->strs[id]));
}

int stack_profile__init(struct stack_profile *p, const struct stack_value_type *types,
			unsigned int ntypes)
{
	memset(p, 0, sizeof(*p));
	if (!ntypes || ntypes > STACK_MAX_TYPES)
		return -EINVAL;
	memcpy(p->types, types, ntypes * sizeof(*types));
	p->ntypes = ntypes;
	p->period_type = types[0];
	p->idx = calloc(1, sizeof(*p->idx));
	if (!p->idx || VEC_RESERVE(p->strs, p->strs_cap, 0, 1))
		goto nomem;
	p->strs[0] = strdup("");
	if (!p->strs[0])
		goto nomem;
	p->nstrs = 1;
	return 0;
nomem:
	stack_profile__exit(p);
	return -ENOMEM;
}

void stack_profile__exit(struct stack_profile *p)
{
	for (size_t i = 0; i < p->nstrs; i++)
		free(p->strs[i]);
	free(p->strs);
	free(p->lines);
	free(p->locs);
	free(p->loc_ids);
	free(p->samples);
	free(p->values);
	if (p->idx) {
		free(p->idx->str_slots);
		free(p->idx->loc_slots);
		free(p->idx);
	}
	if (!p->sym_shared)
		stack_symbolizer__free(p->sym);
	memset(p, 0, sizeof(*p));
}

int64_t stack_profile__intern(struct stack_profile *p, const char *s)
{
	struct stack_index *x = p->idx;
	size_t len, j;
	char *copy;

	if (!s || !*s)
		return 0;
	if ((p->nstrs + 1) * 2 > x->str_cap && slots_grow(&x->str_slots, &x->str_cap, str_hash, p))
		return -ENOMEM;
	len = strlen(s);
	for (j = hash_fnv(HASH_FNV_SEED, s, len) & (x->str_cap - 1); x->str_slots[j];
	     j = (j + 1) & (x->str_cap - 1))
		if (!strcmp(p->strs[x->str_slots[j] - 1], s))
			return x->str_slots[j] - 1;
	if (p->nstrs >= UINT32_MAX - 1 || VEC_RESERVE(p->strs, p->strs_cap, p->nstrs, 1))
		return -ENOMEM;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	p->strs[p->nstrs] = copy;
	x->str_slots[j] = (uint32_t)p->nstrs + 1;
	return (int64_t)p->nstrs++;
}

static uint64_t loc_hash_parts(const struct stack_loc *l, const struct stack_line *lines)
{
	uint64_t h = hash_fnv(HASH_FNV_SEED, &l->addr, sizeof(l->addr));

	h = hash_fnv(h, &l->module, sizeof(l->module));
	h = hash_fnv(h, &l->kernel, sizeof(l->kernel));
	return hash_fnv(h, lines, l->nlines * sizeof(*lines));
}

static uint64_t loc_hash(void *ctx, uint32_t i)
{
	struct stack_profile *p = ctx;

	return loc_hash_parts(&p->locs[i], &p->lines[p->locs[i].line0]);
}

/*
 * The index of the location l with lines (l->line0 ignored): an equal one already stored,
 * or a new one. -ENOMEM.
 */
static int64_t loc_intern(struct stack_profile *p, struct stack_loc l,
			  const struct stack_line *lines)
{
	struct stack_index *x = p->idx;
	size_t j;

	if ((p->nlocs + 1) * 2 > x->loc_cap && slots_grow(&x->loc_slots, &x->loc_cap, loc_hash, p))
		return -ENOMEM;
	for (j = loc_hash_parts(&l, lines) & (x->loc_cap - 1); x->loc_slots[j];
	     j = (j + 1) & (x->loc_cap - 1)) {
		const struct stack_loc *o = &p->locs[x->loc_slots[j] - 1];

		if (o->addr == l.addr && o->module == l.module && o->kernel == l.kernel &&
		    o->nlines == l.nlines &&
		    !memcmp(&p->lines[o->line0], lines, l.nlines * sizeof(*lines)))
			return x->loc_slots[j] - 1;
	}
	if (p->nlocs >= UINT32_MAX - 1 || VEC_RESERVE(p->locs, p->locs_cap, p->nlocs, 1) ||
	    VEC_RESERVE(p->lines, p->lines_cap, p->nlines, l.nlines))
		return -ENOMEM;
	memcpy(&p->lines[p->nlines], lines, l.nlines * sizeof(*lines));
	l.line0 = (uint32_t)p->nlines;
	p->nlines += l.nlines;
	p->locs[p->nlocs] = l;
	x->loc_slots[j] = (uint32_t)p->nlocs + 1;
	return (int64_t)p->nlocs++;
}

#define MAX_INLINE 64 /* lines of one location */

/* Intern the location made of frames[0 .. n) (n - 1 inlined ones, then their holder). */
static int64_t loc_of_frames(struct stack_profile *p, const struct stack_frame *f, size_t n)
{
	struct stack_line lines[MAX_INLINE];
	const struct stack_frame *holder = &f[n - 1];
	struct stack_loc l = {.addr = holder->addr, .kernel = holder->kernel, .nlines = n};
	int64_t id;

	if (n > MAX_INLINE)
		return -EINVAL;
	id = stack_profile__intern(p, holder->module);
	if (id < 0)
		return id;
	l.module = (uint32_t)id;
	for (size_t i = 0; i < n; i++) {
		int64_t fn = stack_profile__intern(p, f[i].func ? f[i].func : "[unknown]");
		int64_t file = stack_profile__intern(p, f[i].file);

		if (fn < 0 || file < 0)
			return -ENOMEM;
		lines[i] = (struct stack_line){
			.func = (uint32_t)fn, .file = (uint32_t)file, .line = f[i].line};
	}
	return loc_intern(p, l, lines);
}

/* The sample of who with values and the locations already at loc_ids[loc0 ..]. */
static int sample_push(struct stack_profile *p, const struct stack_who *who, size_t loc0,
		       size_t nkernel, const int64_t *values)
{
	struct stack_sample *s;
	int64_t comm = stack_profile__intern(p, who->comm);
	int64_t extra = stack_profile__intern(p, who->extra);

	if (comm < 0 || extra < 0 || VEC_RESERVE(p->samples, p->samples_cap, p->nsamples, 1) ||
	    VEC_RESERVE(p->values, p->values_cap, p->nvalues, p->ntypes))
		return -ENOMEM;
	s = &p->samples[p->nsamples++];
	*s = (struct stack_sample){
		.pid = who->pid,
		.tid = who->tid,
		.comm = (uint32_t)comm,
		.extra = (uint32_t)extra,
		.loc0 = (uint32_t)loc0,
		.nlocs = (uint32_t)(p->nloc_ids - loc0),
		.nkernel = (uint32_t)nkernel,
		.val0 = (uint32_t)p->nvalues,
		.kernel_missing = who->kernel_missing,
		.user_missing = who->user_missing,
	};
	memcpy(&p->values[p->nvalues], values, p->ntypes * sizeof(*values));
	p->nvalues += p->ntypes;
	return 0;
}

int stack_profile__add_frames(struct stack_profile *p, const struct stack_who *who,
			      const struct stack_frame *frames, size_t nframes,
			      const int64_t *values)
{
	size_t loc0 = p->nloc_ids, i = 0, nk = 0;

	while (i < nframes) {
		size_t n = 1;
		int64_t id;

		while (frames[i + n - 1].inlined && i + n < nframes)
			n++;
		id = loc_of_frames(p, &frames[i], n);
		if (id < 0 || VEC_RESERVE(p->loc_ids, p->loc_ids_cap, p->nloc_ids, 1)) {
			p->nloc_ids = loc0;
			return id < 0 ? (int)id : -ENOMEM;
		}
		p->loc_ids[p->nloc_ids++] = (uint32_t)id;
		if (frames[i + n - 1].kernel)
			nk++;
		i += n;
	}
	return sample_push(p, who, loc0, nk, values);
}
