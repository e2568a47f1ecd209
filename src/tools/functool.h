/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What funccount, funclatency and funcslower share: bcc's common options (rows of their
 * option tables), the plan of user functions with its attach and notes, and the ends of a run.
 */
#ifndef TK_FUNCTOOL_H
#define TK_FUNCTOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/funcplan.h"
#include "tools/tool.h"

struct attach_set;
struct bpf_program;

struct functool_opts {
	uint32_t pid;		/* -p, 0: every process */
	unsigned long interval; /* -i seconds, 0: none */
	unsigned long duration; /* -d seconds, 0: until Ctrl-C */
	bool timestamp;		/* -T */
	bool regex;		/* -r */
	bool debug;		/* -D */
	bool verbose;		/* -v */
	bool json;		/* --json */
};

/* What each function tool holds: the first member of its struct, the ctx of its callbacks. */
struct functool {
	struct functool_opts o;
	struct func_plan plan;
	struct tool_run run;
};
#define FUNCTOOL_FIRST(type)                                                                     \
	_Static_assert(offsetof(type, ft) == 0, "struct functool first: the callbacks' ctx")

/*
 * The common options as rows of a tool's option table. type is the tool's struct, whose
 * member ft is its struct functool.
 */
#define FUNCTOOL_MAX_SECONDS (86400UL * 365)
#define FUNCTOOL_OFF_(type, f) offsetof(type, ft.o.f)
#define FUNCTOOL_OPT_PID(type)                                                                   \
	{'p', NULL, "PID", "trace this PID only", TOOL_OPT_PID, FUNCTOOL_OFF_(type, pid)}
#define FUNCTOOL_OPT_INTERVAL(type)                                                              \
	{'i', NULL, "INTERVAL", "summary interval, seconds", TOOL_OPT_ULONG,                     \
	 FUNCTOOL_OFF_(type, interval), 1, FUNCTOOL_MAX_SECONDS}
#define FUNCTOOL_OPT_DURATION(type)                                                              \
	{'d', NULL, "DURATION", "total duration of trace, seconds", TOOL_OPT_ULONG,              \
	 FUNCTOOL_OFF_(type, duration), 1, FUNCTOOL_MAX_SECONDS}
#define FUNCTOOL_OPT_TIMESTAMP(type, help)                                                       \
	{'T', NULL, NULL, help, TOOL_OPT_FLAG, FUNCTOOL_OFF_(type, timestamp)}
/* The summary tools' (funccount, funclatency) first rows: -p -i -d -T */
#define FUNCTOOL_OPTS_SUMMARY(type)                                                                \
	FUNCTOOL_OPT_PID(type), FUNCTOOL_OPT_INTERVAL(type), FUNCTOOL_OPT_DURATION(type),          \
		FUNCTOOL_OPT_TIMESTAMP(type, "include timestamp on output")
#define FUNCTOOL_OPT_REGEX(type)                                                                 \
	{'r', NULL, NULL, "use regular expressions; default: '*' and '?' wildcards",              \
	 TOOL_OPT_FLAG, FUNCTOOL_OFF_(type, regex)}
#define FUNCTOOL_OPT_DEBUG(type)                                                                 \
	{'D', NULL, NULL, "print the probe sites (debug)", TOOL_OPT_FLAG,                        \
	 FUNCTOOL_OFF_(type, debug)}
#define FUNCTOOL_OPT_VERBOSE(type)                                                                 \
	{                                                                                          \
		'v', NULL, NULL, "verbose libbpf and verifier output", TOOL_OPT_VERBOSE,           \
			FUNCTOOL_OFF_(type, verbose)                                               \
	}
#define FUNCTOOL_OPT_JSON(type, help)                                                            \
	{TOOL_OPT_JSON, "json", NULL, help, TOOL_OPT_FLAG, FUNCTOOL_OFF_(type, json)}

/*
 * -p: the process must exist; then the plan of the timed tools (funclatency, funcslower),
 * whose every pattern names user functions (PATH:FUNC, LIB:FUNC); -D prints the probe sites.
 * 0, or an error after a one-line error.
 */
int functool_check_pid(const struct functool_opts *o);
int functool_plan_user(struct functool *ft, char **pats, int n);
/*
 * Attach with one-line errors: entry probes (funccount), or return then entry probes (the
 * timed tools); then the notes on the plan.
 */
int functool_attach_entries(struct func_plan *p, struct attach_set *as, int prog_fd, int pid);
int functool_attach_timed(struct functool *ft, struct attach_set *as, struct bpf_program *entry,
			  struct bpf_program *ret);
/* One-line notes on choices made: single uprobes, refused sites, RET-less Go functions. */
void functool_note_plan(const struct func_plan *p);
/* -D: every probe site. */
void functool_print_plan(const struct func_plan *p);

/* ft->run's -i, -d, -p (its exit ends the trace, with a note: the footer) and ctx (ft). */
void functool_run_opts(struct functool *ft);
/*
 * Run a summary tool (funccount, funclatency): attach, the ready line 'Tracing N functions
 * for "PATTERN"... Hit Ctrl-C to end.' (on stdout, with --json too), summary() every -i and
 * at the end, the footer and bcc's "Detaching...". Returns the exit status.
 */
int functool_run_summary(struct functool *ft, size_t n, const char *pattern,
			 int (*attach)(void *ft, struct attach_set *as), loop_fd_cb summary);

#endif
