// SPDX-License-Identifier: GPL-2.0
/*
 * Attach points: parse what the user wrote (`uprobe:./server:main.*.Mul+92`,
 * `t:syscalls:sys_enter_openat`, `interval:s:1`, ...) and expand it into concrete places,
 * through core/ (symbols, pclntab, Go prologue and RET layout, tracepoint formats).
 */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/attach.h"
#include "core/elf.h"
#include "core/insn.h"
#include "core/procmaps.h"
#include "core/probe.h"
#include "lang/compile.h"
#include "lang/goargs.h"
#include "lang/probes.h"
#include "lang/provider.h"

/* Every probe type, in bpftrace's order of the documentation. */
static const struct provider *const providers[] = {
	&provider_begin,    &provider_end,	     &provider_uprobe,	 &provider_uretprobe,
	&provider_tracepoint, &provider_rawtracepoint, &provider_interval, &provider_profile,
	&provider_software, &provider_hardware,	     &provider_kprobe,	 &provider_kretprobe,
	&provider_kfunc,    &provider_kretfunc,	     &provider_usdt,	 &provider_watchpoint,
};
#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

/* bpftrace 0.24 on: provider names in any case (BEGIN, begin, Tracepoint); aliases exactly. */
const struct provider *provider_find(const char *name)
{
	for (size_t i = 0; i < NPROVIDERS; i++)
		if (!strcasecmp(name, providers[i]->name) ||
		    (providers[i]->alias && !strcmp(name, providers[i]->alias)))
			return providers[i];
	return NULL;
}

int lang_dialect_parse(const char *text, enum lang_dialect *d)
{
	if (!strcmp(text, "0.17"))
		*d = LANG_0_17;
	else if (!strcmp(text, "0.26"))
		*d = LANG_0_26;
	else
		return -EINVAL;
	return 0;
}

/*
 * The name `probe` gives: the provider's long name and the rest as written; begin and end
 * as the dialect spells them (0.17: BEGIN, END).
 */
static char *canonical_probe_name(const struct compiler *c, const struct provider *prov,
				  const char *text)
{
	const char *rest = strchr(text, ':');
	char *name;

	if (prov->type == PT_BEGIN || prov->type == PT_END) {
		bool upper = c->opts->dialect == LANG_0_17;

		if (prov->type == PT_BEGIN)
			return strdup(upper ? "BEGIN" : "begin");
		return strdup(upper ? "END" : "end");
	}
	if (!rest)
		return strdup(prov->name);
	return asprintf(&name, "%s%s", prov->name, rest) < 0 ? NULL : name;
}

const struct provider *provider_of(enum probe_type t)
{
	for (size_t i = 0; i < NPROVIDERS; i++)
		if (providers[i]->type == t)
			return providers[i];
	return NULL;
}

const char *probe_type_name(enum probe_type t)
{
	const struct provider *p = provider_of(t);

	return p ? p->name : "?";
}

/* Split at ':' outside of brackets/parentheses (Go names contain neither ':' nor quotes). */
static int split_colons(char *s, char **parts, int max)
{
	int n = 0, depth = 0;

	parts[n++] = s;
	for (char *p = s; *p; p++) {
		if (*p == '(' || *p == '[')
			depth++;
		else if ((*p == ')' || *p == ']') && depth)
			depth--;
		else if (*p == ':' && !depth && n < max) {
			*p = 0;
			parts[n++] = p + 1;
		}
	}
	return n;
}

int provider_error(struct compiler *c, const struct attach_point *ap, const char *fmt, ...)
{
	char msg[512];
	va_list va;

	va_start(va, fmt);
	vsnprintf(msg, sizeof(msg), fmt, va);
	va_end(va);
	diag_error(c->diag, ap->loc, "%s", msg);
	return -EINVAL;
}

int provider_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno)
		return -1;
	/* 1e6 style */
	if (*end == 'e' && isdigit((unsigned char)end[1])) {
		unsigned long e = strtoul(end + 1, &end, 10);

		while (e-- > 0)
			*v *= 10;
	}
	return *end ? -1 : 0;
}

/* Parse the text of one attach point (no resolution). */
int attach_point_parse(struct compiler *c, const char *text, struct loc loc,
		       struct attach_point *ap)
{
	char *buf = strdup(text), *parts[4] = {0};
	const struct provider *prov;
	int n, ret;

	memset(ap, 0, sizeof(*ap));
	ap->loc = loc;
	ap->prog_fd = -1;
	if (!buf)
		return -ENOMEM;
	n = split_colons(buf, parts, 4);
	prov = provider_find(parts[0]);
	if (!prov) {
		ret = provider_error(c, ap, "Invalid probe type: %s", parts[0]);
		goto out;
	}
	ap->type = prov->type;
	if (!prov->parse) {
		ret = provider_error(c, ap, "%s probes are not supported", prov->name);
		goto out;
	}
	ap->prov = prov;
	ret = prov->parse(c, ap, parts, n);
	if (ret)
		goto out;
	ap->probe_name = canonical_probe_name(c, prov, text);
	ret = ap->probe_name ? 0 : -ENOMEM;
out:
	free(buf);
	if (ret)
		attach_point_free(ap);
	return ret;
}

void attach_point_free(struct attach_point *ap)
{
	if (ap->prov && ap->prov->free)
		ap->prov->free(ap);
	free(ap->probe_name);
	memset(ap, 0, sizeof(*ap));
	ap->prog_fd = -1;
}

int attach_point_resolve(struct compiler *c, struct attach_point *ap)
{
	return ap->prov->resolve ? ap->prov->resolve(c, ap) : 0;
}

int probe_name_add(struct compiler *c, const char *name)
{
	for (int i = 0; i < c->nprobe_names; i++)
		if (!strcmp(c->probe_names[i], name))
			return i;
	if (!(c->nprobe_names & (c->nprobe_names - 1))) {
		int cap = c->nprobe_names ? c->nprobe_names * 2 : 8;
		const char **v = realloc(c->probe_names, cap * sizeof(*v));

		if (!v)
			abort();
		c->probe_names = v;
	}
	c->probe_names[c->nprobe_names] = strdup(name);
	if (!c->probe_names[c->nprobe_names])
		abort();
	return c->nprobe_names++;
}

struct attach_point *probe_add_ap(struct probe *p)
{
	struct attach_point *v = realloc(p->aps, (p->naps + 1) * sizeof(*v));

	if (!v)
		abort();
	p->aps = v;
	return &p->aps[p->naps++];
}

static bool node_uses_ident(const struct node *n, const char *name)
{
	for (; n; n = n->next) {
		if (n->kind == N_IDENT && !strcmp(n->name, name))
			return true;
		if (node_uses_ident(n->a, name) || node_uses_ident(n->b, name) ||
		    node_uses_ident(n->c, name) ||
		    (n->kind != N_PROBE && node_uses_ident(n->args, name)))
			return true;
	}
	return false;
}

int probes_expand(struct compiler *c)
{
	bool seen_begin = false, seen_end = false;
	int i = 0, ret = 0;

	c->nprobes = (int)node_count(c->prog->args);
	c->probes = calloc(c->nprobes ? c->nprobes : 1, sizeof(*c->probes));
	if (!c->probes)
		return -ENOMEM;
	for (struct node *pn = c->prog->args; pn; pn = pn->next, i++) {
		struct probe *p = &c->probes[i];

		p->node = pn;
		for (struct node *an = pn->args; an; an = an->next) {
			struct attach_point tmp, *ap;
			int err = attach_point_parse(c, an->name, an->loc, &tmp);
			size_t nfuncs;

			if (err) {
				ret = err;
				continue;
			}
			if (!p->naps)
				p->type = tmp.type;
			p->types |= PTM(tmp.type);
			if (tmp.prov->expand && !c->opts->offline) {
				err = tmp.prov->expand(c, p, &tmp);
				if (err) {
					attach_point_free(&tmp);
					if (err < 0)
						ret = err;
					continue;
				}
			}
			/* 0.25 on: several begin/end probes run in order */
			if ((tmp.type == PT_BEGIN || tmp.type == PT_END) &&
			    c->opts->dialect == LANG_0_17) {
				bool *seen = tmp.type == PT_BEGIN ? &seen_begin : &seen_end;

				if (*seen) {
					diag_error(c->diag, tmp.loc,
						   "More than one %s probe defined",
						   probe_type_name(tmp.type));
					attach_point_free(&tmp);
					ret = -EINVAL;
					continue;
				}
				*seen = true;
			}
			ap = probe_add_ap(p);
			*ap = tmp;
			if (ap_is_uprobe(ap))
				ap->up.want_params = node_uses_ident(pn->a, "args") ||
						     node_uses_ident(pn->b, "args");
			if (!c->opts->offline) {
				err = attach_point_resolve(c, ap);
				if (err) {
					ret = err;
					continue;
				}
			}
			nfuncs = ap_is_uprobe(ap) ? ap->up.nfuncs : 0;
			c->nattach += nfuncs ? (int)nfuncs : 1;
			if (!nfuncs)
				ap->probe_index = probe_name_add(c, ap->probe_name);
		}
	}
	return ret;
}
