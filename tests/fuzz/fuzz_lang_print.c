// SPDX-License-Identifier: GPL-2.0
/*
 * The language's output renderers on arbitrary input: a printf format and event bytes laid
 * out for the arguments that format asks for, and a map of random entries of every
 * aggregation kind. Formats come from scripts and event bytes from BPF programs, so neither
 * may crash or overrun the renderer.
 *
 * Input: [agg byte][fmt ... NUL][data ...].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/print.h"

static const struct lt_type t_int = {.kind = LT_INT, .size = 8, .is_signed = true};
static const struct lt_type t_str = {.kind = LT_STR, .size = 16};
static const struct lt_type t_buf = {.kind = LT_BUF, .size = 8};
static const struct lt_type t_inet = {.kind = LT_INET};
static const struct lt_type t_probe = {.kind = LT_PROBE};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lt_spec specs[16];
	struct lt_member m[16];
	struct lt_sbuf out = {0};
	const char *fmt;
	const uint8_t *rest;
	size_t fmtlen, restlen;
	int n;

	if (size < 2)
		return 0;
	fmt = (const char *)data + 1;
	fmtlen = strnlen(fmt, size - 1);
	if (fmtlen == size - 1)
		return 0; /* the format must be NUL-terminated */
	rest = data + 1 + fmtlen + 1;
	restlen = size - 1 - fmtlen - 1;

	/* printf: one argument of the kind each conversion wants. */
	n = lt_fmt_parse(fmt, specs, 16);
	if (n >= 0 && n <= 16) {
		for (int i = 0; i < n; i++)
			m[i].type = specs[i].arg == LT_SPEC_INT	  ? &t_int
				    : specs[i].arg == LT_SPEC_STR ? ((i & 1) ? &t_inet : &t_str)
								  : &t_buf;
		lt_tuple_layout(m, (uint32_t)n);
		struct lt_type tup = {.kind = LT_TUPLE, .members = m, .nmembers = (uint32_t)n};
		uint8_t *copy = malloc(restlen ? restlen : 1);
		if (copy) {
			memcpy(copy, rest, restlen);
			lt_format_printf(&out, fmt, n ? &tup : NULL, copy, restlen, NULL, NULL);
			free(copy);
		}
	}

	/* A map of every aggregation kind, entries cut from the rest of the input. */
	static const char *probes[] = {"BEGIN", "tracepoint:a:b"};
	struct lt_prog prog = {.probe_names = probes, .nprobes = 2};
	struct lt_member km[3] = {{&t_int}, {&t_str}, {&t_probe}};
	lt_tuple_layout(km, 3);
	struct lt_map map = {.name = "@m",
			     .agg = (enum lt_agg)(data[0] % 9),
			     .lhist_min = 0,
			     .lhist_max = 100,
			     .lhist_step = 10,
			     .key = {.kind = LT_TUPLE, .members = km, .nmembers = 3}};
	map.val = data[0] & 0x80 ? t_str : t_int;
	map.key_size = lt_map_key_size(&map.key);
	size_t vs = lt_map_value_size(&map), es = map.key_size + vs, ne = es ? restlen / es : 0;
	struct lt_entry *e = calloc(ne ? ne : 1, sizeof(*e));
	if (e) {
		for (size_t i = 0; i < ne; i++) {
			e[i].key = (uint8_t *)rest + i * es;
			e[i].val = (uint8_t *)rest + i * es + map.key_size;
		}
		/* Keys and values are read in place: copy so the input stays const. */
		uint8_t *buf = malloc(ne * es + 1);
		if (buf) {
			memcpy(buf, rest, ne * es);
			for (size_t i = 0; i < ne; i++) {
				e[i].key = buf + i * es;
				e[i].val = buf + i * es + map.key_size;
			}
			lt_render_map(&out, &map, e, ne, data[0] & 3, data[0] >> 6, false, &prog,
				      NULL);
			lt_render_map(&out, &map, e, ne, 0, 0, true, &prog, NULL);
			free(buf);
		}
		free(e);
	}
	lt_sbuf_free(&out);
	return 0;
}
