/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the *snoop tools (and the tcp tools' -t column) print alike: signal numbers and names,
 * and the clock of their relative timestamps. Their run is the one tool skeleton's
 * (tools/tool.h).
 */
#ifndef TK_SNOOP_COMMON_H
#define TK_SNOOP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/metrics.h"
#include "tools/tool.h"

/* The last rows of every snoop's options table: --json and -v (type: its options struct). */
#define SNOOP_OPTS_JSON_VERBOSE(type)                                                              \
	{TOOL_OPT_JSON,	      "json", NULL, "one JSON object per event", TOOL_OPT_FLAG,            \
	 offsetof(type, json)},                                                                    \
		TOOL_OPT_LIBBPF_VERBOSE(offsetof(type, verbose))

/*
 * bcc's rows shared by the *snoop tools that have them (opensnoop, drsnoop, ...), with their
 * words: -U, -t TID (into the BPF side's filter_tid), -d DURATION, -n NAME (type: the options
 * struct, f: its field).
 */
#define SNOOP_OPT_PRINT_UID(type, f)                                                               \
	{                                                                                          \
		'U', "print-uid", NULL, "print UID column", TOOL_OPT_FLAG, offsetof(type, f)       \
	}
#define SNOOP_OPT_TID(type, f)                                                                     \
	{                                                                                          \
		't', "tid", "TID", "trace this TID only", TOOL_OPT_PID, offsetof(type, f),         \
			.bpf = "filter_tid"                                                        \
	}
#define SNOOP_OPT_DURATION(type, f)                                                                \
	{                                                                                          \
		'd', "duration", "DURATION", "total duration of trace in seconds", TOOL_OPT_ULONG, \
			offsetof(type, f), 1, 100000000, .sets = TOOL_SETS_DURATION                \
	}
#define SNOOP_OPT_NAME(type, f)                                                                    \
	{                                                                                          \
		'n', "name", "NAME", "only print process names containing this name",              \
			TOOL_OPT_STR, offsetof(type, f)                                            \
	}

/*
 * A signal number or name, with or without "SIG" ("9", "KILL", "SIGKILL"), as the value of
 * option opt (the short option, or the long option's key): a bad one is a usage error
 * (core/usage.h) and -EINVAL.
 */
struct usage;
int snoop_parse_signal(const struct usage *u, int opt, const char *s, int *sig);
/*
 * A comma-separated list of signals as snoop_parse_signal() reads each ("1,KILL,SIGTERM"),
 * 0 to 64, into mask (bit n for signal n): 0, or -EINVAL after a usage error.
 */
int snoop_parse_signal_set(const struct usage *u, int opt, const char *s, uint64_t mask[2]);
/* Signal name without "SIG" ("KILL"), or "?" when unknown. */
const char *snoop_signal_name(int sig);

/* /proc/loadavg's line without its newline ("" if unreadable), in buf: the *top tools' and
 * oomkill's "loadavg: ..." */
const char *snoop_loadavg(char *buf, size_t len);

/* -t: seconds since the first event (or since start, with start_ns set beforehand). */
struct snoop_clock {
	uint64_t start_ns;
};
double snoop_clock_rel(struct snoop_clock *c, uint64_t ts_ns);
/* CLOCK_MONOTONIC now, in ns: the clock of bpf_ktime_get_ns(). */
uint64_t snoop_now_ns(void);

/*
 * --metrics of the event tools (the *snoop and tcp* tools): families kept in the registry,
 * which the tool's on_event adds to, after its filters, so that they count what it prints.
 */
struct snoop_metric {
	struct metric_family **fam; /* where the family goes: NULL until --metrics sets it */
	const char *name;	    /* without a counter's "_total" */
	enum metric_type type;	    /* METRIC_COUNTER or METRIC_HISTOGRAM (log2 buckets) */
	const char *help;
	const char *const *labels;
	int nlabels;
	double div;	/* the unit per second of its values (1e6: microseconds), 0: none */
	bool collected; /* set by a collector at each scrape (core/metrics.h), not kept */
};
/* A tool's run->metrics: each family of specs (n of them) made in m. 0 or -ENOMEM. */
int snoop_metrics_add(struct metrics *m, const struct snoop_metric *specs, size_t n);
/*
 * Define fn, the run->metrics of a tool with one family: name, type, help, div as in struct
 * snoop_metric, then the label names; made into the struct metric_family *field of the
 * tool's ctx (a T). Its declaration again at the end, so that a use ends with ';'.
 */
#define SNOOP_METRIC_HOOK(fn, T, field, name, type, help, div, ...)                                \
	static int fn(void *ctx, struct metrics *m)                                                \
	{                                                                                          \
		static const char *const labels_[] = {__VA_ARGS__};                                \
		const struct snoop_metric spec_ = {&((T *)ctx)->field,                             \
						   name,                                           \
						   type,                                           \
						   help,                                           \
						   labels_,                                        \
						   sizeof(labels_) / sizeof(labels_[0]),           \
						   div};                                           \
                                                                                                   \
		return snoop_metrics_add(m, &spec_, 1);                                            \
	}                                                                                          \
	static int fn(void *ctx, struct metrics *m)
/* One event into the series of f with these label values; nothing without --metrics. */
void snoop_metric_inc(struct metric_family *f, const char *const *values);
/* v more into the counter series of f with these label values; nothing without --metrics. */
void snoop_metric_add(struct metric_family *f, const char *const *values, double v);
/* One observation of v (in the family's unit) into a histogram; nothing without --metrics. */
void snoop_metric_observe(struct metric_family *f, const char *const *values, double v);

/* A BPF comm (16 bytes, maybe without NUL) as a label value: in buf (SNOOP_COMM_LABEL bytes). */
#define SNOOP_COMM_LABEL 17
const char *snoop_comm_label(char *buf, const char *comm);
/* A syscall's return as an errno label value: "0" when ret >= 0, else "ENOENT" (or "-2"). */
const char *snoop_errno_label(char *buf, size_t len, long ret);
/* An unsigned number (a port, a code) as a label value in buf. */
const char *snoop_uint_label(char *buf, size_t len, unsigned long v);

#endif
