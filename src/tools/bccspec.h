/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bcc's probe specifiers, as trace and argdist read them, turned into the language's text
 * (lang/embed.h runs it): `{p,r}:LIB:FUNC[+OFF][(SIGNATURE)]`, `t:CAT:EVENT`,
 * `u:LIB:[PROVIDER:]PROBE`, and bcc's C expressions over arg1..arg6, retval, $pid, $tgid,
 * $uid, $gid, $cpu, $task, args->FIELD, STRCMP("lit", e) and the signature's parameter names.
 * Where LIB:FUNC names Go code, argN are Go's register arguments and the language's return
 * probe is the RET-based one it uses for Go.
 */
#ifndef TK_BCCSPEC_H
#define TK_BCCSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/strbuf.h"

#define BCC_MAX_PARAMS 6

struct bcc_param {
	char *name;
	char *cast;  /* the language's cast for its C type ("int32"), or NULL: the register */
	bool is_str; /* char *: %s reads it as a string */
};

struct bcc_probe {
	char type;	      /* 'p', 'r', 't' or 'u' */
	char *library;	      /* p/r/u: the library or path ("" for a kernel function) */
	char *function;	      /* p/r: the function; t: the event; u: [provider:]probe */
	char *category;	      /* t: the category */
	unsigned long offset; /* p: +OFF */
	bool is_go;	      /* library:function is Go code */
	struct bcc_param params[BCC_MAX_PARAMS];
	int nparams;
	bool has_sig;
};

/*
 * Split "SPEC[(SIGNATURE)]" (no predicate or action) as bcc does, and find out whether it
 * names Go code (pid > 0: the binary as that process sees it). 0, or -EINVAL with err set
 * (p then holds nothing).
 */
int bcc_probe_parse(const char *spec, const char *sig, int pid, struct bcc_probe *p, char *err,
		    size_t errlen);
void bcc_probe_free(struct bcc_probe *p);

/* The language's attach point for p ("uprobe:LIB:\"FUNC\"", "tracepoint:CAT:EVENT", ...). */
void bcc_probe_attach(const struct bcc_probe *p, struct strbuf *out);
/* The function column of trace (bcc's _display_function) */
const char *bcc_probe_display(const struct bcc_probe *p);

/* Extra names an expression may use (argdist's $retval, $latency, $entry(p)). */
struct bcc_expr_ext {
	/* the replacement of $NAME (without '$'), or NULL when not known here */
	const char *(*dollar)(void *ctx, const char *name, const char *arg);
	void *ctx;
};

/* Translate bcc's C expression e into the language's: 0, or -EINVAL with err set. */
int bcc_expr(const struct bcc_probe *p, const char *e, const struct bcc_expr_ext *ext,
	     struct strbuf *out, char *err, size_t errlen);

/* The language's integer type for a C type ("int" -> "int32"), NULL for another type. */
const char *bcc_ctype_cast(const char *type);

/* The language's string literal for s (quoted, escaped). */
void bcc_quote(struct strbuf *out, const char *s);

/*
 * Split "a, b, (c, d)" at top-level commas (outside quotes and parentheses): a malloc'd
 * vector of trimmed malloc'd parts in *v, their number in *n. 0, or -ENOMEM.
 */
int bcc_split_commas(const char *s, char ***v, size_t *n);

#endif
