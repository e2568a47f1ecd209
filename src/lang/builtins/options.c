// SPDX-License-Identifier: GPL-2.0
/*
 * A program's own command line (bpftrace 0.24): getopt(name[, default[, description]])
 * declares an option that the user gives after `--` as --name[=value]. Options are known
 * before the program is made, so a getopt() call becomes the literal it evaluates to, and the
 * options given are checked against those declared once analysis is over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compile.h"

enum getopt_kind { GO_BOOL, GO_UINT, GO_INT, GO_STR };

struct getopt_decl {
	const char *name; /* without the leading `--` */
	enum getopt_kind kind;
	const char *def;  /* the default as text: for --help and the "same everywhere" rule */
	const char *desc; /* "" when none */
};

static const char *const kind_word[] = {"bool", "uint64", "int64", "string"};

/* Declarations live as long as the compiler: their strings go with its arena. */
static const char *arena_strdup(struct compiler *c, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(c_alloc(c, n), s, n);
}

/* The value given for --name (NULL: not given; "" for a bare --name). Last one wins. */
static const char *given_value(const struct lang_opts *o, const char *name)
{
	const char *v = NULL;
	size_t n = strlen(name);

	for (int i = 0; i < o->nnamed; i++) {
		const char *a = o->named[i] + 2;

		if (strncmp(a, name, n))
			continue;
		if (!a[n])
			v = "";
		else if (a[n] == '=')
			v = a + n + 1;
	}
	return v;
}

static struct getopt_decl *decl_find(struct compiler *c, const char *name, size_t len)
{
	for (int i = 0; i < c->ngetopts; i++)
		if (strlen(c->getopts[i].name) == len && !strncmp(c->getopts[i].name, name, len))
			return &c->getopts[i];
	return NULL;
}

/* The default's kind and text; -EINVAL if it is not a literal getopt() takes. */
static int default_of(struct compiler *c, struct node *def, enum getopt_kind *kind, char *buf,
		      size_t len)
{
	int64_t v;

	if (!def) {
		*kind = GO_BOOL;
		snprintf(buf, len, "false");
	} else if (def->kind == N_IDENT && (!strcmp(def->name, "true") ||
					    !strcmp(def->name, "false"))) {
		*kind = GO_BOOL;
		snprintf(buf, len, "%s", def->name);
	} else if (def->kind == N_STR) {
		*kind = GO_STR;
		snprintf(buf, len, "%s", def->name);
	} else if (sema_const_int(c, def, &v)) {
		*kind = v < 0 ? GO_INT : GO_UINT;
		snprintf(buf, len, "%lld", (long long)v);
	} else {
		return sema_err(c, def->loc,
				"getopt() expects a literal default value (bool, integer or string)");
	}
	return 0;
}

static int declare(struct compiler *c, struct node *n, const char *name, enum getopt_kind kind,
		   const char *def, const char *desc)
{
	struct getopt_decl *d = decl_find(c, name, strlen(name));

	if (d) {
		if (d->kind != kind || strcmp(d->def, def) || strcmp(d->desc, desc))
			return sema_err(c, n->loc,
					"getopt(): every use of --%s must give the same default and "
					"description",
					name);
		return 0;
	}
	c->getopts = realloc(c->getopts, (c->ngetopts + 1) * sizeof(*c->getopts));
	if (!c->getopts)
		abort();
	d = &c->getopts[c->ngetopts++];
	d->name = name;
	d->kind = kind;
	d->def = def;
	d->desc = desc;
	return 0;
}

/* The option's value as the literal node it stands for; -EINVAL after the CLI's error. */
static int become_literal(struct compiler *c, struct node *n, const char *name,
			  enum getopt_kind kind, const char *def, const char *val)
{
	const char *text = val ? val : def;
	int64_t num = 0;
	char *end;

	if (kind == GO_BOOL) {
		if (val && (!*val || !strcmp(val, "1")))
			text = "true";
		else if (val && !strcmp(val, "0"))
			text = "false";
		if (strcmp(text, "true") && strcmp(text, "false"))
			goto bad;
	} else if (kind != GO_STR) {
		errno = 0;
		num = kind == GO_UINT ? (int64_t)strtoull(text, &end, 0) : strtoll(text, &end, 0);
		if (!*text || *end || errno || (kind == GO_UINT && *text == '-'))
			goto bad;
	}
	node_free(n->args);
	n->args = NULL;
	n->num = num;
	n->kind = kind == GO_BOOL ? N_IDENT : kind == GO_STR ? N_STR : N_NUM;
	if (n->kind != N_NUM) {
		free(n->name);
		n->name = strdup(text);
		if (!n->name)
			abort();
		if (kind == GO_STR)
			n->num = (int64_t)strlen(text);
	}
	return sema_expr(c, n);
bad:
	if (!c->quiet)
		fprintf(stderr, "ERROR: program command line option --%s expects %s (value: %s)\n",
			name, kind == GO_BOOL ? "a boolean" : "an integer", val);
	c->diag->nerrors++;
	return -EINVAL;
}

static int ck_getopt(struct compiler *c, struct node *n)
{
	struct node *name = n->args, *def = name ? name->next : NULL;
	struct node *desc = def ? def->next : NULL;
	int nargs = (int)node_count(n->args);
	enum getopt_kind kind = GO_BOOL;
	char buf[256];
	const char *dtext, *dsc;

	if (nargs < 1 || nargs > 3)
		return sema_err(c, n->loc, "getopt() takes 1 to 3 arguments (%d provided)", nargs);
	if (name->kind != N_STR || !name->name[0])
		return sema_err(c, name->loc, "getopt() expects a string literal as the option name");
	if (desc && desc->kind != N_STR)
		return sema_err(c, desc->loc,
				"getopt() expects a string literal as the option's description");
	if (default_of(c, def, &kind, buf, sizeof(buf)))
		return -EINVAL;
	dtext = arena_strdup(c, buf);
	dsc = arena_strdup(c, desc ? desc->name : "");
	if (declare(c, n, arena_strdup(c, name->name), kind, dtext, dsc))
		return -EINVAL;
	return become_literal(c, n, c->getopts[c->ngetopts - 1].name, kind, dtext,
			      given_value(c->opts, name->name));
}

int options_check_named(struct compiler *c)
{
	char unknown[1024] = "";
	size_t used = 0;
	bool help = false;

	for (int i = 0; i < c->opts->nnamed; i++) {
		const char *a = c->opts->named[i] + 2;
		size_t len = strcspn(a, "=");

		if (!strcmp(a, "help"))
			help = true;
		else if (!decl_find(c, a, len) && used < sizeof(unknown))
			used += (size_t)snprintf(unknown + used, sizeof(unknown) - used, "%s%s",
						 used ? ", " : "", c->opts->named[i]);
	}
	if (used) {
		fprintf(stderr, "ERROR: unexpected program command line options: %s\n", unknown);
		if (c->ngetopts) {
			fprintf(stderr, "HINT: expected program options: ");
			for (int i = 0; i < c->ngetopts; i++)
				fprintf(stderr, "%s--%s", i ? ", " : "", c->getopts[i].name);
			fprintf(stderr, "\n");
		}
		return 1;
	}
	if (!help)
		return 0;
	printf("PROGRAM OPTIONS:\n");
	for (int i = 0; i < c->ngetopts; i++) {
		const struct getopt_decl *d = &c->getopts[i];

		printf("  --%s%s%s (default: %s)%s%s\n", d->name, d->kind == GO_BOOL ? "" : "=",
		       d->kind == GO_BOOL ? "" : kind_word[d->kind], d->def, d->desc[0] ? "  " : "",
		       d->desc);
	}
	return 1;
}

const struct builtin builtins_options[] = {
	{"getopt", true, PTM_ALL, ck_getopt, NULL},
	{NULL},
};
