/* SPDX-License-Identifier: GPL-2.0 */
/* What funccount, funclatency and funcslower share: bcc's common options and their plumbing. */
#ifndef TK_FUNCTOOL_H
#define TK_FUNCTOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"

struct func_plan;
struct attach_set;

struct functool_opts {
	int pid;
	unsigned int interval; /* -i seconds, 0: none */
	unsigned int duration; /* -d seconds, 0: until Ctrl-C */
	bool timestamp;	       /* -T */
	bool regex;	       /* -r */
	bool debug;	       /* -D */
	bool verbose;	       /* -v */
	bool json;	       /* --json */
	/* timer plumbing */
	loop_fd_cb print;
	void *print_ctx;
	unsigned int ticks;
	bool final_printed;
};

struct usage;
/*
 * Handle one of -p -i -d -T -r -D -v --json('J'): 0, -EINVAL after a usage error (see
 * core/usage.h) about its value, or -ENOENT if c is none of them.
 */
int functool_common_opt(struct functool_opts *o, const struct usage *u, int c, const char *arg);
/* -p: the process must exist; its exit ends the trace. */
int functool_check_pid(struct functool_opts *o, struct event_loop *loop);
/* -i/-d timers; print is called every interval, and -d ends after the last one. */
int functool_setup_timers(struct functool_opts *o, struct event_loop *loop, loop_fd_cb print,
			  void *ctx);
/* Attach with one-line errors. */
int functool_attach_entries(struct func_plan *p, struct attach_set *as, int prog_fd, int pid);
int functool_attach_returns(struct func_plan *p, struct attach_set *as, int prog_fd, int pid);
/* One-line notes on choices made: single uprobes, refused sites, RET-less Go functions. */
void functool_note_plan(const struct func_plan *p);
/* -D: every probe site. */
void functool_print_plan(const struct func_plan *p);

#endif
