// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint argument records from tracefs' events/CAT/NAME/format files: the fields that
 * `args->field` / `args.field` read, with their offsets, sizes and C types.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "core/attach.h"
#include "lang/probes.h"

void tp_format_free(struct tp_format *f)
{
	for (int i = 0; i < f->nfields; i++) {
		free(f->fields[i].name);
		free(f->fields[i].ctype);
	}
	free(f->fields);
	f->fields = NULL;
	f->nfields = 0;
}

const struct tp_field *tp_field_find(const struct tp_format *f, const char *name)
{
	for (int i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}

/* "	field:const char * filename;	offset:24;	size:8;	signed:0;" */
static int parse_field(char *line, struct tp_field *fl)
{
	char *decl = strstr(line, "field:"), *semi, *name, *br;
	char *off = strstr(line, "offset:"), *sz = strstr(line, "size:"),
	     *sg = strstr(line, "signed:");

	if (!decl || !off || !sz)
		return -1;
	decl += 6;
	semi = strchr(decl, ';');
	if (!semi)
		return -1;
	*semi = 0;
	memset(fl, 0, sizeof(*fl));
	fl->offset = atoi(off + 7);
	fl->size = atoi(sz + 5);
	fl->is_signed = sg && atoi(sg + 7);
	/* the name is the last identifier; "char comm[16]" has [N] after it */
	{
		size_t n = strlen(decl);

		while (n && decl[n - 1] == ' ')
			decl[--n] = 0;
		br = n && decl[n - 1] == ']' ? strrchr(decl, '[') : NULL;
		if (br) {
			fl->array_len = atoi(br + 1);
			*br = 0;
		}
	}
	name = decl + strlen(decl);
	while (name > decl && name[-1] != ' ' && name[-1] != '*')
		name--;
	fl->name = strdup(name);
	*name = 0;
	{
		size_t n = strlen(decl);

		while (n && decl[n - 1] == ' ')
			decl[--n] = 0;
	}
	fl->data_loc = strstr(decl, "__data_loc") != NULL;
	fl->is_ptr = strchr(decl, '*') != NULL;
	fl->is_str = br && strstr(decl, "char") && !fl->is_ptr;
	if (fl->data_loc) {
		/* "__data_loc char[]": the [] belongs to the type */
		char *b2 = strstr(decl, "[]");

		if (b2)
			*b2 = 0;
	}
	if (fl->data_loc)
		fl->is_str = strstr(decl, "char") != NULL;
	if (asprintf(&fl->ctype, "%s%s", decl, br || fl->data_loc ? "[]" : "") < 0)
		fl->ctype = NULL;
	return fl->name && fl->ctype ? 0 : -1;
}

int tp_format_load(struct compiler *c, struct attach_point *ap)
{
	char why[256], path[512], line[1024];
	const char *tfs = tracefs_dir(why, sizeof(why));
	struct tp_format *f = &ap->tp.fmt;
	FILE *fp;
	size_t cap = 0;

	if (!tfs) {
		diag_error(c->diag, ap->loc, "%s", why);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tfs, ap->tp.cat, ap->tp.name);
	fp = fopen(path, "r");
	if (!fp) {
		diag_error(c->diag, ap->loc, "tracepoint not found: %s:%s", ap->tp.cat,
			   ap->tp.name);
		return -ENOENT;
	}
	while (fgets(line, sizeof(line), fp)) {
		struct tp_field fl;

		if (!strstr(line, "field:") || parse_field(line, &fl))
			continue;
		if (!strncmp(fl.name, "common_", 7)) {
			free(fl.name);
			free(fl.ctype);
			continue;
		}
		if (VEC_RESERVE(f->fields, cap, f->nfields, 1)) {
			fclose(fp);
			return -ENOMEM;
		}
		f->fields[f->nfields++] = fl;
	}
	fclose(fp);
	return 0;
}
