/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output helpers shared by every tool: escaping of strings that come from traced processes,
 * time columns, JSON.
 */
#ifndef TK_OUT_H
#define TK_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Length of a valid UTF-8 sequence of 2-4 bytes at s (avail bytes there: not overlong, not a
 * surrogate, not a C1 control, which some terminals act on), or 0.
 */
size_t utf8_len(const unsigned char *s, size_t avail);

/*
 * Copy src (at most srclen bytes, stopping at NUL) into dst with terminal control characters
 * escaped (\n \t \r \e \\xNN; DEL and C1 controls too). Always NUL-terminates; returns dst.
 */
char *str_escape(char *dst, size_t dstlen, const char *src, size_t srclen);

/* "HH:MM:SS" local time now (bcc's -T lines). */
char *time_hms(char *buf, size_t len);

/*
 * JSON's escape for one byte of a string, if it needs one ("\\\"", "\\n", "\\u001b", ...):
 * the one rule for every JSON writer (tools and language).
 */
#define JSON_ESC_MAX 7
bool json_escape_byte(unsigned char c, char out[JSON_ESC_MAX]);

/* A JSON string literal, quoted and escaped. */
void json_str(FILE *f, const char *s);
/* The same for a buffer that may lack a NUL. */
void json_strn(FILE *f, const char *s, size_t n);

#endif
