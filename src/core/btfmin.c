// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal vmlinux BTF for a BPF object's CO-RE relocations (see btfmin.h).
 *
 * The object's own BTF (.BTF) and its relocation records (.BTF.ext) say, for each
 * relocation, a local root type and a path of member/array indices. For every target type
 * with the root's name and kind we walk the same path by member *names*, descending into
 * anonymous members, as libbpf's bpf_core_spec_match() does, and remember each (type,
 * member) we pass. The output has those types with only those members (at their original
 * bit offsets, so offsets do not change), the types of the members (structs reached only as
 * a path's last field keep their name and size but no members), and pointers as pointers to
 * void (libbpf only checks that a field is a pointer).
 *
 * The kernel's types are read in place through kbtf.h; what this file allocates is a few
 * entries per relocation, never an array per kernel type.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "core/btfmin.h"
#include "core/kbtf.h"
#include "core/log.h"
#include "core/vec.h"

struct btf_min {
	int fd;
	char path[32];
};

/* libbpf's struct btf_ext_header (.BTF.ext); offsets are relative to its end. */
struct ext_header {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len;
};

struct core_relo {
	uint32_t insn_off, type_id, access_str_off, kind;
};

struct use {
	uint32_t type, member;
};

/* A local type relocations start from; its kernel candidates are found in one walk. */
struct root {
	uint32_t lid;
	const struct btf_type *lt;
	const char *name;
	size_t len; /* of the name without its ___flavor */
};

struct cand {
	uint32_t root, id;
};

struct gen {
	const struct kbtf *tg;
	struct kbtf *local; /* the object's own .BTF */
	struct btf *out;
	struct use *uses;
	size_t nuses, capuses;
	uint32_t *roots; /* kernel types to emit */
	size_t nroots, caproots;
	struct root *lroots;
	size_t nlroots, caplroots;
	struct cand *cands;
	size_t ncands, capcands;
	struct { /* kernel type id -> output type id, open addressing; key 0 = free */
		uint32_t *key;
		int32_t *val;
		size_t cap, n;
	} map;
};

static const struct btf_type *tt(const struct gen *g, uint32_t id)
{
	static const struct btf_type void_type;
	const struct btf_type *t = kbtf__type(g->tg, id);

	return t ? t : &void_type;
}

static const char *tname(const struct gen *g, uint32_t off)
{
	return kbtf__str(g->tg, off);
}

static size_t map_slot(const struct gen *g, uint32_t id)
{
	size_t i = (id * 2654435761u) & (g->map.cap - 1);

	while (g->map.key[i] && g->map.key[i] != id)
		i = (i + 1) & (g->map.cap - 1);
	return i;
}

static int32_t map_get(const struct gen *g, uint32_t id)
{
	size_t i = map_slot(g, id);

	return g->map.key[i] ? g->map.val[i] : 0;
}

static int map_put(struct gen *g, uint32_t id, int32_t v)
{
	size_t i;

	if (2 * (g->map.n + 1) > g->map.cap) {
		size_t ocap = g->map.cap, cap = ocap ? ocap * 2 : 256;
		uint32_t *okey = g->map.key;
		int32_t *oval = g->map.val;

		g->map.key = calloc(cap, sizeof(*g->map.key));
		g->map.val = calloc(cap, sizeof(*g->map.val));
		if (!g->map.key || !g->map.val) {
			free(g->map.key);
			free(g->map.val);
			g->map.key = okey;
			g->map.val = oval;
			return -ENOMEM;
		}
		g->map.cap = cap;
		for (size_t j = 0; j < ocap; j++) {
			if (okey[j]) {
				i = map_slot(g, okey[j]);
				g->map.key[i] = okey[j];
				g->map.val[i] = oval[j];
			}
		}
		free(okey);
		free(oval);
	}
	i = map_slot(g, id);
	if (!g->map.key[i])
		g->map.n++;
	g->map.key[i] = id;
	g->map.val[i] = v;
	return 0;
}

/* The .BTF and .BTF.ext sections of an ELF64 image (NULL when absent). */
static int elf_sections(const uint8_t *elf, size_t sz, const void **btf, size_t *btf_sz,
			const void **ext, size_t *ext_sz)
{
	const Elf64_Ehdr *eh = (const void *)elf;
	const Elf64_Shdr *sh, *strsh;

	*btf = *ext = NULL;
	if (sz < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > sz ||
	    eh->e_shstrndx >= eh->e_shnum)
		return -EINVAL;
	sh = (const Elf64_Shdr *)(elf + eh->e_shoff);
	strsh = &sh[eh->e_shstrndx];
	for (int i = 0; i < eh->e_shnum; i++) {
		const char *name;

		if (sh[i].sh_name >= strsh->sh_size || sh[i].sh_offset + sh[i].sh_size > sz ||
		    strsh->sh_offset + strsh->sh_size > sz)
			return -EINVAL;
		name = (const char *)elf + strsh->sh_offset + sh[i].sh_name;
		if (!strcmp(name, ".BTF")) {
			*btf = elf + sh[i].sh_offset;
			*btf_sz = sh[i].sh_size;
		} else if (!strcmp(name, ".BTF.ext")) {
			*ext = elf + sh[i].sh_offset;
			*ext_sz = sh[i].sh_size;
		}
	}
	return *btf || !*ext ? 0 : -ENOENT; /* no .BTF.ext: no relocation */
}

/* Length of a name without its "___flavor" suffix (libbpf's essential name). */
static size_t essential_len(const char *name)
{
	const char *p = strstr(name, "___");

	return p ? (size_t)(p - name) : strlen(name);
}

static int push_use(struct gen *g, uint32_t type, uint32_t member)
{
	if (VEC_RESERVE(g->uses, g->capuses, g->nuses, 1))
		return -ENOMEM;
	g->uses[g->nuses++] = (struct use){type, member};
	return 0;
}

static int push_root(struct gen *g, uint32_t id)
{
	if (VEC_RESERVE(g->roots, g->caproots, g->nroots, 1))
		return -ENOMEM;
	g->roots[g->nroots++] = id;
	return 0;
}

/* libbpf's bpf_core_match_member(): the member called name in composite tid, through
 * anonymous members. 1 found (uses pushed, *next = its type), 0 not found, < 0 error. */
static int match_member(struct gen *g, uint32_t tid, const char *name, uint32_t *next, int depth)
{
	const struct btf_type *t;
	const struct btf_member *m;

	tid = kbtf__skip_mods(g->tg, tid);
	t = tt(g, tid);
	if (!btf_is_composite(t) || depth > 32)
		return 0;
	m = btf_members(t);
	for (uint32_t i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = tname(g, m->name_off);
		size_t mark = g->nuses;
		int r;

		if (!*mname) {
			if ((r = push_use(g, tid, i)))
				return r;
			r = match_member(g, m->type, name, next, depth + 1);
			if (r)
				return r;
			g->nuses = mark;
		} else if (!strcmp(mname, name)) {
			*next = m->type;
			return push_use(g, tid, i) ?: 1;
		}
	}
	return 0;
}

/* Walk the local access path "0:i:j..." over target root troot. 1 matched, 0 not, < 0 error. */
static int walk_field(struct gen *g, uint32_t lroot, const char *acc, uint32_t troot)
{
	uint32_t lid = lroot, tid = troot;
	const char *p = acc;
	char *end;
	int first = 1;

	while (*p) {
		unsigned long idx = strtoul(p, &end, 10);
		const struct btf_type *lt;

		if (end == p)
			return -EINVAL;
		p = *end == ':' ? end + 1 : end;
		if (first) { /* the root pointer's array index */
			first = 0;
			continue;
		}
		lid = kbtf__skip_mods(g->local, lid);
		lt = kbtf__type(g->local, lid);
		if (!lt)
			return -EINVAL;
		if (btf_is_composite(lt)) {
			const struct btf_member *m;
			const char *name;
			int r;

			if (idx >= btf_vlen(lt))
				return -EINVAL;
			m = btf_members(lt) + idx;
			name = kbtf__str(g->local, m->name_off);
			lid = m->type;
			if (!*name)
				continue; /* anonymous: libbpf matches the next named member */
			r = match_member(g, tid, name, &tid, 0);
			if (r <= 0)
				return r;
		} else if (btf_is_array(lt)) {
			const struct btf_type *t = tt(g, tid = kbtf__skip_mods(g->tg, tid));

			if (!btf_is_array(t))
				return 0;
			lid = btf_array(lt)->type;
			tid = btf_array(t)->type;
		} else {
			return -EOPNOTSUPP;
		}
	}
	return 1;
}

static bool same_kind(const struct btf_type *a, const struct btf_type *b)
{
	return btf_kind(a) == btf_kind(b) || (btf_is_any_enum(a) && btf_is_any_enum(b));
}

/* The root of relocation r: its index in g->lroots (added if new), -1 when it has none. */
static int relo_root(struct gen *g, const struct core_relo *r)
{
	uint32_t lid = kbtf__skip_mods(g->local, r->type_id);
	const struct btf_type *lt = kbtf__type(g->local, lid);
	const char *lname, *acc;

	if (r->kind == BPF_CORE_TYPE_ID_LOCAL)
		return -1;
	if (!lt)
		return -EINVAL;
	lname = kbtf__str(g->local, lt->name_off);
	acc = kbtf__str(g->local, r->access_str_off);
	if (!*lname || !*acc)
		return -EOPNOTSUPP;
	switch (r->kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
	case BPF_CORE_FIELD_BYTE_SIZE:
	case BPF_CORE_FIELD_EXISTS:
	case BPF_CORE_FIELD_SIGNED:
	case BPF_CORE_FIELD_LSHIFT_U64:
	case BPF_CORE_FIELD_RSHIFT_U64:
		if (!btf_is_composite(lt))
			return -EOPNOTSUPP;
		break;
	case BPF_CORE_TYPE_ID_TARGET:
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_SIZE:
		if (!btf_is_composite(lt) && !btf_is_any_enum(lt) && !btf_is_int(lt))
			return -EOPNOTSUPP;
		break;
	case BPF_CORE_ENUMVAL_EXISTS:
	case BPF_CORE_ENUMVAL_VALUE:
		if (!btf_is_any_enum(lt))
			return -EOPNOTSUPP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < g->nlroots; i++)
		if (g->lroots[i].lid == lid)
			return i;
	if (VEC_RESERVE(g->lroots, g->caplroots, g->nlroots, 1))
		return -ENOMEM;
	g->lroots[g->nlroots] = (struct root){lid, lt, lname, essential_len(lname)};
	return g->nlroots++;
}

/* One walk over the kernel's types: every candidate of every root, in id order. */
static int find_cands(struct gen *g)
{
	const struct btf_type *t = tt(g, 1);

	for (uint32_t id = 1; id < kbtf__type_cnt(g->tg); id++, t = kbtf__next(g->tg, t)) {
		const char *name = NULL;
		size_t len = 0;

		if (!t->name_off)
			continue;
		for (size_t i = 0; i < g->nlroots; i++) {
			const struct root *r = &g->lroots[i];

			if (!same_kind(r->lt, t))
				continue;
			if (!name) {
				name = tname(g, t->name_off);
				len = essential_len(name);
			}
			if (len != r->len || strncmp(name, r->name, len))
				continue;
			if (VEC_RESERVE(g->cands, g->capcands, g->ncands, 1))
				return -ENOMEM;
			g->cands[g->ncands++] = (struct cand){i, id};
		}
	}
	return 0;
}

/* One relocation from root: mark what libbpf will look at in each candidate. */
static int relo(struct gen *g, const struct core_relo *r, int root)
{
	const char *acc = kbtf__str(g->local, r->access_str_off);

	for (size_t i = 0; i < g->ncands; i++) {
		uint32_t id = g->cands[i].id;
		size_t mark = g->nuses;
		int m = 1;

		if (g->cands[i].root != (uint32_t)root)
			continue;
		if (r->kind <= BPF_CORE_FIELD_RSHIFT_U64)
			m = walk_field(g, g->lroots[root].lid, acc, id);
		if (m < 0)
			return m;
		if (m == 0) {
			g->nuses = mark;
			continue;
		}
		if ((m = push_root(g, id)))
			return m;
	}
	return 0;
}

static int cmp_use(const void *a, const void *b)
{
	const struct use *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->member < y->member ? -1 : x->member > y->member;
}

/* The used members of composite id: [*first, *last) of the sorted uses. */
static void uses_of(const struct gen *g, uint32_t id, size_t *first, size_t *last)
{
	size_t lo = 0, hi = g->nuses;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (g->uses[mid].type < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo < g->nuses && g->uses[lo].type == id)
		lo++;
	*last = lo;
}

static int emit(struct gen *g, uint32_t id, int depth)
{
	const struct btf_type *t = tt(g, id);
	const char *name = tname(g, t->name_off);
	int r, ref;

	if (id == 0)
		return 0;
	r = g->map.cap ? map_get(g, id) : 0;
	if (r)
		return r;
	if (depth > 64)
		return -ELOOP;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		if (btf_int_offset(t) || btf_int_bits(t) != t->size * 8)
			return -EOPNOTSUPP;
		r = btf__add_int(g->out, name, t->size, btf_int_encoding(t));
		break;
	case BTF_KIND_PTR: /* libbpf checks only that a field is a pointer */
		r = btf__add_ptr(g->out, 0);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		int elem = emit(g, a->type, depth + 1), index;

		if (elem < 0)
			return elem;
		index = emit(g, a->index_type, depth + 1);
		if (index < 0)
			return index;
		r = btf__add_array(g->out, index, elem, a->nelems);
		break;
	}
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		ref = emit(g, t->type, depth + 1);
		if (ref < 0)
			return ref;
		r = btf_is_typedef(t)	 ? btf__add_typedef(g->out, name, ref)
		    : btf_is_volatile(t) ? btf__add_volatile(g->out, ref)
		    : btf_is_const(t)	 ? btf__add_const(g->out, ref)
		    : btf_is_restrict(t) ? btf__add_restrict(g->out, ref)
					 : btf__add_type_tag(g->out, name, ref);
		break;
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = btf_enum(t);

		r = btf__add_enum(g->out, name, t->size);
		for (uint32_t i = 0; r > 0 && i < btf_vlen(t); i++, e++) {
			int64_t v = btf_kflag(t) ? (int32_t)e->val : (int64_t)(uint32_t)e->val;
			int err = btf__add_enum_value(g->out, tname(g, e->name_off), v);

			if (err)
				return err;
		}
		break;
	}
	case BTF_KIND_ENUM64: {
		const struct btf_enum64 *e = btf_enum64(t);

		r = btf__add_enum64(g->out, name, t->size, btf_kflag(t));
		for (uint32_t i = 0; r > 0 && i < btf_vlen(t); i++, e++) {
			int err = btf__add_enum64_value(g->out, tname(g, e->name_off),
							btf_enum64_value(e));

			if (err)
				return err;
		}
		break;
	}
	case BTF_KIND_FLOAT:
		r = btf__add_float(g->out, name, t->size);
		break;
	case BTF_KIND_FWD:
		r = btf__add_fwd(g->out, name, btf_kflag(t) ? BTF_FWD_UNION : BTF_FWD_STRUCT);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);
		size_t first, last;
		int types[64];

		uses_of(g, id, &first, &last);
		if (last - first > 64)
			return -E2BIG;
		/* Member types first: a struct's fields must follow it directly. */
		for (size_t i = first; i < last; i++) {
			types[i - first] = emit(g, m[g->uses[i].member].type, depth + 1);
			if (types[i - first] < 0)
				return types[i - first];
		}
		r = btf_is_struct(t) ? btf__add_struct(g->out, name, t->size)
				     : btf__add_union(g->out, name, t->size);
		for (size_t i = first; r > 0 && i < last; i++) {
			uint32_t k = g->uses[i].member;
			int err = btf__add_field(g->out, tname(g, m[k].name_off),
						 types[i - first], btf_member_bit_offset(t, k),
						 btf_member_bitfield_size(t, k));

			if (err)
				return err;
		}
		break;
	}
	default:
		return -EOPNOTSUPP;
	}
	if (r > 0) {
		int err = map_put(g, id, r);

		if (err)
			return err;
	}
	return r;
}

/* The CO-RE relocation records of .BTF.ext, copied out: *n of them, -ENODATA when none. */
static int read_relos(const void *ext, size_t ext_sz, struct core_relo **out, size_t *n)
{
	const struct ext_header *eh = ext;
	const uint8_t *p, *end;
	struct core_relo *v = NULL;
	size_t cap = 0;
	uint32_t rec_sz;

	*out = NULL;
	*n = 0;
	if (!ext)
		return -ENODATA;
	if (ext_sz < sizeof(*eh) || eh->magic != BTF_MAGIC || eh->hdr_len < sizeof(*eh) ||
	    (uint64_t)eh->hdr_len + eh->core_relo_off + eh->core_relo_len > ext_sz)
		return -EINVAL;
	if (eh->core_relo_len < 4)
		return -ENODATA;
	p = (const uint8_t *)ext + eh->hdr_len + eh->core_relo_off;
	end = p + eh->core_relo_len;
	memcpy(&rec_sz, p, 4);
	p += 4;
	if (rec_sz < sizeof(struct core_relo))
		return -EINVAL;
	while (p + 8 <= end) {
		uint32_t nrec;

		memcpy(&nrec, p + 4, 4); /* after the section name offset */
		p += 8;
		if ((uint64_t)nrec * rec_sz > (uint64_t)(end - p))
			goto inval;
		if (VEC_RESERVE(v, cap, *n, nrec)) {
			free(v);
			return -ENOMEM;
		}
		for (uint32_t i = 0; i < nrec; i++, p += rec_sz)
			memcpy(&v[(*n)++], p, sizeof(*v));
	}
	*out = v;
	return *n ? 0 : -ENODATA;
inval:
	free(v);
	return -EINVAL;
}

static int generate(struct gen *g, const void *elf, size_t elf_sz)
{
	const void *btf_data, *ext_data;
	size_t btf_sz = 0, ext_sz = 0, nrelos;
	struct core_relo *relos = NULL;
	int *root = NULL, err;
	struct kbtf *k = NULL;

	err = elf_sections(elf, elf_sz, &btf_data, &btf_sz, &ext_data, &ext_sz);
	if (err)
		return err;
	err = read_relos(ext_data, ext_sz, &relos, &nrelos);
	if (err)
		return err;
	root = calloc(nrelos, sizeof(*root));
	err = root ? kbtf__new(btf_data, btf_sz, &g->local) : -ENOMEM;
	if (err)
		goto out;
	for (size_t i = 0; i < nrelos; i++) {
		root[i] = relo_root(g, &relos[i]);
		if (root[i] < -1) {
			err = root[i];
			goto out;
		}
	}
	err = kbtf__open(NULL, &k);
	if (err)
		goto out;
	g->tg = k;
	err = find_cands(g);
	for (size_t i = 0; !err && i < nrelos; i++)
		if (root[i] >= 0)
			err = relo(g, &relos[i], root[i]);
	if (err)
		goto out;
	qsort(g->uses, g->nuses, sizeof(*g->uses), cmp_use);
	g->out = btf__new_empty();
	if (!g->out) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < g->nroots; i++) {
		int r = emit(g, g->roots[i], 0);

		if (r < 0) {
			err = r;
			break;
		}
	}
out:
	kbtf__close(k);
	g->tg = NULL;
	free(relos);
	free(root);
	return err;
}

int btf_min__new(const void *elf, size_t elf_sz, struct btf_min **out)
{
	struct gen g = {0};
	struct btf_min *m = NULL;
	const void *raw;
	__u32 raw_sz;
	int err;

	*out = NULL;
	err = generate(&g, elf, elf_sz);
	if (!err && !(raw = btf__raw_data(g.out, &raw_sz)))
		err = -ENOMEM;
	if (!err && !(m = calloc(1, sizeof(*m))))
		err = -ENOMEM;
	if (!err) {
		m->fd = memfd_create("tk-min-btf", MFD_CLOEXEC);
		if (m->fd < 0 || write(m->fd, raw, raw_sz) != (ssize_t)raw_sz)
			err = m->fd < 0 ? -errno : -EIO;
		snprintf(m->path, sizeof(m->path), "/proc/self/fd/%d", m->fd);
	}
	btf__free(g.out);
	kbtf__close(g.local);
	free(g.map.key);
	free(g.map.val);
	free(g.uses);
	free(g.roots);
	free(g.lroots);
	free(g.cands);
	if (err) {
		btf_min__free(m);
		return err;
	}
	*out = m;
	return 0;
}

const char *btf_min__try(const void *elf, size_t elf_sz, struct btf_min **m)
{
	int err;

	*m = NULL;
	if (getenv("TRACEKIT_FULL_BTF"))
		return NULL;
	err = btf_min__new(elf, elf_sz, m);
	if (err == -ENODATA)
		return NULL; /* no CO-RE relocation: libbpf needs no kernel BTF either */
	if (err) {
		if (tk_verbose())
			tk_note("no minimal BTF (%s): libbpf reads the kernel's full BTF",
				strerror(-err));
		return NULL;
	}
	return btf_min__path(*m);
}

const char *btf_min__path(const struct btf_min *m)
{
	return m->path;
}

void btf_min__free(struct btf_min *m)
{
	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

/*
 * The kernel accepts a callback's address (BPF_PSEUDO_FUNC) only in a program that comes
 * with BTF function info, one FUNC record per subprogram. The verifier reads the callback's
 * arguments from the helper that calls it, not from BTF, so two prototypes serve every
 * program: int f(void *ctx) for the program, long cb(void *, void *, void *, void *) for
 * its callbacks, both static (a global function's BTF arguments would be checked).
 */
int btf_min__funcs(uint32_t *prog_id, uint32_t *cb_id)
{
	static const char *const args[] = {"map", "key", "value", "ctx"};
	struct btf *b = btf__new_empty();
	int i32, i64, ptr, proto, fd = -ENOMEM;

	if (!b)
		return -errno;
	i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	i64 = btf__add_int(b, "long", 8, BTF_INT_SIGNED);
	ptr = btf__add_ptr(b, 0);
	proto = btf__add_func_proto(b, i32);
	if (i32 < 0 || i64 < 0 || ptr < 0 || proto < 0 || btf__add_func_param(b, "ctx", ptr))
		goto out;
	*prog_id = (uint32_t)btf__add_func(b, "tk_probe", BTF_FUNC_STATIC, proto);
	proto = btf__add_func_proto(b, i64);
	if ((int)*prog_id < 0 || proto < 0)
		goto out;
	for (int i = 0; i < 4; i++)
		if (btf__add_func_param(b, args[i], ptr))
			goto out;
	*cb_id = (uint32_t)btf__add_func(b, "tk_callback", BTF_FUNC_STATIC, proto);
	if ((int)*cb_id < 0)
		goto out;
	fd = btf__load_into_kernel(b);
	if (!fd)
		fd = dup(btf__fd(b));
	if (fd < 0)
		fd = -errno;
out:
	btf__free(b);
	return fd;
}
