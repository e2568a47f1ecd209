/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe providers, ply-style: one small table per probe type says how its attach points are
 * parsed, expanded, resolved, loaded and attached, so that adding a probe type is one file in
 * providers/ and one line in the table (probes.c), not a case in every switch. What a type
 * allows inside a program stays with the builtins (their PTM() masks).
 */
#ifndef TK_LANG_PROVIDER_H
#define TK_LANG_PROVIDER_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>

#include "lang/compile.h"

struct attach_set;
struct cg_maps;

struct provider {
	const char *name, *alias;
	enum probe_type type;
	enum bpf_prog_type prog_type;
	/*
	 * parts[1..n-1]: the text after "TYPE:", split at ':' (parts[0] is the type). Fills the
	 * provider's part of ap; a malformed point gets one diagnostic and -EINVAL. NULL: the
	 * type is known but not supported here.
	 */
	int (*parse)(struct compiler *c, struct attach_point *ap, char **parts, int n);
	/*
	 * Wildcards: add the concrete attach points of tmpl to p and return how many (0: tmpl
	 * is concrete, use it as it is). NULL: never expands.
	 */
	int (*expand)(struct compiler *c, struct probe *p, const struct attach_point *tmpl);
	/* Against binaries, tracefs and the kernel's abilities (NULL: nothing to check). */
	int (*resolve)(struct compiler *c, struct attach_point *ap);
	/* Before ap's program is generated: the provider's own maps and programs (NULL: none). */
	int (*prepare)(struct compiler *c, struct attach_point *ap, const struct cg_maps *fds);
	/* bpf_prog_load()'s expected_attach_type for ap's program (NULL: 0). */
	unsigned int (*attach_type)(const struct attach_point *ap);
	/* Attach the loaded program (ap->prog_fd); pid > 0 limits it to one process. */
	int (*attach)(const struct attach_point *ap, struct attach_set *as, int pid);
	/* Close what prepare() opened (NULL: nothing). */
	void (*release)(struct attach_point *ap);
	/* Free the provider's part of ap. */
	void (*free)(struct attach_point *ap);
};

const struct provider *provider_find(const char *name);
const struct provider *provider_of(enum probe_type t);

/* The providers, one file each in providers/. */
extern const struct provider provider_begin, provider_end, provider_uprobe, provider_uretprobe,
	provider_tracepoint, provider_rawtracepoint, provider_interval, provider_profile,
	provider_software, provider_hardware, provider_kprobe, provider_kretprobe, provider_kfunc,
	provider_kretfunc, provider_usdt, provider_watchpoint, provider_self;

/*
 * -l TYPE:PATTERN for the types whose probes are fixed lists or the kernel's BTF (interval,
 * profile, software, rawtracepoint; providers/kernel.c): 0 or negative errno after a
 * message; -ENOENT without a word if pattern is not of those types.
 */
int provider_list(const char *pattern);
int perf_provider_list(const struct provider *pv, const char *pat);

/* Helpers the providers share (probes.c). */
int provider_error(struct compiler *c, const struct attach_point *ap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A number as bpftrace's attach points write it: decimal, 0x hex, or 1e6. */
int provider_parse_u64(const char *s, uint64_t *v);

#endif
