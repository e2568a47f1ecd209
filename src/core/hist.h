/* SPDX-License-Identifier: GPL-2.0 */
/* Histograms rendered in user space: bcc's log2 format and JSON (tools). */
#ifndef TK_HIST_H
#define TK_HIST_H

#include <stdint.h>
#include <stdio.h>

#define HIST_LOG2_SLOTS 65

/* Row of v in a bcc log2 histogram: 0 and 1 -> 1, 2..3 -> 2, 4..7 -> 3, ... (<= 64). */
unsigned int hist_log2_slot(uint64_t v);

/*
 * bcc's print_log2_hist: the "     nsecs               : count     distribution" header,
 * rows from 1 ("0 -> 1") up to the highest non-empty one, 40-column star bars. Prints
 * nothing when all slots are empty (as bcc does).
 */
void hist_print_log2(FILE *f, const uint64_t *slots, unsigned int nslots, const char *unit);

/* The same histogram as JSON: its non-empty rows as [{"low":L,"high":H,"count":N},...]. */
void hist_json_log2(FILE *f, const uint64_t *slots, unsigned int nslots);

/*
 * bcc's print_linear_hist: the "     runqlen       : count     distribution" header, a row
 * per value from 0 up to the highest non-empty one, 40-column star bars. Nothing when empty.
 */
void hist_print_linear(FILE *f, const uint64_t *slots, unsigned int nslots, const char *unit);

#endif
