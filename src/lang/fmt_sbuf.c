// SPDX-License-Identifier: GPL-2.0
/* The growable string every printer of the language renders into (fmt.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/out.h"
#include "lang/fmt.h"

static bool sbuf_reserve(struct lt_sbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap;
	char *p;

	if (b->failed)
		return false;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 128;
	while (cap < need)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void lt_sbuf_free(struct lt_sbuf *b)
{
	free(b->p);
	*b = (struct lt_sbuf){0};
}

void lt_sbuf_reset(struct lt_sbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void lt_sbuf_putn(struct lt_sbuf *b, const char *s, size_t n)
{
	if (!sbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void lt_sbuf_puts(struct lt_sbuf *b, const char *s)
{
	lt_sbuf_putn(b, s, strlen(s));
}

void lt_sbuf_putc(struct lt_sbuf *b, char c)
{
	lt_sbuf_putn(b, &c, 1);
}

static void sbuf_vprintf(struct lt_sbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	/* One pass when it fits (the common case), a second after growing when not. */
	if (!sbuf_reserve(b, 64))
		return;
	va_copy(ap2, ap);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		if (!sbuf_reserve(b, (size_t)n))
			return;
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void lt_sbuf_printf(struct lt_sbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void lt_sbuf_put_escaped(struct lt_sbuf *b, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	/* Worst case: every byte becomes \xNN. */
	if (!sbuf_reserve(b, 4 * len + 1))
		return;
	str_escape(b->p + b->len, 4 * len + 1, s, len);
	b->len += strlen(b->p + b->len);
}

void lt_sbuf_put_traced(struct lt_sbuf *b, const char *s, size_t n, const struct lt_symctx *sym)
{
	if (sym && sym->json)
		lt_sbuf_putn(b, s, strnlen(s, n));
	else
		lt_sbuf_put_escaped(b, s, n);
}

const char *lt_sbuf_str(struct lt_sbuf *b)
{
	return b->p ? b->p : "";
}

void lt_sbuf_put_json_str(struct lt_sbuf *b, const char *s, size_t n)
{
	char esc[JSON_ESC_MAX];

	lt_sbuf_putc(b, '"');
	for (size_t i = 0; i < n && s[i]; i++) {
		if (json_escape_byte((unsigned char)s[i], esc))
			lt_sbuf_puts(b, esc);
		else
			lt_sbuf_putc(b, s[i]);
	}
	lt_sbuf_putc(b, '"');
}
