/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The language run from inside a tool: a program made as text (bcc's trace and argdist turn
 * their probe specifiers into one), compiled, loaded, attached and run like `tracekit -e`,
 * its output handed to the tool a line at a time instead of going to stdout.
 */
#ifndef TK_LANG_EMBED_H
#define TK_LANG_EMBED_H

#include <stdbool.h>
#include <stdio.h>

struct lang_embed {
	const char *name; /* the tool: the prefix of its one-line errors */
	const char *src;  /* the program */
	int pid;	  /* > 0: uprobes in this process only (-p); the run ends when it exits */
	bool verbose;	  /* the program on stderr, and the verifier's log on a rejection */
	/* each line of the program's output, without its newline (NULL: stdout) */
	void (*on_line)(void *ctx, char *line);
	void (*on_attached)(void *ctx); /* once every probe is attached */
	const char *metrics_addr;	/* --metrics HOST:PORT: the maps served (NULL: none) */
	size_t metrics_max_series;	/* --metrics-max-series (0: the default) */
	void *ctx;
};

/*
 * Compile and run e->src until a signal, exit() or the -p process's end. A compile error is
 * one line on stderr ("NAME: message"), not the program's excerpt, which the user never
 * wrote. Returns the exit status.
 */
int lang_embed_run(const struct lang_embed *e);

#endif
