// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/func_probe.h"
#include "core/attach.h"
#include "core/funcplan.h"
#include "core/vec.h"

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

int func_plan__add_text(struct func_plan *p, const char *text, int pid, char *err, size_t errlen)
{
	struct probe_spec spec;
	int ret = probe_spec__parse(text, false, &spec, err, errlen);

	if (ret)
		return ret;
	ret = func_plan__add(p, &spec, pid, err, errlen);
	probe_spec__free(&spec);
	return ret;
}

void func_plan__free(struct func_plan *p)
{
	for (size_t s = 0; s < p->nsets; s++)
		target_set__free(&p->sets[s]);
	free(p->sets);
	free(p->funcs);
	memset(p, 0, sizeof(*p));
}

static int sites_push(struct uprobe_sites *s, uint64_t off, uint64_t cookie)
{
	if (VEC_RESERVE(s->offs, s->cap_offs, s->n, 1) ||
	    VEC_RESERVE(s->cookies, s->cap_cookies, s->n, 1))
		return -ENOMEM;
	s->offs[s->n] = off;
	s->cookies[s->n] = cookie;
	s->n++;
	return 0;
}

int uprobe_sites__add_entry(struct uprobe_sites *s, const struct target_set *ts,
			    const struct func_target *f, uint32_t idx)
{
	enum entry_cond cond = ts->is_go ? f->layout.entry_cond : ENTRY_ALWAYS;

	return sites_push(s, f->offset + f->layout.entry_off,
			  COOKIE(idx, cond, ts->is_go, ts->goid_off));
}

int uprobe_sites__add_returns(struct uprobe_sites *s, const struct target_set *ts,
			      const struct func_target *f, uint32_t idx)
{
	int err = 0;

	if (!ts->is_go)
		return sites_push(s, f->offset, COOKIE(idx, ENTRY_ALWAYS, 0, 0));
	/* Go: never a uretprobe (it crashes Go programs); a uprobe on every RET instead. */
	for (uint32_t r = 0; r < f->layout.nrets && !err; r++)
		err = sites_push(s, f->offset + f->layout.ret_off[r],
				 COOKIE(idx, ENTRY_ALWAYS, 1, ts->goid_off));
	return err;
}

int uprobe_sites__add_at(struct uprobe_sites *s, const struct target_set *ts,
			 const struct func_target *f, uint32_t idx, uint64_t off)
{
	return sites_push(s, f->offset + off, COOKIE(idx, ENTRY_ALWAYS, ts->is_go, ts->goid_off));
}

bool uprobe_sites__has_conds(const struct uprobe_sites *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (COOKIE_COND(s->cookies[i]) != ENTRY_ALWAYS)
			return true;
	return false;
}

void uprobe_sites__free(struct uprobe_sites *s)
{
	free(s->offs);
	free(s->cookies);
	memset(s, 0, sizeof(*s));
}

enum half { HALF_ENTRY, HALF_RETURN };

/* Collect one binary's sites of one kind, with global indexes, and attach them together. */
static int attach_half(struct func_plan *p, struct attach_set *as, int prog_fd, int pid,
		       size_t set, enum half half)
{
	const struct target_set *ts = &p->sets[set];
	struct uprobe_sites s = { 0 };
	int err = 0;

	for (size_t gi = 0; gi < p->nfuncs && !err; gi++) {
		const struct func_target *f = p->funcs[gi].f;

		if (p->funcs[gi].ts != ts)
			continue;
		err = half == HALF_ENTRY ? uprobe_sites__add_entry(&s, ts, f, gi)
					 : uprobe_sites__add_returns(&s, ts, f, gi);
	}
	if (!err && s.n)
		err = attach_uprobes(as, prog_fd, p->multi, ts->path, s.offs, s.cookies, s.n, pid,
				     half == HALF_RETURN && !ts->is_go);
	uprobe_sites__free(&s);
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
		int err = attach_half(p, as, prog_fd, pid, i, HALF_RETURN);

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
