/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bcc's log2-histogram tools (runqlat, cpudist, softirqs -d, biolatency, bitesize...)
 * have alike, on top of core/hist.h: their BPF side's map of per-key histograms
 * (src/bpf/hist_tool.bpf.h), taken out (read and deleted) at each summary, every interval,
 * at the count's end and at Ctrl-C; printed as bcc prints them (a blank line, -T's time,
 * then one histogram, or one per key under "pid = 1234 comm" / "disk = 'sda'"), as JSON, and
 * under --metrics as one histogram family by the key's label, since the start (the BPF side
 * keeps those in a second map the summaries never clear).
 */
#ifndef TK_TOOLS_HIST_TOOL_H
#define TK_TOOLS_HIST_TOOL_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/hist_tool.h"

struct bpf_map;
struct bpf_object;
struct metric_family;
struct metrics;
struct tool_run;

enum hist_key_kind {
	HIST_KEY_NONE, /* one histogram: no section header */
	HIST_KEY_NUM,  /* a number of the key's size (4 or 8 bytes), sorted as numbers */
	HIST_KEY_STR,  /* a char array (maybe without NUL), sorted as text */
};

#define HIST_TOOL_KEY_MAX 64

/* One key's histogram, as a summary took it out. */
struct hist_tool_entry {
	struct hist_tool_val v;
	unsigned char key[HIST_TOOL_KEY_MAX];
};

struct hist_tool {
	/* set by the tool before hist_tool_fill() */
	const char *unit; /* the histogram's header ("usecs", "msecs") and JSON's "unit" */
	enum hist_key_kind key;
	const char *section; /* bcc's section header ("pid", "disk"): JSON's key, the label */
	const char *label; /* --metrics' label where section is no label name ("Process Name") */
	/* a numeric key's name ("net_rx" for a softirq vector): text, not the number */
	const char *(*key_name)(const void *key, char *buf, size_t len);
	/*
	 * The BPF side's sum per histogram unit: 0 or 1, the same unit; 1000: it sums
	 * nanoseconds for a usecs histogram (bcc's totals, without a rounding per value).
	 */
	unsigned int sum_scale;
	bool linear; /* slot i holds the value i (bcc's linear histograms: runqlen) */
	bool quote;  /* the header's value in quotes, as bcc's %r of a string: 'sda' */
	bool comm;   /* the key's comm after it: "pid = 1234 bash" */
	bool timestamp, json;
	/*
	 * In place of bcc's histograms, a tool's own text of a summary (softirqs' table): its
	 * entries sorted by key. NULL: the histograms.
	 */
	void (*print)(struct hist_tool *ht, const struct hist_tool_entry *e, size_t n);
	const char *metric; /* --metrics' family name, e.g. "tracekit_runqlat_seconds" */
	const char *metric_help;
	double metric_div; /* the unit per metric unit (1e6: usecs as seconds), 0: none */
	void *priv;	   /* the tool's own state */
	/* set by hist_tool_fill() */
	struct bpf_map *hists, *totals;
	size_t key_size;
	struct metric_family *fam;
};

/*
 * In a tool's fill(), with r->ctx the struct hist_tool (or a struct that begins with it) and obj
 * the opened skeleton's object: its maps, the --metrics switch of the BPF side, and the run's
 * summaries (every interval and one at the end) and metrics. 0, or 1 after a one-line error.
 */
int hist_tool_fill(struct hist_tool *ht, struct tool_run *r, struct bpf_object *obj);

/* A key as text (the section header's value, JSON's string, the label's value) in buf. */
const char *hist_tool_key_str(const struct hist_tool *ht, const void *key, char *buf, size_t len);

/* bcc's histograms of a summary: one, or one per key under its section header */
void hist_tool_print_sections(const struct hist_tool *ht, const struct hist_tool_entry *e,
			      size_t n);

/*
 * -e (cpudist, biolatency): the histograms, then bcc's "avg = A usecs, total: T usecs,
 * count: N" over all of them (a print of struct hist_tool).
 */
void hist_tool_print_extension(struct hist_tool *ht, const struct hist_tool_entry *e, size_t n);

/* An entry's sum in the histogram's unit. */
uint64_t hist_tool_sum(const struct hist_tool *ht, const struct hist_tool_val *v);

/*
 * bcc's table of totals (softirqs, hardirqs): "%-*s %11s" of title and "TOTAL_" unit, then a
 * row per key with its total (counts: its count), the smallest first.
 */
void hist_tool_print_totals(const struct hist_tool *ht, const struct hist_tool_entry *e, size_t n,
			    const char *title, int width, bool counts);

/*
 * softirqs/hardirqs -c CPU (ULONG_MAX: not given) into the BPF side's *targ_cpu: a usage
 * error (2) for a CPU the machine does not have, else 0.
 */
struct usage;
int hist_tool_cpu_opt(const struct usage *u, unsigned long cpu, int *targ_cpu);

/*
 * A histogram tool's main, NAME_main: its options struct T (the struct hist_tool's priv)
 * initialized with the rest, the struct hist_tool the run's ctx; its cli, fill() and
 * NAME_tool_skel are the file's. Its TOOL_REGISTER() line stays in the tool's file: the
 * Makefile (man pages, install) and the CLI tests find the tools by that word.
 */
#define HIST_TOOL_MAIN(tname, T, ...)                                                              \
	static int tname##_main(int argc, char **argv)                                             \
	{                                                                                          \
		T o = {__VA_ARGS__};                                                               \
		struct hist_tool ht = {.priv = &o};                                                \
		struct tool_run run = {.skel = &tname##_tool_skel, .fill = fill, .ctx = &ht};      \
                                                                                                   \
		return tool_main(&cli, &o, &run, argc, argv);                                      \
	}

/* The last rows of a histogram tool's options table: --json and -v (T: its options struct). */
#define HIST_TOOL_OPTS_JSON_VERBOSE(T)                                                             \
	{TOOL_OPT_JSON, "json",		  NULL, "one JSON object per summary",                     \
	 TOOL_OPT_FLAG, offsetof(T, json)},                                                        \
		TOOL_OPT_LIBBPF_VERBOSE(offsetof(T, verbose))

/* bcc's [interval] [count] arguments into the interval_s and count fields of type */
#define HIST_TOOL_ARGS(type)                                                                       \
	.args = "[interval] [count]",                                                              \
	.args_help = "  interval              output interval, in seconds\n"                       \
		     "  count                 number of outputs\n",                                \
	.pos = (const struct tool_opt[])                                                           \
	{                                                                                          \
		{0,                                                                                \
		 "interval",                                                                       \
		 .kind = TOOL_OPT_ULONG,                                                           \
		 .off = offsetof(type, interval_s),                                                \
		 .min = 1,                                                                         \
		 .max = 86400UL * 365,                                                             \
		 .sets = TOOL_SETS_INTERVAL},                                                      \
			{0,                                                                        \
			 "count",                                                                  \
			 .kind = TOOL_OPT_ULONG,                                                   \
			 .off = offsetof(type, count),                                             \
			 .min = 1,                                                                 \
			 .max = 86400UL * 365,                                                     \
			 .sets = TOOL_SETS_COUNT},                                                 \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}

#endif
