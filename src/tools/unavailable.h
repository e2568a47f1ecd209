/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bcc's tools that tracekit does not have, each with why, probed on this kernel: most need
 * kprobes, which some kernels (this kind of machine's) compile out. `tracekit help` lists
 * them after the tools; `tracekit NAME` says the one line and fails.
 */
#ifndef TK_UNAVAILABLE_H
#define TK_UNAVAILABLE_H

#include <stdbool.h>
#include <stdio.h>

/* Is name one of them (and not a tool tracekit has)? */
bool unavailable_find(const char *name);
/* The lines of `tracekit help`, under a heading, to f. */
void unavailable_list(FILE *f);
/* `tracekit NAME`: the tool's line on stderr; the exit status (1). */
int unavailable_run(const char *name);

#endif
