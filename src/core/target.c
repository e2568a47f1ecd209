// SPDX-License-Identifier: GPL-2.0
/*
 * Resolution of a uprobe spec into file offsets: find the binary, list its functions
 * (.symtab/.dynsym, else .gopclntab for stripped Go), match, and decode each match so the
 * probes land after Go's stack check and on every RET, never on an unsafe instruction.
 */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dwarf.h"
#include "core/elf.h"
#include "core/gosym.h"
#include "core/insn.h"
#include "core/probe.h"
#include "core/procmaps.h"
#include "core/vec.h"

/* Largest function body we decode; Go's biggest runtime functions are well below. */
#define MAX_DECODE (1u << 20)

struct matcher {
	const char *glob;
	regex_t re;
	bool use_re;
	bool bcc_too;	 /* the glob, or bcc's reading of it (re) */
	bool exact_only; /* a symbol equals the pattern: take just that one */
	struct target_set *ts;
	size_t cap;
	int err;
};

/*
 * bcc's funccount reads a pattern as a regex with each '*' made '.*', anchored at both ends:
 * there '.' is any character, so the article's 'runtime.*.gc*' matches runtime.mallocgc.
 * Our glob keeps '.' literal (and '(', '[', '+' too: Go names are full of them). The tools
 * take both: what the glob matches, and what bcc's reading adds, which they say.
 */
static int bcc_regex(const char *glob, regex_t *re)
{
	size_t n = strlen(glob);
	char *rx = malloc(2 * n + 3), *o = rx;
	int err;

	if (!rx)
		return -ENOMEM;
	*o++ = '^';
	for (const char *c = glob; *c; c++) {
		if (*c == '*')
			*o++ = '.';
		*o++ = *c;
	}
	*o++ = '$';
	*o = '\0';
	err = regcomp(re, rx, REG_EXTENDED | REG_NOSUB) ? -EINVAL : 0;
	free(rx);
	return err;
}

static bool matches(struct matcher *m, const char *name)
{
	if (m->exact_only)
		return strcmp(m->glob, name) == 0;
	if (m->use_re)
		return regexec(&m->re, name, 0, NULL, 0) == 0;
	if (glob_match(m->glob, name))
		return true;
	if (m->bcc_too && regexec(&m->re, name, 0, NULL, 0) == 0) {
		m->ts->nbcc_only++;
		return true;
	}
	return false;
}

static int add_func(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	struct matcher *m = ctx;
	struct target_set *ts = m->ts;
	struct func_target *f;

	if (!matches(m, name))
		return 0;
	if (VEC_RESERVE(ts->funcs, m->cap, ts->nfuncs, 1))
		return -ENOMEM;
	f = &ts->funcs[ts->nfuncs];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return -ENOMEM;
	f->addr = addr;
	f->size = size;
	ts->nfuncs++;
	return 0;
}

static int exact_probe(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	return strcmp(name, ctx) == 0 ? 1 : 0;
}

typedef int (*func_walker)(struct elf_file *ef, struct gosym_table *gt, elf_func_cb cb,
			   void *ctx);

static int walk_elf(struct elf_file *ef, struct gosym_table *gt, elf_func_cb cb, void *ctx)
{
	return elf_file__for_each_func(ef, cb, ctx);
}

static int walk_gosym(struct elf_file *ef, struct gosym_table *gt, elf_func_cb cb, void *ctx)
{
	return gosym_table__for_each_func(gt, cb, ctx);
}

static int func_cmp(const void *a, const void *b)
{
	const struct func_target *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * Sort by address and drop aliases (two names for one address): one probe per site. The
 * alias with a size wins (Go's size-0 runtime.text marker shares its address with a real
 * function).
 */
static void dedup_by_addr(struct target_set *ts)
{
	size_t o = 0;

	qsort(ts->funcs, ts->nfuncs, sizeof(*ts->funcs), func_cmp);
	for (size_t i = 0; i < ts->nfuncs; i++) {
		struct func_target *prev = o ? &ts->funcs[o - 1] : NULL;

		if (prev && prev->addr == ts->funcs[i].addr) {
			if (ts->funcs[i].size > prev->size) {
				free(prev->name);
				*prev = ts->funcs[i];
			} else {
				free(ts->funcs[i].name);
			}
			continue;
		}
		ts->funcs[o++] = ts->funcs[i];
	}
	ts->nfuncs = o;
}

/*
 * goid's offset in runtime.g: from the version table (Go 1.17-1.27); for other or unknown
 * versions from the binary's DWARF (slower to read, so only then), else the table's nearest
 * guess. The BPF side reads g.stack.hi at 8: a DWARF layout that moved it is not trusted.
 */
static unsigned int goid_offset(const char *path, const char *version)
{
	struct gosym_g_offsets off;
	struct dwarf_file *df;
	struct dwarf_go_g g;

	if (!gosym_g_offsets(version, &off))
		return off.goid;
	if (!dwarf_file__open(path, &df)) {
		if (!dwarf_file__go_g_offsets(df, &g) && g.stack_hi == off.stack_hi)
			off.goid = g.goid;
		dwarf_file__close(df);
	}
	return off.goid;
}

/* A program on $PATH, as bcc's which() does; with pid > 0 in that process's root. */
static int which(int pid, const char *name, char *path, size_t len)
{
	char *dirs = getenv("PATH") ? strdup(getenv("PATH")) : NULL, *save = NULL;
	char found[PATH_MAX];
	int ret = -ENOENT;

	for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d && ret;
	     d = strtok_r(NULL, ":", &save)) {
		if (snprintf(found, sizeof(found), "%s/%s", d, name) >= (int)sizeof(found))
			continue;
		if (!proc_file_path(pid, found, path, len) && !access(path, X_OK))
			ret = 0;
	}
	free(dirs);
	return ret;
}

/*
 * The file a spec's target names, as a path this process can open and the kernel can
 * attach to: a path is the file as process pid sees it (proc_file_path()); a library name is
 * looked up in the process's mappings, then in its root's ld.so.cache and $PATH (the host's
 * without a pid).
 */
static int find_binary(const struct probe_spec *spec, int pid, char *path, size_t len,
		       char *err, size_t errlen)
{
	const char *t = spec->target;
	char found[PATH_MAX];
	int ret;

	if (strchr(t, '/')) {
		ret = proc_file_path(pid, t, path, len);
		if (ret == -ENOENT && strcmp(path, t))
			snprintf(err, errlen, "%s: no such file in the root of PID %d (%s)", t, pid,
				 path);
		else if (ret)
			snprintf(err, errlen, "%s: %s", t,
				 ret == -ENOENT ? "no such file" : strerror(-ret));
		return ret;
	}
	if (pid > 0) {
		struct proc_maps pm;
		const struct proc_map *m;

		ret = proc_maps__load(pid, &pm);
		if (ret) {
			snprintf(err, errlen, "no process with PID %d", pid);
			return -ESRCH;
		}
		m = proc_maps__find_lib(&pm, t);
		ret = m ? proc_map_path(pid, m, path, len) : -ENOENT;
		proc_maps__free(&pm);
		if (!ret)
			return 0;
	}
	if (!ldcache_lookup_pid(pid, t, found, sizeof(found)) &&
	    !proc_file_path(pid, found, path, len))
		return 0;
	if (!which(pid, t, path, len))
		return 0;
	if (pid > 0)
		snprintf(err, errlen,
			 "%s: no such library or program (not mapped by PID %d, nor in its root's "
			 "ld.so.cache or $PATH)",
			 t, pid);
	else
		snprintf(err, errlen,
			 "%s: no such library or program (with -p, libraries of the process are "
			 "searched too)",
			 t);
	return -ENOENT;
}

static void analyze(struct elf_file *ef, struct target_set *ts, struct func_target *f)
{
	uint64_t size = f->size;
	const uint8_t *code;

	if (size > MAX_DECODE)
		size = MAX_DECODE;
	code = size ? elf_file__bytes_at(ef, f->addr, size) : NULL;
	if (!code || insn_func_layout(code, size, f->addr, ts->is_go, &f->layout)) {
		/* Unknown size or undecodable: probe the first instruction only. */
		memset(&f->layout, 0, sizeof(f->layout));
		f->layout.truncated = true;
	}
}

/*
 * The bytes at a site may end before 16: Go 1.26's runtime.etext, a size-0 text symbol on
 * the segment's last byte (int3 padding). Check what is there; a site that cannot be read
 * at all cannot be checked, so it is refused too.
 */
static bool entry_unsafe(struct elf_file *ef, const struct func_target *f)
{
	uint64_t at = f->addr + f->layout.entry_off;
	const uint8_t *p = NULL;
	size_t len;

	for (len = 16; len; len--) {
		p = elf_file__bytes_at(ef, at, len);
		if (p)
			break;
	}
	return !p || insn_uprobe_unsafe(p, len) || insn_uprobe_refused(p, len);
}

int target_resolve(const struct probe_spec *spec, int pid, unsigned int flags,
		   struct target_set *ts, char *err, size_t errlen)
{
	char path[PATH_MAX], ver[32];
	struct matcher m = { .glob = spec->pattern, .ts = ts };
	struct elf_file *ef = NULL;
	struct gosym_table *gt = NULL;
	const void *bi;
	size_t bisize, o;
	bool has_symtab, has_dynsym;
	int ret;
	func_walker walk;

	memset(ts, 0, sizeof(*ts));
	if (spec->kind != PROBE_UPROBE)
		return -EINVAL;
	ret = find_binary(spec, pid, path, sizeof(path), err, errlen);
	if (ret)
		return ret;
	ret = elf_file__open(path, &ef);
	if (ret) {
		snprintf(err, errlen, "%s: %s", spec->target,
			 ret == -ENOEXEC ? "not an x86-64 ELF file" : strerror(-ret));
		return ret;
	}
	ts->path = strdup(path);
	ts->display = strdup(spec->target);
	if (!ts->path || !ts->display) {
		ret = -ENOMEM;
		goto out;
	}
	ts->is_go = elf_file__is_go(ef);
	bi = elf_file__section(ef, ".go.buildinfo", NULL, &bisize);
	if (bi && !gosym_buildinfo_version(bi, bisize, ver, sizeof(ver)))
		snprintf(ts->go_version, sizeof(ts->go_version), "%s", ver);
	if (ts->is_go)
		ts->goid_off = goid_offset(path, ts->go_version);

	/* Function list: ELF symbols, or Go's pclntab when the binary is stripped. */
	walk = walk_elf;
	has_symtab = elf_file__section(ef, ".symtab", NULL, NULL);
	has_dynsym = elf_file__section(ef, ".dynsym", NULL, NULL);
	if (ts->is_go && !has_symtab) {
		ret = gosym_table__from_elf(ef, &gt);
		if (ret) {
			snprintf(err, errlen, "%s: stripped Go binary with an unreadable .gopclntab",
				 spec->target);
			goto out;
		}
		walk = walk_gosym;
		ts->from_pclntab = true;
	} else if (!has_symtab && !has_dynsym) {
		snprintf(err, errlen, "%s: no symbol table (stripped) and not a Go binary",
			 spec->target);
		ret = -ENOENT;
		goto out;
	}

	if (spec->regex) {
		if (regcomp(&m.re, spec->pattern, REG_EXTENDED | REG_NOSUB)) {
			snprintf(err, errlen, "bad regular expression '%s'", spec->pattern);
			ret = -EINVAL;
			goto out;
		}
		m.use_re = true;
	} else {
		/* Exact names win: 'main.(*Arith).Mul' must not also match 'main.(*XArith).Mul'. */
		m.exact_only = walk(ef, gt, exact_probe, (void *)spec->pattern) == 1;
		m.bcc_too = (flags & RESOLVE_BCC_GLOB) && !m.exact_only &&
			    !bcc_regex(spec->pattern, &m.re);
	}
	ret = walk(ef, gt, add_func, &m);
	if (m.use_re || m.bcc_too)
		regfree(&m.re);
	if (ret)
		goto out;
	if (!ts->nfuncs) {
		snprintf(err, errlen, "no function in %s matches '%s'", spec->target, spec->pattern);
		ret = -ENOENT;
		goto out;
	}
	dedup_by_addr(ts);

	o = 0;
	for (size_t i = 0; i < ts->nfuncs; i++) {
		struct func_target *f = &ts->funcs[i];

		if (elf_file__vaddr_to_offset(ef, f->addr, &f->offset)) {
			free(f->name);
			continue;
		}
		if (flags & RESOLVE_LAYOUT)
			analyze(ef, ts, f);
		if (entry_unsafe(ef, f)) {
			/*
			 * The kernel would emulate `xchg rAX, r8` as a NOP (heap corruption), or
			 * refuses the instruction outright (one such site fails a multi link).
			 */
			if (!ts->nrefused++)
				snprintf(ts->refused_example, sizeof(ts->refused_example), "%s",
					 f->name);
			free(f->name);
			continue;
		}
		ts->funcs[o++] = *f;
	}
	ts->nfuncs = o;
	ret = 0;
	if (!ts->nfuncs) {
		snprintf(err, errlen, "no function in %s matching '%s' can be probed safely",
			 spec->target, spec->pattern);
		ret = -ENOENT;
	}
out:
	gosym_table__free(gt);
	elf_file__close(ef);
	if (ret)
		target_set__free(ts);
	return ret;
}

void target_set__free(struct target_set *ts)
{
	for (size_t i = 0; i < ts->nfuncs; i++)
		free(ts->funcs[i].name);
	free(ts->funcs);
	free(ts->path);
	free(ts->display);
	memset(ts, 0, sizeof(*ts));
}
