/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe specs (what the user typed) and their resolution into attach points (what the kernel
 * needs): `PATH:glob`, `LIB:glob`, `t:CAT:EVENT`, `p::func`, and plain kernel function globs.
 */
#ifndef TK_PROBE_H
#define TK_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/insn.h"

enum probe_kind {
	PROBE_UPROBE,	  /* PATH:func, LIB:func, p:LIB:func */
	PROBE_TRACEPOINT, /* t:CAT:EVENT */
	PROBE_KERNEL,	  /* func, p::func (kprobe/fentry) */
};

struct probe_spec {
	enum probe_kind kind;
	char *text;    /* as typed */
	char *target;  /* uprobe: path or library name */
	char *pattern; /* uprobe/kernel: function glob or regex; tracepoint: event glob */
	char *tp_cat;  /* tracepoint: category glob */
	bool regex;
};

/* On error returns -EINVAL and writes a one-line reason into err. */
int probe_spec__parse(const char *text, bool regex, struct probe_spec *spec, char *err,
		      size_t errlen);
void probe_spec__free(struct probe_spec *spec);

/* Glob: '*' any run, '?' one char, everything else literal (so "main.*.Mul" is safe). */
bool glob_match(const char *pat, const char *s);
/* True if pat has no wildcard (an exact name). */
bool glob_is_literal(const char *pat);

struct func_target {
	char *name;
	uint64_t addr;	 /* link-time virtual address */
	uint64_t size;	 /* from .symtab, else up to the next pclntab entry */
	uint64_t offset; /* file offset of addr: what the kernel wants */
	struct func_layout layout; /* filled with RESOLVE_LAYOUT */
};

struct target_set {
	char *path;	   /* path handed to the kernel (through /proc/PID/root with -p) */
	char *display;	   /* path as the user named it, for output */
	bool is_go;
	char go_version[32];
	unsigned int goid_off;
	bool from_pclntab; /* symbols came from .gopclntab (stripped) */
	size_t nbcc_only;  /* matched only as bcc reads the glob (RESOLVE_BCC_GLOB, target.c) */
	struct func_target *funcs;
	size_t nfuncs;
	size_t nrefused;   /* matched, but the probe site is unsafe (REX.B 0x90): not probed */
	char refused_example[128];
};

enum {
	RESOLVE_LAYOUT = 1 << 0,   /* decode prologue and RETs of each match */
	RESOLVE_BCC_GLOB = 1 << 1, /* also match what bcc's reading of the glob matches */
};

/*
 * Resolve a uprobe spec against its binary: find the file (with pid > 0 a path names the file
 * as that process sees it, see proc_file_path(); library names via /proc/PID/maps, else
 * ld.so.cache, else $PATH, the last two in the process's root with pid > 0), read
 * .symtab/.dynsym or .gopclntab, match the pattern and compute file offsets. Errors: -ENOENT
 * (file or no match), -ENOEXEC, -ESRCH (pid gone), -EINVAL; err gets the one-line reason.
 */
int target_resolve(const struct probe_spec *spec, int pid, unsigned int flags,
		   struct target_set *ts, char *err, size_t errlen);
void target_set__free(struct target_set *ts);

/* Library name -> path via /etc/ld.so.cache ("c", "libc", "libc.so.6"); -ENOENT if none. */
int ldcache_lookup(const char *name, char *out, size_t len);
/*
 * The same in the ld.so.cache of process pid's root (a container's own; the host's with
 * pid <= 0). out is the path as that process sees it: pass it through proc_file_path().
 */
int ldcache_lookup_pid(int pid, const char *name, char *out, size_t len);

/* Tracepoint matches of a spec: "cat:event" strings, from tracefs' events/ directory. */
int tracepoints_match(const struct probe_spec *spec, char ***names, size_t *n, char *err,
		      size_t errlen);
void strv_free(char **v, size_t n);

/*
 * Kernel functions matching a PROBE_KERNEL spec, from tracefs' available_filter_functions
 * (what kprobes can attach to), else /proc/kallsyms text symbols. Sorted, unique.
 */
int kfuncs_match(const struct probe_spec *spec, char ***names, size_t *n, char *err,
		 size_t errlen);

#endif
