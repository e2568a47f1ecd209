// SPDX-License-Identifier: GPL-2.0
/*
 * A program given as text, run for a tool (lang/embed.h): the steps of `tracekit -e`
 * (lang/main.c) without its command line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compile.h"
#include "lang/embed.h"
#include "lang/parser.h"
#include "lang/probes.h"
#include "lang/run.h"

/* The first "ERROR: message" of the diagnostics, as "NAME: message". */
static void first_error(const char *name, const char *text)
{
	const char *p = text ? strstr(text, "ERROR: ") : NULL;
	size_t n;

	if (!p) {
		fprintf(stderr, "%s: the generated program did not compile\n", name);
		return;
	}
	p += strlen("ERROR: ");
	n = strcspn(p, "\n");
	fprintf(stderr, "%s: %.*s\n", name, (int)n, p);
}

int lang_embed_run(const struct lang_embed *e)
{
	struct lang_opts opts = {.dialect = LANG_0_26, .pid = e->pid, .verbose = e->verbose};
	struct lang_run_opts ro = {.quiet = true,
				   .out = e->out,
				   .watch_pid = e->pid,
				   .on_attached = e->on_attached,
				   .ctx = e->ctx};
	struct compiler c = {0};
	struct diag diag = {0};
	char *msgs = NULL;
	size_t msgs_len = 0;
	FILE *mf;
	int ret = 1;

	if (e->verbose)
		fprintf(stderr, "%s\n", e->src);
	/* warnings about generated code mean nothing to the user: only an error is said */
	mf = open_memstream(&msgs, &msgs_len);
	if (!mf) {
		fprintf(stderr, "%s: %s\n", e->name, strerror(errno));
		return 1;
	}
	diag_init(&diag, e->name, e->src);
	diag.out = mf;
	diag.no_warnings = true;
	c.diag = &diag;
	c.opts = &opts;
	c.prog = lang_parse(e->src, &diag);
	if (!c.prog || probes_expand(&c) || diag.nerrors || sema_run(&c) || diag.nerrors) {
		fflush(mf);
		first_error(e->name, msgs);
		goto out;
	}
	fclose(mf);
	mf = NULL;
	ret = lang_run(&c, &ro);
out:
	if (mf)
		fclose(mf);
	free(msgs);
	compiler_free(&c);
	return ret;
}
