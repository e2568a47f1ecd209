/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the SVG writers (flamegraph.c, heatmap.c) share: text from traced processes made valid
 * XML, and the file's life (created, checked, removed again on a failure).
 */
#ifndef TK_SVG_H
#define TK_SVG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Write s as XML text, good in element content and in a quoted attribute: & < > " ' as
 * references; valid UTF-8 as it is; control characters, invalid UTF-8 and what XML 1.0
 * forbids (U+FFFE, U+FFFF) as the visible escapes out.h's str_escape() uses (\n, \xNN).
 * At most max display characters: a longer s is cut to max - 2 and "..", and max < 3 writes
 * nothing. SIZE_MAX: all of it. A write error is left in ferror(f).
 */
void svg_text(FILE *f, const char *s, size_t max);
/* The display characters svg_text() writes for all of s. */
size_t svg_text_chars(const char *s);

/* "1,234,567": v with thousands separators, in buf (at least 28 bytes); returns buf. */
char *svg_thousands(char *buf, uint64_t v);

/*
 * Open path for writing (replacing it): the FILE, or NULL with errno set after a one-line
 * error. svg_close() closes it: 0, or a negative errno (err if non-zero, else a write
 * error's) after a one-line error; a failed regular file is removed.
 */
FILE *svg_open(const char *path);
int svg_close(FILE *f, const char *path, int err);

#endif
