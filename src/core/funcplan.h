/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attach plan of the function tools: one or more uprobe specs resolved into a flat,
 * indexed list of functions, and their entry and return probes attached Go-safely.
 *   entry:  at the post-prologue site (Go: the JBE to morestack, counted when not taken)
 *   return: Go code gets a uprobe on every RET instruction, never a uretprobe (they crash
 *           Go programs); C code gets a uretprobe.
 * Cookies follow src/bpf/func_probe.h.
 */
#ifndef TK_FUNCPLAN_H
#define TK_FUNCPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/probe.h"

struct attach_set;

/*
 * Probe sites of resolved functions with their cookies (bpf/func_probe.h), the one place
 * that turns a function's layout into where its probes go; the tools' plan below and the
 * language's uprobes both build their sites here.
 */
struct uprobe_sites {
	uint64_t *offs, *cookies; /* file offsets and their cookies */
	size_t n, cap_offs, cap_cookies;
};

/* The entry site: after Go's stack check (conditioned on the morestack jump), else +0. */
int uprobe_sites__add_entry(struct uprobe_sites *s, const struct target_set *ts,
			    const struct func_target *f, uint32_t idx);
/* The return sites: every RET of Go code (0 when it only tail-jumps), the function itself
 * for C (a uretprobe goes there). */
int uprobe_sites__add_returns(struct uprobe_sites *s, const struct target_set *ts,
			      const struct func_target *f, uint32_t idx);
/* A site at off bytes into the function (bpftrace's FUNC+OFF): always counts. */
int uprobe_sites__add_at(struct uprobe_sites *s, const struct target_set *ts,
			 const struct func_target *f, uint32_t idx, uint64_t off);
/* Does any site count only conditionally (Go entries)? */
bool uprobe_sites__has_conds(const struct uprobe_sites *s);
void uprobe_sites__free(struct uprobe_sites *s);

struct func_ref {
	const struct target_set *ts;
	const struct func_target *f;
};

struct func_plan {
	struct target_set *sets;
	size_t nsets;
	struct func_ref *funcs; /* global index -> function */
	size_t nfuncs;
	size_t nrefused;
	size_t ntail_only; /* Go functions with no RET (exits by tail jump): latency unseen */
	bool multi;	   /* uprobe_multi links (else one perf-event uprobe per site) */
};

/* Resolve a uprobe spec and append its functions. err: one-line reason on failure. */
int func_plan__add(struct func_plan *p, const struct probe_spec *spec, int pid, char *err,
		   size_t errlen);
/* The same for a spec's text ("LIB:NAME", "PATH:glob"), parsed without -r. */
int func_plan__add_text(struct func_plan *p, const char *text, int pid, char *err, size_t errlen);
void func_plan__free(struct func_plan *p);

/* Attach entry probes of every function (funccount, and the start half of latency). */
int func_plan__attach_entries(struct func_plan *p, struct attach_set *as, int prog_fd, int pid);
/* Attach the return half: RET uprobes for Go, uretprobes for C. */
int func_plan__attach_returns(struct func_plan *p, struct attach_set *as, int prog_fd, int pid);

/* Total number of probe sites the return half needs (for messages and limits). */
size_t func_plan__return_sites(const struct func_plan *p);

#endif
