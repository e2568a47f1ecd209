// SPDX-License-Identifier: GPL-2.0
/*
 * tseries() maps as bpftrace 0.26 prints them (reference §2.7, §2.8; its output/text.cpp):
 *
 *                  -5                                                  5
 *   hh:mm:ss.ms  |___________________________________________________|
 *   10:00:00.100 *                         .                         | -5
 *   10:00:00.200 |                         *                         | 0
 *                v___________________________________________________v
 *                -5                                                  5
 *
 * The map's newest interval (over every key) ends every key's rows, which start at the
 * key's oldest interval still kept; an interval without data shows `-`. The time column
 * is T = 8, 12, 15 or 18 wide by the unit of the step between rows (s, ms, µs, ns: one row
 * has no step, so ns). JSON: [{"interval_start":"UTC time","value":v},...] without the
 * empty intervals. Value layout: types.h §2.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "lang/print.h"

#define TS_GRAPH 53 /* the plot's columns, its two borders included */
#define TS_PAD	 21 /* the minimum's column under the plot */

static struct lt_ts_slot slot_at(const uint8_t *v, uint32_t i)
{
	struct lt_ts_slot s;

	memcpy(&s, v + 8 + (size_t)i * sizeof(s), sizeof(s));
	return s;
}

static bool ts_less(const struct lt_map *m, int64_t a, int64_t b)
{
	return m->ts_signed ? a < b : (uint64_t)a < (uint64_t)b;
}

void lt_tseries_merge(const struct lt_map *m, uint8_t *dst, const uint8_t *src)
{
	for (uint32_t i = 0; i < m->ts_count; i++) {
		struct lt_ts_slot d = slot_at(dst, i), s = slot_at(src, i);

		/* a CPU that wrote this slot in a newer interval replaces the older ones */
		if (!s.epoch || s.epoch < d.epoch)
			continue;
		if (s.epoch > d.epoch) {
			d = s;
		} else {
			switch (m->ts_mode) {
			case LT_TS_AVG: /* the sum and the count */
				d.meta += s.meta;
				d.v += s.v;
				break;
			case LT_TS_SUM:
				d.v += s.v;
				break;
			case LT_TS_MIN:
				if (ts_less(m, s.v, d.v))
					d.v = s.v;
				break;
			case LT_TS_MAX:
				if (ts_less(m, d.v, s.v))
					d.v = s.v;
				break;
			default: /* last: the value written last, on whichever CPU */
				if (s.meta > d.meta) {
					d.v = s.v;
					d.meta = s.meta;
				}
			}
		}
		memcpy(dst + 8 + (size_t)i * sizeof(d), &d, sizeof(d));
	}
}

uint64_t lt_tseries_newest(const struct lt_map *m, const uint8_t *v)
{
	uint64_t newest = 0;

	for (uint32_t i = 0; i < m->ts_count; i++) {
		struct lt_ts_slot s = slot_at(v, i);

		if (s.epoch > newest)
			newest = s.epoch;
	}
	return newest;
}

void lt_tseries_range(const struct lt_map *m, struct lt_entry *e, size_t n)
{
	uint64_t last = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t x = lt_tseries_newest(m, e[i].val);

		if (x > last)
			last = x;
	}
	for (size_t i = 0; i < n; i++)
		memcpy(e[i].val, &last, 8);
}

/* Epoch ep's value in v, false if the interval has none (or is no longer kept). */
static bool value_at(const struct lt_map *m, const uint8_t *v, uint64_t ep, int64_t *x)
{
	struct lt_ts_slot s = slot_at(v, (uint32_t)(ep % m->ts_count));

	if (s.epoch != ep)
		return false;
	*x = s.v;
	if (m->ts_mode == LT_TS_AVG && s.meta)
		*x = m->ts_signed ? s.v / (int64_t)s.meta : (int64_t)((uint64_t)s.v / s.meta);
	return true;
}

/*
 * Nanoseconds to add to a TAI time for the wall clock: the kernel's TAI offset, a whole
 * number of seconds (read from two clocks, so rounded).
 */
static int64_t tai_to_real(void)
{
	struct timespec tai, real;

	if (clock_gettime(CLOCK_TAI, &tai) || clock_gettime(CLOCK_REALTIME, &real))
		return 0;
	return -(int64_t)llround((double)(tai.tv_sec - real.tv_sec) +
				 (double)(tai.tv_nsec - real.tv_nsec) / 1e9) *
	       1000000000LL;
}

static void put_num(struct lt_sbuf *out, const struct lt_map *m, int64_t x)
{
	lt_sbuf_printf(out, m->ts_signed ? "%" PRId64 : "%" PRIu64, x);
}

/* The number in a w-column field, left- or right-aligned (std::setw's: never cut). */
static void put_num_w(struct lt_sbuf *out, const struct lt_map *m, int64_t x, int w, bool left)
{
	char b[24];
	int len = snprintf(b, sizeof(b), m->ts_signed ? "%" PRId64 : "%" PRIu64, x);

	if (left)
		lt_sbuf_printf(out, "%s%*s", b, len < w ? w - len : 0, "");
	else
		lt_sbuf_printf(out, "%*s", w, b);
}

static void put_blanks(struct lt_sbuf *out, int n)
{
	lt_sbuf_printf(out, "%*s", n, "");
}

/* The minimum left in 21 columns and the maximum right in 32, after the time column. */
static void put_bounds(struct lt_sbuf *out, const struct lt_map *m, int tw, int64_t lo, int64_t hi)
{
	put_blanks(out, tw + 1);
	put_num_w(out, m, lo, TS_PAD, true);
	put_num_w(out, m, hi, TS_GRAPH - TS_PAD, false);
	lt_sbuf_putc(out, '\n');
}

static void render_json(struct lt_sbuf *out, const struct lt_map *m, const uint8_t *v,
			uint64_t first, uint64_t last, enum lang_dialect d, int64_t off)
{
	bool any = false;

	lt_sbuf_putc(out, '[');
	for (uint64_t ep = first; ep <= last && first; ep++) {
		uint64_t ns = ep * m->ts_interval + (uint64_t)off;
		time_t sec = (time_t)(ns / 1000000000);
		struct tm tm;
		char b[64];
		int64_t x;

		if (!value_at(m, v, ep, &x) || !gmtime_r(&sec, &tm))
			continue;
		strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tm);
		lt_sbuf_printf(out, "%s{\"interval_start\":\"%s.%09" PRIu64 "\",\"value\":",
			       any ? "," : "", b, (uint64_t)(ns % 1000000000));
		lt_put_json_int(out, (uint64_t)x, m->ts_signed, d);
		lt_sbuf_putc(out, '}');
		any = true;
	}
	lt_sbuf_putc(out, ']');
}

void lt_render_tseries(struct lt_sbuf *out, const struct lt_map *m, const uint8_t *v, bool json,
		       enum lang_dialect d)
{
	static const char *const units[] = {"", ".ms", ".\xce\xbcs", ".ns"};
	static const int widths[] = {8, 12, 15, 18};
	uint64_t last, first = 0, step;
	int64_t off = tai_to_real(), lo = 0, hi = 0, x;
	int unit, tw, zero = 0;
	char bar[TS_GRAPH + 1];
	bool have = false;

	memcpy(&last, v, 8);
	/* the key's rows start at its oldest interval among the map's newest `count` */
	for (uint64_t ep = last >= m->ts_count ? last - m->ts_count + 1 : 1; last && ep <= last;
	     ep++) {
		if (!value_at(m, v, ep, &x))
			continue;
		if (!first)
			first = ep;
		if (!have || ts_less(m, x, lo))
			lo = x;
		if (!have || ts_less(m, hi, x))
			hi = x;
		have = true;
	}
	if (json) {
		render_json(out, m, v, first, last, d, off);
		return;
	}
	if (!first) {
		lt_sbuf_puts(out, "<no data>");
		return;
	}
	if (lo == hi) {
		/* room on both sides of a flat line, within the type */
		if (m->ts_signed ? lo != INT64_MIN : lo != 0)
			lo--;
		if (m->ts_signed ? hi != INT64_MAX : (uint64_t)hi != UINT64_MAX)
			hi++;
	}
	step = last > first ? m->ts_interval : 0;
	unit = step >= 1000000000 ? 0 : step >= 1000000 ? 1 : step >= 1000 ? 2 : 3;
	tw = widths[unit];
	put_bounds(out, m, tw, lo, hi);
	/* "hh:mm:ss.μs" is one column narrower than its bytes, and padded by bytes */
	lt_sbuf_printf(out, "hh:mm:ss%s", units[unit]);
	put_blanks(out, tw + 1 - 8 - (int)strlen(units[unit]));
	lt_sbuf_putc(out, '|');
	memset(bar, '_', TS_GRAPH - 2);
	bar[TS_GRAPH - 2] = 0;
	lt_sbuf_printf(out, "%s|\n", bar);
	if (m->ts_signed && lo < 0 && hi > 0)
		zero = (int)((float)TS_GRAPH * (float)(0 - lo) /
			     (float)((uint64_t)hi - (uint64_t)lo));
	for (uint64_t ep = first; ep <= last; ep++) {
		uint64_t ns = ep * m->ts_interval + (uint64_t)off;
		time_t sec = (time_t)(ns / 1000000000);
		uint64_t frac = ns % 1000000000;
		struct tm tm;
		char tb[32];

		if (!localtime_r(&sec, &tm))
			memset(&tm, 0, sizeof(tm));
		strftime(tb, sizeof(tb), "%H:%M:%S", &tm);
		lt_sbuf_puts(out, tb);
		if (unit == 1)
			lt_sbuf_printf(out, ".%03" PRIu64, frac / 1000000);
		else if (unit == 2)
			lt_sbuf_printf(out, ".%06" PRIu64, frac / 1000);
		else if (unit == 3)
			lt_sbuf_printf(out, ".%09" PRIu64, frac);
		memset(bar, ' ', TS_GRAPH);
		bar[TS_GRAPH] = 0;
		bar[0] = bar[TS_GRAPH - 1] = '|';
		if (zero > 0)
			bar[zero] = '.';
		if (!value_at(m, v, ep, &x)) {
			lt_sbuf_printf(out, " %s -\n", bar);
			continue;
		}
		{
			int at = (int)((float)(TS_GRAPH - 1) * (float)((uint64_t)x - (uint64_t)lo) /
				       (float)((uint64_t)hi - (uint64_t)lo));

			bar[at < 0 ? 0 : at > TS_GRAPH - 1 ? TS_GRAPH - 1 : at] = '*';
		}
		lt_sbuf_printf(out, " %s ", bar);
		put_num(out, m, x);
		lt_sbuf_putc(out, '\n');
	}
	memset(bar, '_', TS_GRAPH);
	bar[0] = bar[TS_GRAPH - 1] = 'v';
	put_blanks(out, tw + 1);
	lt_sbuf_printf(out, "%s\n", bar);
	put_bounds(out, m, tw, lo, hi);
}
