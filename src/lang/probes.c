// SPDX-License-Identifier: GPL-2.0
/*
 * Attach points: parse what the user wrote (`uprobe:./server:main.*.Mul+92`,
 * `t:syscalls:sys_enter_openat`, `interval:s:1`, ...) and expand it into concrete places,
 * through core/ (symbols, pclntab, Go prologue and RET layout, tracepoint formats).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/attach.h"
#include "core/elf.h"
#include "core/insn.h"
#include "core/procmaps.h"
#include "core/probe.h"
#include "lang/compile.h"
#include "lang/goargs.h"
#include "lang/probes.h"

static const struct {
	const char *name, *alias;
	enum probe_type type;
} probe_types[] = {
	{"BEGIN", NULL, PT_BEGIN},
	{"END", NULL, PT_END},
	{"uprobe", "u", PT_UPROBE},
	{"uretprobe", "ur", PT_URETPROBE},
	{"tracepoint", "t", PT_TRACEPOINT},
	{"rawtracepoint", "rt", PT_RAWTP},
	{"interval", "i", PT_INTERVAL},
	{"profile", "p", PT_PROFILE},
	{"software", "s", PT_SOFTWARE},
	{"hardware", "h", PT_HARDWARE},
	{"kprobe", "k", PT_KPROBE},
	{"kretprobe", "kr", PT_KRETPROBE},
	{"kfunc", "f", PT_KFUNC},
	{"kretfunc", "fr", PT_KRETFUNC},
	{"usdt", "U", PT_USDT},
	{"watchpoint", "w", PT_WATCHPOINT},
};

const char *probe_type_name(enum probe_type t)
{
	for (size_t i = 0; i < sizeof(probe_types) / sizeof(probe_types[0]); i++)
		if (probe_types[i].type == t)
			return probe_types[i].name;
	return "?";
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

static int ap_error(struct compiler *c, struct attach_point *ap, const char *fmt, const char *a)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, a);
	diag_error(c->diag, ap->loc, "%s", msg);
	return -EINVAL;
}

static const struct {
	const char *name, *alias;
	int config; /* PERF_COUNT_SW_* */
	uint64_t def;
} sw_events[] = {
	{"cpu-clock", "cpu", 0, 1000000},  {"task-clock", NULL, 1, 1000000},
	{"page-faults", "faults", 2, 100}, {"context-switches", "cs", 3, 1000},
	{"cpu-migrations", NULL, 4, 1},	   {"minor-faults", NULL, 5, 100},
	{"major-faults", NULL, 6, 1},	   {"alignment-faults", NULL, 7, 1},
	{"emulation-faults", NULL, 8, 1},  {"dummy", NULL, 9, 1},
	{"bpf-output", NULL, 10, 1},
};

int software_event_config(const char *name, uint64_t *def)
{
	for (size_t i = 0; i < sizeof(sw_events) / sizeof(sw_events[0]); i++)
		if (!strcmp(name, sw_events[i].name) ||
		    (sw_events[i].alias && !strcmp(name, sw_events[i].alias))) {
			if (def)
				*def = sw_events[i].def;
			return sw_events[i].config;
		}
	return -1;
}

static int parse_u64(const char *s, uint64_t *v)
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
	int n, ret = -EINVAL;
	size_t i;

	memset(ap, 0, sizeof(*ap));
	ap->loc = loc;
	ap->prog_fd = ap->stash_fd = ap->entry_prog_fd = -1;
	if (!buf)
		return -ENOMEM;
	n = split_colons(buf, parts, 4);
	for (i = 0; i < sizeof(probe_types) / sizeof(probe_types[0]); i++)
		if (!strcmp(parts[0], probe_types[i].name) ||
		    (probe_types[i].alias && !strcmp(parts[0], probe_types[i].alias)))
			break;
	if (i == sizeof(probe_types) / sizeof(probe_types[0])) {
		ap_error(c, ap, "Invalid probe type: %s", parts[0]);
		goto out;
	}
	ap->type = probe_types[i].type;
	switch (ap->type) {
	case PT_BEGIN:
	case PT_END:
		if (n != 1) {
			ap_error(c, ap, "%s probes take no arguments", parts[0]);
			goto out;
		}
		ap->probe_name = strdup(parts[0]);
		break;
	case PT_UPROBE:
	case PT_URETPROBE: {
		char *plus;

		if (n == 2) {
			ap_error(c, ap, "%s probe must have a target and a function",
				 probe_type_name(ap->type));
			goto out;
		}
		if (n != 3 || !*parts[1] || !*parts[2]) {
			ap_error(c, ap, "Invalid %s probe: expected PATH:FUNCTION[+OFFSET]",
				 probe_type_name(ap->type));
			goto out;
		}
		ap->path = strdup(parts[1]);
		plus = strrchr(parts[2], '+');
		if (plus && plus != parts[2] && isdigit((unsigned char)plus[1])) {
			if (parse_u64(plus + 1, &ap->func_offset)) {
				ap_error(c, ap, "Invalid offset: %s", plus + 1);
				goto out;
			}
			if (ap->type == PT_URETPROBE) {
				ap_error(c, ap, "Offset not allowed%s", "");
				goto out;
			}
			ap->has_offset = true;
			*plus = 0;
		}
		ap->func = strdup(parts[2]);
		break;
	}
	case PT_TRACEPOINT:
		if (n != 3 || !*parts[1] || !*parts[2]) {
			ap_error(c, ap, "tracepoint probe must have a category and an event name%s",
				 "");
			goto out;
		}
		ap->tp_cat = strdup(parts[1]);
		ap->tp_name = strdup(parts[2]);
		break;
	case PT_RAWTP:
		if (n != 2 || !*parts[1]) {
			ap_error(c, ap, "rawtracepoint probe must have a tracepoint name%s", "");
			goto out;
		}
		ap->tp_name = strdup(parts[1]);
		break;
	case PT_INTERVAL:
	case PT_PROFILE:
		if (n != 3) {
			ap_error(c, ap, "%s probe must have a unit and a rate (e.g. s:1, hz:99)",
				 probe_type_name(ap->type));
			goto out;
		}
		if (strcmp(parts[1], "s") && strcmp(parts[1], "ms") && strcmp(parts[1], "us") &&
		    strcmp(parts[1], "hz")) {
			ap_error(c, ap, "%s is not an accepted unit of time", parts[1]);
			goto out;
		}
		if (parse_u64(parts[2], &ap->freq) || !ap->freq) {
			ap_error(c, ap, "Invalid rate of %s probe", probe_type_name(ap->type));
			goto out;
		}
		ap->unit = strdup(parts[1]);
		break;
	case PT_SOFTWARE:
	case PT_HARDWARE:
		if (n < 2 || n > 3) {
			ap_error(c, ap, "%s probe must have an event name",
				 probe_type_name(ap->type));
			goto out;
		}
		if (ap->type == PT_SOFTWARE && software_event_config(parts[1], &ap->freq) < 0) {
			ap_error(c, ap, "Invalid software event: %s", parts[1]);
			goto out;
		}
		if (n == 3 && (parse_u64(parts[2], &ap->freq) || !ap->freq)) {
			ap_error(c, ap, "Invalid count for %s probe", probe_type_name(ap->type));
			goto out;
		}
		ap->unit = strdup(parts[1]);
		break;
	case PT_KPROBE:
	case PT_KRETPROBE:
	case PT_KFUNC:
	case PT_KRETFUNC:
		if (n != 2 || !*parts[1]) {
			ap_error(c, ap, "%s probe must have a function name",
				 probe_type_name(ap->type));
			goto out;
		}
		ap->func = strdup(parts[1]);
		break;
	default:
		ap_error(c, ap, "%s probes are not supported", probe_type_name(ap->type));
		goto out;
	}
	if (!ap->probe_name) {
		ap->probe_name = strdup(text);
		/* bpftrace prints the long type name for `probe` */
		if (ap->probe_name && strchr(text, ':')) {
			const char *rest = strchr(text, ':');

			free(ap->probe_name);
			if (asprintf(&ap->probe_name, "%s%s", probe_type_name(ap->type), rest) < 0)
				ap->probe_name = NULL;
		}
	}
	ret = 0;
out:
	free(buf);
	if (ret)
		attach_point_free(ap);
	return ret;
}

void attach_point_free(struct attach_point *ap)
{
	free(ap->probe_name);
	free(ap->path);
	free(ap->display);
	free(ap->func);
	uprobe_sites__free(&ap->sites);
	uprobe_sites__free(&ap->entry_sites);
	for (size_t i = 0; i < ap->nfuncs; i++)
		free(ap->func_names[i]);
	free(ap->func_names);
	for (int i = 0; i < ap->nparams; i++) {
		free(ap->params[i].name);
		free(ap->params[i].type_name);
		for (int k = 0; k < ap->params[i].nmembers; k++)
			free(ap->params[i].member_names[k]);
	}
	free(ap->params);
	free(ap->tp_cat);
	free(ap->tp_name);
	tp_format_free(&ap->fmt);
	free(ap->unit);
}

/* Check that OFF lands on an instruction boundary of the function. */
static int check_offset(struct compiler *c, struct attach_point *ap, const char *path,
			const struct func_target *f)
{
	struct elf_file *ef;
	const uint8_t *code;
	int ret = 0;

	if (f->size && ap->func_offset >= f->size) {
		diag_error(c->diag, ap->loc,
			   "Offset outside the function bounds ('%s' size is %llu)", f->name,
			   (unsigned long long)f->size);
		return -EINVAL;
	}
	if (elf_file__open(path, &ef))
		return 0;
	code = f->size ? elf_file__bytes_at(ef, f->addr, f->size) : NULL;
	if (code && !insn_is_boundary(code, f->size, f->addr, ap->func_offset)) {
		diag_error(c->diag, ap->loc,
			   "Could not add uprobe into middle of instruction: %s:%s+%llu",
			   ap->display, f->name, (unsigned long long)ap->func_offset);
		ret = -EINVAL;
	} else if (code && insn_uprobe_unsafe(code + ap->func_offset, f->size - ap->func_offset)) {
		diag_error(c->diag, ap->loc,
			   "Refusing a uprobe on %s+%llu: the kernel mis-emulates that instruction",
			   f->name, (unsigned long long)ap->func_offset);
		ret = -EINVAL;
	}
	elf_file__close(ef);
	return ret;
}

static int resolve_uprobe(struct compiler *c, struct attach_point *ap)
{
	struct probe_spec spec = {.kind = PROBE_UPROBE, .target = ap->path, .pattern = ap->func};
	struct target_set ts;
	char err[512];
	int ret;

	/* With -p the path is the file as that process sees it (core's proc_file_path()). */
	if (strchr(ap->path, '/')) {
		char real[PATH_MAX] = "";
		int pid = c->opts->pid;

		if (proc_file_path(pid, ap->path, real, sizeof(real)) || access(real, X_OK)) {
			if (*real && strcmp(real, ap->path))
				diag_error(c->diag, ap->loc,
					   "uprobe target file '%s' does not exist or is not "
					   "executable in the root of PID %d (%s)",
					   ap->path, pid, real);
			else
				diag_error(c->diag, ap->loc,
					   "uprobe target file '%s' does not exist or is not "
					   "executable",
					   ap->path);
			return -ENOENT;
		}
	}
	ret = target_resolve(&spec, c->opts->pid, RESOLVE_LAYOUT, &ts, err, sizeof(err));
	if (ret) {
		diag_error(c->diag, ap->loc, "%s", err);
		return ret;
	}
	ap->display = strdup(ap->path);
	free(ap->path);
	ap->path = strdup(ts.path);
	ap->is_go = ts.is_go;
	ap->goid_off = ts.goid_off;
	ap->func_names = calloc(ts.nfuncs, sizeof(char *));
	if (!ap->func_names || !ap->path) {
		target_set__free(&ts);
		return -ENOMEM;
	}
	if (ts.nfuncs > 1 && ap->has_offset) {
		diag_error(c->diag, ap->loc,
			   "an offset needs a single function, but '%s' matches %zu", ap->func,
			   ts.nfuncs);
		target_set__free(&ts);
		return -EINVAL;
	}
	for (size_t i = 0; i < ts.nfuncs && !ret; i++) {
		struct func_target *f = &ts.funcs[i];
		char *pname;
		uint32_t idx;

		ap->func_names[ap->nfuncs++] = strdup(f->name);
		if (asprintf(&pname, "%s:%s:%s%s", probe_type_name(ap->type), ap->display, f->name,
			     "") < 0)
			return -ENOMEM;
		idx = (uint32_t)probe_name_add(c, pname);
		free(pname);
		if (ap->has_offset) {
			ret = check_offset(c, ap, ts.path, f);
			if (!ret)
				ret = uprobe_sites__add_at(&ap->sites, &ts, f, idx, ap->func_offset);
		} else if (ap->type == PT_UPROBE) {
			ret = uprobe_sites__add_entry(&ap->sites, &ts, f, idx);
		} else {
			ret = uprobe_sites__add_returns(&ap->sites, &ts, f, idx);
			/* a Go return that reads args: its entry saves the registers */
			if (!ret && ap->is_go && ap->want_params) {
				ret = uprobe_sites__add_entry(&ap->entry_sites, &ts, f, idx);
				ap->stash = true;
			}
		}
	}
	if (!ret && ap->want_params && ts.nfuncs) {
		int err = go_params_load(ap, ts.path, ts.funcs[0].addr);

		if (err && err != -ENOENT)
			diag_warn(c->diag, ap->loc, "could not read DWARF parameters of %s: %s",
				  ts.funcs[0].name, strerror(-err));
	}
	if (!ret && !ap->sites.n) {
		diag_error(c->diag, ap->loc,
			   "no RET instruction found in '%s': it only leaves by tail jumps",
			   ap->func);
		ret = -ENOENT;
	}
	target_set__free(&ts);
	return ret;
}

int attach_point_resolve(struct compiler *c, struct attach_point *ap)
{
	char why[256];

	switch (ap->type) {
	case PT_UPROBE:
	case PT_URETPROBE:
		return resolve_uprobe(c, ap);
	case PT_TRACEPOINT:
		return tp_format_load(c, ap);
	case PT_KPROBE:
	case PT_KRETPROBE:
		diag_error(c->diag, ap->loc,
			   "%s probes are not available: this kernel has no kprobe support "
			   "(CONFIG_KPROBE_EVENTS); use a tracepoint or rawtracepoint",
			   probe_type_name(ap->type));
		return -EOPNOTSUPP;
	case PT_KFUNC:
	case PT_KRETFUNC:
		if (kernel_kfunc_mech(why, sizeof(why)) != KFUNC_FENTRY) {
			diag_error(c->diag, ap->loc,
				   "kfunc/kretfunc not available for your kernel: %s", why);
			return -EOPNOTSUPP;
		}
		diag_error(c->diag, ap->loc, "kfunc/kretfunc probes are not supported yet");
		return -EOPNOTSUPP;
	case PT_HARDWARE:
		diag_error(c->diag, ap->loc,
			   "hardware probes are not available: this machine has no PMU");
		return -EOPNOTSUPP;
	default:
		return 0;
	}
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

static struct attach_point *probe_add_ap(struct probe *p)
{
	struct attach_point *v = realloc(p->aps, (p->naps + 1) * sizeof(*v));

	if (!v)
		abort();
	p->aps = v;
	return &p->aps[p->naps++];
}

static int expand_tracepoints(struct compiler *c, struct probe *p, struct attach_point *tmpl)
{
	struct probe_spec spec = {
		.kind = PROBE_TRACEPOINT, .tp_cat = tmpl->tp_cat, .pattern = tmpl->tp_name};
	char **names, err[512];
	size_t n;
	int ret = tracepoints_match(&spec, &names, &n, err, sizeof(err));

	if (ret) {
		diag_error(c->diag, tmpl->loc, "%s", ret == -ENOENT ? "No probes matched" : err);
		return ret;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		struct attach_point *ap = probe_add_ap(p);
		char *colon = strchr(names[i], ':');

		memset(ap, 0, sizeof(*ap));
		ap->type = PT_TRACEPOINT;
		ap->loc = tmpl->loc;
		ap->prog_fd = ap->stash_fd = ap->entry_prog_fd = -1;
		*colon = 0;
		ap->tp_cat = strdup(names[i]);
		ap->tp_name = strdup(colon + 1);
		if (asprintf(&ap->probe_name, "tracepoint:%s:%s", ap->tp_cat, ap->tp_name) < 0)
			abort();
		ap->probe_index = probe_name_add(c, ap->probe_name);
		ret = tp_format_load(c, ap);
		c->nattach++;
	}
	strv_free(names, n);
	return ret;
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

			if (err) {
				ret = err;
				continue;
			}
			if (!p->naps)
				p->type = tmp.type;
			p->types |= PTM(tmp.type);
			if (tmp.type == PT_TRACEPOINT && !c->opts->offline &&
			    (!glob_is_literal(tmp.tp_cat) || !glob_is_literal(tmp.tp_name))) {
				err = expand_tracepoints(c, p, &tmp);
				attach_point_free(&tmp);
				if (err)
					ret = err;
				continue;
			}
			if (tmp.type == PT_BEGIN || tmp.type == PT_END) {
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
			ap->want_params =
				node_uses_ident(pn->a, "args") || node_uses_ident(pn->b, "args");
			if (!c->opts->offline) {
				err = attach_point_resolve(c, ap);
				if (err) {
					ret = err;
					continue;
				}
			}
			if (ap->type == PT_UPROBE || ap->type == PT_URETPROBE)
				c->nattach += ap->nfuncs ? (int)ap->nfuncs : 1;
			else
				c->nattach++;
			if (!ap->nfuncs)
				ap->probe_index = probe_name_add(c, ap->probe_name);
		}
	}
	return ret;
}
