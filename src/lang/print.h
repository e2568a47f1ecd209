/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The language's user-space output: ring-buffer events (printf, time, join, print, clear,
 * zero, exit), lost-event notices, the attach line and the map dump at exit, in bpftrace
 * 0.17's text format or its `-f json` lines.
 *
 * Use: lt_out_init() once the maps exist (lt_map.fd set), lt_out_attached() (0.17: before
 * attaching; 0.26: after),
 * lt_out_event() for each ring-buffer record, lt_out_lost() when the loop sees drops, and
 * lt_out_exit() after END has run. Output goes through o->f (line-buffered stdout).
 */
#ifndef TK_LANG_PRINT_H
#define TK_LANG_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/dialect.h"
#include "lang/fmt.h"
#include "lang/types.h"

struct lt_out {
	FILE *f;
	bool json;
	enum lang_dialect dialect;
	bool block_buffered; /* -B full: no flush after each event */
	const struct lt_prog *prog;
	struct lt_symctx sym;
	int ncpus;     /* possible CPUs: per-CPU values come back as ncpus slots */
	uint64_t lost; /* events reported lost so far */
	struct lt_sbuf buf;
	/* printf formats parsed once, on first use (index: lt_prog.fmts); n < 0: not yet. */
	struct lt_parsed_fmt {
		int n;
		struct lt_spec *specs;
	} * parsed;
};

/* A map entry read from the kernel, per-CPU values already reduced to one slot. */
struct lt_entry {
	uint8_t *key;
	uint8_t *val;
};

void lt_out_init(struct lt_out *o, FILE *f, const struct lt_prog *prog, bool json);
void lt_out_free(struct lt_out *o);

/* "Attaching N probes..." (json: {"type": "attached_probes", ...}). */
void lt_out_attached(struct lt_out *o, unsigned int nprobes);
/* One ring-buffer record. Returns 1 when it is exit(), 0 when handled, -EINVAL if malformed. */
int lt_out_event(struct lt_out *o, const void *data, size_t len);
/* n more events were dropped: "Lost N events". */
void lt_out_lost(struct lt_out *o, uint64_t n);
/* End of run: "\n\n", then every map in name order. */
int lt_out_exit(struct lt_out *o);

/* print(@m, top, div) now (top/div 0 = not given), in the output's dialect. */
int lt_out_print_map(struct lt_out *o, const struct lt_map *m, uint64_t top, uint64_t div);
/* Every user map, in name order (the exit dump; 0.17's SIGUSR1). */
int lt_out_print_maps(struct lt_out *o);
/* clear(@m) / zero(@m). */
int lt_map_clear(const struct lt_map *m);
int lt_map_zero(const struct lt_map *m, int ncpus);

/*
 * Read every entry of m (at most LT_MAP_KEYS_MAX... no limit beyond memory); per-CPU values
 * are reduced (types.h §2). Caller frees with lt_entries_free(). Returns count or -errno.
 */
int lt_map_read(const struct lt_map *m, int ncpus, struct lt_entry **out);
void lt_entries_free(struct lt_entry *e, size_t n);

/*
 * Render entries of m as bpftrace prints them (sorting them in place): text or one JSON
 * line. Pure function of its inputs (no kernel access), so unit tests can drive it.
 */
void lt_render_map(struct lt_sbuf *out, const struct lt_map *m, struct lt_entry *e, size_t n,
		   uint64_t top, uint64_t div, bool json, const struct lt_prog *prog,
		   struct lt_symctx *sym);

/*
 * lt_render_map() in dialect d. 0.26 (reference §2.7, §2.8): an empty map prints nothing,
 * no blank line after avg/stats maps, stats as a record `{ .count = 2, .average = 6,
 * .total = 12 }`, `@h:` without a trailing space, lhist buckets one wide as `[3]`; JSON
 * integers above 2^53 as strings, hist arrays without blanks. lt_render_map() is 0.17's.
 */
void lt_render_map_as(struct lt_sbuf *out, const struct lt_map *m, struct lt_entry *e, size_t n,
		      uint64_t top, uint64_t div, bool json, enum lang_dialect d,
		      const struct lt_prog *prog, struct lt_symctx *sym);

/* A JSON integer; in 0.26 one beyond +-2^53 is written as a string (fmt_value.c). */
void lt_put_json_int(struct lt_sbuf *out, uint64_t v, bool is_signed, enum lang_dialect d);
/* lt_format_value(..., LT_CTX_JSON, ...) with dialect d's integers. */
void lt_format_json_value(struct lt_sbuf *out, const struct lt_type *t, const void *data,
			  enum lang_dialect d, const struct lt_prog *prog, struct lt_symctx *sym);

/* Histogram rows of one reduced hist/lhist value (print_hist.c). */
void lt_render_hist(struct lt_sbuf *out, const struct lt_map *m, const uint64_t *slots);
void lt_render_hist_json(struct lt_sbuf *out, const struct lt_map *m, const uint64_t *slots);
/* The same in dialect d (lt_render_map_as()). */
void lt_render_hist_as(struct lt_sbuf *out, const struct lt_map *m, const uint64_t *slots,
		       enum lang_dialect d);
void lt_render_hist_json_as(struct lt_sbuf *out, const struct lt_map *m, const uint64_t *slots,
			    enum lang_dialect d);
/* Number of u64 slots in a hist/lhist value. */
uint32_t lt_hist_nslots(const struct lt_map *m);
/* The largest integer in a hist/lhist slot (below the last one): its le for --metrics. */
double lt_hist_slot_max(const struct lt_map *m, uint32_t slot);

/* tseries values (print_tseries.c): one CPU's value src merged into dst (reduce). */
void lt_tseries_merge(const struct lt_map *m, uint8_t *dst, const uint8_t *src);
/* The newest epoch with data in a (reduced) value: the order of entries. */
uint64_t lt_tseries_newest(const struct lt_map *m, const uint8_t *v);
/* Every entry's header learns the map's newest epoch, where its rows end. */
void lt_tseries_range(const struct lt_map *m, struct lt_entry *e, size_t n);
/* The rows of one entry (text) or its array of intervals (JSON). */
void lt_render_tseries(struct lt_sbuf *out, const struct lt_map *m, const uint8_t *v, bool json,
		       enum lang_dialect d);

#endif
