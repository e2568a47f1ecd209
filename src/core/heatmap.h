/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A latency heat map as one SVG file: time from the start across (one column per interval),
 * log2 latency buckets up (the rows of core/hist.h's histograms), each cell coloured by its
 * calls (white: none) with a legend, and a hover title per cell (time, latency range, calls).
 * funclatency --heatmap fills one column per interval from its BPF histograms.
 */
#ifndef TK_HEATMAP_H
#define TK_HEATMAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/hist.h"

/* More columns are halved: neighbours merged, so a long run still makes a picture of a few MB. */
#define HEATMAP_MAX_COLS 2048

struct heatmap {
	uint64_t (*cols)[HIST_LOG2_SLOTS]; /* calls per log2 slot (hist_log2_slot()'s rows) */
	uint64_t *end_ns; /* column i spans [end_ns[i - 1] (0 for the first), end_ns[i]) */
	size_t ncols, cols_cap, ends_cap;
	unsigned int merges; /* times the columns were halved: each spans 2^merges intervals */
};

/*
 * Append a column: calls per slot (nslots at most HIST_LOG2_SLOTS) in the time up to end_ns
 * from the start (not before the last column's end). At HEATMAP_MAX_COLS columns, each pair
 * of neighbours becomes one first. 0, -EINVAL or -ENOMEM.
 */
int heatmap__add(struct heatmap *h, const uint64_t *slots, unsigned int nslots, uint64_t end_ns);
void heatmap__free(struct heatmap *h);

struct heatmap_opts {
	const char *title;    /* NULL: "Latency Heat Map" */
	const char *subtitle; /* e.g. the command line; NULL: none */
	uint64_t unit_ns;     /* nanoseconds per latency unit of the slots (1, 1000, ...); 0: 1 */
};

/*
 * Write h to path (replaced). o may be NULL. 0, or a negative errno after a one-line error,
 * and then no file left behind.
 */
int heatmap_write_svg(const struct heatmap *h, const char *path, const struct heatmap_opts *o);

#endif
