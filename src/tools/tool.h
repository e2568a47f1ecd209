/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one tool skeleton. A tool is a subcommand of the tracekit binary and, through a
 * symlink, a command of its own; its file holds only what is its own:
 *   - its options, as a table (struct tool_cli): the table yields --help (argparse's layout,
 *     with examples), the one-line usage errors (core/usage.h) and the man page;
 *   - its BPF half, opened, filled and loaded by the tool;
 *   - how it prints.
 * Attaching, the event loop (ring buffer, -i/-d/count timers, the -p process, stdout's
 * reader going away, signals), lost-event accounting and exit are tool_run()'s (tool_run.c).
 *
 * Each tool file registers itself with TOOL_REGISTER(); the entries land in the tk_tools
 * section, so adding a tool never touches a shared table.
 */
#ifndef TK_TOOL_H
#define TK_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <errno.h>

#include "core/btfmin.h"
#include "core/loop.h"
#include "core/usage.h"

/* ---- options ------------------------------------------------------------------------ */

enum tool_opt_kind {
	TOOL_OPT_FLAG,	  /* bool */
	TOOL_OPT_ULONG,	  /* unsigned long in [min, max] */
	TOOL_OPT_PID,	  /* uint32_t, a process id */
	TOOL_OPT_UID,	  /* uint32_t, a uid or a user name */
	TOOL_OPT_STR,	  /* const char *, the argument itself */
	TOOL_OPT_PORTS,	  /* struct tool_ports: comma-separated ports */
	TOOL_OPT_FAMILY,  /* int: AF_INET for -4, AF_INET6 for -6 */
	TOOL_OPT_CALL,	  /* parse() */
	TOOL_OPT_VERBOSE, /* bool, like TOOL_OPT_FLAG; tool_start() then shows libbpf's messages */
	/*
	 * One of bcc's options this tool refuses: accepted by the parser, left out of the help
	 * and the man page; giving it is the usage error "argument --cgroupmap: not supported",
	 * or "not supported (HELP)" when help is set. metavar says whether it takes a value.
	 */
	TOOL_OPT_UNSUPPORTED,
};

#define TOOL_MAX_PORTS 64
struct tool_ports {
	uint16_t port[TOOL_MAX_PORTS];
	size_t n;
};

#define TOOL_OPT_JSON 256 /* --json, which every tool has */

/* bcc's --cgroupmap and --mntnsmap (container filters by pinned map), refused: rows of a table */
#define TOOL_OPT_CGROUPMAP 257
#define TOOL_OPT_MNTNSMAP 258
#define TOOL_OPTS_CONTAINER_MAPS                                                                 \
	{TOOL_OPT_CGROUPMAP, "cgroupmap", "CGROUPMAP", NULL, TOOL_OPT_UNSUPPORTED},              \
	{TOOL_OPT_MNTNSMAP, "mntnsmap", "MNTNSMAP", NULL, TOOL_OPT_UNSUPPORTED}

/* -4 | -6 (TOOL_OPT_FAMILY into the int at off and BPF variable var), group grp: rows */
#define TOOL_OPTS_FAMILY(off, grp, var)                                                            \
	{'4', "ipv4",	    NULL,      "trace IPv4 family only", TOOL_OPT_FAMILY,                  \
	 off, .group = grp, .bpf = var},                                                           \
	{                                                                                          \
		'6', "ipv6", NULL, "trace IPv6 family only", TOOL_OPT_FAMILY, off, .group = grp,   \
										   .bpf = var      \
	}

/* -v for libbpf's messages (TOOL_OPT_VERBOSE into the bool at off): a row of a table */
#define TOOL_OPT_LIBBPF_VERBOSE(off)                                                               \
	{                                                                                          \
		'v', "verbose", NULL, "print libbpf's messages", TOOL_OPT_VERBOSE, off             \
	}

/*
 * bcc's common options, the same words in every tool that has them: rows of a table.
 * off: offsetof() the value; var: the BPF .rodata variable it fills (NULL: none).
 */
#define TOOL_OPT_PID_ONLY(off, var)                                                                \
	{                                                                                          \
		'p', "pid", "PID", "trace this PID only", TOOL_OPT_PID, off, .bpf = var            \
	}
#define TOOL_OPT_UID_ONLY(off, var)                                                                \
	{                                                                                          \
		'u', "uid", "UID", "trace this UID only", TOOL_OPT_UID, off, .bpf = var            \
	}
/* key: 't' or 'T', as the bcc tool has it */
#define TOOL_OPT_TIMESTAMP(key, off)                                                               \
	{                                                                                          \
		key, "timestamp", NULL, "include timestamp on output", TOOL_OPT_FLAG, off          \
	}

/*
 * TOOL_OPT_UID never yields this: a tool sets its uid field to it before tool_cli_parse() to
 * tell "-u not given" from uid 0.
 */
#define TOOL_UID_NONE UINT32_MAX

/* What a tool says once attached when stdout carries only JSON (on stderr). */
#define TOOL_JSON_READY "Tracing... Hit Ctrl-C to end."

/* What an option's value sets in struct tool_run (tool_open() copies it there). */
enum tool_run_setting {
	TOOL_SETS_NOTHING,
	TOOL_SETS_INTERVAL, /* interval_s */
	TOOL_SETS_COUNT,    /* count: of intervals */
	TOOL_SETS_DURATION, /* duration_s */
};

struct tool_opt {
	int key;	      /* the short option character, or >= 256 for a long-only option */
	const char *name;     /* the long option, without "--" (NULL: none) */
	const char *metavar;  /* the value's name in the help (NULL: takes no value) */
	const char *help;
	enum tool_opt_kind kind;
	size_t off;	      /* offsetof() the value in the tool's options struct */
	unsigned long min, max; /* TOOL_OPT_ULONG */
	int group;	      /* != 0: at most one option of the group ("[-4 | -6]") */
	/* TOOL_OPT_CALL: 0, or -EINVAL after a usage error about arg */
	int (*parse)(void *opts, const struct usage *u, int key, const char *arg);
	/*
	 * The BPF side's .rodata variable that this option's value fills (kinds FLAG, ULONG,
	 * PID, UID, FAMILY), which tool_open() sets: NULL for none, or when the tool fills it.
	 */
	const char *bpf;
	enum tool_run_setting sets; /* the run setting (-i, count, -d) this ULONG value is */
};

/* A struct tool_cli's options table: its rows, then the end ({0}) */
#define TOOL_OPTS(...) ((const struct tool_opt[]){__VA_ARGS__, {0}})

struct tool_cli {
	const char *name;
	const char *description; /* the help's paragraph */
	const struct tool_opt *opts; /* TOOL_OPTS(rows...) */
	const char *args;	 /* positional arguments in the synopsis: "[interval] [count]" */
	const char *args_help;	 /* their lines under "positional arguments:" */
	/*
	 * tool_start()'s optional positional arguments, in order: rows of TOOL_OPT_ULONG
	 * (name is the argument's name in errors, min/max its range) or TOOL_OPT_CALL; ends
	 * with {0}. NULL: none.
	 */
	const struct tool_opt *pos;
	/*
	 * A positional argument the tool requires, one or more of them (funccount's "pattern"):
	 * tool_start() says so when it is missing and leaves them at argv[first_arg..]. NULL:
	 * none.
	 */
	const char *required;
	int first_arg;
	const char *epilog;	 /* a paragraph after the options (argparse's epilog) */
	const char *examples;	 /* lines under "examples:" */
	struct usage usage;	 /* built by tool_cli_parse() from the above */
	void *parsed;		 /* the options struct tool_start() filled */
	/* built with usage: opts, then the options every tool has (--metrics ...); nown of
	 * them are the tool's own */
	const struct tool_opt *all;
	size_t nown;
};

/* The options every tool has, parsed by tool_cli_parse(): one tool runs per process. */
struct tool_metrics_opts {
	const char *addr;	  /* --metrics HOST:PORT, NULL: no endpoint */
	unsigned long max_series; /* --metrics-max-series */
};
const struct tool_metrics_opts *tool_metrics_opts(void);

/*
 * Parse the options of argv into opts (the tool's options struct) by the table; -h prints the
 * help. Returns the index of the first positional argument, or -1 after the help (exit 0)
 * or -2 after a usage error (exit 2), both already printed.
 */
int tool_cli_parse(struct tool_cli *cli, void *opts, int argc, char **argv);
/* The exit status for tool_cli_parse()'s negative return. */
static inline int tool_cli_exit(int ret)
{
	return ret == -1 ? 0 : 2;
}
/*
 * tool_cli_parse(), the positional arguments of cli->pos (more is a usage error), then the
 * output's line buffering and libbpf's log (tool_run() turns on its debug messages for -v):
 * true to go on, false with *status the exit status (after -h, or a usage error already
 * printed).
 */
bool tool_start(struct tool_cli *cli, void *opts, int argc, char **argv, int *status);
/* The help (--help) and the man page (section 8) of a tool. */
void tool_cli_help(struct tool_cli *cli, FILE *f);
void tool_cli_man(struct tool_cli *cli, FILE *f);
/* ---- running ------------------------------------------------------------------------ */

struct bpf_object;
struct bpf_object_open_opts;
struct attach_set;
struct metrics;
struct metrics_server;
struct metrics_self;

typedef int (*tool_event_fn)(void *ctx, void *data, size_t size);

/*
 * A tool's libbpf skeleton, for tool_run() to open, load and destroy. TOOL_SKEL_DEFINE(name)
 * after #include "name.skel.h" defines it as name_tool_skel.
 */
struct tool_skel {
	const void *(*elf_bytes)(size_t *sz);
	void *(*open)(const struct bpf_object_open_opts *opts);
	int (*load)(void *skel);
	void (*destroy)(void *skel);
	struct bpf_object *(*object)(void *skel);
};

#define TOOL_SKEL_DEFINE(name)                                                                     \
	static void *name##_tool_open(const struct bpf_object_open_opts *o)                        \
	{                                                                                          \
		return name##__open_opts(o);                                                       \
	}                                                                                          \
	static int name##_tool_load(void *s)                                                       \
	{                                                                                          \
		return name##__load(s);                                                            \
	}                                                                                          \
	static void name##_tool_destroy(void *s)                                                   \
	{                                                                                          \
		name##__destroy(s);                                                                \
	}                                                                                          \
	static struct bpf_object *name##_tool_object(void *s)                                      \
	{                                                                                          \
		return ((struct name *)s)->obj;                                                    \
	}                                                                                          \
	static const struct tool_skel name##_tool_skel = {                                         \
		.elf_bytes = name##__elf_bytes,                                                    \
		.open = name##_tool_open,                                                          \
		.load = name##_tool_load,                                                          \
		.destroy = name##_tool_destroy,                                                    \
		.object = name##_tool_object,                                                      \
	}

/* In a struct tool_run initializer: the records' handler and their type (its minimum size). */
#define TOOL_EVENTS(fn, type) .on_event = (fn), .event_size = sizeof(type)

/* In a struct tool_run initializer: a summary every -i, and one at the end (bcc's summaries). */
#define TOOL_SUMMARY(fn) .on_interval = (fn), .interval_at_end = true

struct tool_run {
	/* set by the tool */
	/*
	 * The tool's BPF half as a skeleton, which tool_open() opened and the tool filled:
	 * tool_run() drops programs on tracepoints this kernel lacks, loads it, calls
	 * loaded(), runs and destroys it. NULL: obj is already loaded.
	 */
	const struct tool_skel *skel;
	/*
	 * tool_main(), once the skeleton is open: what the options table does not say (derived
	 * .rodata, run settings such as ready, interval_s); 0, or an exit status after a
	 * one-line error
	 */
	int (*fill)(struct tool_run *r, void *skel);
	int (*loaded)(void *ctx, struct bpf_object *obj); /* maps from options: 0 or exit status */
	struct bpf_object *obj; /* loaded: every autoloaded program is attached */
	tool_event_fn on_event; /* records of the object's "events" ring buffer (NULL: none) */
	size_t event_size;	/* records shorter than this are dropped, not passed on */
	void *ctx;
	/* every interval_s seconds (0: never); non-zero return stops. count: stop after that
	 * many intervals (0: no limit) */
	loop_fd_cb on_interval;
	unsigned long interval_s, count;
	unsigned long duration_s;  /* stop after this long (0: at a signal) */
	int pid;		   /* > 0: stop when that process exits */
	void (*header)(void *ctx); /* once attached, without json (the column header) */
	/* once attached: stdout, or stderr with json (where NULL means TOOL_JSON_READY) */
	const char *ready;
	bool json;
	/* attaches instead of obj's autoloaded programs (a function plan's uprobes,
	 * tracepoints by name): 0, or a negative errno after a one-line error. obj may then be
	 * NULL, unless on_event needs its ring buffer. */
	int (*attach)(void *ctx, struct attach_set *as);
	/* at the end, on_interval once more unless the last interval ended the run (bcc's
	 * summary tools: a summary every -i and one at the end) */
	bool interval_at_end;
	void (*footer)(void *ctx); /* at the end, after the last events, before detaching */
	/*
	 * With --metrics, once attached: register the tool's metric families in m (a
	 * collector that reads its maps at each scrape, or families its on_event adds to,
	 * keeping m). 0, or a negative errno after a one-line error. NULL: self metrics only.
	 */
	int (*metrics)(void *ctx, struct metrics *m);
	/* set by tool_open() */
	void *opened;	    /* the skeleton */
	bool fill_failed;   /* a tool_set_rodata() failed */
	struct btf_min *bm; /* its minimal kernel BTF, until loaded */
	/* set by tool_run() */
	struct attach_set *as;
	struct metrics *m; /* with --metrics */
	struct metrics_server *srv;
	struct metrics_self *self;
	struct event_loop loop;
	bool ran;	      /* the loop ran: a final summary (printed after) has its data */
	enum loop_reason why; /* what stopped the loop */
	unsigned long ticks;  /* intervals so far */
	bool interval_ended;  /* the last interval (its on_interval) ended the run */
};

/*
 * Open r->skel with the minimal kernel BTF for CO-RE (core/btfmin.h) and set from cli's
 * parsed options what its table says (the .bpf variables, the .sets run settings, --json into
 * r->json), for the tool
 * to fill the rest of its .rodata before tool_run(), which loads, runs and destroys it. The
 * skeleton, or NULL with *status the exit status after a one-line error.
 */
void *tool_open(struct tool_run *r, const struct tool_cli *cli, int *status);

/*
 * Set the BPF side's .rodata variable NAME (SIZE bytes) between tool_open() and tool_run(),
 * for code that serves several tools' skeletons (a tool sets its own through its skeleton's
 * typed rodata). A missing or other-sized variable is a one-line error, and tool_run() then
 * returns 1 without loading.
 */
void tool_set_rodata(struct tool_run *r, const char *name, const void *val, size_t size);
/* tool_set_rodata() of a variable of the BPF side's type T. */
#define TOOL_SET_RODATA(r, name, T, v) tool_set_rodata((r), (name), &(T){(v)}, sizeof(T))

/*
 * Load what tool_open() opened (loaded() then fills its maps), attach everything of r->obj
 * (or what r->attach attaches), print the ready line and the header, run the loop until a
 * signal, -d, the count of intervals, the -p process's exit or stdout's reader going away,
 * drain the ring buffer, report lost events (the BPF side's lost_events counter in .bss,
 * where it has one), then the last summary (interval_at_end) and the footer. Detaches, and
 * destroys the skeleton, before it returns. 0, or a non-zero exit status after a one-line
 * error.
 */
int tool_run(struct tool_run *r);

/* Destroy what tool_open() opened, for a tool that stops before tool_run(). */
void tool_close(struct tool_run *r);

/*
 * A tool's whole run: tool_start() with cli into opts, tool_open(), r->fill, tool_run().
 * Its exit status.
 */
int tool_main(struct tool_cli *cli, void *opts, struct tool_run *r, int argc, char **argv);

/* A one-line error about a failed open or load of the tool's BPF half; returns 1. */
int tool_load_error(const char *what, int err);

/*
 * Open the skeleton NAME with a minimal kernel BTF for CO-RE (core/btfmin.h): the skeleton,
 * or NULL after a one-line error. *bm goes to TOOL_LOAD(). For the tools that load more
 * than tool_run()'s one skeleton.
 */
#define TOOL_OPEN(name, bm)                                                                     \
	({                                                                                       \
		struct name *s_ = BTF_MIN_SKEL_OPEN(name, bm);                                   \
		if (!s_) {                                                                       \
			tool_load_error("open", -errno);                                         \
			btf_min__free(*(bm));                                                    \
			*(bm) = NULL;                                                            \
		}                                                                                \
		s_;                                                                              \
	})
/* Load the skeleton opened by TOOL_OPEN() and free its minimal BTF: 0, or 1 after an error. */
#define TOOL_LOAD(name, skel, bm)                                                               \
	({                                                                                       \
		int e_ = name##__load(skel);                                                     \
		btf_min__free(*(bm));                                                            \
		*(bm) = NULL;                                                                    \
		e_ ? tool_load_error("load", e_) : 0;                                            \
	})

/* ---- registry ----------------------------------------------------------------------- */

struct tool {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
	struct tool_cli *cli; /* for the man page */
};

/* TOOL_REGISTER(name, main, summary, &cli) */
#define TOOL_REGISTER(tname, fn, sum, clip)                                                      \
	static const struct tool tool_entry_##tname                                              \
		__attribute__((used, section("tk_tools"), aligned(sizeof(void *)))) = {         \
			.name = #tname, .summary = sum, .main = fn, .cli = clip }

/* Find a registered tool by name; NULL when none. */
const struct tool *tool_find(const char *name);
/* Print "  name  summary" for every tool, sorted by name. */
void tool_list(void);

#endif
