/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --metrics for the language: the program's maps as Prometheus metrics, read at every
 * scrape (docs/metrics.md has the rules):
 *   @name -> tracekit_name (@ alone: tracekit_map); a name ending _ns, _us or _ms is in that
 *   unit: the family ends _seconds instead and its values are converted;
 *   count(), sum() -> counter; hist(), lhist() -> histogram (a bucket's le is its largest
 *   integer); avg(), min(), max(), integers -> gauge; stats() -> summary (_sum, _count);
 *   other values (strings, tuples, tseries) are not numbers and are left out;
 *   keys -> labels named after the key expressions (lt_map.key_names).
 */
#ifndef TK_LANG_MAP_METRICS_H
#define TK_LANG_MAP_METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct compiler;
struct node;
struct lt_prog;
struct event_loop;
struct lang_metrics;

/*
 * The label names of a map's nk key expressions (keys: the first of them): what the
 * expression names (pid, comm, $x -> x, args.n -> n, kstack), else keyN; unique, valid.
 * In the compiler's memory.
 */
const char **lang_key_labels(struct compiler *c, const struct node *keys, int nk);

/*
 * Listen on addr before anything is attached (a port in use costs nothing). NULL after a
 * one-line error.
 */
struct lang_metrics *lang_metrics_start(struct event_loop *l, const char *addr,
					size_t max_series, const struct lt_prog *prog, int ncpus);
/* Once attached: the self metrics and the maps' collector; says where it serves. 0 or -errno. */
int lang_metrics_ready(struct lang_metrics *lm, const struct compiler *c);
/* The events lost so far (the runner's count). */
void lang_metrics_set_lost(struct lang_metrics *lm, unsigned long long lost);
void lang_metrics_stop(struct lang_metrics *lm);

#endif
