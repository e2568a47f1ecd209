// SPDX-License-Identifier: GPL-2.0
/* Probe specs as users type them (bcc's forms), glob matching and tracepoint enumeration. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/attach.h"
#include "core/probe.h"
#include "core/vec.h"

bool glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	/* Iterative with one backtrack point: linear in practice, never recursive. */
	while (*s) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

bool glob_is_literal(const char *pat)
{
	return !strpbrk(pat, "*?");
}

static int set_err(char *err, size_t len, const char *fmt, const char *arg)
{
	snprintf(err, len, fmt, arg);
	return -EINVAL;
}

int probe_spec__parse(const char *text, bool regex, struct probe_spec *spec, char *err,
		      size_t errlen)
{
	const char *c1, *c2;

	memset(spec, 0, sizeof(*spec));
	spec->regex = regex;
	if (!*text)
		return set_err(err, errlen, "empty probe pattern%s", "");
	spec->text = strdup(text);
	if (!spec->text)
		return -ENOMEM;
	c1 = strchr(text, ':');
	if (!c1) {
		spec->kind = PROBE_KERNEL;
		spec->pattern = strdup(text);
		return spec->pattern ? 0 : -ENOMEM;
	}
	c2 = strchr(c1 + 1, ':');
	if (c1 - text == 1 && c2 && (text[0] == 't' || text[0] == 'p' || text[0] == 'u')) {
		if (text[0] == 'u') {
			probe_spec__free(spec);
			return set_err(err, errlen,
				       "'%s': USDT probes (u:) are not supported: Go programs have none",
				       text);
		}
		if (!c2[1]) {
			probe_spec__free(spec);
			return set_err(err, errlen, "'%s': missing function or event name", text);
		}
		if (text[0] == 't') {
			spec->kind = PROBE_TRACEPOINT;
			spec->tp_cat = strndup(c1 + 1, c2 - c1 - 1);
			spec->pattern = strdup(c2 + 1);
			if (!spec->tp_cat || !spec->pattern || !*spec->tp_cat)
				goto bad;
			return 0;
		}
		/* p::func is a kernel function; p:lib:func a user one. */
		spec->kind = c2 == c1 + 1 ? PROBE_KERNEL : PROBE_UPROBE;
		spec->target = c2 == c1 + 1 ? NULL : strndup(c1 + 1, c2 - c1 - 1);
		spec->pattern = strdup(c2 + 1);
		if (!spec->pattern || (spec->kind == PROBE_UPROBE && !spec->target))
			goto bad;
		return 0;
	}
	spec->kind = PROBE_UPROBE;
	spec->target = strndup(text, c1 - text);
	spec->pattern = strdup(c1 + 1);
	if (!spec->target || !spec->pattern || !*spec->target || !*spec->pattern)
		goto bad;
	return 0;
bad:
	probe_spec__free(spec);
	return set_err(err, errlen, "'%s': expected PATH:FUNC, LIB:FUNC, t:CAT:EVENT or FUNC", text);
}

void probe_spec__free(struct probe_spec *spec)
{
	free(spec->text);
	free(spec->target);
	free(spec->pattern);
	free(spec->tp_cat);
	memset(spec, 0, sizeof(*spec));
}

void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int strv_push(char ***v, size_t *n, size_t *cap, char *s)
{
	if (!s)
		return -ENOMEM;
	if (VEC_RESERVE(*v, *cap, *n, 1)) {
		free(s);
		return -ENOMEM;
	}
	(*v)[(*n)++] = s;
	return 0;
}

int tracepoints_match(const struct probe_spec *spec, char ***names, size_t *n, char *err,
		      size_t errlen)
{
	char why[256], path[512];
	const char *tfs = tracefs_dir(why, sizeof(why));
	DIR *cats;
	struct dirent *c;
	size_t cap = 0;
	int ret = 0;

	*names = NULL;
	*n = 0;
	if (!tfs)
		return set_err(err, errlen, "%s", why);
	snprintf(path, sizeof(path), "%s/events", tfs);
	cats = opendir(path);
	if (!cats)
		return set_err(err, errlen, "cannot read %s/events", tfs);
	while (!ret && (c = readdir(cats))) {
		DIR *evs;
		struct dirent *e;

		if (c->d_name[0] == '.' || !glob_match(spec->tp_cat, c->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/events/%s", tfs, c->d_name);
		evs = opendir(path);
		if (!evs)
			continue;
		while (!ret && (e = readdir(evs))) {
			char id[1024], *s;

			if (e->d_name[0] == '.' || !glob_match(spec->pattern, e->d_name))
				continue;
			snprintf(id, sizeof(id), "%s/%s/id", path, e->d_name);
			if (access(id, R_OK))
				continue;
			if (asprintf(&s, "%s:%s", c->d_name, e->d_name) < 0)
				s = NULL;
			ret = strv_push(names, n, &cap, s);
		}
		closedir(evs);
	}
	closedir(cats);
	if (ret) {
		strv_free(*names, *n);
		*names = NULL;
		*n = 0;
		return ret;
	}
	if (!*n) {
		snprintf(err, errlen, "no tracepoint matches '%s:%s'", spec->tp_cat, spec->pattern);
		return -ENOENT;
	}
	qsort(*names, *n, sizeof(**names), str_cmp);
	return 0;
}

/* available_filter_functions: "name [module]"; kallsyms: "addr type name [module]". */
static int read_kfunc_names(const char *path, bool kallsyms, const struct probe_spec *spec,
			    char ***names, size_t *n, size_t *cap)
{
	char line[512], sym[256], type;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (kallsyms) {
			if (sscanf(line, "%*s %c %255s", &type, sym) != 2 ||
			    (type != 'T' && type != 't'))
				continue;
		} else if (sscanf(line, "%255s", sym) != 1) {
			continue;
		}
		if (glob_match(spec->pattern, sym))
			ret = strv_push(names, n, cap, strdup(sym));
	}
	fclose(f);
	return ret;
}

int kfuncs_match(const struct probe_spec *spec, char ***names, size_t *n, char *err,
		 size_t errlen)
{
	char why[256], path[512];
	const char *tfs = tracefs_dir(why, sizeof(why));
	size_t cap = 0, o = 0;
	int ret = -ENOENT;

	*names = NULL;
	*n = 0;
	if (tfs) {
		snprintf(path, sizeof(path), "%s/available_filter_functions", tfs);
		ret = read_kfunc_names(path, false, spec, names, n, &cap);
	}
	if (ret && ret != -ENOMEM)
		ret = read_kfunc_names("/proc/kallsyms", true, spec, names, n, &cap);
	if (ret) {
		strv_free(*names, *n);
		*names = NULL;
		*n = 0;
		snprintf(err, errlen, "cannot list kernel functions: %s", strerror(-ret));
		return ret;
	}
	if (!*n) {
		snprintf(err, errlen, "no kernel function matches '%s'", spec->pattern);
		return -ENOENT;
	}
	qsort(*names, *n, sizeof(**names), str_cmp);
	for (size_t i = 0; i < *n; i++) {
		if (o && strcmp((*names)[o - 1], (*names)[i]) == 0)
			free((*names)[i]);
		else
			(*names)[o++] = (*names)[i];
	}
	*n = o;
	return 0;
}
