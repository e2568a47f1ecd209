/* SPDX-License-Identifier: GPL-2.0 */
/* One-line user-facing errors and libbpf's log routing. */
#ifndef TK_LOG_H
#define TK_LOG_H

#include <stdbool.h>

/* "PROG: message\n" on stderr; PROG is the tool's name (program_invocation_short_name). */
void tk_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, prefixed "note: "; for one-line notes about choices made (fallbacks). */
void tk_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Route libbpf's messages: all of them with verbose, none otherwise (we report errors). */
void tk_libbpf_setup(bool verbose);
bool tk_verbose(void);
/* Make stdout line-buffered even into a pipe, so `tool | grep` shows lines as they come. */
void tk_stdout_linebuf(void);

#endif
