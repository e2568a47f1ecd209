/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TK_LANG_RUN_H
#define TK_LANG_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "lang/compile.h"

struct lang_run_opts {
	bool json;
	bool quiet;   /* -q: no attach notice */
	bool dry_run; /* --dry-run: stop once attached (begin ran, its output discarded) */
	bool no_warnings; /* --no-warnings: no runtime warnings */
	FILE *out;    /* -o FILE: the script's output (NULL: stdout) */
	bool block_buffered; /* -B full: the output is flushed when its buffer fills, and at exit */
	int watch_pid;			/* stop when it exits (-c child) */
	void (*on_attached)(void *ctx); /* e.g. release the -c child */
	const char *metrics_addr;	/* --metrics HOST:PORT (NULL: none) */
	size_t metrics_max_series;	/* --metrics-max-series (0: the default) */
	void *ctx;
};

/* Load, attach and run a compiled program; returns the process exit code. */
int lang_run(struct compiler *c, const struct lang_run_opts *ro);

#endif
