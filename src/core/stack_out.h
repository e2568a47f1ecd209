/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stack profile (core/stack.h) as text: bcc's multi-line blocks (profile, offcputime,
 * stackcount), bcc's folded lines (one line per stack, for flame graph scripts) and JSON (one
 * object per sample). Samples come out as bcc prints them: ascending by their first value.
 * Strings from traced processes (comm, function names) are escaped before they are written.
 */
#ifndef TK_STACK_OUT_H
#define TK_STACK_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/stack.h"

/* The line after a block's frames that says who ran it. */
enum stack_who_line {
	STACK_WHO_NONE,
	STACK_WHO_DASH,	   /* "    -                comm (pid)": profile, offcputime */
	STACK_WHO_BRACKET, /* "    comm [pid]": stackcount */
	/*
	 * wakeuptime: "    target:          comm" before the frames, "    waker:           extra"
	 * after; folded lines are "extra;frames;comm"
	 */
	STACK_WHO_WAKER,
};

struct stack_style {
	bool kernel, user;  /* which stacks to show (-K: kernel only, -U: user only) */
	bool delimit;	    /* -d: "--" between kernel and user frames (both shown and present) */
	bool annotate;	    /* profile -a: "_[k]" after kernel frames */
	bool missing;	    /* "[Missed Kernel Stack]" / "[Missed User Stack]" placeholders */
	bool addrs;	    /* stackcount -v: each block frame's address ("%-16lx ") first */
	const char *indent; /* before each frame: "    " (profile) or "  " (stackcount) */
	const char *value_indent; /* before the value: "        " (profile) or "    " */
	enum stack_who_line who;
	bool who_tid;		/* the who line's number is the thread's (offcputime), not pid */
	bool folded_comm;	/* folded lines start with comm */
	/* the first value is shown divided by this (offcputime: nanoseconds as bcc's
	 * microseconds); 0 or 1: as it is */
	int64_t value_div;
};

/* profile's and offcputime's style: every stack, bcc's 4-space blocks, comm first in folded */
#define STACK_STYLE_BCC                                                                            \
	(struct stack_style)                                                                       \
	{                                                                                          \
		.kernel = true, .user = true, .missing = true, .indent = "    ",                   \
		.value_indent = "        ", .who = STACK_WHO_DASH, .folded_comm = true             \
	}

/*
 * The sample indexes of p in bcc's order: ascending by the first value, ties in the order
 * they were added. NULL (nothing to print, or no memory: then -ENOMEM in *err).
 */
size_t *stack_out_order(const struct stack_profile *p, int *err);

/*
 * A frame's name as the outputs show it: the line's function, escaped, with "_[k]" for a
 * kernel frame when st->annotate. buf of len bytes; returns buf.
 */
char *stack_out_func(const struct stack_profile *p, const struct stack_style *st,
		     const struct stack_loc *loc, const struct stack_line *line, char *buf,
		     size_t len);

/* One sample's frames as bcc's block lines: kernel leaf first, "--", user leaf first. */
void stack_out_block_frames(FILE *f, const struct stack_profile *p, const struct stack_style *st,
			    const struct stack_sample *s);
/*
 * One sample's frames as a folded line's middle (no comm, no value): user outermost first,
 * "-" with delimit, kernel outermost first; inlined lines expanded, the holder first. lead
 * goes before the first frame (";" after a comm, "" without), ";" before the others.
 */
void stack_out_folded_frames(FILE *f, const struct stack_profile *p, const struct stack_style *st,
			     const struct stack_sample *s, const char *lead);

/* Every sample as bcc's blocks: frames, the who line, the value, a blank line. 0 or -errno. */
int stack_out_text(FILE *f, const struct stack_profile *p, const struct stack_style *st);
/* Every sample as a folded line: "comm;frame;...;frame VALUE". 0 or -errno. */
int stack_out_folded(FILE *f, const struct stack_profile *p, const struct stack_style *st);
/*
 * Every sample as one JSON object on a line: comm, pid, tid, value (the first, as the text
 * shows it), values (by type, in their units), kstack/ustack as arrays of {func, file, line,
 * inlined, module, addr}, leaf first. 0 or -errno.
 */
int stack_out_json(FILE *f, const struct stack_profile *p, const struct stack_style *st);

/* How many samples lost a stack shown by st (bcc's "N stack traces could not be displayed") */
size_t stack_out_missing(const struct stack_profile *p, const struct stack_style *st);

#endif
