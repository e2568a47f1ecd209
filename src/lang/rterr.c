// SPDX-License-Identifier: GPL-2.0
/*
 * What a program reports about itself while it runs (bpftrace 0.26's runtime warnings and
 * helper errors): each place in the source that can report gets an entry the output side
 * prints from (place, source excerpt), and the code that checks at that place sends its
 * number through the ring buffer. The texts are print_event.c's.
 *
 * Runtime warnings are printf formats (lt_prog.fmts) known to semantic analysis. Helper
 * errors are found while generating code, so their places (lt_prog.sites) are a table of
 * their own that nothing points into while code is being generated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lang/cg.h"

static const char *excerpt_of(struct compiler *c, struct loc loc)
{
	char *ex = diag_excerpt(c->diag, loc);
	char *copy;

	if (!ex)
		return NULL;
	copy = strcpy(c_alloc(c, strlen(ex) + 1), ex);
	free(ex);
	return copy;
}

int sema_runtime_warning(struct compiler *c, struct loc loc, const char *msg)
{
	int fmt = fmt_add(c, msg, NULL, 0);
	struct lt_fmt *f = &c->fmts[fmt].f;

	f->file = c->diag->file;
	f->line = loc.line;
	f->col = loc.col;
	f->end = loc.end;
	f->excerpt = excerpt_of(c, loc);
	return fmt;
}

void cg_runtime_warning(struct cg *g, int fmt)
{
	uint32_t off;

	if (g->c->diag->no_warnings)
		return;
	off = cg_heap_alloc(g, 8);
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)off, LT_EV_WARNF);
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + 4), fmt);
	cg_output(g, off, 8);
}

static const char *helper_name(int helper)
{
	switch (helper) {
	case BPF_FUNC_map_update_elem:
		return "map_update_elem";
	case BPF_FUNC_map_lookup_elem:
		return "map_lookup_elem";
	case BPF_FUNC_map_delete_elem:
		return "map_delete_elem";
	case BPF_FUNC_probe_read:
		return "probe_read";
	case BPF_FUNC_probe_read_str:
		return "probe_read_str";
	case BPF_FUNC_probe_read_user:
		return "probe_read_user";
	case BPF_FUNC_probe_read_kernel:
		return "probe_read_kernel";
	case BPF_FUNC_probe_read_user_str:
		return "probe_read_user_str";
	case BPF_FUNC_probe_read_kernel_str:
		return "probe_read_kernel_str";
	default:
		return "helper";
	}
}

/* The site of helper at loc, one per place (a probe's code is made once per attach point). */
static int site_of(struct compiler *c, struct loc loc, int helper)
{
	const char *name = helper_name(helper);
	struct lt_site *s;

	for (int i = 0; i < c->nsites; i++) {
		s = &c->sites[i];
		if (s->line == loc.line && s->col == loc.col && s->end == loc.end &&
		    !strcmp(s->helper, name))
			return i;
	}
	s = realloc(c->sites, (c->nsites + 1) * sizeof(*c->sites));
	if (!s)
		abort();
	c->sites = s;
	s = &c->sites[c->nsites];
	*s = (struct lt_site){.helper = name,
			      .helper_id = helper,
			      .file = c->diag->file,
			      .line = loc.line,
			      .col = loc.col,
			      .end = loc.end,
			      .excerpt = excerpt_of(c, loc)};
	return c->nsites++;
}

/*
 * bpftrace 0.26's levels: map updates always report; failed map lookups and probe reads only
 * with -k; nothing with --no-warnings.
 */
static bool reported(const struct compiler *c, int helper)
{
	if (c->diag->no_warnings || c->opts->dialect == LANG_0_17)
		return false;
	return helper == BPF_FUNC_map_update_elem || c->opts->warnings_k;
}

void cg_helper_check(struct cg *g, int helper, int tolerated, const struct loc *at)
{
	int ok = cg_label(g);
	uint32_t off;

	if (!reported(g->c, helper))
		return;
	if (helper == BPF_FUNC_map_lookup_elem) {
		/* a lookup returns a pointer: NULL is the failure, reported with retcode 0 */
		cg_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, ok);
	} else {
		cg_jmp_imm(g, BPF_JSGE, BPF_REG_0, 0, ok);
		if (tolerated)
			cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, tolerated, ok);
	}
	off = cg_heap_alloc(g, 16);
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)off, LT_EV_HELPER_ERROR);
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + 4),
		  site_of(g->c, at ? *at : g->cur_loc, helper));
	cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(off + 8), BPF_REG_0);
	cg_output(g, off, 16);
	if (helper == BPF_FUNC_map_lookup_elem)
		cg_mov_imm(g, BPF_REG_0, 0); /* the caller goes on with its NULL */
	cg_bind(g, ok);
}
