// SPDX-License-Identifier: GPL-2.0
/*
 * printf() with bpftrace 0.17's rules.
 *
 * bpftrace splits the format at each conversion it recognises and hands "text before it +
 * the conversion" to snprintf with one argument; the text after the last conversion is
 * printed as is. Observable consequences reproduced here:
 *   - `%%` becomes `%` only in text that precedes a conversion; a format without
 *     conversions, and the tail after the last one, are printed verbatim ("100%%" stays).
 *   - Integer arguments are 64-bit but the C length modifier decides the width printed:
 *     `%d` of 0x1122334455 prints 573785173, `%ld` prints 73588229205.
 *   - Unrecognised conversions (%i, %+d, %e, %5%) are text, not conversions.
 * Where bpftrace hands an unrecognised conversion inside a segment to snprintf (undefined
 * behaviour that prints stack garbage), we print the text instead.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/out.h"
#include "lang/fmt.h"

/* ---- format parsing ------------------------------------------------------------------ */

static const char *const lenmods[] = {"", "hh", "h", "l", "ll", "j", "z", "t"};

/* Length of a recognised conversion at fmt[i] == '%', or 0. */
static size_t match_spec(const char *f, struct lt_spec *sp)
{
	size_t i = 1;

	if (f[i] == '-')
		i++;
	while (f[i] >= '0' && f[i] <= '9')
		i++;
	if (f[i] == '.' && f[i + 1] >= '0' && f[i + 1] <= '9') {
		i++;
		while (f[i] >= '0' && f[i] <= '9')
			i++;
	}
	sp->lenmod = 0;
	switch (f[i]) {
	case 's':
		sp->arg = LT_SPEC_STR;
		sp->conv = 's';
		return i + 1;
	case 'c':
		sp->arg = LT_SPEC_INT;
		sp->conv = 'c';
		return i + 1;
	case 'r':
		sp->conv = 'r';
		if (f[i + 1] == 'x' || f[i + 1] == 'h') {
			sp->arg = f[i + 1] == 'x' ? LT_SPEC_BUFX : LT_SPEC_BUFH;
			return i + 2;
		}
		sp->arg = LT_SPEC_BUF;
		return i + 1;
	}
	/* Longest length modifier first: "ll" before "l", "hh" before "h". */
	static const uint8_t order[] = {1, 2, 4, 3, 5, 6, 7};
	size_t l = 0;
	for (size_t k = 0; k < sizeof(order); k++) {
		const char *m = lenmods[order[k]];
		size_t ml = strlen(m);
		if (!strncmp(f + i, m, ml) && strchr("duoxXp", f[i + ml]) && f[i + ml]) {
			sp->lenmod = order[k];
			l = ml;
			break;
		}
	}
	if (!f[i + l] || !strchr("duoxXp", f[i + l]))
		return 0;
	sp->arg = LT_SPEC_INT;
	sp->conv = f[i + l];
	return i + l + 1;
}

int lt_fmt_parse(const char *fmt, struct lt_spec *specs, int max)
{
	int n = 0;

	for (size_t i = 0; fmt[i];) {
		struct lt_spec sp;
		size_t len;

		if (fmt[i] != '%') {
			i++;
			continue;
		}
		len = match_spec(fmt + i, &sp);
		if (!len) {
			i++;
			continue;
		}
		sp.start = (uint32_t)i;
		sp.end = (uint32_t)(i + len);
		if (n < max)
			specs[n] = sp;
		n++;
		i += len;
	}
	return n;
}

/* ---- rendering ----------------------------------------------------------------------- */

/* Text between conversions, as snprintf would print it: "%%" is "%". */
static void put_text(struct lt_sbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 1 < n && s[i + 1] == '%')
			i++;
		lt_sbuf_putc(out, s[i]);
	}
}

/* Widths and precisions beyond this are clamped: a script must not make us allocate GBs. */
#define LT_MAX_WIDTH 1024

/* Digits at *p as a number saturated at LT_MAX_WIDTH; advances *p past them. */
static unsigned int clamp_num(const char **p)
{
	unsigned int v = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++)
		if (v <= LT_MAX_WIDTH)
			v = v * 10 + (unsigned int)(**p - '0');
	return v > LT_MAX_WIDTH ? LT_MAX_WIDTH : v;
}

/* "%" + the conversion's flag, width and precision (clamped) + the given C conversion. */
static void c_spec(char *dst, size_t dstlen, const char *fmt, const struct lt_spec *sp,
		   const char *conv)
{
	const char *p = fmt + sp->start + 1;
	bool minus = false, zero = false, has_width, has_prec = false;
	unsigned int width, prec = 0;

	if (*p == '-') {
		minus = true;
		p++;
	}
	zero = *p == '0';
	has_width = *p >= '0' && *p <= '9';
	width = clamp_num(&p);
	if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
		p++;
		has_prec = true;
		prec = clamp_num(&p);
	}
	int n = snprintf(dst, dstlen, "%%%s%s", minus ? "-" : "", zero ? "0" : "");
	if (has_width && n >= 0 && (size_t)n < dstlen)
		n += snprintf(dst + n, dstlen - (size_t)n, "%u", width);
	if (has_prec && n >= 0 && (size_t)n < dstlen)
		n += snprintf(dst + n, dstlen - (size_t)n, ".%u", prec);
	if (n >= 0 && (size_t)n < dstlen)
		snprintf(dst + n, dstlen - (size_t)n, "%s", conv);
}

/* A conversion with no flags, width or precision: "%d", "%lu", "%s"... */
static bool is_plain(const struct lt_spec *sp)
{
	size_t tail = 1 + (sp->lenmod ? strlen(lenmods[sp->lenmod]) : 0);

	if (sp->arg == LT_SPEC_BUFX || sp->arg == LT_SPEC_BUFH)
		tail = 2;
	return sp->end - sp->start == 1 + tail;
}

/* Decimal or hex digits of v without snprintf (the per-event hot path). */
static void put_digits(struct lt_sbuf *out, uint64_t v, bool neg, unsigned int base, bool upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int i = (int)sizeof(buf);

	do {
		buf[--i] = dig[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[--i] = '-';
	lt_sbuf_putn(out, buf + i, sizeof(buf) - (size_t)i);
}

/* The value the C length modifier would have passed to printf, as bpftrace does. */
static void put_int(struct lt_sbuf *out, const char *fmt, const struct lt_spec *sp, uint64_t v);

static bool put_int_fast(struct lt_sbuf *out, const struct lt_spec *sp, uint64_t v)
{
	unsigned int base = sp->conv == 'x' || sp->conv == 'X' ? 16 : sp->conv == 'o' ? 8 : 10;
	int64_t sv;

	if (!is_plain(sp) || sp->conv == 'p' || sp->conv == 'c')
		return false;
	switch (sp->lenmod) {
	case 0:
		sv = (int32_t)v;
		v = (uint32_t)v;
		break;
	case 1:
		sv = (signed char)v;
		v = (unsigned char)v;
		break;
	case 2:
		sv = (short)v;
		v = (unsigned short)v;
		break;
	default:
		sv = (int64_t)v;
	}
	if (sp->conv == 'd' && sv < 0)
		put_digits(out, -(uint64_t)sv, true, 10, false);
	else
		put_digits(out, sp->conv == 'd' ? (uint64_t)sv : v, false, base, sp->conv == 'X');
	return true;
}

static void put_int(struct lt_sbuf *out, const char *fmt, const struct lt_spec *sp, uint64_t v)
{
	if (put_int_fast(out, sp, v))
		return;

	char cf[48];
	char conv[4] = {sp->conv, 0};

	if (sp->conv == 'p') {
		c_spec(cf, sizeof(cf), fmt, sp, "p");
		lt_sbuf_printf(out, cf, (void *)(uintptr_t)v);
		return;
	}
	if (sp->conv == 'c') {
		c_spec(cf, sizeof(cf), fmt, sp, "c");
		lt_sbuf_printf(out, cf, (int)(unsigned char)v);
		return;
	}
	bool sgn = sp->conv == 'd';
	switch (sp->lenmod) {
	case 0:
		c_spec(cf, sizeof(cf), fmt, sp, conv);
		if (sgn)
			lt_sbuf_printf(out, cf, (int)(int32_t)v);
		else
			lt_sbuf_printf(out, cf, (unsigned int)(uint32_t)v);
		return;
	case 1:
		c_spec(cf, sizeof(cf), fmt, sp, (char[]){'h', 'h', sp->conv, 0});
		if (sgn)
			lt_sbuf_printf(out, cf, (int)(signed char)v);
		else
			lt_sbuf_printf(out, cf, (unsigned int)(unsigned char)v);
		return;
	case 2:
		c_spec(cf, sizeof(cf), fmt, sp, (char[]){'h', sp->conv, 0});
		if (sgn)
			lt_sbuf_printf(out, cf, (int)(short)v);
		else
			lt_sbuf_printf(out, cf, (unsigned int)(unsigned short)v);
		return;
	default:
		c_spec(cf, sizeof(cf), fmt, sp, (char[]){'l', 'l', sp->conv, 0});
		if (sgn)
			lt_sbuf_printf(out, cf, (long long)v);
		else
			lt_sbuf_printf(out, cf, (unsigned long long)v);
		return;
	}
}

/* %r: printable ASCII as is, the rest \xNN; %rx: everything \xNN. */
static void put_buf(struct lt_sbuf *out, const uint8_t *p, size_t n, enum lt_spec_arg how)
{
	for (size_t i = 0; i < n; i++) {
		if (how == LT_SPEC_BUFH)
			lt_sbuf_printf(out, "%s%02x", i ? " " : "", p[i]);
		else if (how == LT_SPEC_BUF && p[i] >= 0x20 && p[i] < 0x7f)
			lt_sbuf_putc(out, (char)p[i]);
		else
			lt_sbuf_printf(out, "\\x%02x", p[i]);
	}
}

static void put_padded(struct lt_sbuf *out, const char *fmt, const struct lt_spec *sp,
		       const char *s)
{
	char cf[48];

	c_spec(cf, sizeof(cf), fmt, sp, "s");
	lt_sbuf_printf(out, cf, s);
}

int lt_format_printf(struct lt_sbuf *out, const char *fmt, const struct lt_type *args,
		     const void *data, size_t len, const struct lt_prog *prog,
		     struct lt_symctx *sym)
{
	struct lt_spec specs[LT_FMT_MAX_SPECS];
	int n = lt_fmt_parse(fmt, specs, LT_FMT_MAX_SPECS);

	if (n > LT_FMT_MAX_SPECS)
		return -EINVAL;
	return lt_format_printf_parsed(out, fmt, specs, n, args, data, len, prog, sym);
}

int lt_format_printf_parsed(struct lt_sbuf *out, const char *fmt, const struct lt_spec *specs,
			    int n, const struct lt_type *args, const void *data, size_t len,
			    const struct lt_prog *prog, struct lt_symctx *sym)
{
	uint32_t nargs = args && args->kind == LT_TUPLE ? args->nmembers : 0;
	const uint8_t *d = data;
	size_t pos = 0;
	struct lt_sbuf tmp = {0};
	int err = 0;

	if (n < 0 || (uint32_t)n != nargs)
		return -EINVAL;
	if (nargs && lt_type_size(args) > len)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		const struct lt_spec *sp = &specs[i];
		const struct lt_member *m = &args->members[i];
		const uint8_t *v = d + m->offset;

		put_text(out, fmt + pos, sp->start - pos);
		pos = sp->end;
		lt_sbuf_reset(&tmp);
		switch (sp->arg) {
		case LT_SPEC_INT:
			put_int(out, fmt, sp, lt_load_u64(v));
			break;
		case LT_SPEC_STR:
			if (is_plain(sp) && m->type->kind == LT_STR) {
				lt_sbuf_put_traced(out, (const char *)v, lt_type_size(m->type),
						   sym);
				if (lt_str_is_cut(m->type, (const char *)v, prog))
					lt_sbuf_puts(out, prog->str_trunc_trailer);
				break;
			}
			lt_format_as_str(&tmp, m->type, v, prog, sym);
			put_padded(out, fmt, sp, lt_sbuf_str(&tmp));
			break;
		case LT_SPEC_BUF:
		case LT_SPEC_BUFX:
		case LT_SPEC_BUFH:
			if (m->type->kind == LT_BUF) {
				const struct lt_buf_hdr *h = (const void *)v;
				size_t bl = h->len < m->type->size ? h->len : m->type->size;
				put_buf(&tmp, v + sizeof(*h), bl, sp->arg);
			} else if (m->type->kind == LT_STR) {
				put_buf(&tmp, v, strnlen((const char *)v, lt_type_size(m->type)),
					sp->arg);
			} else {
				err = -EINVAL;
			}
			put_padded(out, fmt, sp, lt_sbuf_str(&tmp));
			break;
		}
	}
	/* bpftrace prints the tail verbatim (no %% processing). */
	lt_sbuf_puts(out, fmt + pos);
	lt_sbuf_free(&tmp);
	return err;
}
