/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every stack tool (profile, offcputime, stackcount, wakeuptime) shares: its common
 * option rows (-U/-K, -d, -f, --json, --pprof FILE, --svg FILE, --stack-storage-size), the
 * BPF side's stack settings (bpf/stack_common.bpf.h), reading the stack map and a counts map
 * of struct stack_key into a stack profile, and writing it out: bcc's text or folded lines
 * on stdout, JSON lines, a pprof file, a flame graph.
 */
#ifndef TK_STACK_TOOL_H
#define TK_STACK_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bpf/stack_common.h"
#include "core/flamegraph.h"
#include "core/stack.h"
#include "core/stack_out.h"
#include "tools/tool.h"

struct stack_targets {
	uint32_t id[STACK_MAX_TARGETS];
	uint32_t n;
	bool tids; /* given as threads (-L, -t), not processes */
};

struct stack_tool_opts {
	bool user_only, kernel_only;  /* -U, -K */
	bool delimited;		      /* -d */
	bool folded;		      /* -f */
	bool json;		      /* --json */
	const char *pprof, *svg;      /* --pprof FILE, --svg FILE */
	unsigned long stack_storage;  /* --stack-storage-size */
	struct stack_targets targets; /* -p/-L lists (stack_tool_parse_targets()) */
};

#define STACK_OFF_(T, m) (offsetof(T, st) + offsetof(struct stack_tool_opts, m))

/* Long-only option keys of the rows below */
enum {
	STACK_OPT_PPROF = TOOL_OPT_JSON + 64,
	STACK_OPT_SVG,
	STACK_OPT_STORAGE,
};

/* -U | -K, group grp: rows of a table whose struct T has struct stack_tool_opts st */
#define STACK_TOOL_OPTS_UK(T, grp)                                                                 \
	{'U',		"user-stacks-only",                                                        \
	 NULL,		"show stacks from user space only (no kernel space stacks)",               \
	 TOOL_OPT_FLAG, STACK_OFF_(T, user_only),                                                  \
	 .group = grp},                                                                            \
	{                                                                                          \
		'K', "kernel-stacks-only", NULL,                                                   \
			"show stacks from kernel space only (no user space stacks)",               \
			TOOL_OPT_FLAG, STACK_OFF_(T, kernel_only), .group = grp                    \
	}
#define STACK_TOOL_OPT_DELIMITED(T)                                                                \
	{                                                                                          \
		'd', "delimited", NULL, "insert delimiter between kernel/user stacks",             \
			TOOL_OPT_FLAG, STACK_OFF_(T, delimited)                                    \
	}
#define STACK_TOOL_OPT_FOLDED(T, help)                                                             \
	{                                                                                          \
		'f', "folded", NULL, help, TOOL_OPT_FLAG, STACK_OFF_(T, folded)                    \
	}
/* help: "... (default 16384)" */
#define STACK_TOOL_OPT_STORAGE(T, help)                                                            \
	{                                                                                          \
		STACK_OPT_STORAGE, "stack-storage-size", "STACK_STORAGE_SIZE", help,               \
			TOOL_OPT_ULONG, STACK_OFF_(T, stack_storage), 1, 1u << 24                  \
	}
/*
 * bcc's -m MIN_BLOCK_TIME / -M MAX_BLOCK_TIME (offcputime, wakeuptime): rows into T's
 * unsigned long min_us and max_us and the BPF side's min_us and max_us
 */
#define STACK_TOOL_OPTS_BLOCK_TIME(T)                                                              \
	{'m', "min-block-time", "MIN_BLOCK_TIME",                                                  \
	 "the amount of time in microseconds over which we store traces (default 1)",            \
	 TOOL_OPT_ULONG, offsetof(T, min_us), 1, ~0ul, .bpf = "min_us"},                          \
	{                                                                                          \
		'M', "max-block-time", "MAX_BLOCK_TIME",                                           \
			"the amount of time in microseconds under which we store traces (default " \
			"U64_MAX)",                                                                \
			TOOL_OPT_ULONG, offsetof(T, max_us), 1, ~0ul, .bpf = "max_us"              \
	}
/*
 * bcc's optional positional [duration] in seconds (profile, offcputime, wakeuptime): the
 * members of a struct tool_cli initializer, into T's unsigned long duration
 */
#define STACK_TOOL_CLI_DURATION(T)                                                                 \
	.args = "[duration]",                                                                      \
	.args_help = "  duration              duration of trace, in seconds\n",                   \
	.pos = (const struct tool_opt[]){{0, "duration", .kind = TOOL_OPT_ULONG,                 \
					  .off = offsetof(T, duration), .min = 1,                  \
					  .max = 99999999, .sets = TOOL_SETS_DURATION},            \
					 {0}}
/* --json, --pprof FILE, --svg FILE */
#define STACK_TOOL_OPTS_OUTPUT(T)                                                                  \
	{TOOL_OPT_JSON,	     "json", NULL, "one JSON object per stack", TOOL_OPT_FLAG,             \
	 STACK_OFF_(T, json)},                                                                     \
		{STACK_OPT_PPROF, "pprof",                                                         \
		 "FILE",	  "write a gzipped pprof profile (go tool pprof FILE)",            \
		 TOOL_OPT_STR,	  STACK_OFF_(T, pprof)},                                           \
	{                                                                                          \
		STACK_OPT_SVG, "svg", "FILE", "write an interactive flame graph (SVG)",            \
			TOOL_OPT_STR, STACK_OFF_(T, svg)                                           \
	}

/*
 * TOOL_OPT_CALL: bcc's comma-separated PIDs or, for keys 'L' and 't', TIDs ("185,186") into
 * st.targets of opts, whose struct stack_tool_opts st must be its first member.
 */
int stack_tool_parse_targets(void *opts, const struct usage *u, int key, const char *arg);

/* The output style of o: bcc's profile/offcputime blocks with -U/-K/-d. */
struct stack_style stack_tool_style(const struct stack_tool_opts *o);

/*
 * Between tool_open() and tool_run(): the BPF side's stack settings (kernel_stacks,
 * user_stacks; targets, ntargets, targets_tid from o->targets) and the stacks map's size
 * (--stack-storage-size). 0, or 1 after a one-line error (an output file that cannot be
 * written, said now rather than after the run).
 */
int stack_tool_fill(struct tool_run *r, struct bpf_map *stacks, const struct stack_tool_opts *o);

/* The frames of stack id in the stack map (leaf first, up to a zero): how many. 0 for id < 0. */
size_t stack_tool_read(int stacks_fd, int32_t id, uint64_t *ips);

/* A counts map's value as the profile's values (p->ntypes of them); NULL: the value itself. */
typedef void (*stack_values_fn)(void *ctx, uint64_t count, int64_t *values);

struct stack_tool_stats {
	size_t keys;	    /* entries read from the counts map */
	size_t missing;	    /* stacks shown by o that the stack map had no room for */
	bool storage_short; /* some of them for -EEXIST/-ENOMEM: --stack-storage-size helps */
};

/*
 * Every entry of counts_fd (struct stack_key -> __u64) into p, symbolized (user stacks by
 * process): the stacks o shows, and the values fn makes of each count (NULL: the count is
 * the one value). 0 or -ENOMEM.
 */
int stack_tool_collect(struct stack_profile *p, const struct stack_tool_opts *o, int counts_fd,
		       int stacks_fd, stack_values_fn fn, void *ctx,
		       struct stack_tool_stats *stats);

/*
 * Write p as o asks: --pprof and --svg files (fg for the flame graph), and on stdout JSON
 * lines (--json), folded lines (-f) or bcc's blocks. With --pprof or --svg, stdout gets only
 * what -f or --json asked for. 0, or 1 after a one-line error.
 */
int stack_tool_emit(const struct stack_tool_opts *o, const struct stack_profile *p,
		    const struct stack_style *st, const struct flamegraph_opts *fg);

/*
 * One run of a stack tool, from its fill() to its footer: the profile, filled at the end, and
 * how it is shown.
 */
struct stack_run {
	const struct stack_tool_opts *o;
	struct stack_profile prof;
	struct stack_style style; /* stack_tool_style(o), which the tool may adjust */
	struct flamegraph_opts fg;
	const char *what;		 /* the flame graph's subtitle, before ", N.N s" */
	const char *lost;		 /* bcc's warning: "stack traces WHAT." */
	struct bpf_map *counts, *stacks; /* struct stack_key -> __u64; the stack map */
	stack_values_fn values;
	void *ctx;
	struct timespec start;
	struct stack_tool_stats stats;
	int status;  /* the report's exit status */
	char *ready; /* stack_run_ready()'s line */
};

/*
 * In a tool's fill(): the profile with these value types (the first is what the text
 * shows), started now, and the style of sr->o. 0, or 1 after a one-line error.
 */
int stack_run_init(struct stack_run *sr, const struct stack_value_type *types, unsigned int n);
/*
 * In a tool's fill(), after stack_run_init(): the line that says tracing has begun
 * ("Sampling at 49 Hertz of all threads..."), as describe(ctx, f) writes it, becomes the
 * run's ready line: on stdout, or on stderr when -f or --json own stdout, so that a script
 * reading folded lines still learns when tracing began. 0, or 1 after a one-line error.
 */
int stack_run_ready(struct stack_run *sr, struct tool_run *r, void (*describe)(void *, FILE *),
		    void *ctx);
/*
 * The end of profile's and offcputime's header: " by user + kernel stack" (-U, -K), profile's
 * " on CPU#N" (cpu >= 0), then " for N secs." or "... Hit Ctrl-C to end.", and a newline.
 */
void stack_tool_describe_tail(FILE *f, const struct stack_tool_opts *o, long cpu,
			      unsigned long duration);
/* Once attached (a tool's header()): the profile's duration starts. */
void stack_run_started(struct stack_run *sr);
/*
 * The tool's footer: read the maps into the profile and write it out (stack_tool_emit()),
 * then bcc's warning about stacks the map had no room for. sr->status and sr->stats set.
 */
void stack_run_report(struct stack_run *sr);
/* tool_main() of a stack tool: its exit status, the report's included; frees the profile. */
int stack_run_main(struct tool_cli *cli, void *opts, struct tool_run *r, struct stack_run *sr,
		   int argc, char **argv);

#endif
