// SPDX-License-Identifier: GPL-2.0
/*
 * User-space symbolization: ip -> (mapping in /proc/PID/maps) -> file offset -> link-time
 * address -> function. Each mapped file is read once (symbols copied into one sorted array
 * and one string pool, then the file is closed) and shared by every process mapping it.
 *
 * ip to link-time address: a mapping places file offset m->offset at m->start, and the
 * PT_LOAD holding that offset has p_vaddr - p_offset = delta, so
 *   vaddr = ip - m->start + m->offset + delta.
 * We do not assume vaddr == offset for ET_DYN: Go's PIE binaries are linked at 0x400000.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "core/dwarf.h"
#include "core/elf.h"
#include "core/gosym.h"
#include "core/procmaps.h"
#include "core/usym.h"
#include "core/vec.h"

#define MAX_PROCS	 32	      /* cached /proc/PID/maps; least recently used is dropped */
#define MAX_DELTAS	 8	      /* distinct p_vaddr - p_offset among a file's functions */
#define MAPS_STALE_NS	 200000000ull /* reload maps for an unknown ip at most this often */
#define CONTAIN_LOOKBACK 4	      /* nested/overlapping symbols checked below the nearest one */
#define USYM_MAX_FRAMES	 64	      /* source frames of one address */

struct usym_func {
	uint64_t addr, size;
	uint32_t name; /* offset into the file's name pool */
	uint8_t delta; /* index into deltas[] */
};

struct usym_file {
	char *path; /* as /proc/PID/maps shows it */
	uint64_t inode, dev; /* with path, the key: containers reuse paths */
	int err; /* non-zero: could not be read; remembered so we do not retry */
	struct usym_func *funcs;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	int64_t deltas[MAX_DELTAS];
	unsigned int ndeltas;
	bool pie; /* ET_DYN: its addresses move with each process */
	/* Source lines, loaded on the first usym_cache__frames() of the file. */
	bool src_tried;
	struct gosym_table *gt; /* Go: .gopclntab and its inline trees, copied */
	struct dwarf_file *df;	/* else DWARF, when the file has it */
};

struct usym_proc {
	int pid;
	struct proc_maps pm;
	uint64_t loaded_ns, used;
};

struct usym_cache {
	struct usym_file **files;
	size_t nfiles, files_cap;
	struct usym_proc procs[MAX_PROCS];
	unsigned int nprocs;
	uint64_t tick;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- one file's function table ------------------------------------------------------- */

struct loader {
	struct usym_file *f;
	struct elf_file *ef;
};

static int add_func(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	struct loader *l = ctx;
	struct usym_file *f = l->f;
	size_t len = strlen(name) + 1;
	int64_t delta;
	unsigned int d;

	if (elf_file__segment_delta(l->ef, addr, &delta))
		return 0; /* not in any PT_LOAD: cannot be executed */
	for (d = 0; d < f->ndeltas && f->deltas[d] != delta; d++)
		;
	if (d == f->ndeltas) {
		if (d == MAX_DELTAS)
			return 0;
		f->deltas[f->ndeltas++] = delta;
	}
	if (f->names_len + len > UINT32_MAX)
		return -E2BIG; /* names are 32-bit offsets into the pool */
	if (VEC_RESERVE(f->funcs, f->cap, f->n, 1) ||
	    VEC_RESERVE(f->names, f->names_cap, f->names_len, len))
		return -ENOMEM;
	memcpy(f->names + f->names_len, name, len);
	f->funcs[f->n++] = (struct usym_func){
		.addr = addr, .size = size, .name = (uint32_t)f->names_len, .delta = (uint8_t)d};
	f->names_len += len;
	return 0;
}

static int load_pclntab(struct loader *l)
{
	struct gosym_table *gt;
	int err = gosym_table__from_elf(l->ef, &gt);

	if (err)
		return err;
	err = gosym_table__for_each_func(gt, add_func, l);
	gosym_table__free(gt);
	return err;
}

static int func_cmp(const void *a, const void *b)
{
	const struct usym_func *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Same address: a sized symbol first, so it is the one kept. */
	return (x->size == 0) - (y->size == 0);
}

static int file_load(struct usym_file *f, const char *open_path)
{
	struct loader l = {.f = f};
	size_t o = 0;
	int err;

	err = elf_file__open(open_path, &l.ef);
	if (err)
		return err;
	f->pie = elf_file__is_pie(l.ef);
	/* A stripped Go binary keeps its own table; .dynsym there holds only cgo imports. */
	if (elf_file__is_go(l.ef) && !elf_file__section(l.ef, ".symtab", NULL, NULL))
		err = load_pclntab(&l);
	else
		err = elf_file__for_each_func(l.ef, add_func, &l);
	elf_file__close(l.ef);
	if (err < 0)
		return err;

	qsort(f->funcs, f->n, sizeof(*f->funcs), func_cmp);
	for (size_t i = 0; i < f->n; i++)
		if (!o || f->funcs[i].addr != f->funcs[o - 1].addr)
			f->funcs[o++] = f->funcs[i];
	f->n = o;
	return 0;
}

static bool contains(const struct usym_file *f, size_t i, uint64_t vaddr)
{
	const struct usym_func *s = &f->funcs[i];

	if (vaddr < s->addr)
		return false;
	if (s->size)
		return vaddr - s->addr < s->size;
	/* No size (hand-written asm): up to the next symbol. */
	return i + 1 == f->n || vaddr < f->funcs[i + 1].addr;
}

static const struct usym_func *file_lookup(const struct usym_file *f, uint64_t vaddr,
					   unsigned int delta)
{
	/* After the last function with addr <= vaddr. */
	size_t lo = VEC_UPPER_BOUND(f->funcs, f->n, struct usym_func, addr, vaddr);

	for (size_t k = 0; k < CONTAIN_LOOKBACK && lo > k; k++) {
		size_t i = lo - 1 - k;

		if (f->funcs[i].delta == delta && contains(f, i, vaddr))
			return &f->funcs[i];
	}
	return NULL;
}

static void file_free(struct usym_file *f)
{
	if (!f)
		return;
	free(f->path);
	gosym_table__free(f->gt);
	dwarf_file__close(f->df);
	free(f->funcs);
	free(f->names);
	free(f);
}

/* ---- the cache ------------------------------------------------------------------------ */

struct usym_cache *usym_cache__new(void)
{
	return calloc(1, sizeof(struct usym_cache));
}

void usym_cache__free(struct usym_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nfiles; i++)
		file_free(c->files[i]);
	free(c->files);
	for (unsigned int i = 0; i < c->nprocs; i++)
		proc_maps__free(&c->procs[i].pm);
	free(c);
}

void usym_cache__forget_pid(struct usym_cache *c, int pid)
{
	for (unsigned int i = 0; i < c->nprocs; i++) {
		if (c->procs[i].pid != pid)
			continue;
		proc_maps__free(&c->procs[i].pm);
		c->procs[i] = c->procs[--c->nprocs];
		return;
	}
}

static int proc_get(struct usym_cache *c, int pid, struct usym_proc **out)
{
	struct usym_proc *p = NULL;
	int err;

	for (unsigned int i = 0; i < c->nprocs; i++)
		if (c->procs[i].pid == pid)
			p = &c->procs[i];
	if (!p) {
		if (c->nprocs == MAX_PROCS) {
			unsigned int lru = 0;

			for (unsigned int i = 1; i < c->nprocs; i++)
				if (c->procs[i].used < c->procs[lru].used)
					lru = i;
			usym_cache__forget_pid(c, c->procs[lru].pid);
		}
		p = &c->procs[c->nprocs];
		memset(p, 0, sizeof(*p));
		err = proc_maps__load(pid, &p->pm);
		if (err)
			return err;
		p->pid = pid;
		p->loaded_ns = now_ns();
		c->nprocs++;
	}
	p->used = ++c->tick;
	*out = p;
	return 0;
}

/* The mapping of ip; maps are re-read (rate-limited) when ip is unknown: dlopen, exec. */
static const struct proc_map *proc_find(struct usym_proc *p, uint64_t ip)
{
	const struct proc_map *m = proc_maps__find(&p->pm, ip);
	struct proc_maps fresh;
	uint64_t now;

	if (m)
		return m;
	now = now_ns();
	if (now - p->loaded_ns < MAPS_STALE_NS || proc_maps__load(p->pid, &fresh))
		return NULL;
	proc_maps__free(&p->pm);
	p->pm = fresh;
	p->loaded_ns = now;
	return proc_maps__find(&p->pm, ip);
}

/*
 * The cached file (path, inode, dev), loaded from open_path on first use; NULL for no memory.
 * A file that could not be read is cached too, with its error.
 */
static struct usym_file *file_find(struct usym_cache *c, const char *path, uint64_t inode,
				   uint64_t dev, const char *open_path, int open_err)
{
	struct usym_file *f;

	for (size_t i = 0; i < c->nfiles; i++)
		if (c->files[i]->inode == inode && c->files[i]->dev == dev &&
		    !strcmp(c->files[i]->path, path))
			return c->files[i];

	if (VEC_RESERVE(c->files, c->files_cap, c->nfiles, 1))
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->path = strdup(path);
	if (!f->path) {
		free(f);
		return NULL;
	}
	f->inode = inode;
	f->dev = dev;
	f->err = open_err ? open_err : file_load(f, open_path);
	c->files[c->nfiles++] = f;
	return f;
}

static struct usym_file *file_get(struct usym_cache *c, int pid, const struct proc_map *m)
{
	char root_path[4096];
	/* Through the process's root (containers), or the mapping itself (deleted files). */
	int err = proc_map_path(pid, m, root_path, sizeof(root_path));

	return file_find(c, m->path, m->inode, m->dev, root_path, err);
}

/* The function of f holding link-time address vaddr, or NULL. */
static const struct usym_func *file_func(const struct usym_file *f, uint64_t vaddr)
{
	for (unsigned int d = 0; d < f->ndeltas; d++) {
		const struct usym_func *s = file_lookup(f, vaddr, d);

		if (s)
			return s;
	}
	return NULL;
}

/* As usym_cache__resolve(), with the file, its mapping and the link-time address found. */
static int lookup(struct usym_cache *c, int pid, uint64_t ip, struct usym *out,
		  struct usym_file **file, const struct proc_map **map, uint64_t *vaddr)
{
	const struct proc_map *m;
	struct usym_proc *p;
	struct usym_file *f;
	uint64_t fo;
	int err;

	memset(out, 0, sizeof(*out));
	err = proc_get(c, pid, &p);
	if (err)
		return err;
	m = proc_find(p, ip);
	if (!m || !m->path)
		return -ENOENT;
	f = file_get(c, pid, m);
	if (!f)
		return -ENOMEM;
	out->module = f->path;
	if (f->err)
		return -ENOENT;

	fo = ip - m->start + m->offset;
	for (unsigned int d = 0; d < f->ndeltas; d++) {
		const struct usym_func *s = file_lookup(f, fo + (uint64_t)f->deltas[d], d);

		if (s) {
			out->name = f->names + s->name;
			out->off = fo + (uint64_t)f->deltas[d] - s->addr;
			*file = f;
			*map = m;
			*vaddr = fo + (uint64_t)f->deltas[d];
			return 0;
		}
	}
	return -ENOENT;
}

int usym_cache__resolve_file(struct usym_cache *c, const char *path, uint64_t vaddr,
			     struct usym *out)
{
	const struct usym_func *s;
	struct usym_file *f;
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st))
		return -errno;
	f = file_find(c, path, (uint64_t)st.st_ino, (uint64_t)st.st_dev, path, 0);
	if (!f)
		return -ENOMEM;
	if (f->err || f->pie || !(s = file_func(f, vaddr)))
		return -ENOENT;
	out->name = f->names + s->name;
	out->off = vaddr - s->addr;
	out->module = f->path;
	return 0;
}

int usym_cache__remember(struct usym_cache *c, int pid)
{
	struct usym_proc *p;

	return proc_get(c, pid, &p);
}

int usym_cache__resolve(struct usym_cache *c, int pid, uint64_t ip, struct usym *out)
{
	const struct proc_map *m;
	struct usym_file *f;
	uint64_t vaddr;

	return lookup(c, pid, ip, out, &f, &m, &vaddr);
}

/*
 * The file's source tables, once: a Go binary's pclntab (which has every function's lines
 * and inlined calls, stripped or not), else its DWARF. Only the tables stay in memory.
 */
static void src_load(struct usym_file *f, int pid, const struct proc_map *m)
{
	char path[4096];
	struct elf_file *ef;

	f->src_tried = true;
	if (proc_map_path(pid, m, path, sizeof(path)) || elf_file__open(path, &ef))
		return;
	if (elf_file__is_go(ef))
		gosym_table__load_elf(ef, &f->gt);
	elf_file__close(ef);
	if (!f->gt)
		dwarf_file__open(path, &f->df);
}

int usym_cache__frames(struct usym_cache *c, int pid, uint64_t ip, struct usym_frame *frames,
		       int max, struct usym *sym)
{
	struct src_frame src[USYM_MAX_FRAMES];
	const struct proc_map *m;
	struct usym_file *f;
	uint64_t vaddr;
	int err, n = 0;

	err = lookup(c, pid, ip, sym, &f, &m, &vaddr);
	if (err)
		return err;
	if (max < 1)
		return -EINVAL;
	if (max > USYM_MAX_FRAMES)
		max = USYM_MAX_FRAMES;
	if (!f->src_tried)
		src_load(f, pid, m);
	if (f->gt)
		n = gosym_table__frames(f->gt, vaddr, src, max);
	else if (f->df)
		n = dwarf_file__frames(f->df, vaddr, src, max);
	if (n < 1) {
		src[0] = (struct src_frame){0};
		n = 1;
	}
	/* The holder named as usym_cache__resolve() names it, with or without line tables. */
	src[n - 1].func = sym->name;
	for (int i = 0; i < n; i++)
		frames[i] = (struct usym_frame){
			.func = src[i].func, .file = src[i].file, .line = src[i].line};
	return n;
}
