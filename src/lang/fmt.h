/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text rendering of the language's values, exactly as bpftrace 0.17 prints them: printf with
 * bpftrace's format rules, values in map keys and print(), stacks, symbols, addresses, time.
 *
 * Terminal safety: bpftrace prints strings from traced processes raw. We escape control
 * characters in every string that comes from a BPF value (%s arguments, string keys and
 * values, join() arguments, buffers) with str_escape() from core/out.h; text written in the
 * script itself (the printf format) is printed as written. This is the one deliberate
 * difference from bpftrace's bytes. Under -f json strings stay raw: the JSON encoder escapes
 * control characters (\t, \u001b), which is terminal-safe and what JSON consumers expect.
 */
#ifndef TK_LANG_FMT_H
#define TK_LANG_FMT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/types.h"

/* A growable string; on allocation failure it stays valid and marks itself failed. */
struct lt_sbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

void lt_sbuf_free(struct lt_sbuf *b);
void lt_sbuf_reset(struct lt_sbuf *b);
void lt_sbuf_putn(struct lt_sbuf *b, const char *s, size_t n);
void lt_sbuf_puts(struct lt_sbuf *b, const char *s);
void lt_sbuf_putc(struct lt_sbuf *b, char c);
void lt_sbuf_printf(struct lt_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s (at most n bytes, stops at NUL) with control characters escaped (core/out.h). */
void lt_sbuf_put_escaped(struct lt_sbuf *b, const char *s, size_t n);
struct lt_symctx;
/* A traced string: escaped for the terminal, or raw when rendering JSON (sym->json). */
void lt_sbuf_put_traced(struct lt_sbuf *b, const char *s, size_t n, const struct lt_symctx *sym);
/* The contents as a C string ("" when empty). */
const char *lt_sbuf_str(struct lt_sbuf *b);

/* ---- printf -------------------------------------------------------------------------- */

enum lt_spec_arg {
	LT_SPEC_INT, /* d u o x X p c, with an optional hh h l ll j z t length */
	LT_SPEC_STR, /* s */
	LT_SPEC_BUF, /* r: printable bytes raw, others \xNN */
	LT_SPEC_BUFX, /* rx: every byte \xNN */
	LT_SPEC_BUFH  /* rh (0.26): every byte as two hex digits, a blank between bytes */
};

/*
 * One conversion, as bpftrace 0.17 recognises them: %[-][width][.prec](s|r|rx|c|[len](d|u|o|x|X|p))
 * with len one of hh h l ll j z t. Anything else after a % (%i, %+d, %e, %5%...) is not a
 * conversion: bpftrace prints it as text, and so do we.
 */
struct lt_spec {
	uint32_t start, end; /* byte offsets of the conversion in the format */
	enum lt_spec_arg arg;
	char conv;	/* d u o x X p c s r ('r' for rx too) */
	uint8_t lenmod; /* 0 none, 1 hh, 2 h, 3 l, 4 ll, 5 j, 6 z, 7 t */
};

/*
 * Find the conversions of fmt. Returns how many there are (may exceed max; only the first max
 * are stored). The compiler uses this to check argument counts and types; the runtime to print.
 */
int lt_fmt_parse(const char *fmt, struct lt_spec *specs, int max);

/*
 * Render printf(fmt, args...) where data holds the args laid out as the tuple `args`
 * (len bytes available). Returns 0, or -EINVAL when data is too short or args do not match.
 */
#define LT_FMT_MAX_SPECS 64

struct lt_symctx;
/* The same with the format already parsed by lt_fmt_parse() (n conversions in specs). */
int lt_format_printf_parsed(struct lt_sbuf *out, const char *fmt, const struct lt_spec *specs,
			    int n, const struct lt_type *args, const void *data, size_t len,
			    const struct lt_prog *prog, struct lt_symctx *sym);
int lt_format_printf(struct lt_sbuf *out, const char *fmt, const struct lt_type *args,
		     const void *data, size_t len, const struct lt_prog *prog,
		     struct lt_symctx *sym);

/* ---- values -------------------------------------------------------------------------- */

/* Where a value is being printed: decides stack indentation and string quoting. */
enum lt_ctx {
	LT_CTX_TEXT,  /* printf %s / print(value): stacks start with \n, frames indented 8 */
	LT_CTX_KEY,   /* a map key: stacks frames indented 4, closing \n before ']' */
	LT_CTX_VALUE, /* a map value: as a key */
	LT_CTX_JSON   /* inside JSON: strings quoted and escaped, tuples as arrays */
};

/*
 * Symbol resolution for stacks/ksym/usym, loaded lazily on first use (kallsyms costs ~150 ms)
 * and cached for the run. Zero-initialise; release with lt_symctx_free().
 */
struct ksyms;
struct usym_cache;
struct lt_symctx {
	struct ksyms *k;
	struct usym_cache *u;
	bool k_failed, u_failed;
	/*
	 * Fallback for processes that exited before their addresses were printed (map keys
	 * are printed at exit): the non-PIE binaries named by the program's uprobes, whose
	 * addresses are link-time addresses. Set prog to enable; loaded on first need.
	 */
	const struct lt_prog *prog;
	/*
	 * Rendering for -f json: traced strings are left raw, the JSON encoder escapes control
	 * characters itself (escaping twice would hand JSON consumers altered data).
	 */
	bool json;
	char **paths; /* the fallback's binaries, distinct, found on first need */
	int npaths;
	bool paths_found;
};
void lt_symctx_free(struct lt_symctx *s);
/*
 * A value resolved when printed (lt_type.resolve): `username` (the system's user database,
 * else the number), `cgroup_path()` ("unified:PATH" under cgroup2's mount points), `comm(pid)`
 * (/proc/PID/comm, escaped; "" once the process is gone).
 */
void lt_put_resolved(struct lt_sbuf *out, enum lt_resolve how, uint64_t v);
/*
 * ustack(build_id) (0.25), as bpftrace prints it: a newline, then per frame the build id in
 * hex and the file offset (`0x%02x`), or the bare hex address where the kernel had no build id.
 */
void lt_put_build_id_stack(struct lt_sbuf *out, const void *frames, uint32_t max);
/* Name of the kernel symbol holding addr, or NULL. */
const char *lt_sym_kernel(struct lt_symctx *s, uint64_t addr, uint64_t *off);
/* 0 on success (name/off/module set; name may be NULL with module set), else negative. */
int lt_sym_user(struct lt_symctx *s, uint32_t pid, uint64_t addr, const char **name, uint64_t *off,
		const char **module);

/*
 * Append value `data` of type t. Integers are the 8-byte stored form (types.h); for
 * LT_INT printed in map keys/values they print as signed or unsigned by t->is_signed.
 */
void lt_format_value(struct lt_sbuf *out, const struct lt_type *t, const void *data,
		     enum lt_ctx ctx, const struct lt_prog *prog, struct lt_symctx *sym);

/* The value as a plain string for %s: strings escaped, other values as print() shows them. */
void lt_format_as_str(struct lt_sbuf *out, const struct lt_type *t, const void *data,
		      const struct lt_prog *prog, struct lt_symctx *sym);

/* ntop(): "127.0.0.1" / "::1". */
void lt_format_inet(struct lt_sbuf *out, const struct lt_inet *in);

/*
 * strftime() with bpftrace's %f extension (microseconds, 6 digits), local time. ns is
 * CLOCK_BOOTTIME nanoseconds (what `nsecs` yields); boot_to_real_ns converts it.
 */
void lt_format_strftime(struct lt_sbuf *out, const char *fmt, uint64_t ns, int64_t boot_to_real_ns);
/* time(fmt): the current local time formatted like strftime() above. */
void lt_format_time_now(struct lt_sbuf *out, const char *fmt);
/* CLOCK_REALTIME - CLOCK_BOOTTIME in ns, now. */
int64_t lt_boot_to_real_ns(void);

/* A JSON string literal (quoted, escaped) of s (at most n bytes, stops at NUL). */
void lt_sbuf_put_json_str(struct lt_sbuf *b, const char *s, size_t n);

/* Read an 8-byte stored integer. */
static inline uint64_t lt_load_u64(const void *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

#endif
