// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/func_probe.h"
#include "core/attach.h"
#include "core/funcplan.h"

int func_plan__add(struct func_plan *p, const struct probe_spec *spec, int pid, char *err,
		   size_t errlen)
{
	struct target_set ts, *sets;
	struct func_ref *funcs;
	int ret;

	ret = target_resolve(spec, pid, RESOLVE_LAYOUT | RESOLVE_BCC_GLOB, &ts, err, errlen);
	if (ret)
		return ret;
	sets = realloc(p->sets, (p->nsets + 1) * sizeof(*sets));
	if (!sets) {
		target_set__free(&ts);
		return -ENOMEM;
	}
	p->sets = sets;
	p->sets[p->nsets++] = ts;
	/* Rebuild the flat index: earlier sets moved with the realloc. */
	funcs = realloc(p->funcs, (p->nfuncs + ts.nfuncs) * sizeof(*funcs));
	if (!funcs)
		return -ENOMEM;
	p->funcs = funcs;
	p->nfuncs = 0;
	p->nrefused = 0;
	for (size_t s = 0; s < p->nsets; s++) {
		p->nrefused += p->sets[s].nrefused;
		for (size_t i = 0; i < p->sets[s].nfuncs; i++) {
			p->funcs[p->nfuncs].ts = &p->sets[s];
			p->funcs[p->nfuncs].f = &p->sets[s].funcs[i];
			p->nfuncs++;
		}
	}
	return 0;
}

void func_plan__free(struct func_plan *p)
{
	for (size_t s = 0; s < p->nsets; s++)
		target_set__free(&p->sets[s]);
	free(p->sets);
	free(p->funcs);
	memset(p, 0, sizeof(*p));
}

struct sites {
	uint64_t *offs, *cookies;
	size_t n;
};

static int sites_push(struct sites *s, size_t *cap, uint64_t off, uint64_t cookie)
{
	if (s->n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		uint64_t *o = realloc(s->offs, c * sizeof(*o));
		uint64_t *k;

		if (!o)
			return -ENOMEM;
		s->offs = o;
		k = realloc(s->cookies, c * sizeof(*k));
		if (!k)
			return -ENOMEM;
		s->cookies = k;
		*cap = c;
	}
	s->offs[s->n] = off;
	s->cookies[s->n] = cookie;
	s->n++;
	return 0;
}

static void sites_free(struct sites *s)
{
	free(s->offs);
	free(s->cookies);
}

enum half { HALF_ENTRY, HALF_RET_GO, HALF_RET_C };

/* Collect one binary's sites of one kind, with global indexes, and attach them together. */
static int attach_half(struct func_plan *p, struct attach_set *as, int prog_fd, int pid,
		       size_t set, enum half half)
{
	const struct target_set *ts = &p->sets[set];
	struct sites s = { 0 };
	size_t cap = 0;
	int err = 0;

	for (size_t gi = 0; gi < p->nfuncs && !err; gi++) {
		const struct func_target *f = p->funcs[gi].f;

		if (p->funcs[gi].ts != ts)
			continue;
		switch (half) {
		case HALF_ENTRY:
			err = sites_push(&s, &cap, f->offset + f->layout.entry_off,
					 COOKIE(gi, f->layout.entry_cond, ts->is_go, ts->goid_off));
			break;
		case HALF_RET_GO:
			for (uint32_t r = 0; r < f->layout.nrets && !err; r++)
				err = sites_push(&s, &cap, f->offset + f->layout.ret_off[r],
						 COOKIE(gi, 0, 1, ts->goid_off));
			break;
		case HALF_RET_C:
			err = sites_push(&s, &cap, f->offset, COOKIE(gi, 0, 0, 0));
			break;
		}
	}
	if (!err && s.n)
		err = attach_uprobes(as, prog_fd, p->multi, ts->path, s.offs, s.cookies, s.n, pid,
				     half == HALF_RET_C);
	sites_free(&s);
	return err;
}

int func_plan__attach_entries(struct func_plan *p, struct attach_set *as, int prog_fd, int pid)
{
	for (size_t i = 0; i < p->nsets; i++) {
		int err = attach_half(p, as, prog_fd, pid, i, HALF_ENTRY);

		if (err)
			return err;
	}
	return 0;
}

int func_plan__attach_returns(struct func_plan *p, struct attach_set *as, int prog_fd, int pid)
{
	p->ntail_only = 0;
	for (size_t i = 0; i < p->nfuncs; i++)
		if (p->funcs[i].ts->is_go && !p->funcs[i].f->layout.nrets)
			p->ntail_only++;
	for (size_t i = 0; i < p->nsets; i++) {
		int err = attach_half(p, as, prog_fd, pid, i,
				      p->sets[i].is_go ? HALF_RET_GO : HALF_RET_C);

		if (err)
			return err;
	}
	return 0;
}

size_t func_plan__return_sites(const struct func_plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nfuncs; i++)
		n += p->funcs[i].ts->is_go ? p->funcs[i].f->layout.nrets : 1;
	return n;
}
