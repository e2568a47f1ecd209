/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal vmlinux BTF for one BPF object: only the types and members its CO-RE
 * relocations need (what `bpftool gen min_core_btf` makes), built at run time from the
 * mmap()ed /sys/kernel/btf/vmlinux (read through kbtf.h) and handed to libbpf as
 * btf_custom_path. An object without CO-RE relocations needs none (-ENODATA): libbpf then
 * reads no kernel BTF at all.
 *
 * Why: libbpf 1.1 reads the whole 5.5 MB vmlinux BTF into memory twice to relocate a
 * program, which makes a tracepoint tool's peak RSS ~14 MB instead of ~2.5 MB. Mapped sysfs
 * BTF pages are kernel memory and do not count in our RSS; the result is a few KB.
 *
 * Anything it does not understand (a relocation kind, a type kind, a malformed section)
 * makes btf_min__new() fail: the caller then opens the object without it and libbpf reads
 * the full vmlinux BTF as usual. (Where sysfs cannot mmap the BTF, before Linux 6.16, kbtf
 * reads it into memory once: still one copy fewer than libbpf.) Relocation results are the
 * same either way: the same candidate types, members and offsets are kept, found by name
 * the way libbpf matches them. TRACEKIT_FULL_BTF=1 in the environment turns it off.
 */
#ifndef TK_BTFMIN_H
#define TK_BTFMIN_H

#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

struct btf_min;

/*
 * elf: a BPF object file image (a skeleton's X__elf_bytes()). 0, -ENODATA when the object
 * has no CO-RE relocation, or another negative errno.
 */
int btf_min__new(const void *elf, size_t elf_sz, struct btf_min **out);
/* "/proc/self/fd/N" of the generated BTF, valid until btf_min__free(). */
const char *btf_min__path(const struct btf_min *m);
/*
 * The usual call: the path to pass as btf_custom_path, or NULL: libbpf then uses the full
 * kernel BTF when TRACEKIT_FULL_BTF is set or generation failed (said with -v), and none
 * when the object has no CO-RE relocation.
 * *m must be btf_min__free()d after load.
 */
const char *btf_min__try(const void *elf, size_t elf_sz, struct btf_min **m);
/* After the object is loaded. NULL is fine. */
void btf_min__free(struct btf_min *m);

/*
 * A BTF for programs with callbacks (BPF-to-BPF subprograms), loaded into the kernel: its
 * fd (the caller's to close) and the FUNC ids of the program's entry and of a callback, for
 * bpf_prog_load()'s func_info. Negative errno on failure.
 */
int btf_min__funcs(uint32_t *prog_id, uint32_t *cb_id);

/*
 * Open the skeleton NAME (NAME__open_opts) with a minimal kernel BTF when one can be made;
 * *bm is the caller's to btf_min__free() once the object is loaded.
 */
#define BTF_MIN_SKEL_OPEN(name, bm)                                                              \
	({                                                                                       \
		LIBBPF_OPTS(bpf_object_open_opts, oo_);                                          \
		size_t sz_;                                                                      \
		const void *elf_ = name##__elf_bytes(&sz_);                                      \
		oo_.btf_custom_path = btf_min__try(elf_, sz_, (bm));                             \
		name##__open_opts(&oo_);                                                         \
	})

#endif
