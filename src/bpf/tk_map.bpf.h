/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps on the BPF side of every tool: one form of a map definition, and the lookup-or-create
 * idiom of the aggregating tools. Include after vmlinux.h, or after uregs.bpf.h for objects
 * that keep clear of kernel BTF.
 */
#ifndef TK_MAP_BPF_H
#define TK_MAP_BPF_H

#include <bpf/bpf_helpers.h>

/* A BTF-defined map called name: map_type (BPF_MAP_TYPE_*), entries of key_type -> value_type. */
#define TK_MAP(name, map_type, entries, key_type, value_type)                                      \
	struct {                                                                                   \
		__uint(type, map_type);                                                            \
		__uint(max_entries, entries);                                                      \
		__type(key, key_type);                                                             \
		__type(value, value_type);                                                         \
	} name SEC(".maps")

/*
 * The value under key, created as a copy of *init when there is none; NULL when the map is
 * full. BPF_NOEXIST: when another CPU creates it in between, its value is kept, not reset.
 */
static __always_inline void *tk_map_lookup_or_init(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

#endif
