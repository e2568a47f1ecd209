/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C types in the language: the running kernel's (its BTF, read through core/kbtf.h) and the
 * script's own struct/union/enum definitions (cdecl.h, made into a BTF blob of their own).
 *
 * A type is named by a reference: a kernel BTF type id, or a script type's id with BT_SCRIPT
 * set; script types shadow kernel ones of the same name. A value of pointer type is an
 * LT_INT of 8 bytes whose lt_type carries the pointee's reference and the pointer depth
 * (btf_ref, btf_ptr). A struct, union or non-char array reached through a pointer is not
 * copied: its node has kind LT_NONE with btf_ref set (an "object"), and code generation
 * computes its address, to which `.field` and `[i]` add; only integers, pointers and char
 * arrays (strings) are read, with bpf_probe_read_kernel (script types on uprobes: _user).
 */
#ifndef TK_LANG_BTFTYPES_H
#define TK_LANG_BTFTYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/compile.h"

#define BT_SCRIPT 0x80000000u

struct kbtf;
struct cg;

/*
 * The program's C definitions parse: 0, or -EINVAL after their error. Every lookup of a
 * type checks it; a program that uses no C type is not asked (sema_run() does not call it).
 */
int bt_check_script(struct compiler *c);
/* The BTF holding ref and the id inside it; NULL when there is none. */
const struct kbtf *bt_btf(struct compiler *c, uint32_t ref, uint32_t *id);
/* "struct task_struct", "int", "struct sock *": ref's C name with depth stars. */
const char *bt_name(struct compiler *c, uint32_t ref, uint32_t depth, char *buf, size_t len);
/*
 * `struct X`, `union X`, `enum X` or a typedef/base type name: 0 and *ref, -ENOENT, or
 * -EINVAL when the script's C definitions do not parse (reported then).
 */
int bt_lookup(struct compiler *c, const char *name, uint32_t *ref);
/*
 * An enumerator written as a bare name (`ONE`, `BPF_MAP_TYPE_HASH`): of the script's enums,
 * else of the kernel's. 0 with its value and its enum's type, or -ENOENT.
 */
int bt_enum_const(struct compiler *c, const char *name, int64_t *val, uint32_t *ref);

/* n is a pointer of depth depth to ref. */
void bt_set_ptr(struct node *n, uint32_t ref, uint32_t depth);
/* Does n's value or object have a C type (a typed pointer or an object)? */
bool bt_typed(const struct node *n);
/* Is n an access that btftypes.c generates (field, index or `*` on a C-typed operand)? */
bool bt_is_access(const struct node *n);

/* Checks, dispatched from sema_expr.c for operands with C types. */
int bt_sema_field(struct compiler *c, struct node *n);
int bt_sema_index(struct compiler *c, struct node *n);
int bt_sema_deref(struct compiler *c, struct node *n);
/* (struct X *)e, (typedef)e: n->a is checked already. */
int bt_sema_cast(struct compiler *c, struct node *n);
/* sizeof(struct X) or sizeof(typedef): 0 with *size, or an error. */
int bt_sema_sizeof(struct compiler *c, struct node *n, int64_t *size);
/* p + n, p - n, n + p on typed pointers: the result's type, and n scaled in code. */
int bt_sema_ptr_arith(struct compiler *c, struct node *n);
bool bt_is_ptr_arith(const struct node *n);

/* Code for the accesses bt_is_access() names: an integer or pointer in R0, or a value
 * (a char array's string) at heap off. */
int bt_cg_int(struct cg *g, struct node *n);
int bt_cg_value(struct cg *g, struct node *n, uint32_t off);
/* What ++/-- add to lvalue n: 1, or the pointee's size when n is a C pointer. */
int32_t bt_incdec_step(struct compiler *c, struct node *n);
/* p + n, p - n with n scaled by the pointee's size, in R0. */
int bt_cg_ptr_arith(struct cg *g, struct node *n);

#endif
