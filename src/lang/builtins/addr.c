// SPDX-License-Identifier: GPL-2.0
/*
 * Types and addresses known when the program is made: offsetof(), sizeof() and casts of C
 * type names (union, enum, typedefs, integer arrays), integer <-> integer array casts (0.19),
 * pton(), cgroupid(), macaddr() and uaddr().
 *
 * An integer array value (`(uint8[4])$ip`, `pton("10.0.0.1")`) is an LT_ARRAY, the layout Go
 * slices already print with (`[10,0,0,1]`): a u64 element count, then one u64 per element.
 * A cast to or from one is rewritten into a call of the hidden builtin "$cast_array" (no one
 * can spell a name starting with '$'), whose second argument holds the cast's type name.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "core/elf.h"
#include "core/kbtf.h"
#include "lang/btftypes.h"
#include "lang/cg.h"
#include "lang/parser.h"

/* ---- type names ---------------------------------------------------------------------- */

/* A name that is not a builtin and names a C type (a typedef, `pid_t`): 0 with its ref. */
static int typedef_name(struct compiler *c, const struct node *n, uint32_t *ref)
{
	int idx;

	if (n->kind != N_IDENT || builtin_find(n->name, false, &idx))
		return -ENOENT;
	return bt_lookup(c, n->name, ref) ? -ENOENT : 0;
}

/*
 * The integer type a cast's type name gives (`uint8`, `u32`, a typedef or enum of an integer):
 * 0 with *t, or -ENOENT (nothing reported). It is what sema makes of `(name)0`.
 */
static int int_type(struct compiler *c, const char *name, struct loc loc, struct lt_type *t)
{
	static const char *const not_int[] = {"void", "string", "buf_t", "bool"};
	struct node *cast;
	uint32_t ref, id;
	int err;

	for (size_t i = 0; i < sizeof(not_int) / sizeof(not_int[0]); i++)
		if (!strcmp(name, not_int[i]))
			return -ENOENT;
	if (!lang_is_type_name(name)) {
		const struct kbtf *k;
		const struct btf_type *bt;

		if (bt_lookup(c, name, &ref))
			return -ENOENT;
		k = bt_btf(c, ref, &id);
		bt = k ? kbtf__type(k, kbtf__skip_mods(k, id)) : NULL;
		if (!bt || (!btf_is_int(bt) && !btf_is_any_enum(bt)) || bt->size > 8)
			return -ENOENT;
	}
	cast = node_new(N_CAST, loc);
	cast->name = strdup(name);
	cast->a = node_new(N_NUM, loc);
	if (!cast->name)
		abort();
	err = sema_expr(c, cast);
	if (!err && lt_is_int(&NS(cast)->t) && !NS(cast)->t.btf_ptr)
		*t = NS(cast)->t;
	else
		err = -ENOENT;
	node_free(cast);
	return err;
}

/* "uint8[4]": the element's name in elem, the count (-1 for "[]"); false: no array. */
static bool array_name(const char *name, char *elem, size_t len, int64_t *count)
{
	const char *b = strchr(name, '[');

	if (!b || (size_t)(b - name) >= len)
		return false;
	memcpy(elem, name, (size_t)(b - name));
	elem[b - name] = 0;
	*count = b[1] == ']' ? -1 : strtoll(b + 1, NULL, 10);
	return true;
}

/* bpftrace's spelling of an integer type in errors: int8 .. uint64. */
static const char *int_name(const struct lt_type *t, char *buf, size_t len)
{
	snprintf(buf, len, "%sint%u", t->is_signed ? "" : "u", t->size * 8);
	return buf;
}

static const char *array_str(const struct lt_type *t, char *buf, size_t len)
{
	char e[16];

	snprintf(buf, len, "%s[%u]", int_name(t->elem, e, sizeof(e)), t->size);
	return buf;
}

int addr_sizeof(struct compiler *c, struct node *n, int64_t *size)
{
	char elem[64];
	int64_t count;
	uint32_t ref;
	struct lt_type t;

	/* sizeof(pid_t): parsed as an expression, a name that is a type */
	if (n->a && !typedef_name(c, n->a, &ref)) {
		n->name = n->a->name;
		n->a->name = NULL;
		node_free(n->a);
		n->a = NULL;
	}
	if (n->a || !n->name)
		return 0;
	if (array_name(n->name, elem, sizeof(elem), &count)) {
		if (count < 0)
			return sema_err(c, n->loc, "sizeof() of an array needs its size");
		if (int_type(c, elem, n->loc, &t))
			return sema_err(c, n->loc, "Cannot resolve unknown type \"%s\"", elem);
		*size = count * t.size;
		return 1;
	}
	/* union X, enum X and typedefs; struct X and the builtin names stay sema_expr.c's */
	if (!strncmp(n->name, "struct ", 7) || lang_is_type_name(n->name))
		return 0;
	return bt_sema_sizeof(c, n, size) ? -EINVAL : 1;
}

/* ---- offsetof ------------------------------------------------------------------------ */

/* The field path a.b.c (an identifier, or fields on one), outermost first, in names[]. */
static int field_path(struct node *f, const char **names, int max)
{
	int n = 0;

	for (struct node *x = f; x; x = x->kind == N_FIELD ? x->a : NULL) {
		if (x->kind != N_FIELD && x->kind != N_IDENT)
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		n++;
	}
	for (int i = n - 1; f; f = f->kind == N_FIELD ? f->a : NULL, i--)
		names[i] = f->name;
	return n;
}

static int ck_offsetof(struct compiler *c, struct node *n)
{
	struct node *a = n->args;
	const char *path[32];
	int64_t off = 0;
	uint32_t ref;
	char name[128];
	int np, err;

	if (c->opts->dialect == LANG_0_17) {
		struct loc l = n->loc;

		l.end = l.col + (int)strlen(n->name);
		return sema_err(c, l, "Unknown function: %s", n->name);
	}
	if (sema_nargs(c, n, 2))
		return -EINVAL;
	np = field_path(a->next, path, 32);
	if (np < 0)
		return sema_err(c, a->next->loc, "offsetof() expects a field name (a or a.b.c)");
	if (a->kind == N_SIZEOF && !a->a) {
		err = bt_lookup(c, a->name, &ref);
		if (err == -EINVAL)
			return err;
		if (err)
			return sema_err(c, n->loc, "Cannot resolve unknown type \"%s\"", a->name);
	} else if (typedef_name(c, a, &ref)) {
		/* offsetof($expr, f): the type of a struct (or of what a pointer points to) */
		if (sema_expr(c, a))
			return -EINVAL;
		if (!NS(a)->t.btf_ref || NS(a)->t.btf_ptr > 1 ||
		    (!NS(a)->t.btf_ptr && NS(a)->t.kind != LT_CSTRUCT))
			return sema_err(c, n->loc, "'%s' is not a record type.",
					lt_type_str(&NS(a)->t, name, sizeof(name)));
		ref = NS(a)->t.btf_ref;
	}
	for (int i = 0; i < np; i++) {
		const struct kbtf *k;
		uint32_t id, scr = ref & BT_SCRIPT;
		const struct btf_type *t;
		struct kbtf_member m;

		k = bt_btf(c, ref, &id);
		id = k ? kbtf__skip_mods(k, id) : 0;
		t = k ? kbtf__type(k, id) : NULL;
		if (!t || !btf_is_composite(t))
			return sema_err(c, n->loc, "'%s' is not a record type.",
					bt_name(c, ref, 0, name, sizeof(name)));
		if (kbtf__member_of(k, id, path[i], &m))
			return sema_err(c, n->loc, "'%s' has no field named '%s'",
					bt_name(c, scr | id, 0, name, sizeof(name)), path[i]);
		off += m.bit_off / 8;
		ref = scr | m.type;
	}
	sema_set_int(n, 8, false);
	NS(n)->k[0] = off;
	return 0;
}

/* A constant known when the program is made, in k[0]. */
static int em_const(struct cg *g, struct node *n, int dst)
{
	cg_ld_imm64(g, BPF_REG_0, (uint64_t)NS(n)->k[0]);
	return 0;
}

/* ---- integer <-> integer array casts ------------------------------------------------- */

/* An integer array type of count elements of type elem. */
static void set_array(struct compiler *c, struct node *n, const struct lt_type *elem,
		      uint32_t count)
{
	struct lt_type *e = c_alloc(c, sizeof(*e));

	*e = *elem;
	e->size = elem->size;
	NS(n)->t = (struct lt_type){.kind = LT_ARRAY, .size = count, .elem = e};
}

/* An integer operand's size; a literal's is bpftrace's, the smallest signed type's (0.25). */
static uint32_t operand_size(const struct node *a)
{
	int64_t v = a->num;

	if (a->kind != N_NUM)
		return NS((struct node *)a)->t.size;
	return v >= INT8_MIN && v <= INT8_MAX	  ? 1
	       : v >= INT16_MIN && v <= INT16_MAX ? 2
	       : v >= INT32_MIN && v <= INT32_MAX ? 4
						  : 8;
}

/*
 * "$cast_array"(operand, type): n->args the operand, its next an N_SIZEOF holding the cast's
 * type name. checked: the operand has been analysed already (sema_expr.c's cast did).
 */
static int cast_array_check(struct compiler *c, struct node *n, bool checked)
{
	struct node *a = n->args;
	const char *tn = a->next->name;
	struct lt_type t, *at;
	char elem[64], from[64];
	int64_t count;
	uint32_t size;

	if (!checked && sema_expr(c, a))
		return -EINVAL;
	at = &NS(a)->t;
	if (array_name(tn, elem, sizeof(elem), &count)) {
		if (int_type(c, elem, n->loc, &t))
			return sema_err(c, n->loc, "Cannot resolve unknown type \"%s\"", elem);
		if (!lt_is_int(at) || NS(a)->ext || at->btf_ptr)
			return sema_err(c, n->loc, "Cannot cast from \"%s\" to \"%s\"",
					lt_type_str(at, from, sizeof(from)), tn);
		size = operand_size(a);
		if (count < 0 && size % t.size == 0)
			count = size / t.size;
		/*
		 * variables and map values hold integers as 8 bytes here: their low bytes; a
		 * literal fits an array at least its size (also `let $a: uint8[4];`'s 0)
		 */
		if (count * t.size != size &&
		    !((a->kind == N_VAR || a->kind == N_MAP) && count > 0 &&
		      count * t.size < size) &&
		    !(a->kind == N_NUM && count * t.size > size && count * t.size <= 8)) {
			char want[48], e[16];

			snprintf(want, sizeof(want), "%s[%lld]", int_name(&t, e, sizeof(e)),
				 (long long)count);
			struct lt_type ft = {
				.kind = LT_INT, .size = size, .is_signed = at->is_signed};

			return sema_err(c, n->loc, "Cannot cast from \"%s\" to \"%s\"",
					int_name(&ft, elem, sizeof(elem)), want);
		}
		set_array(c, n, &t, (uint32_t)count);
		NS(n)->k[0] = 0; /* integer -> array */
		return 0;
	}
	if (int_type(c, tn, n->loc, &t))
		return sema_err(c, n->loc, "Cannot cast from \"%s\" to \"%s\"",
				array_str(at, from, sizeof(from)), tn);
	if (!lt_is_int(at->elem) || at->elem->size * at->size != t.size)
		return sema_err(c, n->loc, "Cannot cast from \"%s\" to \"%s\"",
				array_str(at, from, sizeof(from)),
				int_name(&t, elem, sizeof(elem)));
	NS(n)->t = t;
	NS(n)->k[0] = 1; /* array -> integer */
	return 0;
}

static int ck_cast_array(struct compiler *c, struct node *n)
{
	return cast_array_check(c, n, false);
}

int addr_sema_cast(struct compiler *c, struct node *n)
{
	struct node *type = node_new(N_SIZEOF, n->loc);
	int idx;

	if (!builtin_find("$cast_array", true, &idx))
		return sema_err(c, n->loc, "Cannot cast to \"%s\"", n->name);
	/* the operand keeps its analysis: the node becomes the call, in place */
	type->name = n->name;
	n->name = strdup("$cast_array");
	if (!n->name)
		abort();
	n->kind = N_CALL;
	n->args = n->a;
	n->a = NULL;
	n->args->next = type;
	sema_info(n)->builtin = idx;
	return cast_array_check(c, n, true);
}

static int em_cast_array(struct cg *g, struct node *n, int dst)
{
	const struct lt_type *at = &NS(n->args)->t, *t = &NS(n)->t;

	if (!NS(n)->k[0]) {
		/* integer -> array: element i is bytes [i*size, (i+1)*size) of the integer */
		cg_int(g, n->args);
		cg_mov64(g, BPF_REG_2, BPF_REG_0);
		for (uint32_t i = 0; i < t->size; i++) {
			cg_mov64(g, BPF_REG_0, BPF_REG_2);
			if (i)
				cg_alu_imm(g, BPF_RSH, BPF_REG_0, (int32_t)(8 * t->elem->size * i));
			cg_extend(g, (int)t->elem->size, t->elem->is_signed);
			cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(dst + 8 + 8 * i), BPF_REG_0);
		}
		cg_st_imm(g, BPF_DW, BPF_REG_9, (int16_t)dst, (int32_t)t->size);
		return 0;
	}
	/* array -> integer: the elements' bytes, element 0 lowest (host order) */
	{
		uint32_t saved = g->heap, tmp = cg_heap_alloc(g, lt_type_size(at));
		int sh = 64 - 8 * (int)at->elem->size;

		cg_value(g, n->args, tmp);
		cg_mov_imm(g, BPF_REG_2, 0);
		for (uint32_t i = 0; i < at->size; i++) {
			cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_9, (int16_t)(tmp + 8 + 8 * i));
			if (sh) {
				cg_alu_imm(g, BPF_LSH, BPF_REG_0, sh);
				cg_alu_imm(g, BPF_RSH, BPF_REG_0, sh);
			}
			if (i)
				cg_alu_imm(g, BPF_LSH, BPF_REG_0,
					   (int32_t)(8 * at->elem->size * i));
			cg_alu_reg(g, BPF_OR, BPF_REG_2, BPF_REG_0);
		}
		cg_mov64(g, BPF_REG_0, BPF_REG_2);
		cg_extend(g, (int)t->size, t->is_signed);
		g->heap = saved;
		return 0;
	}
}

/* ---- pton, cgroupid ------------------------------------------------------------------ */

/* pton("10.0.0.1") -> uint8[4], pton("::1") -> uint8[16], made now (k[0..1]: 16 bytes). */
static int ck_pton(struct compiler *c, struct node *n)
{
	static const struct lt_type u8 = {.kind = LT_INT, .size = 1};
	uint8_t addr[16] = {0};
	const char *s;
	int af;

	if (sema_nargs(c, n, 1))
		return -EINVAL;
	if (n->args->kind != N_STR)
		return sema_err(c, n->loc,
				"pton() expects an string literal at the first argument");
	s = n->args->name;
	/* bpftrace tells the family by its separators */
	af = strchr(s, '.') ? AF_INET : strchr(s, ':') ? AF_INET6 : 0;
	if (!af)
		return sema_err(c, n->loc,
				"pton() expects an string argument of an IPv4/IPv6 address, got %s",
				s);
	if (inet_pton(af, s, addr) != 1)
		return sema_err(c, n->loc, "pton() expects a valid IPv4/IPv6 address, got %s", s);
	set_array(c, n, &u8, af == AF_INET ? 4 : 16);
	memcpy(&NS(n)->k[0], addr, sizeof(addr));
	return 0;
}

static int em_pton(struct cg *g, struct node *n, int dst)
{
	const uint8_t *addr = (const uint8_t *)&NS(n)->k[0];

	for (uint32_t i = 0; i < NS(n)->t.size; i++)
		cg_st_imm(g, BPF_DW, BPF_REG_9, (int16_t)(dst + 8 + 8 * i), addr[i]);
	cg_st_imm(g, BPF_DW, BPF_REG_9, (int16_t)dst, (int32_t)NS(n)->t.size);
	return 0;
}

/*
 * cgroupid("/sys/fs/cgroup/x"): the id BPF's bpf_get_current_cgroup_id() gives for that
 * cgroup, which is its directory's file handle on cgroup2 (bpftrace reads it the same way).
 */
static int ck_cgroupid(struct compiler *c, struct node *n)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = {.fh.handle_bytes = sizeof(uint64_t)};
	int mount_id;

	if (sema_nargs(c, n, 1))
		return -EINVAL;
	if (n->args->kind != N_STR)
		return sema_err(c, n->loc, "cgroupid() expects a string literal");
	if (name_to_handle_at(AT_FDCWD, n->args->name, &h.fh, &mount_id, 0) ||
	    h.fh.handle_bytes != sizeof(uint64_t))
		/* other file systems' handles are longer (EOVERFLOW): cgroup v1, tmpfs */
		return sema_err(c, n->loc, "Failed to get cgroup id for path %s: %s", n->args->name,
				errno == EOVERFLOW ? "not a cgroup v2 directory"
						   : strerror(errno ? errno : EINVAL));
	sema_set_int(n, 8, false);
	memcpy(&NS(n)->k[0], h.fh.f_handle, sizeof(uint64_t));
	return 0;
}

/* ---- macaddr ------------------------------------------------------------------------- */

/*
 * macaddr(x): 6 bytes printed AA:BB:CC:DD:EE:FF, held in an integer (first byte lowest) so
 * that it keys maps and compares. x is a 6-byte char array (a BTF field), a uint8[6], or an
 * address the 6 bytes are read from.
 */
static int ck_macaddr(struct compiler *c, struct node *n)
{
	struct lt_type *t;

	if (sema_nargs(c, n, 1) || sema_expr(c, n->args))
		return -EINVAL;
	t = &NS(n->args)->t;
	if (!(t->kind == LT_STR && t->size == 6 && !t->may_truncate) &&
	    !(t->kind == LT_ARRAY && t->size == 6 && t->elem->size == 1) &&
	    !(lt_is_int(t) && !NS(n->args)->ext && !t->is_bool)) {
		char name[64];

		return sema_err(c, n->loc,
				"macaddr() only supports array or pointer arguments (%s provided)",
				lt_type_str(t, name, sizeof(name)));
	}
	sema_set_int(n, 8, false);
	NS(n)->t.is_macaddr = true;
	return 0;
}

static int em_macaddr(struct cg *g, struct node *n, int dst)
{
	const struct lt_type *t = &NS(n->args)->t;
	uint32_t saved = g->heap, tmp = cg_heap_alloc(g, t->kind == LT_ARRAY ? 56 : 8);

	if (t->kind == LT_ARRAY) {
		cg_value(g, n->args, tmp);
		cg_mov_imm(g, BPF_REG_2, 0);
		for (int i = 0; i < 6; i++) {
			cg_ldx(g, BPF_B, BPF_REG_0, BPF_REG_9, (int16_t)(tmp + 8 + 8 * i));
			if (i)
				cg_alu_imm(g, BPF_LSH, BPF_REG_0, 8 * i);
			cg_alu_reg(g, BPF_OR, BPF_REG_2, BPF_REG_0);
		}
		cg_mov64(g, BPF_REG_0, BPF_REG_2);
		g->heap = saved;
		return 0;
	}
	cg_st_imm(g, BPF_DW, BPF_REG_9, (int16_t)tmp, 0);
	if (t->kind == LT_STR) {
		cg_value(g, n->args, tmp);
	} else {
		cg_int(g, n->args);
		cg_mov64(g, BPF_REG_3, BPF_REG_0);
		cg_heap_ptr(g, BPF_REG_1, tmp);
		cg_mov_imm(g, BPF_REG_2, 6);
		cg_call(g, BPF_FUNC_probe_read);
	}
	cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_9, (int16_t)tmp);
	/* the two bytes after the six are not the address */
	cg_alu_imm(g, BPF_LSH, BPF_REG_0, 16);
	cg_alu_imm(g, BPF_RSH, BPF_REG_0, 16);
	g->heap = saved;
	return 0;
}

/* ---- uaddr --------------------------------------------------------------------------- */

struct elf_sym {
	uint64_t addr, size;
	bool pie;	     /* ET_DYN: loaded at a bias chosen when the process starts */
	bool lib;	     /* ET_DYN without an interpreter: a shared library */
	uint64_t code_start; /* the lowest p_vaddr of an executable PT_LOAD */
};

/* A symbol of the file at path (.symtab, else .dynsym), and what placing it in a process needs. */
static int elf_symbol(const char *path, const char *name, struct elf_sym *out)
{
	GElf_Ehdr eh;
	size_t nph;
	Elf *elf;
	int fd, err = elf_open_raw(path, &fd, &elf);
	bool interp = false;

	memset(out, 0, sizeof(*out));
	out->code_start = UINT64_MAX;
	if (!err && (!gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &nph)))
		err = -EINVAL;
	for (size_t i = 0; !err && i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			continue;
		interp |= ph.p_type == PT_INTERP;
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) && ph.p_vaddr < out->code_start)
			out->code_start = ph.p_vaddr;
	}
	if (!err) {
		out->pie = eh.e_type == ET_DYN;
		out->lib = out->pie && !interp;
		err = elf_raw_symbol(elf, name, &out->addr, &out->size);
	}
	elf_close_raw(fd, elf);
	return err;
}

/* The kernel's offset of member in struct strct (its BTF), or -ENOENT. */
static int64_t kernel_member(struct compiler *c, const char *strct, const char *member)
{
	uint32_t id;
	const struct kbtf *k = bt_btf(c, 0, &id);
	struct kbtf_member m;

	if (!k || kbtf__member(k, strct, member, &m))
		return -ENOENT;
	return m.bit_off / 8;
}

/*
 * uaddr("sym"): the address of a symbol of the probed program, a pointer to an integer of
 * its size (1, 2, 4, else 8 bytes) as bpftrace types it. In a PIE program the address is
 * only known in the process: its code starts at mm->start_code, the lowest executable
 * segment plus the load bias, so k[0] holds the symbol's distance from there and n->num is
 * 1 (0.25's PIE-aware uaddr). k[1..3]: the pointee, as an `(intN *)` cast leaves it.
 */
static int ck_uaddr(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	struct elf_sym sym = {0};
	const char *name;

	if (sema_nargs(c, n, 1))
		return -EINVAL;
	if (n->args->kind != N_STR)
		return sema_err(c, n->loc, "uaddr() expects a string literal");
	name = n->args->name;
	for (int i = 0; i < c->cur->naps && !c->opts->offline; i++) {
		const struct attach_point *ap = &c->cur->aps[i];
		struct elf_sym si;

		if (!ap_is_uprobe(ap) && ap->type != PT_USDT)
			continue;
		if (elf_symbol(ap->up.path, name, &si))
			return sema_err(c, n->loc, "Could not resolve symbol: %s:%s", ap->up.path,
					name);
		if (si.lib)
			return sema_err(
				c, n->loc,
				"uaddr() reads symbols of programs, not of shared libraries "
				"(%s)",
				ap->up.path);
		if (i && (si.addr != sym.addr || si.pie != sym.pie))
			return sema_err(
				c, n->loc,
				"Symbol \"%s\" is not at one address in every probe's program",
				name);
		sym = si;
	}
	if (sym.pie) {
		if (kernel_member(c, "task_struct", "mm") < 0 ||
		    kernel_member(c, "mm_struct", "start_code") < 0)
			return sema_err(c, n->loc,
					"uaddr() in a PIE program needs the kernel's BTF");
		n->num = 1;
		s->k[0] = (int64_t)(sym.addr - sym.code_start);
	} else {
		s->k[0] = (int64_t)sym.addr;
	}
	sema_set_int(n, 8, false);
	s->k[1] = sym.size == 1 || sym.size == 2 || sym.size == 4 ? (int64_t)sym.size : 8;
	s->k[2] = true;
	s->k[3] = 1;
	return 0;
}

static int em_uaddr(struct cg *g, struct node *n, int dst)
{
	if (!n->num)
		return em_const(g, n, dst);
	/* current->mm->start_code + the symbol's distance from the code's start */
	cg_call(g, BPF_FUNC_get_current_task);
	cg_alu_imm(g, BPF_ADD, BPF_REG_0, (int32_t)kernel_member(g->c, "task_struct", "mm"));
	cg_mov64(g, BPF_REG_3, BPF_REG_0);
	cg_read(g, BPF_FUNC_probe_read_kernel, 8, BPF_REG_0);
	cg_alu_imm(g, BPF_ADD, BPF_REG_0, (int32_t)kernel_member(g->c, "mm_struct", "start_code"));
	cg_mov64(g, BPF_REG_3, BPF_REG_0);
	cg_read(g, BPF_FUNC_probe_read_kernel, 8, BPF_REG_0);
	cg_ld_imm64(g, BPF_REG_1, (uint64_t)NS(n)->k[0]);
	cg_alu_reg(g, BPF_ADD, BPF_REG_0, BPF_REG_1);
	return 0;
}

const struct builtin builtins_addr[] = {
	{"offsetof", true, PTM_ALL, ck_offsetof, em_const},
	{"$cast_array", true, PTM_ALL, ck_cast_array, em_cast_array},
	{"pton", true, PTM_ALL, ck_pton, em_pton},
	{"cgroupid", true, PTM_ALL, ck_cgroupid, em_const},
	{"macaddr", true, PTM_ALL, ck_macaddr, em_macaddr},
	{"uaddr", true, PTM_UPROBES | PTM(PT_USDT), ck_uaddr, em_uaddr},
	{NULL},
};
