// SPDX-License-Identifier: GPL-2.0
/* The kernel's BTF read in place, and lookups by name (see kbtf.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "core/kbtf.h"
#include "core/vec.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define SAMPLE	    64 /* one kept type offset per SAMPLE ids */

struct kbtf {
	const uint8_t *map;
	size_t map_sz;
	const uint8_t *types; /* the type section */
	uint32_t types_len;
	const char *strs;
	uint32_t strs_len;
	uint32_t cnt; /* ids 1..cnt-1 */
	uint32_t *at; /* at[i]: offset in types of id i * SAMPLE + 1 */
};

/*
 * Bytes after struct btf_type: fixed[kind] + vlen * per_vlen[kind]. The one kind-size table
 * of tracekit; a kind it does not know (fixed -1) stops the parse: its length is unknown.
 */
static const int8_t fixed[NR_BTF_KINDS] = {
	[BTF_KIND_UNKN] = -1,
	[BTF_KIND_INT] = 4,
	[BTF_KIND_ARRAY] = sizeof(struct btf_array),
	[BTF_KIND_VAR] = 4,
	[BTF_KIND_DECL_TAG] = 4,
};
static const uint8_t per_vlen[NR_BTF_KINDS] = {
	[BTF_KIND_STRUCT] = sizeof(struct btf_member),
	[BTF_KIND_UNION] = sizeof(struct btf_member),
	[BTF_KIND_ENUM] = sizeof(struct btf_enum),
	[BTF_KIND_ENUM64] = sizeof(struct btf_enum64),
	[BTF_KIND_FUNC_PROTO] = sizeof(struct btf_param),
	[BTF_KIND_DATASEC] = sizeof(struct btf_var_secinfo),
};

static long type_extra(const struct btf_type *t)
{
	unsigned int kind = btf_kind(t);

	if (kind >= NR_BTF_KINDS || fixed[kind] < 0)
		return -1;
	return fixed[kind] + (long)btf_vlen(t) * per_vlen[kind];
}

/* The file's bytes: mapped, or (where sysfs cannot mmap it) read into anonymous memory. */
static int map_file(struct kbtf *k, const char *path)
{
	struct stat st;
	size_t got = 0;
	void *p;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(struct btf_header)) {
		close(fd);
		return -EINVAL;
	}
	k->map_sz = st.st_size;
	p = mmap(NULL, k->map_sz, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		p = mmap(NULL, k->map_sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			 0);
		while (p != MAP_FAILED && got < k->map_sz) {
			ssize_t n = pread(fd, (char *)p + got, k->map_sz - got, got);

			if (n <= 0) {
				err = n < 0 ? -errno : -EIO;
				break;
			}
			got += n;
		}
	}
	if (p == MAP_FAILED)
		err = -errno;
	close(fd);
	if (err) {
		if (p != MAP_FAILED)
			munmap(p, k->map_sz);
		return err;
	}
	k->map = p;
	return 0;
}

/* Check every record's length against the section and keep every SAMPLE-th offset. */
static int index_types(struct kbtf *k)
{
	size_t pos = 0, cap = 0;
	uint32_t id = 1;

	while (pos < k->types_len) {
		const struct btf_type *t = (const void *)(k->types + pos);
		long extra;

		if (k->types_len - pos < sizeof(*t))
			return -EINVAL;
		extra = type_extra(t);
		if (extra < 0)
			return -EOPNOTSUPP;
		if ((id - 1) % SAMPLE == 0) {
			if (VEC_RESERVE(k->at, cap, (id - 1) / SAMPLE, 1))
				return -ENOMEM;
			k->at[(id - 1) / SAMPLE] = pos;
		}
		pos += sizeof(*t) + extra;
		if (pos > k->types_len)
			return -EINVAL;
		id++;
	}
	k->cnt = id;
	return 0;
}

/* The header and sections of the bytes in k->map, and the index. */
static int parse(struct kbtf *k)
{
	const struct btf_header *h = (const struct btf_header *)k->map;

	if (k->map_sz < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h) ||
	    h->hdr_len > k->map_sz || (h->hdr_len + h->type_off) % 4 ||
	    (uint64_t)h->hdr_len + h->type_off + h->type_len > k->map_sz ||
	    (uint64_t)h->hdr_len + h->str_off + h->str_len > k->map_sz)
		return -EINVAL;
	k->types = k->map + h->hdr_len + h->type_off;
	k->types_len = h->type_len;
	k->strs = (const char *)k->map + h->hdr_len + h->str_off;
	k->strs_len = h->str_len;
	if (!k->strs_len || k->strs[k->strs_len - 1])
		return -EINVAL; /* every string must end inside the section */
	return index_types(k);
}

/* Parse what k holds unless err; k is closed on failure. */
static int opened(struct kbtf *k, int err, struct kbtf **out)
{
	if (!err)
		err = parse(k);
	if (err) {
		kbtf__close(k);
		return err;
	}
	*out = k;
	return 0;
}

int kbtf__open(const char *path, struct kbtf **out)
{
	struct kbtf *k = calloc(1, sizeof(*k));

	*out = NULL;
	if (!k)
		return -ENOMEM;
	return opened(k, map_file(k, path ? path : VMLINUX_BTF), out);
}

int kbtf__new(const void *data, size_t size, struct kbtf **out)
{
	struct kbtf *k = calloc(1, sizeof(*k));
	void *p = MAP_FAILED;

	*out = NULL;
	if (!k)
		return -ENOMEM;
	/* A copy, page-aligned: data (an ELF section) may sit at any address. */
	if (size)
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return opened(k, size ? -errno : -EINVAL, out);
	k->map = memcpy(p, data, size);
	k->map_sz = size;
	return opened(k, 0, out);
}

void kbtf__close(struct kbtf *k)
{
	if (!k)
		return;
	if (k->map)
		munmap((void *)k->map, k->map_sz);
	free(k->at);
	free(k);
}

uint32_t kbtf__type_cnt(const struct kbtf *k)
{
	return k->cnt;
}

const struct btf_type *kbtf__next(const struct kbtf *k, const struct btf_type *t)
{
	return (const void *)((const uint8_t *)(t + 1) + type_extra(t));
}

const struct btf_type *kbtf__type(const struct kbtf *k, uint32_t id)
{
	static const struct btf_type void_type;
	const struct btf_type *t;

	if (id == 0)
		return &void_type;
	if (id >= k->cnt)
		return NULL;
	t = (const void *)(k->types + k->at[(id - 1) / SAMPLE]);
	for (uint32_t i = (id - 1) % SAMPLE; i; i--)
		t = kbtf__next(k, t);
	return t;
}

const char *kbtf__str(const struct kbtf *k, uint32_t off)
{
	return off < k->strs_len ? k->strs + off : "";
}

uint32_t kbtf__skip_mods(const struct kbtf *k, uint32_t id)
{
	for (int i = 0; i < 64; i++) {
		const struct btf_type *t = kbtf__type(k, id);

		if (!t || (!btf_is_mod(t) && !btf_is_typedef(t)))
			return id;
		id = t->type;
	}
	return 0;
}

int64_t kbtf__size(const struct kbtf *k, uint32_t id)
{
	int64_t n = 1;

	for (int i = 0; i < 64; i++) {
		const struct btf_type *t = kbtf__type(k, kbtf__skip_mods(k, id));

		if (!t)
			return -EINVAL;
		switch (btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FLOAT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_DATASEC:
			return n * t->size;
		case BTF_KIND_PTR:
			return n * (int64_t)sizeof(void *); /* the kernel is ours: same word size */
		case BTF_KIND_ARRAY:
			n *= btf_array(t)->nelems;
			id = btf_array(t)->type;
			break;
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
}

static bool kind_matches(const struct btf_type *t, int kind)
{
	int have = btf_kind(t);

	if (kind == BTF_KIND_ENUM)
		return have == BTF_KIND_ENUM || have == BTF_KIND_ENUM64;
	if (kind == BTF_KIND_STRUCT)
		return have == BTF_KIND_STRUCT || have == BTF_KIND_UNION;
	return have == kind;
}

/* The first type of kind called name with an id >= *id, which is updated. */
static const struct btf_type *find_from(const struct kbtf *k, const char *name, int kind,
					uint32_t *id)
{
	const struct btf_type *t = kbtf__type(k, *id);

	for (; t && *id < k->cnt; (*id)++, t = kbtf__next(k, t))
		if (t->name_off && kind_matches(t, kind) &&
		    !strcmp(kbtf__str(k, t->name_off), name))
			return t;
	return NULL;
}

int kbtf__find(const struct kbtf *k, const char *name, int kind, const struct btf_type **t)
{
	uint32_t id = 1;
	const struct btf_type *x = find_from(k, name, kind, &id);

	if (t)
		*t = x;
	return x ? (int)id : -ENOENT;
}

/* name in composite tid at base bits, through anonymous members (libbpf's rules). */
static bool member_in(const struct kbtf *k, uint32_t tid, const char *name, uint32_t base,
		      struct kbtf_member *m, int depth)
{
	const struct btf_type *t = kbtf__type(k, kbtf__skip_mods(k, tid));
	const struct btf_member *mb;

	if (!t || !btf_is_composite(t) || depth > 32)
		return false;
	mb = btf_members(t);
	for (uint32_t i = 0; i < btf_vlen(t); i++, mb++) {
		const char *mname = kbtf__str(k, mb->name_off);
		uint32_t off = base + btf_member_bit_offset(t, i);

		if (!*mname && member_in(k, mb->type, name, off, m, depth + 1))
			return true;
		if (*mname && !strcmp(mname, name)) {
			int64_t size = kbtf__size(k, mb->type);

			m->bit_off = off;
			m->bitfield = btf_member_bitfield_size(t, i);
			m->type = mb->type;
			m->size = size > 0 ? size : 0;
			return true;
		}
	}
	return false;
}

int kbtf__member(const struct kbtf *k, const char *strct, const char *member,
		 struct kbtf_member *m)
{
	for (uint32_t id = 1; find_from(k, strct, BTF_KIND_STRUCT, &id); id++)
		if (member_in(k, id, member, 0, m, 0))
			return 0;
	return -ENOENT;
}

int kbtf__member_of(const struct kbtf *k, uint32_t id, const char *member, struct kbtf_member *m)
{
	return member_in(k, id, member, 0, m, 0) ? 0 : -ENOENT;
}

/* Enumerator i of enum t: its name offset and value. */
static int64_t enum_at(const struct btf_type *t, uint32_t i, uint32_t *name_off)
{
	if (btf_is_enum64(t)) {
		const struct btf_enum64 *e = btf_enum64(t) + i;

		*name_off = e->name_off;
		return (int64_t)btf_enum64_value(e);
	}
	*name_off = btf_enum(t)[i].name_off;
	return btf_kflag(t) ? (int64_t)btf_enum(t)[i].val : (int64_t)(uint32_t)btf_enum(t)[i].val;
}

int kbtf__enum_value(const struct kbtf *k, uint32_t id, const char *name, int64_t *val)
{
	const struct btf_type *t = kbtf__type(k, id);
	uint32_t off;

	if (!t || !btf_is_any_enum(t))
		return -ENOENT;
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		int64_t v = enum_at(t, i, &off);

		if (!strcmp(kbtf__str(k, off), name)) {
			*val = v;
			return 0;
		}
	}
	return -ENOENT;
}

const char *kbtf__enum_name(const struct kbtf *k, uint32_t id, int64_t val)
{
	const struct btf_type *t = kbtf__type(k, id);
	uint32_t off;

	if (!t || !btf_is_any_enum(t))
		return NULL;
	for (uint32_t i = 0; i < btf_vlen(t); i++)
		if (enum_at(t, i, &off) == val)
			return kbtf__str(k, off);
	return NULL;
}
