// SPDX-License-Identifier: GPL-2.0
/*
 * tracepoint:CATEGORY:EVENT (globs expand through tracefs; `args` typed from the event's
 * format file, tpformat.c) and rawtracepoint:[MODULE:]EVENT (globs expand through the
 * kernel's BTF).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "core/attach.h"
#include "core/kbtf.h"
#include "core/probe.h"
#include "lang/probes.h"
#include "lang/provider.h"

static int tracepoint_parse(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	if (n != 3 || !*parts[1] || !*parts[2])
		return provider_error(c, ap,
				      "tracepoint probe must have a category and an event name");
	ap->tp.cat = strdup(parts[1]);
	ap->tp.name = strdup(parts[2]);
	return ap->tp.cat && ap->tp.name ? 0 : -ENOMEM;
}

static int tracepoint_expand(struct compiler *c, struct probe *p, const struct attach_point *tmpl)
{
	struct probe_spec spec = {
		.kind = PROBE_TRACEPOINT, .tp_cat = tmpl->tp.cat, .pattern = tmpl->tp.name};
	char **names, err[512];
	size_t n;
	int ret;

	if (glob_is_literal(tmpl->tp.cat) && glob_is_literal(tmpl->tp.name))
		return 0;
	ret = tracepoints_match(&spec, &names, &n, err, sizeof(err));
	if (ret) {
		diag_error(c->diag, tmpl->loc, "%s", ret == -ENOENT ? "No probes matched" : err);
		return ret;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		struct attach_point *ap;
		char *colon = strchr(names[i], ':'), *name;

		/* --probe-filter: before the format is read */
		if (asprintf(&name, "tracepoint:%s", names[i]) < 0)
			abort();
		ap = probe_add_expanded(c, p, tmpl, name);
		if (!ap)
			continue;
		*colon = 0;
		ap->tp.cat = strdup(names[i]);
		ap->tp.name = strdup(colon + 1);
		ret = tp_format_load(c, ap);
	}
	strv_free(names, n);
	/* n, not the number kept: a pattern the filter emptied is still not a concrete name */
	return ret ? ret : (int)n;
}

static int tracepoint_attach(const struct attach_point *ap, struct attach_set *as, int pid)
{
	return attach_tracepoint(as, ap->prog_fd, ap->tp.cat, ap->tp.name, ap->probe_index);
}

/* rawtracepoint:EVENT, or rawtracepoint:MODULE:EVENT (0.24; the kernel finds it by name) */
static int rawtracepoint_parse(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	if (n < 2 || n > 3 || !*parts[n - 1] || (n == 3 && !*parts[1]))
		return provider_error(c, ap, "rawtracepoint probe must have a tracepoint name");
	ap->tp.name = strdup(parts[n - 1]);
	ap->tp.cat = n == 3 ? strdup(parts[1]) : NULL;
	return ap->tp.name && (n == 2 || ap->tp.cat) ? 0 : -ENOMEM;
}

/*
 * A wildcard: every tracepoint the kernel's BTF has a btf_trace_EVENT typedef for (what a raw
 * tracepoint attaches to; syscall events such as sys_enter_openat are not among them).
 */
static int rawtracepoint_expand(struct compiler *c, struct probe *p,
				const struct attach_point *tmpl)
{
	static const char prefix[] = "btf_trace_";
	struct kbtf *k;
	size_t n = 0;
	int ret;

	if (glob_is_literal(tmpl->tp.name) && (!tmpl->tp.cat || glob_is_literal(tmpl->tp.cat)))
		return 0;
	ret = kbtf__open(NULL, &k);
	if (ret) {
		diag_error(c->diag, tmpl->loc, "rawtracepoint wildcards need the kernel's BTF: %s",
			   strerror(-ret));
		return ret;
	}
	for (uint32_t id = 1; id < kbtf__type_cnt(k); id++) {
		const struct btf_type *t = kbtf__type(k, id);
		const char *name = t ? kbtf__str(k, t->name_off) : NULL;
		struct attach_point *ap;
		char *pname;

		if (!name || !btf_is_typedef(t) || strncmp(name, prefix, sizeof(prefix) - 1) ||
		    !glob_match(tmpl->tp.name, name + sizeof(prefix) - 1))
			continue;
		n++;
		if (asprintf(&pname, "rawtracepoint:%s", name + sizeof(prefix) - 1) < 0)
			abort();
		ap = probe_add_expanded(c, p, tmpl, pname);
		if (!ap)
			continue;
		ap->tp.name = strdup(name + sizeof(prefix) - 1);
		if (!ap->tp.name)
			abort();
	}
	kbtf__close(k);
	if (!n) {
		diag_error(c->diag, tmpl->loc, "No probes matched");
		return -ENOENT;
	}
	return (int)n;
}

static int rawtracepoint_attach(const struct attach_point *ap, struct attach_set *as, int pid)
{
	return attach_raw_tracepoint(as, ap->prog_fd, ap->tp.name);
}

static void tracepoint_free(struct attach_point *ap)
{
	free(ap->tp.cat);
	free(ap->tp.name);
	tp_format_free(&ap->tp.fmt);
}

const struct provider provider_tracepoint = {
	.name = "tracepoint",
	.alias = "t",
	.type = PT_TRACEPOINT,
	.prog_type = BPF_PROG_TYPE_TRACEPOINT,
	.parse = tracepoint_parse,
	.expand = tracepoint_expand,
	.resolve = tp_format_load,
	.attach = tracepoint_attach,
	.free = tracepoint_free,
};

const struct provider provider_rawtracepoint = {
	.name = "rawtracepoint",
	.alias = "rt",
	.type = PT_RAWTP,
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.parse = rawtracepoint_parse,
	.expand = rawtracepoint_expand,
	.attach = rawtracepoint_attach,
	.free = tracepoint_free,
};
