// SPDX-License-Identifier: GPL-2.0
/*
 * Root imports, as bpftrace 0.26 resolves them: a name is looked up relative to the importing
 * file's directory, then to the script's (bpftrace looks only there; the script's directory
 * is the current one for -e); a directory imports its .bt files, in name order, one level
 * deep; each file is read once, by its real path, so cycles and repeats are harmless. An
 * imported file's items are merged into the program before the importer's own, so that its
 * begin probes run first.
 *
 * Locations: an imported file's nodes get their lines moved past the ones before it (file k
 * from k << 20 on); struct diag_file says which file a line is in (diag_where()).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/import.h"
#include "lang/parser.h"

#define IMPORT_LINE_SHIFT 20
#define IMPORT_MAX_FILES  ((INT_MAX >> IMPORT_LINE_SHIFT) - 1)

/* What the imported files add, in merge order. */
struct merge {
	struct node *decls, *probes;
};

static int import_name(struct compiler *c, struct lang_imports *im, const struct node *at,
		       const char *name, const char *dir, struct merge *m);

/* The directory part of path ("" for a bare name: the current directory). */
static char *dir_of(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	char *d = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup("");

	if (!d)
		abort();
	return d;
}

static char *join(const char *dir, const char *name)
{
	char *p;

	if (!*dir || *name == '/')
		p = strdup(name);
	else if (asprintf(&p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name) < 0)
		p = NULL;
	if (!p)
		abort();
	return p;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

/* The whole file, NUL-terminated; NULL with errno set. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *buf = NULL;
	size_t n;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		if (!errno)
			errno = EINVAL;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	n = fread(buf, 1, (size_t)st.st_size, f);
	buf[n] = 0;
	/* a NUL inside is not program text */
	if (ferror(f) || strlen(buf) != n) {
		free(buf);
		buf = NULL;
		errno = EINVAL;
	}
out:
	fclose(f);
	return buf;
}

/* Remembers path's file; false if it was imported (or is the script) already. */
static bool first_time(struct lang_imports *im, const char *path)
{
	char *real = realpath(path, NULL), **v;

	if (!real)
		return true; /* reading it says why */
	for (size_t i = 0; i < im->nseen; i++)
		if (!strcmp(im->seen[i], real)) {
			free(real);
			return false;
		}
	v = realloc(im->seen, (im->nseen + 1) * sizeof(*v));
	if (!v)
		abort();
	im->seen = v;
	im->seen[im->nseen++] = real;
	return true;
}

static void shift_lines(struct node *n, int base)
{
	for (; n; n = n->next) {
		n->loc.line += base;
		shift_lines(n->a, base);
		shift_lines(n->b, base);
		shift_lines(n->c, base);
		shift_lines(n->args, base);
	}
}

/* bpftrace refuses files others may write, and files in directories they may write. */
static bool writable_by_others(const char *path)
{
	char *dir = dir_of(path);
	struct stat st;
	bool bad = (!stat(path, &st) && (st.st_mode & S_IWOTH)) ||
		   (!stat(*dir ? dir : ".", &st) && (st.st_mode & S_IWOTH));

	free(dir);
	return bad;
}

static struct diag_file *add_file(struct compiler *c, struct lang_imports *im, const char *name,
				  char *src)
{
	struct diag_file *v = realloc(im->files, (im->nfiles + 1) * sizeof(*v));

	if (!v)
		abort();
	im->files = v;
	v[im->nfiles].file = strdup(name);
	v[im->nfiles].src = src;
	v[im->nfiles].line_base = (im->nfiles + 1) << IMPORT_LINE_SHIFT;
	if (!v[im->nfiles].file)
		abort();
	/* the diagnostics of what follows may be in this file */
	c->diag->files = im->files;
	c->diag->nfiles = ++im->nfiles;
	return &v[im->nfiles - 1];
}

/* An imported .bt file: parsed with its own name for its syntax errors, then merged. */
static int import_script(struct compiler *c, struct lang_imports *im, const struct node *at,
			 const char *name, const char *path, struct merge *m)
{
	struct diag sub;
	struct node *prog, *n, *next;
	char *src, *dir;
	int base, ret = 0;

	if (!first_time(im, path))
		return 0;
	if (im->nfiles >= IMPORT_MAX_FILES) {
		diag_error(c->diag, at->loc, "too many imports (at most %d files)",
			   IMPORT_MAX_FILES); /* ours */
		return -E2BIG;
	}
	src = slurp(path);
	if (!src) {
		diag_error(c->diag, at->loc, "error reading import '\"%s\"': %s", path,
			   strerror(errno));
		return -EIO;
	}
	base = add_file(c, im, name, src)->line_base;
	diag_init(&sub, name, src);
	sub.out = c->diag->out;
	sub.no_warnings = c->diag->no_warnings;
	prog = lang_parse_import(src, &sub);
	c->diag->nerrors += sub.nerrors;
	if (!prog)
		return -EINVAL;
	shift_lines(prog, base);
	/* dialect-only syntax errors: sema reports them with the program's own */
	node_append(&c->prog->a, prog->a);
	prog->a = NULL;
	dir = dir_of(path);
	for (n = prog->b, prog->b = NULL; n; n = next) {
		next = n->next;
		n->next = NULL;
		if (n->kind == N_IMPORT) {
			if (!ret)
				ret = import_name(c, im, n, n->name, dir, m);
			node_free(n);
		} else if (n->kind == N_CONFIG) {
			/* its settings would be the whole program's: bpftrace refuses them */
			if (n->args) {
				diag_error(c->diag, n->loc, "invalid `config` within import");
				ret = -EINVAL;
			}
			node_free(n);
		} else {
			node_append(&m->decls, n);
		}
	}
	free(dir);
	node_append(&m->probes, prog->args);
	prog->args = NULL;
	node_free(prog);
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory: its .bt files in name order (other files and subdirectories are skipped). */
static int import_dir(struct compiler *c, struct lang_imports *im, const struct node *at,
		      const char *name, const char *path, struct merge *m)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int ret = 0;

	if (!d) {
		diag_error(c->diag, at->loc, "error reading import '\"%s\"': %s", path,
			   strerror(errno));
		return -EIO;
	}
	while ((e = readdir(d)))
		if (ends_with(e->d_name, ".bt")) {
			char **v = realloc(names, (n + 1) * sizeof(*v));

			if (!v)
				abort();
			names = v;
			names[n] = strdup(e->d_name);
			if (!names[n++])
				abort();
		}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *sub_name = join(name, names[i]), *sub_path = join(path, names[i]);
		struct stat st;

		if (!ret && !stat(sub_path, &st) && S_ISREG(st.st_mode))
			ret = import_script(c, im, at, sub_name, sub_path, m);
		free(sub_name);
		free(sub_path);
		free(names[i]);
	}
	free(names);
	return ret;
}

/* What path is: a directory, a .bt file, or no kind of import. */
static int import_path(struct compiler *c, struct lang_imports *im, const struct node *at,
		       const char *name, const char *path, struct merge *m)
{
	const char *base;
	struct stat st;

	if (writable_by_others(path)) {
		diag_error(c->diag, at->loc,
			   "cowardly refusing to import from a directory with global write "
			   "permissions: \"%s\"",
			   path);
		return -EPERM;
	}
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return import_dir(c, im, at, name, path, m);
	if (ends_with(path, ".bt"))
		return import_script(c, im, at, name, path, m);
	base = strrchr(path, '/');
	diag_error(c->diag, at->loc, "unknown import type: \"%s\"", base ? base + 1 : path);
	return -EINVAL;
}

/*
 * import "name" in a file of directory dir: there, else in the script's directory. C imports
 * are refused whether there or not: they are not supported yet.
 */
static int import_name(struct compiler *c, struct lang_imports *im, const struct node *at,
		       const char *name, const char *dir, struct merge *m)
{
	const char *dirs[] = {dir, im->root_dir};
	static const char *const c_kinds[] = {".h", ".bpf.c", ".bpf.o"};
	char *checked[2] = {NULL, NULL};
	int n = 0, ret = 1;

	for (size_t i = 0; i < sizeof(c_kinds) / sizeof(*c_kinds); i++)
		if (ends_with(name, c_kinds[i])) {
			/* they need a C compiler (clang), which tracekit does without */
			diag_error(c->diag, at->loc,
				   "import \"%s\": %s imports are not supported yet", name,
				   c_kinds[i]); /* ours */
			return -EOPNOTSUPP;
		}
	for (int i = 0; i < 2 && ret > 0; i++) {
		char *path = join(dirs[i], name);
		struct stat st;

		if (n && !strcmp(path, checked[0])) {
			free(path);
			continue;
		}
		checked[n++] = path;
		if (!stat(path, &st))
			ret = import_path(c, im, at, name, path, m);
	}
	if (ret > 0) {
		diag_error(c->diag, at->loc, "Unable to find suitable path for import");
		if (n == 2)
			diag_hint(c->diag, "checked: %s,%s", checked[0], checked[1]);
		else
			diag_hint(c->diag, "checked: %s", checked[0]);
		ret = -ENOENT;
	}
	free(checked[0]);
	free(checked[1]);
	return ret;
}

static bool dialect_error_pending(const struct compiler *c)
{
	for (const struct node *n = c->prog->a; n; n = n->next)
		if (n->num == (int64_t)c->opts->dialect)
			return true;
	return false;
}

int lang_imports(struct compiler *c, const char *script, struct lang_imports *im)
{
	struct node *prog = c->prog, *n, *next, *own = NULL;
	struct merge m = {0};
	int ret = 0;

	memset(im, 0, sizeof(*im));
	/* 0.17 has no imports (its syntax error is pending), nor has a program without them */
	if (c->opts->dialect != LANG_0_26 || dialect_error_pending(c))
		goto done;
	for (n = prog->b; n && n->kind != N_IMPORT; n = n->next)
		;
	if (!n)
		goto done;
	im->root_dir = dir_of(script && strcmp(script, "-") ? script : NULL);
	if (script && strcmp(script, "-"))
		first_time(im, script);
	for (n = prog->b, prog->b = NULL; n; n = next) {
		next = n->next;
		n->next = NULL;
		if (n->kind == N_IMPORT) {
			if (!ret)
				ret = import_name(c, im, n, n->name, im->root_dir, &m);
			node_free(n);
		} else {
			node_append(&own, n);
		}
	}
	/* what the imports define comes first: C types and macros they use, begin order */
	node_append(&m.decls, own);
	prog->b = m.decls;
	node_append(&m.probes, prog->args);
	prog->args = m.probes;
	if (ret)
		return ret;
done:
	if (!prog->args) {
		/* lang_parse() let a program with imports through without probes of its own */
		diag_error(c->diag, (struct loc){1, 1, 2}, "no probes in program");
		return -EINVAL;
	}
	return 0;
}

void lang_imports_free(struct lang_imports *im)
{
	for (int i = 0; i < im->nfiles; i++) {
		free((char *)im->files[i].file);
		free((char *)im->files[i].src);
	}
	free(im->files);
	for (size_t i = 0; i < im->nseen; i++)
		free(im->seen[i]);
	free(im->seen);
	free(im->root_dir);
	memset(im, 0, sizeof(*im));
}
