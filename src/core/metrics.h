/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Metrics for Prometheus: a registry of families and their series, rendered in the
 * Prometheus text format 0.0.4 or OpenMetrics 1.0 (core/metrics_http.c serves it).
 *
 * Two kinds of family live side by side:
 *   - kept: a tool adds to its series as events arrive (events by comm); they stay;
 *   - collected: the owner re-reads its BPF maps at every scrape (metrics->collect), setting
 *     the series it finds; a series not set by that collect is gone from the output and
 *     from memory (a key deleted from the map, clear(@m)).
 *
 * Memory is bounded: at most max_series series (all families together, self metrics
 * aside). A new series beyond that is refused (NULL) and counted once per distinct label
 * set in tracekit_dropped_series_total.
 */
#ifndef TK_METRICS_H
#define TK_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum metric_type {
	METRIC_COUNTER,
	METRIC_GAUGE,
	METRIC_HISTOGRAM,
	METRIC_SUMMARY, /* _sum and _count only, no quantiles */
};

#define METRICS_DEFAULT_MAX_SERIES 10000
#define METRICS_MAX_LABELS	   8

struct metrics;
struct metric_family;
struct metric_series;

/* Set collected families' series from their sources, before a render: 0 or -errno. */
typedef int (*metrics_collect_fn)(void *ctx, struct metrics *m);

struct metrics *metrics_new(size_t max_series);
void metrics_free(struct metrics *m);
/* Called before every render; several may be registered (a tool's, the self metrics). */
int metrics_add_collector(struct metrics *m, metrics_collect_fn fn, void *ctx);

/*
 * A family, found by name or made: name is the metric name without a counter's "_total"
 * (that suffix is the format's); it must be a valid metric name. labels: the label names,
 * nlabels of them (valid label names, none "le" or "quantile"). A histogram's bucket upper
 * bounds (inclusive, ascending, +Inf implied) are set before its first series, by
 * metric_family_set_bounds() or metrics_log2_bounds(); a scrape shows the buckets up to the
 * highest one any series of the family uses (then +Inf). A divisor divides every value, bound
 * and sum at render (1e9: nanoseconds shown as seconds; a division, not a multiplication by
 * 1e-9, so that 3 ns is 3e-09 and not 3.0000000000000004e-09). The family of that name if it
 * exists with that type; NULL on a bad name, another type or no memory.
 */
struct metric_family *metrics_family(struct metrics *m, const char *name, enum metric_type type,
				     const char *help, const char *const *labels, int nlabels,
				     bool collected);
int metric_family_set_bounds(struct metric_family *f, const double *bounds, size_t nbounds);
void metric_family_set_divisor(struct metric_family *f, double div);

/*
 * The series of f with these label values (raw bytes, escaped at render), made if new and
 * marked as set by this collect. NULL: over the limit (counted) or no memory.
 */
struct metric_series *metric_series(struct metric_family *f, const char *const *values);

void metric_set(struct metric_series *s, double v);
void metric_add(struct metric_series *s, double v);
/* Add to a histogram's or summary's count and sum (collected: from the maps' sums). */
void metric_add_count_sum(struct metric_series *s, uint64_t count, double sum);
/* Add to bucket i's own count (not cumulative; collected): i indexes the family's
 * bounds, i == nbounds being +Inf. 0, or -EINVAL for no such bucket. */
int metric_hist_add(struct metric_series *s, size_t i, uint64_t count);
/* One observation of v into a kept histogram or summary. */
void metric_observe(struct metric_series *s, double v);

/*
 * The log2 buckets of bpftrace's hist() and bcc's tools as bounds of f: 0, 1, 3, 7, ...,
 * 2^(n-1) - 1 (bucket i > 0 holds [2^(i-1), 2^i - 1]). 0 or -errno.
 */
int metrics_log2_bounds(struct metric_family *f, size_t n);

/* The rendered body of a scrape, after the collectors ran. *len its length; free() it. */
char *metrics_render(struct metrics *m, bool openmetrics, size_t *len);

/*
 * The self metrics every tracekit exporter has, read at each render: fill it, then
 * metrics_add_self(); it must live as long as the registry.
 */
struct metrics_self {
	uint64_t probes_attached;
	const volatile unsigned long long *lost_events; /* the BPF side's counter, or NULL */
	uint64_t lost_events_user;			/* counted in user space */
	struct metrics_prog {
		int fd;
		char name[64];
	} * progs; /* the BPF programs whose run time and count are shown */
	size_t nprogs, cap;
	int stats_fd; /* > 0: held from metrics_add_self() on, the kernel's bpf_stats stay on */
};
struct bpf_object;
/* A program whose run time and count are shown with label prog="name". 0 or -ENOMEM. */
int metrics_self_add_prog(struct metrics_self *self, int fd, const char *name);
/* The loaded programs of obj into self->progs. 0 or -ENOMEM. */
int metrics_self_add_object(struct metrics_self *self, struct bpf_object *obj);
/*
 * Register the self metrics: build info, probes attached, lost events, refused series and,
 * where the kernel reports them (bpf_stats, which this turns on until metrics_self_close()),
 * the programs' run time and count.
 */
int metrics_add_self(struct metrics *m, struct metrics_self *self);
void metrics_self_close(struct metrics_self *self);

/* For metrics_self.c: a family of self metrics, outside the series limit; the refused count;
 * the collector that runs after every other one (it reports what they refused). */
void metrics_set_last_collector(struct metrics *m, metrics_collect_fn fn, void *ctx);
void metrics_family_mark_self(struct metric_family *f);
uint64_t metrics_dropped(const struct metrics *m);

/* A metric or label name made of name: invalid characters become '_'. In buf (size len). */
const char *metrics_sanitize_name(const char *name, char *buf, size_t len);

#endif
