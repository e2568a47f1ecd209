// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols for stacks, ksym() and usym(): kernel symbols and per-process user symbols from
 * core/, loaded on first use, plus a fallback for processes that are gone.
 *
 * bpftrace resolves user addresses when it prints them, through /proc/PID/maps; a map
 * printed at exit therefore shows `0x401600` for a short-lived process (a cprog run) where
 * `tk_add` was meant. We do what we can instead: when the pid is gone, an address inside a
 * non-PIE binary that the program probes (its addresses are link-time addresses, the same
 * in every process) is resolved from that binary's symbol table.
 */
#include <errno.h>
#include <ftw.h>
#include <linux/bpf.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "core/elf.h"
#include "core/gosym.h"
#include "core/ksym.h"
#include "core/usym.h"
#include "lang/fmt.h"

/*
 * core/ksym.c and core/usym.c were written in parallel with the language; weak references
 * keep the runtime linkable (printing raw addresses) should they be absent from a build.
 */
#pragma weak ksyms__load
#pragma weak ksyms__free
#pragma weak ksyms__resolve
#pragma weak usym_cache__new
#pragma weak usym_cache__free
#pragma weak usym_cache__resolve

struct lt_symfn {
	char *name;
	uint64_t addr, size;
};

struct lt_symfile {
	char *path;
	struct lt_symfn *fn;
	size_t n, cap;
};

static void symfile_free(struct lt_symfile *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->fn[i].name);
	free(f->fn);
	free(f->path);
}

void lt_symctx_free(struct lt_symctx *s)
{
	if (s->k && ksyms__free)
		ksyms__free(s->k);
	if (s->u && usym_cache__free)
		usym_cache__free(s->u);
	for (int i = 0; i < s->nfiles; i++)
		symfile_free(&s->files[i]);
	free(s->files);
	*s = (struct lt_symctx){0};
}

const char *lt_sym_kernel(struct lt_symctx *s, uint64_t addr, uint64_t *off)
{
	if (!s || !ksyms__load || !ksyms__resolve)
		return NULL;
	if (!s->k && !s->k_failed) {
		s->k = ksyms__load();
		s->k_failed = !s->k;
	}
	return s->k ? ksyms__resolve(s->k, addr, off) : NULL;
}

static int add_fn(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	struct lt_symfile *f = ctx;

	if (VEC_RESERVE(f->fn, f->cap, f->n, 1))
		return -ENOMEM;
	f->fn[f->n].name = strdup(name);
	if (!f->fn[f->n].name)
		return -ENOMEM;
	f->fn[f->n].addr = addr;
	f->fn[f->n].size = size;
	f->n++;
	return 0;
}

static int cmp_fn(const void *a, const void *b)
{
	const struct lt_symfn *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* "uprobe:PATH:FUNC" / "uretprobe:PATH:FUNC" -> PATH (malloc'd), else NULL. */
static char *uprobe_path(const char *probe)
{
	const char *p = strchr(probe, ':'), *end;

	if (!p || (strncmp(probe, "uprobe:", 7) && strncmp(probe, "uretprobe:", 10)))
		return NULL;
	p++;
	end = strrchr(p, ':');
	if (!end || end == p)
		return NULL;
	return strndup(p, (size_t)(end - p));
}

/* A stripped Go binary still names every function in .gopclntab. */
static int add_go_fns(struct elf_file *ef, struct lt_symfile *f)
{
	struct gosym_table *gt;
	int err;

	if (gosym_table__from_elf(ef, &gt))
		return 0; /* no readable table: no names, not an error */
	err = gosym_table__for_each_func(gt, add_fn, f);
	gosym_table__free(gt);
	return err;
}

static void load_files(struct lt_symctx *s)
{
	const struct lt_prog *prog = s->prog;

	s->files_loaded = true;
	for (uint32_t i = 0; prog && i < prog->nprobes; i++) {
		struct elf_file *ef;
		char *path = prog->probe_names[i] ? uprobe_path(prog->probe_names[i]) : NULL;
		bool dup = false;

		for (int k = 0; path && k < s->nfiles; k++)
			dup |= !strcmp(s->files[k].path, path);
		if (!path || dup || elf_file__open(path, &ef)) {
			free(path);
			continue;
		}
		struct lt_symfile f = {.path = path};
		struct lt_symfile *nf = realloc(s->files, (s->nfiles + 1) * sizeof(*nf));
		if (!elf_file__is_pie(ef) && nf && !elf_file__for_each_func(ef, add_fn, &f) &&
		    (f.n || !add_go_fns(ef, &f))) {
			qsort(f.fn, f.n, sizeof(*f.fn), cmp_fn);
			s->files = nf;
			s->files[s->nfiles++] = f;
		} else {
			if (nf)
				s->files = nf;
			symfile_free(&f);
		}
		elf_file__close(ef);
	}
}

static bool fallback(struct lt_symctx *s, uint64_t addr, const char **name, uint64_t *off,
		     const char **module)
{
	if (!s->files_loaded)
		load_files(s);
	for (int i = 0; i < s->nfiles; i++) {
		const struct lt_symfile *f = &s->files[i];
		/* After the last function starting at or below addr. */
		size_t lo = VEC_UPPER_BOUND(f->fn, f->n, struct lt_symfn, addr, addr);

		if (lo == 0)
			continue;
		const struct lt_symfn *fn = &f->fn[lo - 1];
		if (addr < fn->addr + (fn->size ? fn->size : 1)) {
			*name = fn->name;
			*off = addr - fn->addr;
			*module = f->path;
			return true;
		}
	}
	return false;
}

int lt_sym_user(struct lt_symctx *s, uint32_t pid, uint64_t addr, const char **name, uint64_t *off,
		const char **module)
{
	struct usym u = {0};
	int err = -ENOENT;

	*name = NULL;
	*module = NULL;
	*off = 0;
	if (!s)
		return -EINVAL;
	if (usym_cache__new && usym_cache__resolve) {
		if (!s->u && !s->u_failed) {
			s->u = usym_cache__new();
			s->u_failed = !s->u;
		}
		if (s->u) {
			err = usym_cache__resolve(s->u, (int)pid, addr, &u);
			*name = u.name;
			*off = u.off;
			*module = u.module;
		}
	}
	if (!*name && !*module && fallback(s, addr, name, off, module))
		return 0;
	return *name ? 0 : err;
}

static void put_username(struct lt_sbuf *out, uint64_t uid)
{
	const struct passwd *pw = getpwuid((uid_t)uid);

	if (pw)
		lt_sbuf_puts(out, pw->pw_name);
	else
		lt_sbuf_printf(out, "%llu", (unsigned long long)uid);
}

/* cgroup2's id of a cgroup is its directory's inode number (kernfs' node id). */
static uint64_t cg_wanted;
static char cg_found[4096];
static size_t cg_root_len;

static int cg_visit(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)f;
	if (flag != FTW_D || (uint64_t)st->st_ino != cg_wanted)
		return 0;
	snprintf(cg_found, sizeof(cg_found), "%s", path[cg_root_len] ? path + cg_root_len : "/");
	return 1;
}

static void put_cgroup_path(struct lt_sbuf *out, uint64_t id)
{
	/* the last few answers: a map printed at exit asks for the same ids again and again */
	static struct {
		uint64_t id;
		char *path;
	} cache[16];
	static unsigned int next;
	FILE *mi;
	char line[4096], mnt[4096], type[64];
	const char *path = NULL;

	for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++)
		if (cache[i].path && cache[i].id == id)
			path = cache[i].path;
	if (!path && (mi = fopen("/proc/self/mountinfo", "re"))) {
		cg_wanted = id;
		cg_found[0] = 0;
		while (!cg_found[0] && fgets(line, sizeof(line), mi)) {
			const char *sep = strstr(line, " - ");

			if (!sep || sscanf(sep, " - %63s", type) != 1 || strcmp(type, "cgroup2") ||
			    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
				continue;
			cg_root_len = strlen(mnt);
			nftw(mnt, cg_visit, 16, FTW_PHYS | FTW_MOUNT);
		}
		fclose(mi);
		if (cg_found[0]) {
			free(cache[next].path);
			cache[next].id = id;
			cache[next].path = strdup(cg_found);
			path = cache[next].path;
			next = (next + 1) % (sizeof(cache) / sizeof(cache[0]));
		}
	}
	if (path)
		lt_sbuf_printf(out, "unified:%s", path);
	else
		lt_sbuf_printf(out, "%llu", (unsigned long long)id);
}

static void put_pid_comm(struct lt_sbuf *out, uint64_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%llu/comm", (unsigned long long)pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	lt_sbuf_put_escaped(out, comm, strlen(comm));
}

void lt_put_resolved(struct lt_sbuf *out, enum lt_resolve how, uint64_t v)
{
	switch (how) {
	case LT_RES_USERNAME:
		put_username(out, v);
		break;
	case LT_RES_CGROUP_PATH:
		put_cgroup_path(out, v);
		break;
	case LT_RES_PID_COMM:
		put_pid_comm(out, v);
		break;
	case LT_RES_NONE:
		lt_sbuf_printf(out, "%llu", (unsigned long long)v);
		break;
	}
}

void lt_put_build_id_stack(struct lt_sbuf *out, const void *frames, uint32_t max)
{
	struct bpf_stack_build_id f;

	lt_sbuf_putc(out, '\n');
	for (uint32_t i = 0; i < max; i++) {
		/* a ring-buffer record is not aligned for the struct */
		memcpy(&f, (const char *)frames + i * sizeof(f), sizeof(f));
		/* the frames the kernel did not fill are zero: BPF_STACK_BUILD_ID_EMPTY */
		if (f.status == BPF_STACK_BUILD_ID_EMPTY)
			break;
		if (f.status != BPF_STACK_BUILD_ID_VALID) {
			lt_sbuf_printf(out, "%llx\n", (unsigned long long)f.ip);
			continue;
		}
		for (int k = 0; k < BPF_BUILD_ID_SIZE; k++)
			lt_sbuf_printf(out, "%02x", f.build_id[k]);
		lt_sbuf_printf(out, " 0x%02llx\n", (unsigned long long)f.offset);
	}
}
