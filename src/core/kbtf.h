/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BTF read in place: the kernel's /sys/kernel/btf/vmlinux mmap()ed (its pages are kernel
 * memory and do not count in our RSS), or a BPF object's own .BTF, each checked record by
 * record once, with one type offset kept per 64 ids (8 KB for the ~126,000 types of a 6.18
 * kernel) instead of libbpf's parse, which copies the 5.5 MB file twice. The one reader of
 * BTF in tracekit and its one kind-size table: the minimal-BTF builder (btfmin.h) and every
 * lookup by name (a struct member's offset, an enum's values, whether a kernel function
 * exists) go through it; nothing loads the kernel's whole BTF into the heap.
 *
 * Where the file cannot be mmap()ed (kernels before 6.16), it is read into memory instead.
 * A record of a kind this code does not know makes opening fail with -EOPNOTSUPP: its
 * length, and so every later type id, would be unknown.
 */
#ifndef TK_KBTF_H
#define TK_KBTF_H

#include <stddef.h>
#include <stdint.h>

#include <linux/btf.h>

struct kbtf;

/* Map and check path (NULL: /sys/kernel/btf/vmlinux). 0 or a negative errno. */
int kbtf__open(const char *path, struct kbtf **out);
/* The same over a copy of size bytes of BTF at data (a BPF object's .BTF section). */
int kbtf__new(const void *data, size_t size, struct kbtf **out);
/* NULL is fine. */
void kbtf__close(struct kbtf *k);

/* One more than the largest type id (ids run from 1; 0 is void). */
uint32_t kbtf__type_cnt(const struct kbtf *k);
/* Type id (0: void), or NULL when id is out of range. */
const struct btf_type *kbtf__type(const struct kbtf *k, uint32_t id);
/* Type id + 1's record, given id's t: for walks over every type in id order. */
const struct btf_type *kbtf__next(const struct kbtf *k, const struct btf_type *t);
/* The string at off in the string section; "" when off is out of range. */
const char *kbtf__str(const struct kbtf *k, uint32_t off);
/* The type behind typedefs and modifiers (const, volatile, restrict, type tags). */
uint32_t kbtf__skip_mods(const struct kbtf *k, uint32_t id);
/* Bytes of an object of type id (arrays: all elements); a negative errno when it has none. */
int64_t kbtf__size(const struct kbtf *k, uint32_t id);

/*
 * The first type called name of kind (BTF_KIND_*; BTF_KIND_ENUM also finds an ENUM64,
 * BTF_KIND_STRUCT also a UNION): its id, or -ENOENT. *t gets its record when t is not NULL.
 * One walk over every type: look a type up once, not per event.
 */
int kbtf__find(const struct kbtf *k, const char *name, int kind, const struct btf_type **t);

struct kbtf_member {
	uint32_t bit_off;  /* from the start of the struct */
	uint32_t bitfield; /* width in bits of a bitfield; 0 for a plain member */
	uint32_t type;	   /* the member's type id */
	uint32_t size;	   /* bytes of that type (typedefs and modifiers skipped) */
};

/*
 * Member member of the first struct or union called strct that has one, found also inside
 * anonymous members (offsets then add up, as libbpf computes them). 0 or -ENOENT.
 */
int kbtf__member(const struct kbtf *k, const char *strct, const char *member,
		 struct kbtf_member *m);
/* The same in the struct or union of type id (typedefs and modifiers skipped). */
int kbtf__member_of(const struct kbtf *k, uint32_t id, const char *member, struct kbtf_member *m);

/* The value of enumerator name of enum type id (ENUM or ENUM64). 0 or -ENOENT. */
int kbtf__enum_value(const struct kbtf *k, uint32_t id, const char *name, int64_t *val);
/* The name of the first enumerator of enum type id whose value is val, or NULL. */
const char *kbtf__enum_name(const struct kbtf *k, uint32_t id, int64_t val);

#endif
