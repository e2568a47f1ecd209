/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable text buffer for what core and the tools build in memory (a tool's help, a
 * metrics scrape): always NUL-terminated once something was put; a failed allocation sets
 * oom and drops the rest, for the owner to check once at the end. Free p.
 * (The language's printer has its own, lt_sbuf in lang/fmt.h, with its escaping rules.)
 */
#ifndef TK_STRBUF_H
#define TK_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

void strbuf_put(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
