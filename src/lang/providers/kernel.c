// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe/kretprobe:FUNCTION and kfunc/kretfunc:FUNCTION parse, then say in one line why this
 * kernel cannot run them (no kprobes compiled in; fentry refused), pointing at tracepoints.
 * -l for the probe types whose probes come from the kernel's BTF or fixed lists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "core/attach.h"
#include "core/kbtf.h"
#include "core/probe.h"
#include "lang/provider.h"

static int kernel_parse(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	if (n != 2 || !*parts[1])
		return provider_error(c, ap, "%s probe must have a function name", ap->prov->name);
	ap->k.func = strdup(parts[1]);
	return ap->k.func ? 0 : -ENOMEM;
}

static int kprobe_resolve(struct compiler *c, struct attach_point *ap)
{
	diag_error(c->diag, ap->loc,
		   "%s probes are not available: this kernel has no kprobe support "
		   "(CONFIG_KPROBE_EVENTS); use a tracepoint or rawtracepoint",
		   ap->prov->name);
	return -EOPNOTSUPP;
}

static int kfunc_resolve(struct compiler *c, struct attach_point *ap)
{
	char why[256];

	if (kernel_kfunc_mech(why, sizeof(why)) != KFUNC_FENTRY) {
		diag_error(c->diag, ap->loc, "kfunc/kretfunc not available for your kernel: %s",
			   why);
		return -EOPNOTSUPP;
	}
	diag_error(c->diag, ap->loc, "kfunc/kretfunc probes are not supported yet");
	return -EOPNOTSUPP;
}

static void kernel_free(struct attach_point *ap)
{
	free(ap->k.func);
}

#define KERNEL_PROVIDER(nm, al, t, r)                                                           \
	{                                                                                        \
		.name = nm, .alias = al, .type = t, .prog_type = BPF_PROG_TYPE_KPROBE,           \
		.parse = kernel_parse, .resolve = r, .free = kernel_free,                        \
	}

const struct provider provider_kprobe = KERNEL_PROVIDER("kprobe", "k", PT_KPROBE, kprobe_resolve);
const struct provider provider_kretprobe =
	KERNEL_PROVIDER("kretprobe", "kr", PT_KRETPROBE, kprobe_resolve);
const struct provider provider_kfunc = KERNEL_PROVIDER("kfunc", "f", PT_KFUNC, kfunc_resolve);
const struct provider provider_kretfunc =
	KERNEL_PROVIDER("kretfunc", "fr", PT_KRETFUNC, kfunc_resolve);

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * rawtracepoint:[MODULE:]EVENT as bpftrace 0.26 lists them, `rawtracepoint:vmlinux:EVENT`, in
 * name order: the kernel's btf_trace_EVENT typedefs (what a raw tracepoint attaches to; the
 * module BTFs are not read).
 */
static int rawtracepoint_list(const char *pat)
{
	static const char prefix[] = "btf_trace_";
	char *buf = strdup(pat), *event, *colon;
	const char **names = NULL, *mod = "*";
	struct kbtf *k;
	size_t n = 0;
	int ret;

	if (!buf)
		abort();
	colon = strchr(buf, ':');
	event = buf;
	if (colon) {
		*colon = 0;
		mod = buf;
		event = colon + 1;
	}
	ret = kbtf__open(NULL, &k);
	if (ret) {
		fprintf(stderr, "ERROR: listing rawtracepoints needs the kernel's BTF: %s\n",
			strerror(-ret));
		free(buf);
		return ret;
	}
	for (uint32_t id = 1; glob_match(*mod ? mod : "*", "vmlinux") && id < kbtf__type_cnt(k);
	     id++) {
		const struct btf_type *t = kbtf__type(k, id);
		const char *name = t ? kbtf__str(k, t->name_off) : NULL;
		const char **v;

		if (!name || !btf_is_typedef(t) || strncmp(name, prefix, sizeof(prefix) - 1) ||
		    !glob_match(*event ? event : "*", name + sizeof(prefix) - 1))
			continue;
		v = realloc(names, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		names = v;
		names[n++] = name + sizeof(prefix) - 1;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++)
		printf("rawtracepoint:vmlinux:%s\n", names[i]);
	free(names);
	kbtf__close(k);
	free(buf);
	return 0;
}

int provider_list(const char *pattern)
{
	const char *colon = pattern ? strchr(pattern, ':') : NULL;
	const struct provider *pv;
	char type[32];

	if (!colon || (size_t)(colon - pattern) >= sizeof(type))
		return -ENOENT;
	memcpy(type, pattern, colon - pattern);
	type[colon - pattern] = 0;
	pv = provider_find(type);
	if (!pv)
		return -ENOENT;
	switch (pv->type) {
	case PT_RAWTP:
		return rawtracepoint_list(colon + 1);
	case PT_INTERVAL:
	case PT_PROFILE:
	case PT_SOFTWARE:
		return perf_provider_list(pv, colon + 1);
	default:
		return -ENOENT;
	}
}
