// SPDX-License-Identifier: GPL-2.0
/*
 * A program given as text, run for a tool (lang/embed.h): the steps of `tracekit -e`
 * (lang/main.c) without its command line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
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

/* The program's output, cut into lines for on_line() (a fopencookie stream). */
struct lines {
	const struct lang_embed *e;
	struct strbuf line;
};

static ssize_t lines_write(void *ctx, const char *buf, size_t size)
{
	struct lines *l = ctx;
	size_t start = 0;

	for (size_t i = 0; i < size; i++) {
		if (buf[i] != '\n')
			continue;
		strbuf_put(&l->line, buf + start, i - start);
		strbuf_put(&l->line, "", 1);
		if (!l->line.oom)
			l->e->on_line(l->e->ctx, l->line.p);
		l->line.len = 0;
		start = i + 1;
	}
	strbuf_put(&l->line, buf + start, size - start);
	return (ssize_t)size;
}

static int lines_close(void *ctx)
{
	struct lines *l = ctx;

	if (l->line.len) {
		strbuf_put(&l->line, "", 1);
		if (!l->line.oom)
			l->e->on_line(l->e->ctx, l->line.p);
	}
	free(l->line.p);
	return 0;
}

int lang_embed_run(const struct lang_embed *e)
{
	struct lines lines = {.e = e};
	struct lang_opts opts = {.dialect = LANG_0_26, .pid = e->pid, .verbose = e->verbose};
	struct lang_run_opts ro = {.quiet = true,
				   .watch_pid = e->pid,
				   .on_attached = e->on_attached,
				   .ctx = e->ctx,
				   .metrics_addr = e->metrics_addr,
				   .metrics_max_series = e->metrics_max_series};
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
	if (e->on_line) {
		ro.out = fopencookie(
			&lines, "w",
			(cookie_io_functions_t){.write = lines_write, .close = lines_close});
		if (!ro.out) {
			fprintf(stderr, "%s: %s\n", e->name, strerror(errno));
			goto out;
		}
		setvbuf(ro.out, NULL, _IOLBF, 0);
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
	if (ro.out)
		fclose(ro.out);
	if (mf)
		fclose(mf);
	free(msgs);
	compiler_free(&c);
	return ret;
}
