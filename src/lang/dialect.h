/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which bpftrace the language follows where 0.17 and 0.26 differ (output formats, messages,
 * semantics): 0.26 by default; TRACEKIT_COMPAT=0.17 or --compat 0.17 for scripts and parsers
 * written against Debian's bpftrace (../shared/reference/bpftrace-0.26.md, section 3).
 */
#ifndef TK_LANG_DIALECT_H
#define TK_LANG_DIALECT_H

enum lang_dialect {
	LANG_0_26 = 0,
	LANG_0_17,
};

/* TRACEKIT_COMPAT's or --compat's text: 0, or -EINVAL for an unknown version. */
int lang_dialect_parse(const char *text, enum lang_dialect *d);

#endif
