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
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "core/log.h"
#include "core/btfmin.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

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

/* The mapped vmlinux BTF. */
struct target {
	const uint8_t *map;
	size_t map_sz;
	const char *strs;
	uint32_t strs_len;
	const uint32_t *offs; /* byte offset of type id in the type section, ids 1..n */
	const uint8_t *types;
	uint32_t n;
};

struct use {
	uint32_t type, member;
};

struct gen {
	struct target tg;
	const struct btf *local;
	struct btf *out;
	int32_t *map; /* target id -> output id */
	struct use *uses;
	size_t nuses, capuses;
	uint32_t *roots;
	size_t nroots, caproots;
};

static const struct btf_type *tt(const struct target *t, uint32_t id)
{
	static const struct btf_type void_type;

	if (id == 0 || id > t->n)
		return &void_type;
	return (const struct btf_type *)(t->types + t->offs[id]);
}

static const char *tname(const struct target *t, uint32_t off)
{
	return off < t->strs_len ? t->strs + off : "";
}

/* Bytes after struct btf_type for each kind. -1: unknown kind. */
static long type_extra(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)btf_vlen(t) * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)btf_vlen(t) * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return (long)btf_vlen(t) * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return (long)btf_vlen(t) * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)btf_vlen(t) * sizeof(struct btf_var_secinfo);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

static int target_open(struct target *t)
{
	const struct btf_header *h;
	struct stat st;
	uint32_t *offs = NULL;
	size_t cap = 0, pos = 0;
	int fd;

	fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(*h)) {
		close(fd);
		return -EINVAL;
	}
	t->map_sz = st.st_size;
	t->map = mmap(NULL, t->map_sz, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (t->map == MAP_FAILED) {
		t->map = NULL;
		return -errno; /* older kernels cannot mmap it: fall back */
	}
	h = (const struct btf_header *)t->map;
	if (h->magic != BTF_MAGIC || h->hdr_len > t->map_sz ||
	    (uint64_t)h->hdr_len + h->type_off + h->type_len > t->map_sz ||
	    (uint64_t)h->hdr_len + h->str_off + h->str_len > t->map_sz)
		return -EINVAL;
	t->types = t->map + h->hdr_len + h->type_off;
	t->strs = (const char *)t->map + h->hdr_len + h->str_off;
	t->strs_len = h->str_len;
	/* Index: type records have kind-dependent lengths. */
	while (pos + sizeof(struct btf_type) <= h->type_len) {
		long extra = type_extra((const struct btf_type *)(t->types + pos));

		if (extra < 0)
			break;
		if (t->n + 2 > cap) {
			uint32_t *no;

			cap = cap ? cap * 2 : 1 << 17;
			no = realloc(offs, cap * sizeof(*offs));
			if (!no) {
				free(offs);
				return -ENOMEM;
			}
			offs = no;
		}
		offs[++t->n] = pos;
		pos += sizeof(struct btf_type) + extra;
	}
	t->offs = offs;
	return pos == h->type_len ? 0 : -EINVAL;
}

static void target_close(struct target *t)
{
	if (t->map)
		munmap((void *)t->map, t->map_sz);
	free((void *)t->offs);
}

/* The .BTF and .BTF.ext sections of an ELF64 image. */
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
	return *btf && *ext ? 0 : -ENOENT;
}

/* Length of a name without its "___flavor" suffix (libbpf's essential name). */
static size_t essential_len(const char *name)
{
	const char *p = strstr(name, "___");

	return p ? (size_t)(p - name) : strlen(name);
}

static uint32_t tskip(const struct target *t, uint32_t id)
{
	for (int i = 0; i < 64; i++) {
		const struct btf_type *x = tt(t, id);

		if (!btf_is_mod(x) && !btf_is_typedef(x))
			return id;
		id = x->type;
	}
	return 0;
}

static int push_use(struct gen *g, uint32_t type, uint32_t member)
{
	if (g->nuses == g->capuses) {
		size_t cap = g->capuses ? g->capuses * 2 : 64;
		struct use *n = realloc(g->uses, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		g->uses = n;
		g->capuses = cap;
	}
	g->uses[g->nuses].type = type;
	g->uses[g->nuses++].member = member;
	return 0;
}

static int push_root(struct gen *g, uint32_t id)
{
	if (g->nroots == g->caproots) {
		size_t cap = g->caproots ? g->caproots * 2 : 32;
		uint32_t *n = realloc(g->roots, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		g->roots = n;
		g->caproots = cap;
	}
	g->roots[g->nroots++] = id;
	return 0;
}

/* libbpf's bpf_core_match_member(): the member called name in composite tid, through
 * anonymous members. 1 found (uses pushed, *next = its type), 0 not found, < 0 error. */
static int match_member(struct gen *g, uint32_t tid, const char *name, uint32_t *next, int depth)
{
	const struct btf_type *t;
	const struct btf_member *m;

	tid = tskip(&g->tg, tid);
	t = tt(&g->tg, tid);
	if (!btf_is_composite(t) || depth > 32)
		return 0;
	m = btf_members(t);
	for (uint32_t i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = tname(&g->tg, m->name_off);
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

static uint32_t lskip(const struct btf *b, uint32_t id)
{
	for (int i = 0; i < 64; i++) {
		const struct btf_type *x = btf__type_by_id(b, id);

		if (!x || (!btf_is_mod(x) && !btf_is_typedef(x)))
			return id;
		id = x->type;
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
		lid = lskip(g->local, lid);
		lt = btf__type_by_id(g->local, lid);
		if (!lt)
			return -EINVAL;
		if (btf_is_composite(lt)) {
			const struct btf_member *m;
			const char *name;
			int r;

			if (idx >= btf_vlen(lt))
				return -EINVAL;
			m = btf_members(lt) + idx;
			name = btf__name_by_offset(g->local, m->name_off);
			lid = m->type;
			if (!name || !*name)
				continue; /* anonymous: libbpf matches the next named member */
			r = match_member(g, tid, name, &tid, 0);
			if (r <= 0)
				return r;
		} else if (btf_is_array(lt)) {
			const struct btf_type *t = tt(&g->tg, tid = tskip(&g->tg, tid));

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

/* One relocation: mark what libbpf will look at in each candidate. */
static int relo(struct gen *g, const struct core_relo *r)
{
	uint32_t lid = lskip(g->local, r->type_id);
	const struct btf_type *lt = btf__type_by_id(g->local, lid);
	const char *lname, *acc;
	size_t len;

	if (r->kind == BPF_CORE_TYPE_ID_LOCAL)
		return 0;
	if (!lt)
		return -EINVAL;
	lname = btf__name_by_offset(g->local, lt->name_off);
	acc = btf__name_by_offset(g->local, r->access_str_off);
	if (!lname || !*lname || !acc)
		return -EOPNOTSUPP;
	len = essential_len(lname);
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
	for (uint32_t id = 1; id <= g->tg.n; id++) {
		const struct btf_type *t = tt(&g->tg, id);
		const char *name;
		size_t mark = g->nuses;
		int m = 1;

		if (!same_kind(lt, t))
			continue;
		name = tname(&g->tg, t->name_off);
		if (essential_len(name) != len || strncmp(name, lname, len))
			continue;
		if (r->kind <= BPF_CORE_FIELD_RSHIFT_U64)
			m = walk_field(g, lid, acc, id);
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
	const struct btf_type *t = tt(&g->tg, id);
	const char *name = tname(&g->tg, t->name_off);
	int r, ref;

	if (id == 0)
		return 0;
	if (g->map[id])
		return g->map[id];
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
			int err = btf__add_enum_value(g->out, tname(&g->tg, e->name_off), v);

			if (err)
				return err;
		}
		break;
	}
	case BTF_KIND_ENUM64: {
		const struct btf_enum64 *e = btf_enum64(t);

		r = btf__add_enum64(g->out, name, t->size, btf_kflag(t));
		for (uint32_t i = 0; r > 0 && i < btf_vlen(t); i++, e++) {
			int err = btf__add_enum64_value(g->out, tname(&g->tg, e->name_off),
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
			int err = btf__add_field(g->out, tname(&g->tg, m[k].name_off),
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
	if (r > 0)
		g->map[id] = r;
	return r;
}

static int generate(struct gen *g, const void *elf, size_t elf_sz)
{
	const void *btf_data, *ext_data;
	const struct ext_header *eh;
	const uint8_t *p, *end;
	size_t btf_sz = 0, ext_sz = 0;
	uint32_t rec_sz;
	int err;

	err = elf_sections(elf, elf_sz, &btf_data, &btf_sz, &ext_data, &ext_sz);
	if (err)
		return err;
	eh = ext_data;
	if (ext_sz < sizeof(*eh) || eh->magic != BTF_MAGIC || eh->hdr_len < sizeof(*eh) ||
	    (uint64_t)eh->hdr_len + eh->core_relo_off + eh->core_relo_len > ext_sz ||
	    eh->core_relo_len < 4)
		return -ENOENT;
	g->local = btf__new(btf_data, btf_sz);
	if (!g->local)
		return -errno;
	err = target_open(&g->tg);
	if (err)
		return err;
	p = (const uint8_t *)ext_data + eh->hdr_len + eh->core_relo_off;
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
			return -EINVAL;
		for (uint32_t i = 0; i < nrec; i++, p += rec_sz) {
			struct core_relo r;

			memcpy(&r, p, sizeof(r));
			err = relo(g, &r);
			if (err)
				return err;
		}
	}
	qsort(g->uses, g->nuses, sizeof(*g->uses), cmp_use);
	g->map = calloc(g->tg.n + 1, sizeof(*g->map));
	g->out = btf__new_empty();
	if (!g->map || !g->out)
		return -ENOMEM;
	for (size_t i = 0; i < g->nroots; i++) {
		int r = emit(g, g->roots[i], 0);

		if (r < 0)
			return r;
	}
	return 0;
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
	btf__free((struct btf *)g.local);
	target_close(&g.tg);
	free(g.map);
	free(g.uses);
	free(g.roots);
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
