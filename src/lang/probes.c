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
#include "lang/config.h"
#include "lang/goargs.h"
#include "lang/lexer.h"
#include "lang/macro.h"
#include "lang/probes.h"
#include "lang/provider.h"

/* Every probe type, in bpftrace's order of the documentation. */
static const struct provider *const providers[] = {
	&provider_begin,      &provider_end,	       &provider_uprobe,   &provider_uretprobe,
	&provider_tracepoint, &provider_rawtracepoint, &provider_interval, &provider_profile,
	&provider_software,   &provider_hardware,      &provider_kprobe,   &provider_kretprobe,
	&provider_kfunc,      &provider_kretfunc,      &provider_usdt,	   &provider_watchpoint,
	&provider_self,
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
static char *canonical_probe_name(const struct compiler *c, const struct attach_point *ap,
				  const char *text)
{
	const struct provider *prov = ap->prov;
	const char *rest = strchr(text, ':');
	char *name;

	if (prov == &provider_begin || prov == &provider_end) {
		bool upper = c->opts->dialect == LANG_0_17;

		if (prov == &provider_begin)
			return strdup(upper ? "BEGIN" : "begin");
		return strdup(upper ? "END" : "end");
	}
	if (!rest)
		return strdup(prov->name);
	/* 0.24 on: interval:1s is interval:us:1000000 */
	if ((prov == &provider_interval || prov == &provider_profile) && !strchr(rest + 1, ':'))
		return asprintf(&name, "%s:%s:%llu", prov->name, ap->timer.unit,
				(unsigned long long)ap->timer.freq) < 0
			       ? NULL
			       : name;
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
	/* 1e6 style; an exponent past what 64 bits hold is an error, not a long loop */
	if (*end == 'e' && isdigit((unsigned char)end[1])) {
		unsigned long e = strtoul(end + 1, &end, 10);

		if (errno || (e > 19 && *v))
			return -1;
		while (e-- > 0 && *v) {
			if (*v > UINT64_MAX / 10)
				return -1;
			*v *= 10;
		}
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
	ap->probe_name = canonical_probe_name(c, ap, text);
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

struct attach_point *probe_add_expanded(struct compiler *c, struct probe *p,
					const struct attach_point *tmpl, char *name)
{
	struct attach_point *ap;

	if (!probe_filter_keeps(name)) {
		free(name);
		return NULL;
	}
	ap = probe_add_ap(p);
	*ap = (struct attach_point){.prov = tmpl->prov,
				    .type = tmpl->type,
				    .loc = tmpl->loc,
				    .prog_fd = -1,
				    .probe_name = name,
				    .probe_index = probe_name_add(c, name)};
	c->nattach++;
	return ap;
}

/*
 * --probe-filter's regex: set by the command line for the one compilation of a run (the
 * compiler's options are shared with the fuzzer and the unit tests, which never filter).
 */
static const regex_t *probe_filter;

void probes_set_filter(const regex_t *re)
{
	probe_filter = re;
}

bool probe_filter_keeps(const char *name)
{
	return !probe_filter || !regexec(probe_filter, name, 0, NULL, 0);
}

/*
 * bpftrace substitutes $N in attach points as text before parsing them (`uprobe:$1:main.f`);
 * a missing parameter is empty. NULL after a diagnostic (or without memory).
 */
static char *subst_params(struct compiler *c, const char *text, struct loc loc)
{
	size_t len = strlen(text) + 1, n = 0;
	char *out = malloc(len), *grown, *end;

	for (const char *p = text; out && *p;) {
		const char *val;
		size_t vlen;
		long i;

		if (*p != '$') {
			out[n++] = *p++;
			continue;
		}
		i = strtol(p + 1, &end, 10);
		if (!isdigit((unsigned char)p[1])) {
			const char *w = p + 1;

			while (isalnum((unsigned char)*w) || *w == '_')
				w++;
			diag_error(c->diag, loc,
				   "invalid trailing character for positional param: %.*s. Try "
				   "quoting this entire part if this is intentional e.g. \"%.*s\".",
				   (int)(w - p - 1), p + 1, (int)(w - p), p);
			free(out);
			return NULL;
		}
		val = i >= 1 && i <= c->opts->nparams ? c->opts->params[i - 1] : "";
		vlen = strlen(val);
		len += vlen;
		grown = realloc(out, len);
		if (!grown) {
			free(out);
			return NULL;
		}
		out = grown;
		memcpy(out + n, val, vlen);
		n += vlen;
		p = end;
	}
	if (out)
		out[n] = 0;
	return out;
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

/* Keeps its program (begin/end) or runs in the -p process only (the rest). */
static bool ap_is_special(const struct attach_point *ap)
{
	return ap->type == PT_BEGIN || ap->type == PT_END || ap->prov == &provider_self;
}

/*
 * 0.24 on, -p PID also holds for tracepoints and raw tracepoints: bpftrace puts
 * `if (pid != PID) return` in front of their programs; here it becomes a part of the
 * probe's predicate. Blocks that also serve special or interval probes, which -p leaves
 * alone, are not filtered.
 */
static void pid_filter(struct compiler *c, struct probe *p)
{
	struct node *eq, *id, *num, *and;
	bool any = false;

	if (c->opts->dialect != LANG_0_26 || c->opts->pid <= 0)
		return;
	for (int a = 0; a < p->naps; a++) {
		if (ap_is_special(&p->aps[a]) || p->aps[a].type == PT_INTERVAL)
			return;
		any |= ap_is_tracepoint(&p->aps[a]);
	}
	if (!any)
		return;
	id = node_new(N_IDENT, p->node->loc);
	id->name = strdup("pid");
	if (!id->name)
		abort();
	num = node_new(N_NUM, p->node->loc);
	num->num = c->opts->pid;
	eq = node_new(N_BINOP, p->node->loc);
	eq->op = TOK_EQ;
	eq->a = id;
	eq->b = num;
	if (!p->node->a) {
		p->node->a = eq;
		return;
	}
	and = node_new(N_BINOP, p->node->loc);
	and->op = TOK_LAND;
	and->a = eq;
	and->b = p->node->a;
	p->node->a = and;
}

/* Drop the probes --probe-filter left without attach points. */
static void probes_compact(struct compiler *c)
{
	int n = 0;

	for (int i = 0; i < c->nprobes; i++) {
		if (!c->probes[i].naps) {
			free(c->probes[i].aps);
			continue;
		}
		c->probes[n++] = c->probes[i];
	}
	c->nprobes = n;
}

/*
 * config missing_probes = warn or ignore (0.26): a probe that is not there (no such
 * tracepoint, function, file) is dropped instead of failing the program. Providers report
 * through diag, so what they say while looking is held (struct missing) and, if they fail,
 * said again as a warning, or not at all.
 */
struct missing {
	FILE *real, *mem;
	char *text;
	size_t len;
	int nerrors;
};

static void missing_hold(struct compiler *c, struct missing *m)
{
	memset(m, 0, sizeof(*m));
	if (c->opts->missing_probes == MISSING_PROBES_ERROR)
		return;
	m->mem = open_memstream(&m->text, &m->len);
	if (!m->mem)
		return; /* then the errors stay errors */
	m->real = c->diag->out;
	m->nerrors = c->diag->nerrors;
	c->diag->out = m->mem;
}

/* err: the provider's; returns it, or 0 when the probe is to be dropped quietly. */
static int missing_release(struct compiler *c, struct missing *m, int err)
{
	char *e;

	if (!m->mem)
		return err;
	fclose(m->mem);
	c->diag->out = m->real;
	if (err >= 0) {
		fwrite(m->text, 1, m->len, m->real);
	} else {
		c->diag->nerrors = m->nerrors;
		e = strstr(m->text, ": ERROR: ");
		if (c->opts->missing_probes == MISSING_PROBES_WARN && e && !c->diag->no_warnings)
			fprintf(m->real, "%.*s: WARNING: %s", (int)(e - m->text), m->text,
				e + strlen(": ERROR: "));
		err = 0;
	}
	free(m->text);
	return err;
}

static bool compat_pending(const struct compiler *c)
{
	for (const struct node *n = c->prog->a; n; n = n->next)
		if (n->kind == N_COMPAT && n->num == (int64_t)c->opts->dialect)
			return true;
	return false;
}

int probes_expand(struct compiler *c)
{
	bool seen_begin = false, seen_end = false;
	struct missing miss;
	int i = 0, ret = 0;

	/*
	 * The program's new forms first (config, macros, block expressions): unless the parser
	 * left a syntax error of this dialect for sema to report, which comes first.
	 */
	if (!compat_pending(c) &&
	    (lang_config_apply(c) || lang_expand_macros(c) || lang_lower_blocks(c)))
		return -EINVAL;
	c->nprobes = (int)node_count(c->prog->args);
	c->probes = calloc(c->nprobes ? c->nprobes : 1, sizeof(*c->probes));
	if (!c->probes)
		return -ENOMEM;
	for (struct node *pn = c->prog->args; pn; pn = pn->next, i++) {
		struct probe *p = &c->probes[i];

		p->node = pn;
		for (struct node *an = pn->args; an; an = an->next) {
			struct attach_point tmp, *ap;
			char *text = subst_params(c, an->name, an->loc);
			int found,
				err = text ? attach_point_parse(c, text, an->loc, &tmp) : -EINVAL;
			size_t nfuncs;

			free(text);
			if (err) {
				ret = err;
				continue;
			}
			if (!p->naps)
				p->type = tmp.type;
			if (tmp.prov->expand && !c->opts->offline) {
				p->types |= PTM(tmp.type);
				missing_hold(c, &miss);
				found = tmp.prov->expand(c, p, &tmp);
				err = missing_release(c, &miss, found);
				if (found) {
					attach_point_free(&tmp);
					if (err < 0)
						ret = err;
					continue;
				}
			}
			/* uprobes are filtered by function, when they are resolved */
			if (!ap_is_special(&tmp) && !ap_is_uprobe(&tmp) &&
			    !probe_filter_keeps(tmp.probe_name)) {
				attach_point_free(&tmp);
				continue;
			}
			if (!p->naps)
				p->type = tmp.type;
			p->types |= PTM(tmp.type);
			/* 0.25 on: several begin/end probes run in order */
			if ((tmp.prov == &provider_begin || tmp.prov == &provider_end) &&
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
						     node_uses_ident(pn->b, "args") ||
						     node_uses_ident(pn->b, "gretval");
			if (!c->opts->offline) {
				missing_hold(c, &miss);
				found = attach_point_resolve(c, ap);
				err = missing_release(c, &miss, found);
				if (found) {
					/* missing_probes = warn/ignore: the probe is dropped */
					if (err) {
						ret = err;
					} else {
						attach_point_free(ap);
						p->naps--;
					}
					continue;
				}
			}
			nfuncs = ap_is_uprobe(ap) ? ap->up.nfuncs : 0;
			/* a uprobe whose functions --probe-filter all dropped */
			if (ap_is_uprobe(ap) && !nfuncs && probe_filter && !c->opts->offline) {
				attach_point_free(ap);
				p->naps--;
				continue;
			}
			c->nattach += nfuncs ? (int)nfuncs : 1;
			if (!nfuncs)
				ap->probe_index = probe_name_add(c, ap->probe_name);
		}
		pid_filter(c, p);
	}
	if (!ret)
		probes_compact(c);
	return ret;
}
