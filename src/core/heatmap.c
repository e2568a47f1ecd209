// SPDX-License-Identifier: GPL-2.0
/*
 * The latency heat map writer: columns of log2 histograms laid out over time, the rows that
 * hold calls (and those between them) from the fastest up, a sequential colour scale on a log
 * of the calls so that a few slow calls still show beside millions of fast ones.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/heatmap.h"
#include "core/log.h"
#include "core/svg.h"
#include "core/vec.h"

#define HM_W		1000
#define HM_LEFT		80
#define HM_RIGHT	130
#define HM_TOP		64
#define HM_BOTTOM	56
#define HM_LEGEND_STEPS 8

int heatmap__add(struct heatmap *h, const uint64_t *slots, unsigned int nslots, uint64_t end_ns)
{
	if (nslots > HIST_LOG2_SLOTS || (h->ncols && end_ns < h->end_ns[h->ncols - 1]))
		return -EINVAL;
	if (h->ncols == HEATMAP_MAX_COLS) {
		for (size_t i = 0; i < h->ncols / 2; i++) {
			for (unsigned int s = 0; s < HIST_LOG2_SLOTS; s++)
				h->cols[i][s] = h->cols[2 * i][s] + h->cols[2 * i + 1][s];
			h->end_ns[i] = h->end_ns[2 * i + 1];
		}
		h->ncols /= 2;
		h->merges++;
	}
	if (VEC_RESERVE(h->cols, h->cols_cap, h->ncols, 1) ||
	    VEC_RESERVE(h->end_ns, h->ends_cap, h->ncols, 1))
		return -ENOMEM;
	memset(h->cols[h->ncols], 0, sizeof(h->cols[0]));
	memcpy(h->cols[h->ncols], slots, nslots * sizeof(*slots));
	h->end_ns[h->ncols++] = end_ns;
	return 0;
}

void heatmap__free(struct heatmap *h)
{
	free(h->cols);
	free(h->end_ns);
	*h = (struct heatmap){0};
}

/* The lower bound of log2 slot s, in the slots' unit: slot 1 holds 0 and 1 (hist.h). */
static double hm_low(unsigned int s)
{
	return s <= 1 ? 0 : ldexp(1, (int)s - 1);
}

/* A latency in nanoseconds with the unit that keeps it short: "0", "512 ns", "1.02 us", "4.19 s".
 */
static void hm_latency(char *buf, size_t len, double ns)
{
	if (ns == 0)
		snprintf(buf, len, "0");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3g s", ns / 1e9);
}

/* Pale yellow to dark red: t in [0, 1]. */
static void hm_colour(double t, int rgb[3])
{
	static const int stops[][3] = {
		{255, 240, 190}, {253, 200, 100}, {245, 140, 50}, {215, 60, 35}, {120, 10, 40},
	};
	double at = t * 4;
	int i = at >= 4 ? 3 : (int)at;
	double f = at - i;

	for (int k = 0; k < 3; k++)
		rgb[k] = (int)lround(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * f);
}

/* Where calls sit on the scale: log(calls) / log(max), so 1 call is the palest colour. */
static double hm_scale(uint64_t calls, uint64_t max)
{
	return max > 1 ? log((double)calls) / log((double)max) : 1;
}

/* A step of 1, 2 or 5 times a power of ten that gives at most 10 ticks over total seconds. */
static double hm_tick(double total)
{
	static const double mant[] = {1, 2, 5};
	double p = pow(10, floor(log10(total)) - 1);

	for (;; p *= 10)
		for (int i = 0; i < 3; i++)
			if (total / (p * mant[i]) <= 10)
				return p * mant[i];
}

struct hm {
	const struct heatmap *h;
	const struct heatmap_opts *o;
	unsigned int lo, hi; /* the rows drawn: slots lo..hi */
	uint64_t max;	     /* calls in the fullest cell */
	double rh, plot_h, total_s;
};

static void hm_cells(const struct hm *m, FILE *f)
{
	const struct heatmap *h = m->h;
	double pw = HM_W - HM_LEFT - HM_RIGHT, unit = m->o->unit_ns ? m->o->unit_ns : 1;
	char num[32], lo[24], hi[24];
	int rgb[3];

	fputs("<g id=\"cells\">\n", f);
	for (size_t c = 0; c < h->ncols; c++) {
		double t0 = c ? h->end_ns[c - 1] / 1e9 : 0, t1 = h->end_ns[c] / 1e9;
		double x0 = HM_LEFT + t0 / m->total_s * pw, x1 = HM_LEFT + t1 / m->total_s * pw;

		for (unsigned int s = m->lo; s <= m->hi; s++) {
			uint64_t n = h->cols[c][s];

			if (!n)
				continue;
			hm_colour(hm_scale(n, m->max), rgb);
			hm_latency(lo, sizeof(lo), hm_low(s) * unit);
			hm_latency(hi, sizeof(hi), hm_low(s + 1) * unit);
			fprintf(f,
				"<rect x=\"%.3f\" y=\"%.2f\" width=\"%.3f\" height=\"%.2f\" "
				"fill=\"rgb(%d,%d,%d)\" data-col=\"%zu\" data-slot=\"%u\" "
				"data-calls=\"%llu\"><title>%.2f-%.2f s, %s-%s: %s "
				"call%s</title></rect>\n",
				x0, HM_TOP + (m->hi - s) * m->rh, x1 - x0 > 0 ? x1 - x0 : 0.001,
				m->rh, rgb[0], rgb[1], rgb[2], c, s, (unsigned long long)n, t0, t1,
				lo, hi, svg_thousands(num, n), n == 1 ? "" : "s");
		}
	}
	fputs("</g>\n", f);
}

static void hm_axes(const struct hm *m, FILE *f)
{
	double pw = HM_W - HM_LEFT - HM_RIGHT, y1 = HM_TOP + m->plot_h, step = hm_tick(m->total_s);
	double unit = m->o->unit_ns ? m->o->unit_ns : 1;
	unsigned int nrows = m->hi - m->lo + 1, every = (nrows + 19) / 20;
	char lat[24];

	fprintf(f,
		"<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.2f\" fill=\"none\" "
		"stroke=\"#888\"/>\n",
		HM_LEFT, HM_TOP, pw, m->plot_h);
	/* a row's boundaries are powers of two: label them (every few when there are many) */
	for (unsigned int s = m->lo; s <= m->hi + 1; s++) {
		double y = HM_TOP + (m->hi + 1 - s) * m->rh;

		if ((s - m->lo) % every)
			continue;
		hm_latency(lat, sizeof(lat), hm_low(s) * unit);
		fprintf(f,
			"<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#888\"/>"
			"<text class=\"yl\" x=\"%d\" y=\"%.2f\">%s</text>\n",
			HM_LEFT - 4, y, HM_LEFT, y, HM_LEFT - 6, y + 4, lat);
	}
	for (double t = 0; t <= m->total_s * (1 + 1e-9); t += step) {
		double x = HM_LEFT + t / m->total_s * pw;

		fprintf(f,
			"<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#888\"/>"
			"<text class=\"xl\" x=\"%.2f\" y=\"%.2f\">%g</text>\n",
			x, y1, x, y1 + 4, x, y1 + 17, t);
	}
	fprintf(f,
		"<text class=\"xl\" x=\"%.1f\" y=\"%.2f\">Time from start (s)</text>\n"
		"<text class=\"xl\" transform=\"translate(16 %.2f) rotate(-90)\">Latency</text>\n",
		HM_LEFT + pw / 2, y1 + 38, HM_TOP + m->plot_h / 2);
}

/* The colour scale: steps from the fullest cell's calls (top) down to 1. */
static void hm_legend(const struct hm *m, FILE *f)
{
	int steps = m->max < HM_LEGEND_STEPS ? (int)m->max : HM_LEGEND_STEPS, rgb[3];
	double x = HM_W - HM_RIGHT + 24, bh = 18;
	char num[32];

	fprintf(f, "<g id=\"legend\"><text x=\"%.0f\" y=\"%d\">calls</text>\n", x, HM_TOP - 6);
	for (int k = 0; k < steps; k++) {
		double frac = steps > 1 ? 1.0 - (double)k / (steps - 1) : 1;
		uint64_t calls = (uint64_t)llround(exp(frac * log((double)m->max)));

		hm_colour(hm_scale(calls, m->max), rgb);
		fprintf(f,
			"<rect x=\"%.0f\" y=\"%.0f\" width=\"18\" height=\"%.0f\" "
			"fill=\"rgb(%d,%d,%d)\" stroke=\"#888\"/><text x=\"%.0f\" "
			"y=\"%.0f\">%s</text>\n",
			x, HM_TOP + k * bh, bh, rgb[0], rgb[1], rgb[2], x + 24,
			HM_TOP + k * bh + 13, svg_thousands(num, calls));
	}
	fputs("</g>\n", f);
}

static const char hm_style[] = "text { font-family: sans-serif; font-size: 12px; fill: #000; }\n"
			       "#title { font-size: 17px; text-anchor: middle; }\n"
			       "#subtitle { fill: #555; text-anchor: middle; }\n"
			       ".yl { text-anchor: end; }\n"
			       ".xl { text-anchor: middle; }\n"
			       "#cells rect { shape-rendering: crispEdges; }\n"
			       "#cells rect:hover { stroke: #000; stroke-width: 1; }\n";

int heatmap_write_svg(const struct heatmap *h, const char *path, const struct heatmap_opts *o)
{
	static const struct heatmap_opts none;
	struct hm m = {.h = h, .o = o ? o : &none, .lo = HIST_LOG2_SLOTS};
	double height;
	FILE *f;

	for (size_t c = 0; c < h->ncols; c++)
		for (unsigned int s = 0; s < HIST_LOG2_SLOTS; s++) {
			if (!h->cols[c][s])
				continue;
			m.lo = s < m.lo ? s : m.lo;
			m.hi = s > m.hi ? s : m.hi;
			m.max = h->cols[c][s] > m.max ? h->cols[c][s] : m.max;
		}
	if (!m.max)
		m.lo = m.hi = 1;
	m.rh = 360.0 / (m.hi - m.lo + 1);
	m.rh = m.rh < 10 ? 10 : m.rh > 24 ? 24 : m.rh;
	m.plot_h = m.rh * (m.hi - m.lo + 1);
	m.total_s = h->ncols ? h->end_ns[h->ncols - 1] / 1e9 : 0;
	if (m.total_s <= 0)
		m.total_s = 1e-9;
	height = HM_TOP + m.plot_h + HM_BOTTOM;
	f = svg_open(path);
	if (!f)
		return -errno;
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%.0f\" viewBox=\"0 0 %d %.0f\">\n<style>\n%s</style>\n"
		"<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%.0f\" fill=\"#fff\"/>\n"
		"<text id=\"title\" x=\"%d\" y=\"24\">",
		HM_W, height, HM_W, height, hm_style, HM_W, height, HM_W / 2);
	svg_text(f, m.o->title ? m.o->title : "Latency Heat Map", SIZE_MAX);
	fprintf(f, "</text>\n<text id=\"subtitle\" x=\"%d\" y=\"44\">", HM_W / 2);
	if (m.o->subtitle)
		svg_text(f, m.o->subtitle, SIZE_MAX);
	fputs("</text>\n", f);
	hm_cells(&m, f);
	hm_axes(&m, f);
	if (m.max)
		hm_legend(&m, f);
	else
		fprintf(f, "<text class=\"xl\" x=\"%.0f\" y=\"%.0f\">No calls</text>\n",
			HM_LEFT + (HM_W - HM_LEFT - HM_RIGHT) / 2.0, HM_TOP + m.plot_h / 2 + 4);
	fputs("</svg>\n", f);
	return svg_close(f, path, 0);
}
