// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe/kretprobe:FUNCTION and kfunc/kretfunc:FUNCTION parse, then say in one line why this
 * kernel cannot run them (no kprobes compiled in; fentry refused), pointing at tracepoints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/attach.h"
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
