// SPDX-License-Identifier: GPL-2.0
/*
 * hist() and lhist() rows as bpftrace 0.17 prints them:
 *
 *   [4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *
 * label left-aligned in 16 columns, count right-aligned in 8, a 52-column bar scaled to the
 * largest bucket (count * 52 / max, truncated); rows from the lowest to the highest non-empty
 * bucket, empty ones in between included. Slot layouts are in types.h.
 * 0.26 (reference §2.7) prints an lhist bucket one wide as `[3]`, and uses K/M suffixes in
 * lhist labels only when the step is a multiple of 1024.
 */
#include <inttypes.h>

#include "lang/print.h"

#define BAR_WIDTH 52

uint32_t lt_hist_nslots(const struct lt_map *m)
{
	return lt_hist_slots_of(m);
}

/*
 * hist(v, k), k > 0 (bpftrace 0.20): slot i covers [bound(i - 1), bound(i)). Up to
 * i = 2^(k+1) a slot is one value, bound(i) = i; past it bound(i) = 2^p * (2^k + i % 2^k)
 * with p = i / 2^k - 1, printed as bpftrace does, with the suffix of the largest power of
 * 1024 in 2^p (`3K`, `24M`). With put false it only returns the bound.
 */
static unsigned __int128 kbound(struct lt_sbuf *out, uint32_t k, uint32_t i, bool put)
{
	uint32_t n = 1u << k, p = (i >> k) - 1, dec = p / 10;

	if (i <= 2u << k) {
		if (put)
			lt_sbuf_printf(out, "%u", i);
		return i;
	}
	if (put) {
		lt_sbuf_printf(out, "%llu", (1ULL << (p - 10 * dec)) * (n + (i & (n - 1))));
		if (dec)
			lt_sbuf_putc(out, " KMGTPE"[dec]);
	}
	return ((unsigned __int128)1 << p) * (n + (i & (n - 1)));
}

static void put_klabel(struct lt_sbuf *out, uint32_t k, uint32_t slot)
{
	if (slot == 0) {
		lt_sbuf_puts(out, "(..., 0)");
	} else if (slot <= 2u << k) {
		lt_sbuf_printf(out, "[%u]", slot - 1);
	} else {
		lt_sbuf_putc(out, '[');
		kbound(out, k, slot - 1, true);
		lt_sbuf_puts(out, ", ");
		kbound(out, k, slot, true);
		lt_sbuf_putc(out, ')');
	}
}

double lt_hist_slot_max(const struct lt_map *m, uint32_t slot)
{
	if (m->agg == LT_AGG_LHIST)
		return slot ? (double)m->lhist_min + (double)slot * m->lhist_step - 1
			    : (double)m->lhist_min - 1;
	/* hist(v, k): slot i covers [kbound(i - 1), kbound(i)); slot 0 the negatives */
	return slot ? (double)kbound(NULL, m->hist_bits, slot, false) - 1 : -1;
}

/* 2^p with bpftrace's K/M/G/T/P/E suffixes: 512, 1K, 2K, ..., 16E. */
static void put_pow2(struct lt_sbuf *out, unsigned int p)
{
	static const char sfx[] = " KMGTPE";
	unsigned int k = p / 10;

	if (k > 6)
		k = 6;
	lt_sbuf_printf(out, "%llu", 1ULL << (p - 10 * k));
	if (k)
		lt_sbuf_putc(out, sfx[k]);
}

/* lhist numbers: 1M / 1K multiples with a suffix, others plain (bpftrace's lhist labels). */
static void put_lnum(struct lt_sbuf *out, const struct lt_map *m, int64_t n, enum lang_dialect d)
{
	if (d != LANG_0_17 && m->lhist_step % 1024 != 0)
		lt_sbuf_printf(out, "%" PRId64, n);
	else if (n != 0 && n % (1024 * 1024) == 0)
		lt_sbuf_printf(out, "%" PRId64 "M", n / (1024 * 1024));
	else if (n != 0 && n % 1024 == 0)
		lt_sbuf_printf(out, "%" PRId64 "K", n / 1024);
	else
		lt_sbuf_printf(out, "%" PRId64, n);
}

static void put_label(struct lt_sbuf *out, const struct lt_map *m, uint32_t slot, uint32_t n,
		      enum lang_dialect d)
{
	if (m->agg == LT_AGG_HIST && m->hist_bits) {
		put_klabel(out, m->hist_bits, slot);
		return;
	}
	if (m->agg == LT_AGG_HIST) {
		if (slot == 0) {
			lt_sbuf_puts(out, "(..., 0)");
		} else if (slot == 1) {
			lt_sbuf_puts(out, "[0]");
		} else if (slot == 2) {
			lt_sbuf_puts(out, "[1]");
		} else {
			lt_sbuf_putc(out, '[');
			put_pow2(out, slot - 2);
			lt_sbuf_puts(out, ", ");
			put_pow2(out, slot - 1);
			lt_sbuf_putc(out, ')');
		}
		return;
	}
	if (slot == 0) {
		lt_sbuf_puts(out, "(..., ");
		put_lnum(out, m, m->lhist_min, d);
		lt_sbuf_putc(out, ')');
	} else if (slot == n - 1) {
		lt_sbuf_putc(out, '[');
		put_lnum(out, m, m->lhist_max, d);
		lt_sbuf_puts(out, ", ...)");
	} else {
		int64_t lo = m->lhist_min + (int64_t)(slot - 1) * m->lhist_step;
		lt_sbuf_putc(out, '[');
		put_lnum(out, m, lo, d);
		if (d != LANG_0_17 && m->lhist_step == 1) {
			lt_sbuf_putc(out, ']');
			return;
		}
		lt_sbuf_puts(out, ", ");
		put_lnum(out, m, lo + m->lhist_step, d);
		lt_sbuf_putc(out, ')');
	}
}

/* First and last non-empty slot; false if all are empty. */
static bool slot_range(const uint64_t *slots, uint32_t n, uint32_t *lo, uint32_t *hi)
{
	bool any = false;

	for (uint32_t i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		if (!any)
			*lo = i;
		*hi = i;
		any = true;
	}
	return any;
}

void lt_render_hist_as(struct lt_sbuf *out, const struct lt_map *m, const uint64_t *slots,
		       enum lang_dialect d)
{
	uint32_t n = lt_hist_nslots(m), lo = 0, hi = 0;
	uint64_t max = 0;
	struct lt_sbuf label = {0};

	if (!slot_range(slots, n, &lo, &hi))
		return;
	for (uint32_t i = lo; i <= hi; i++)
		if (slots[i] > max)
			max = slots[i];
	for (uint32_t i = lo; i <= hi; i++) {
		unsigned int bar = (unsigned int)((unsigned __int128)slots[i] * BAR_WIDTH / max);

		lt_sbuf_reset(&label);
		put_label(&label, m, i, n, d);
		lt_sbuf_printf(out, "%-16s%8" PRIu64 " |", lt_sbuf_str(&label), slots[i]);
		for (unsigned int b = 0; b < BAR_WIDTH; b++)
			lt_sbuf_putc(out, b < bar ? '@' : ' ');
		lt_sbuf_puts(out, "|\n");
	}
	lt_sbuf_free(&label);
}

void lt_render_hist(struct lt_sbuf *out, const struct lt_map *m, const uint64_t *slots)
{
	lt_render_hist_as(out, m, slots, LANG_0_17);
}

/*
 * JSON buckets: {"min": a, "max": b, "count": c} with inclusive bounds; the underflow row has
 * only "max" (min - 1), the lhist overflow row only "min". 0.26 writes the array without
 * blanks and big numbers as strings.
 */
void lt_render_hist_json_as(struct lt_sbuf *out, const struct lt_map *m, const uint64_t *slots,
			    enum lang_dialect d)
{
	uint32_t n = lt_hist_nslots(m), lo = 0, hi = 0;
	bool any = slot_range(slots, n, &lo, &hi);
	bool has_min, has_max, sgn = m->agg != LT_AGG_HIST;
	uint64_t min, max; /* as int64 if sgn */

	lt_sbuf_putc(out, '[');
	for (uint32_t i = lo; any && i <= hi; i++) {
		if (i > lo)
			lt_sbuf_puts(out, d == LANG_0_17 ? ", " : ",");
		has_min = i > 0;
		has_max = m->agg == LT_AGG_HIST || i < n - 1;
		if (m->agg == LT_AGG_HIST && m->hist_bits) {
			/* inclusive bounds of [bound(i - 1), bound(i)); slot 0: max -1 */
			min = i ? (uint64_t)kbound(NULL, m->hist_bits, i - 1, false) : 0;
			max = i ? (uint64_t)(kbound(NULL, m->hist_bits, i, false) - 1)
				: (uint64_t)-1;
		} else if (m->agg == LT_AGG_HIST) {
			/* slot 0: negatives (max -1); 1: [0]; i >= 2: [2^(i-2), 2^(i-1)) */
			min = i < 2 ? 0 : 1ULL << (i - 2);
			max = i < 2 ? (uint64_t)i - 1
				    : (uint64_t)((((unsigned __int128)1) << (i - 1)) - 1);
		} else if (i == 0) {
			min = 0;
			max = (uint64_t)(m->lhist_min - 1);
		} else {
			min = (uint64_t)(m->lhist_min + (int64_t)(i - 1) * m->lhist_step);
			max = min + (uint64_t)m->lhist_step - 1;
			if (i == n - 1)
				min = (uint64_t)m->lhist_max;
		}
		lt_sbuf_putc(out, '{');
		if (has_min) {
			lt_sbuf_puts(out, "\"min\": ");
			lt_put_json_int(out, min, sgn, d);
		}
		if (has_max) {
			lt_sbuf_puts(out, has_min ? ", \"max\": " : "\"max\": ");
			lt_put_json_int(out, max, sgn || i == 0, d);
		}
		lt_sbuf_puts(out, ", \"count\": ");
		lt_put_json_int(out, slots[i], false, d);
		lt_sbuf_putc(out, '}');
	}
	lt_sbuf_putc(out, ']');
}

void lt_render_hist_json(struct lt_sbuf *out, const struct lt_map *m, const uint64_t *slots)
{
	lt_render_hist_json_as(out, m, slots, LANG_0_17);
}
