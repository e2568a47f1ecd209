// SPDX-License-Identifier: GPL-2.0
/*
 * Values as bpftrace 0.17 prints them: integers, strings, buffers, stacks, symbols,
 * addresses, timestamps, probe names and tuples, in text (map keys, map values, printf %s,
 * print()) and in JSON (-f json), where 0.26 writes big integers as strings.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/btf.h>

#include "core/kbtf.h"
#include "lang/btftypes.h"
#include "lang/fmt.h"
#include "lang/print.h"

void lt_format_inet(struct lt_sbuf *out, const struct lt_inet *in)
{
	char s[INET6_ADDRSTRLEN];
	int af = in->af == 10 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, in->addr, s, sizeof(s)))
		snprintf(s, sizeof(s), "?");
	lt_sbuf_puts(out, s);
}

int64_t lt_boot_to_real_ns(void)
{
	struct timespec r, b;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_BOOTTIME, &b);
	return ((int64_t)r.tv_sec - b.tv_sec) * 1000000000LL + (r.tv_nsec - b.tv_nsec);
}

/* strftime(3) of real-time ns with %f = microseconds (bpftrace's extension). */
static void put_time_real(struct lt_sbuf *out, const char *fmt, int64_t real_ns)
{
	struct lt_sbuf f = {0};
	time_t secs = (time_t)(real_ns / 1000000000LL);
	long us = (long)((real_ns % 1000000000LL) / 1000);
	struct tm tm;
	char buf[512];
	size_t n;

	if (us < 0) {
		us += 1000000;
		secs--;
	}
	for (size_t i = 0; fmt[i]; i++) {
		if (fmt[i] == '%' && fmt[i + 1] == 'f') {
			lt_sbuf_printf(&f, "%06ld", us);
			i++;
		} else if (fmt[i] == '%' && fmt[i + 1]) {
			lt_sbuf_putn(&f, fmt + i, 2);
			i++;
		} else {
			lt_sbuf_putc(&f, fmt[i]);
		}
	}
	localtime_r(&secs, &tm);
	n = strftime(buf, sizeof(buf), lt_sbuf_str(&f), &tm);
	lt_sbuf_putn(out, buf, n);
	lt_sbuf_free(&f);
}

void lt_format_strftime(struct lt_sbuf *out, const char *fmt, uint64_t ns, int64_t boot_to_real)
{
	put_time_real(out, fmt, (int64_t)ns + boot_to_real);
}

void lt_format_time_now(struct lt_sbuf *out, const char *fmt)
{
	struct timespec r;

	clock_gettime(CLOCK_REALTIME, &r);
	put_time_real(out, fmt ? fmt : "%H:%M:%S\n", r.tv_sec * 1000000000LL + r.tv_nsec);
}

/* One stack frame: "sym+off" (perf: "ADDR sym+off (module)"). */
static void put_frame(struct lt_sbuf *out, bool user, uint32_t pid, uint64_t ip, bool perf,
		      struct lt_symctx *sym)
{
	const char *name = NULL, *module = NULL;
	uint64_t off = 0;

	if (user)
		lt_sym_user(sym, pid, ip, &name, &off, &module);
	else
		name = lt_sym_kernel(sym, ip, &off);
	if (perf) {
		lt_sbuf_printf(out, "%lx ", (unsigned long)ip);
		if (name)
			lt_sbuf_printf(out, "%s+%lu", name, (unsigned long)off);
		else
			lt_sbuf_printf(out, "0x%lx", (unsigned long)ip);
		if (user)
			lt_sbuf_printf(out, " (%s)", module ? module : "[unknown]");
		return;
	}
	if (name)
		lt_sbuf_printf(out, "%s+%lu", name, (unsigned long)off);
	else if (user)
		lt_sbuf_printf(out, "0x%lx", (unsigned long)ip);
	else
		lt_sbuf_printf(out, "%lx", (unsigned long)ip);
}

/*
 * bpftrace's stack text: a newline, then one frame per line indented 4 spaces in map keys,
 * 8 in map values, print() and printf %s; perf mode indents with a tab. Ends with a newline.
 */
static void put_stack(struct lt_sbuf *out, const struct lt_type *t, const void *data, bool text,
		      struct lt_symctx *sym)
{
	const struct lt_stack_hdr *h = data;
	const uint8_t *ips = (const uint8_t *)data + sizeof(*h);
	uint32_t max = t->nframes && t->nframes < LT_STACK_FRAMES ? t->nframes : LT_STACK_FRAMES;
	const char *indent = t->stack_raw ? "" : t->stack_perf ? "\t" : text ? "        " : "    ";

	if (t->stack_build_id) {
		lt_put_build_id_stack(out, ips, max);
		return;
	}
	lt_sbuf_putc(out, '\n');
	for (uint32_t i = 0; i < max; i++) {
		uint64_t ip = lt_load_u64(ips + 8 * i);
		if (!ip)
			break;
		lt_sbuf_puts(out, indent);
		if (t->stack_raw)
			lt_sbuf_printf(out, "%lx", (unsigned long)ip);
		else
			put_frame(out, t->kind == LT_USTACK, h->pid, ip, t->stack_perf, sym);
		lt_sbuf_putc(out, '\n');
	}
}

/* The name of value v of C enum type ref, or NULL. */
static const char *enum_name(uint32_t ref, uint64_t v)
{
	uint32_t id;
	const struct kbtf *k = bt_btf(NULL, ref, &id);

	return k ? kbtf__enum_name(k, kbtf__skip_mods(k, id), (int64_t)v) : NULL;
}

static void put_int_value(struct lt_sbuf *out, const struct lt_type *t, const void *data)
{
	uint64_t v = lt_load_u64(data);
	const char *name;

	if (t->is_bool)
		lt_sbuf_puts(out, v ? "true" : "false");
	else if (t->is_macaddr)
		lt_sbuf_printf(out, "%02X:%02X:%02X:%02X:%02X:%02X", (unsigned)(v & 0xff),
			       (unsigned)(v >> 8 & 0xff), (unsigned)(v >> 16 & 0xff),
			       (unsigned)(v >> 24 & 0xff), (unsigned)(v >> 32 & 0xff),
			       (unsigned)(v >> 40 & 0xff));
	else if (t->resolve)
		lt_put_resolved(out, t->resolve, v);
	else if (t->btf_ptr) /* a C pointer, as bpftrace prints one (JSON keeps the number) */
		lt_sbuf_printf(out, "0x%llx", (unsigned long long)v);
	else if (t->btf_ref && (name = enum_name(t->btf_ref, v))) /* a C enum's value */
		lt_sbuf_puts(out, name);
	else if (t->is_signed)
		lt_sbuf_printf(out, "%lld", (long long)v);
	else
		lt_sbuf_printf(out, "%llu", (unsigned long long)v);
}

/* bits bits at bit off of p, little-endian, sign-extended when is_signed. */
static uint64_t load_bits(const uint8_t *p, uint32_t off, uint32_t bits, bool is_signed)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < bits; i++)
		v |= (uint64_t)((p[(off + i) / 8] >> ((off + i) % 8)) & 1) << i;
	if (is_signed && bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~0ULL << bits;
	return v;
}

static void put_c(struct lt_sbuf *out, const struct kbtf *k, uint32_t scr, uint32_t id,
		  const uint8_t *p, uint32_t bit_off, uint32_t bitfield, bool json, int depth);

/* The members of struct/union id at p, comma-separated; anonymous ones' members inline. */
static void put_c_members(struct lt_sbuf *out, const struct kbtf *k, uint32_t scr, uint32_t id,
			  const uint8_t *p, bool json, int depth, bool *first)
{
	const struct btf_type *t = kbtf__type(k, kbtf__skip_mods(k, id));
	const struct btf_member *m = btf_members(t);

	for (uint32_t i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = kbtf__str(k, m->name_off);
		uint32_t off = btf_member_bit_offset(t, i), bf = btf_member_bitfield_size(t, i);

		if (!*name) {
			put_c_members(out, k, scr, m->type, p + off / 8, json, depth, first);
			continue;
		}
		lt_sbuf_puts(out, *first ? "" : ", ");
		*first = false;
		if (json) {
			lt_sbuf_put_json_str(out, name, strlen(name));
			lt_sbuf_puts(out, ": ");
		} else {
			lt_sbuf_printf(out, ".%s = ", name);
		}
		put_c(out, k, scr, m->type, p, off, bf, json, depth + 1);
	}
}

/*
 * A C value of type id (in k) at bit bit_off of p, as bpftrace 0.26 prints one: structs as
 * `{ .a = 1, .b = [1,2] }` (JSON objects), arrays as `[1,2]`, char arrays as strings,
 * pointers in hex (JSON: numbers), enums by name.
 */
static void put_c(struct lt_sbuf *out, const struct kbtf *k, uint32_t scr, uint32_t id,
		  const uint8_t *p, uint32_t bit_off, uint32_t bitfield, bool json, int depth)
{
	uint32_t rid = kbtf__skip_mods(k, id);
	const struct btf_type *t = kbtf__type(k, rid);
	int64_t size = kbtf__size(k, rid);
	bool first = true;

	if (!t || depth > 16) {
		lt_sbuf_puts(out, json ? "null" : "?");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		size_t at = out->len;

		/* `{ .a = 1 }` in text, `{"a": 1}` in JSON, `{}` when empty */
		lt_sbuf_puts(out, json ? "{" : "{ ");
		put_c_members(out, k, scr, rid, p + bit_off / 8, json, depth, &first);
		if (first)
			out->len = at + 1;
		lt_sbuf_puts(out, first || json ? "}" : " }");
		return;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		const struct btf_type *e = kbtf__type(k, kbtf__skip_mods(k, a->type));
		int64_t esz = kbtf__size(k, a->type);

		if (e && btf_is_int(e) && e->size == 1) {
			const char *s = (const char *)p + bit_off / 8;

			if (json)
				lt_sbuf_put_json_str(out, s, strnlen(s, a->nelems));
			else
				lt_sbuf_put_traced(out, s, a->nelems, NULL);
			return;
		}
		lt_sbuf_putc(out, '[');
		for (uint32_t i = 0; i < a->nelems && esz > 0; i++) {
			if (i)
				lt_sbuf_putc(out, ',');
			put_c(out, k, scr, a->type, p, bit_off + (uint32_t)(i * esz * 8), 0, json,
			      depth + 1);
		}
		lt_sbuf_putc(out, ']');
		return;
	}
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_PTR: {
		bool sign = btf_is_int(t)   ? btf_int_encoding(t) & BTF_INT_SIGNED
			    : btf_is_ptr(t) ? false
					    : btf_kflag(t);
		uint64_t v = load_bits(p, bit_off, bitfield ? bitfield : (uint32_t)size * 8, sign);
		const char *name = btf_is_any_enum(t) ? kbtf__enum_name(k, rid, (int64_t)v) : NULL;

		if (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL))
			lt_sbuf_puts(out, v ? "true" : "false");
		else if (name && !json)
			lt_sbuf_puts(out, name);
		else if (btf_is_ptr(t) && !json)
			lt_sbuf_printf(out, "0x%llx", (unsigned long long)v);
		else if (json) /* C values are 0.26's: big integers as strings */
			lt_put_json_int(out, v, sign, LANG_0_26);
		else if (sign)
			lt_sbuf_printf(out, "%lld", (long long)v);
		else
			lt_sbuf_printf(out, "%llu", (unsigned long long)v);
		return;
	}
	default:
		lt_sbuf_puts(out, json ? "null" : "?");
	}
}

static void put_cvalue(struct lt_sbuf *out, const struct lt_type *t, const void *data, bool json)
{
	uint32_t id;
	const struct kbtf *k = bt_btf(NULL, t->btf_ref, &id);

	if (!k) {
		lt_sbuf_puts(out, json ? "null" : "?");
		return;
	}
	put_c(out, k, t->btf_ref & BT_SCRIPT, id, data, 0, 0, json, 0);
}

/* Text of a value that is not a tuple or integer (shared by text and JSON). */
static void put_scalar_text(struct lt_sbuf *out, const struct lt_type *t, const void *data,
			    enum lt_ctx ctx, const struct lt_prog *prog, struct lt_symctx *sym)
{
	switch (t->kind) {
	case LT_STR:
		lt_sbuf_put_traced(out, data, lt_type_size(t), sym);
		if (lt_str_is_cut(t, data, prog))
			lt_sbuf_puts(out, prog->str_trunc_trailer);
		break;
	case LT_BUF: {
		const struct lt_buf_hdr *h = data;
		const uint8_t *p = (const uint8_t *)data + sizeof(*h);
		uint32_t n = h->len < t->size ? h->len : t->size;
		for (uint32_t i = 0; i < n; i++) {
			if (p[i] >= 0x20 && p[i] < 0x7f)
				lt_sbuf_putc(out, (char)p[i]);
			else
				lt_sbuf_printf(out, "\\x%02x", p[i]);
		}
		break;
	}
	case LT_KSTACK:
	case LT_USTACK:
		put_stack(out, t, data, ctx != LT_CTX_KEY, sym);
		break;
	case LT_KSYM: {
		uint64_t a = lt_load_u64(data), off;
		const char *name = lt_sym_kernel(sym, a, &off);
		if (name)
			lt_sbuf_puts(out, name);
		else
			lt_sbuf_printf(out, "%llx", (unsigned long long)a);
		break;
	}
	case LT_USYM: {
		const struct lt_usym *u = data;
		const char *name, *module;
		uint64_t off;
		lt_sym_user(sym, u->pid, u->addr, &name, &off, &module);
		if (name)
			lt_sbuf_puts(out, name);
		else
			lt_sbuf_printf(out, "0x%llx", (unsigned long long)u->addr);
		break;
	}
	case LT_INET:
		lt_format_inet(out, data);
		break;
	case LT_TIMESTAMP: {
		const char *f = "%H:%M:%S";
		if (prog && t->fmt_id < prog->nfmts && prog->fmts[t->fmt_id].fmt)
			f = prog->fmts[t->fmt_id].fmt;
		lt_format_strftime(out, f, lt_load_u64(data), lt_boot_to_real_ns());
		break;
	}
	case LT_PROBE: {
		uint64_t i = lt_load_u64(data);
		if (prog && i < prog->nprobes && prog->probe_names[i])
			lt_sbuf_puts(out, prog->probe_names[i]);
		else
			lt_sbuf_printf(out, "probe#%llu", (unsigned long long)i);
		break;
	}
	case LT_INT:
		put_int_value(out, t, data);
		break;
	case LT_CSTRUCT:
		put_cvalue(out, t, data, false);
		break;
	case LT_NONE:
	case LT_TUPLE:
	case LT_ARRAY:
		break;
	}
}

/*
 * bpftrace 0.26's JSON writer turns an integer a double cannot hold exactly (|n| > 2^53)
 * into a string, so that JSON readers that parse numbers as doubles do not round it.
 */
void lt_put_json_int(struct lt_sbuf *out, uint64_t v, bool is_signed, enum lang_dialect d)
{
	const uint64_t exact = 1ULL << 53;
	bool big =
		is_signed ? (int64_t)v > (int64_t)exact || (int64_t)v < -(int64_t)exact : v > exact;
	const char *q = d != LANG_0_17 && big ? "\"" : "";

	if (is_signed)
		lt_sbuf_printf(out, "%s%lld%s", q, (long long)v, q);
	else
		lt_sbuf_printf(out, "%s%llu%s", q, (unsigned long long)v, q);
}

static void format_value(struct lt_sbuf *out, const struct lt_type *t, const void *data,
			 enum lt_ctx ctx, enum lang_dialect d, const struct lt_prog *prog,
			 struct lt_symctx *sym)
{
	const uint8_t *dp = data;

	if (lt_is_record(t)) {
		/* a record: `{ .a = 1, .b = abc }`, in JSON an object */
		bool json = ctx == LT_CTX_JSON;

		lt_sbuf_puts(out, json ? "{" : "{ ");
		for (uint32_t i = 0; i < t->nmembers; i++) {
			if (i)
				lt_sbuf_puts(out, ", ");
			if (json)
				lt_sbuf_put_json_str(out, t->members[i].name,
						     strlen(t->members[i].name));
			lt_sbuf_printf(out, json ? ": " : ".%s = ", t->members[i].name);
			format_value(out, t->members[i].type, dp + t->members[i].offset, ctx, d,
				     prog, sym);
		}
		lt_sbuf_puts(out, json ? "}" : " }");
		return;
	}
	if (t->kind == LT_ARRAY) {
		/* a Go slice: [1,2,3] as bpftrace prints arrays; ",..." when it had more */
		uint64_t len = lt_load_u64(dp);

		lt_sbuf_putc(out, '[');
		for (uint32_t i = 0; i < len && i < t->size; i++) {
			if (i)
				lt_sbuf_putc(out, ',');
			format_value(out, t->elem, dp + 8 + 8 * i, ctx, d, prog, sym);
		}
		if (len > t->size && ctx != LT_CTX_JSON)
			lt_sbuf_puts(out, ",...");
		lt_sbuf_putc(out, ']');
		return;
	}
	if (t->kind == LT_TUPLE) {
		bool json = ctx == LT_CTX_JSON;
		lt_sbuf_putc(out, json ? '[' : '(');
		for (uint32_t i = 0; i < t->nmembers; i++) {
			if (i)
				lt_sbuf_puts(out, json ? "," : ", ");
			format_value(out, t->members[i].type, dp + t->members[i].offset, ctx, d,
				     prog, sym);
		}
		lt_sbuf_putc(out, json ? ']' : ')');
		return;
	}
	if (ctx == LT_CTX_JSON && t->kind == LT_INT && (t->resolve || t->is_macaddr)) {
		struct lt_sbuf tmp = {0};

		put_int_value(&tmp, t, data);
		lt_sbuf_put_json_str(out, lt_sbuf_str(&tmp), tmp.len);
		lt_sbuf_free(&tmp);
		return;
	}
	if (ctx == LT_CTX_JSON && t->kind == LT_INT && t->is_bool) {
		lt_sbuf_puts(out, lt_load_u64(data) ? "true" : "false");
		return;
	}
	if (ctx == LT_CTX_JSON && t->kind == LT_INT) {
		lt_put_json_int(out, lt_load_u64(data), t->is_signed, d);
		return;
	}
	if (ctx == LT_CTX_JSON && t->kind == LT_CSTRUCT) {
		put_cvalue(out, t, data, true);
		return;
	}
	if (ctx != LT_CTX_JSON || t->kind == LT_NONE) {
		put_scalar_text(out, t, data, ctx, prog, sym);
		return;
	}
	/* JSON: everything else is a string; stacks keep their map-key text. */
	struct lt_sbuf tmp = {0};
	if (t->kind == LT_STR && !lt_str_is_cut(t, data, prog)) {
		lt_sbuf_put_json_str(out, data, lt_type_size(t));
		return;
	}
	put_scalar_text(&tmp, t, data, LT_CTX_KEY, prog, sym);
	lt_sbuf_put_json_str(out, lt_sbuf_str(&tmp), tmp.len);
	lt_sbuf_free(&tmp);
}

void lt_format_value(struct lt_sbuf *out, const struct lt_type *t, const void *data,
		     enum lt_ctx ctx, const struct lt_prog *prog, struct lt_symctx *sym)
{
	format_value(out, t, data, ctx, LANG_0_17, prog, sym);
}

void lt_format_json_value(struct lt_sbuf *out, const struct lt_type *t, const void *data,
			  enum lang_dialect d, const struct lt_prog *prog, struct lt_symctx *sym)
{
	format_value(out, t, data, LT_CTX_JSON, d, prog, sym);
}

void lt_format_as_str(struct lt_sbuf *out, const struct lt_type *t, const void *data,
		      const struct lt_prog *prog, struct lt_symctx *sym)
{
	lt_format_value(out, t, data, LT_CTX_TEXT, prog, sym);
}
