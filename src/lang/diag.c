// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/diag.h"

void diag_init(struct diag *d, const char *file, const char *src)
{
	d->file = file;
	d->src = src;
	d->files = NULL;
	d->nfiles = 0;
	d->nerrors = 0;
	d->out = stderr;
	d->no_warnings = false;
	d->held = NULL;
	d->held_len = 0;
	d->real_out = NULL;
}

const char *diag_where(const struct diag *d, struct loc *loc, const char **src)
{
	for (int i = d->nfiles - 1; i >= 0; i--)
		if (loc->line > d->files[i].line_base) {
			loc->line -= d->files[i].line_base;
			*src = d->files[i].src;
			return d->files[i].file;
		}
	*src = d->src;
	return d->file ? d->file : "stdin";
}

/* Print source line `line` and an underline from col to end (1-based, end exclusive). */
static void show_source(FILE *out, const char *src, struct loc loc)
{
	const char *p = src;
	int line = 1, len, end = loc.end;

	if (!p || loc.line <= 0)
		return;
	while (*p && line < loc.line) {
		if (*p++ == '\n')
			line++;
	}
	len = (int)strcspn(p, "\n");
	fprintf(out, "%.*s\n", len, p);
	if (end <= loc.col)
		end = loc.col + 1;
	for (int i = 1; i < loc.col; i++)
		fputc(p[i - 1] == '\t' && i - 1 < len ? '\t' : ' ', out);
	for (int i = loc.col; i < end; i++)
		fputc('~', out);
	fputc('\n', out);
}

char *diag_excerpt(const struct diag *d, struct loc loc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *src;

	if (!f)
		return NULL;
	diag_where(d, &loc, &src);
	show_source(f, src, loc);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static void diag_vreport(struct diag *d, struct loc loc, const char *kind, const char *fmt,
			 va_list ap)
{
	int end = loc.end > loc.col ? loc.end : loc.col + 1;
	const char *src, *file = diag_where(d, &loc, &src);

	fprintf(d->out, "%s:%d:%d-%d: %s: ", file, loc.line, loc.col, end, kind);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
	show_source(d->out, src, loc);
}

void diag_error(struct diag *d, struct loc loc, const char *fmt, ...)
{
	va_list ap;

	d->nerrors++;
	va_start(ap, fmt);
	diag_vreport(d, loc, "ERROR", fmt, ap);
	va_end(ap);
}

void diag_warn(struct diag *d, struct loc loc, const char *fmt, ...)
{
	va_list ap;

	if (d->no_warnings)
		return;
	va_start(ap, fmt);
	diag_vreport(d, loc, "WARNING", fmt, ap);
	va_end(ap);
}

int diag_hold(struct diag *d)
{
	FILE *f = open_memstream(&d->held, &d->held_len);

	if (!f)
		return -1;
	d->real_out = d->out;
	d->out = f;
	return 0;
}

void diag_release(struct diag *d)
{
	if (!d->real_out)
		return;
	fclose(d->out);
	d->out = d->real_out;
	d->real_out = NULL;
	fwrite(d->held, 1, d->held_len, d->nerrors ? d->out : stdout);
	fflush(d->nerrors ? d->out : stdout);
	free(d->held);
	d->held = NULL;
	d->held_len = 0;
}

void diag_hint(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d->no_warnings)
		return;
	fputs("HINT: ", d->out);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}

void diag_plain(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	d->nerrors++;
	fputs("ERROR: ", d->out);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}
