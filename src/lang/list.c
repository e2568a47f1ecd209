// SPDX-License-Identifier: GPL-2.0
/*
 * -l [PATTERN]: list probes as bpftrace does (`uprobe:./server:main.(*Arith).Mul`,
 * `tracepoint:syscalls:sys_enter_openat`), stripped Go binaries included (pclntab);
 * -lv adds tracepoint fields.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/probe.h"
#include "core/usdt.h"
#include "lang/compile.h"
#include "lang/goargs.h"
#include "lang/list.h"
#include "lang/probes.h"

static int func_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct func_target *)a)->name, ((const struct func_target *)b)->name);
}

static int list_uprobes(const char *type, const char *target, const char *pat, int pid,
			bool verbose)
{
	struct probe_spec spec = {.kind = PROBE_UPROBE,
				  .target = (char *)target,
				  .pattern = (char *)(pat && *pat ? pat : "*")};
	struct target_set ts;
	char err[512];
	int ret = target_resolve(&spec, pid, 0, &ts, err, sizeof(err));

	if (ret) {
		if (ret != -ENOENT || strstr(err, "no such"))
			fprintf(stderr, "ERROR: %s\n", err);
		return ret == -ENOENT && !strstr(err, "no such") ? 0 : ret;
	}
	/* bpftrace lists in name order */
	qsort(ts.funcs, ts.nfuncs, sizeof(*ts.funcs), func_name_cmp);
	for (size_t i = 0; i < ts.nfuncs; i++) {
		printf("%s:%s:%s\n", type, target, ts.funcs[i].name);
		if (verbose)
			go_params_print(ts.path, ts.funcs[i].addr);
	}
	target_set__free(&ts);
	return 0;
}

/* usdt:PATH:[PROVIDER:]NAME, globs in PROVIDER and NAME; in note order, as bpftrace. */
static int list_usdt(const char *target, const char *pat, int pid)
{
	char err[512], *path, *prov = strdup(pat && *pat ? pat : "*"), *name;
	struct usdt_probe *v;
	size_t n;
	int ret;

	if (!prov)
		return -ENOMEM;
	name = strchr(prov, ':');
	if (name)
		*name++ = 0;
	ret = usdt_probes_of(target, pid, &path, &v, &n, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "ERROR: %s\n", err);
		free(prov);
		return ret;
	}
	for (size_t i = 0; i < n; i++)
		if (name ? glob_match(prov, v[i].provider) && glob_match(name, v[i].name)
			 : glob_match(prov, v[i].name))
			printf("usdt:%s:%s:%s\n", target, v[i].provider, v[i].name);
	usdt_probes_free(v, n);
	free(path);
	free(prov);
	return 0;
}

static int list_tracepoints(const char *cat, const char *name, bool verbose)
{
	struct probe_spec spec = {
		.kind = PROBE_TRACEPOINT, .tp_cat = (char *)cat, .pattern = (char *)name};
	char **names, err[512];
	size_t n;
	int ret = tracepoints_match(&spec, &names, &n, err, sizeof(err));

	if (ret)
		return ret == -ENOENT ? 0 : ret;
	for (size_t i = 0; i < n; i++) {
		printf("tracepoint:%s\n", names[i]);
		if (verbose) {
			struct compiler c = {0};
			struct diag d;
			struct attach_point ap = {0};
			char *colon = strchr(names[i], ':');

			diag_init(&d, "", "");
			c.diag = &d;
			*colon = 0;
			ap.tp.cat = names[i];
			ap.tp.name = colon + 1;
			if (!tp_format_load(&c, &ap))
				for (int k = 0; k < ap.tp.fmt.nfields; k++) {
					const struct tp_field *f = &ap.tp.fmt.fields[k];
					char *t = strdup(f->ctype);
					size_t l = t ? strlen(t) : 0;

					if (t && f->data_loc) {
						printf("    %s %s\n", t, f->name);
					} else if (t && l >= 2 && !strcmp(t + l - 2, "[]")) {
						t[l - 2] = 0;
						printf("    %s %s[%d]\n", t, f->name, f->array_len);
					} else if (t) {
						printf("    %s %s\n", t, f->name);
					}
					free(t);
				}
			tp_format_free(&ap.tp.fmt);
			*colon = ':';
		}
	}
	strv_free(names, n);
	return 0;
}

int lang_list(const char *pattern, bool verbose, int pid)
{
	char *buf, *type, *a, *b;
	int ret = 0;

	if (!pattern || !*pattern)
		return list_tracepoints("*", "*", verbose);
	buf = strdup(pattern);
	if (!buf)
		return -ENOMEM;
	type = buf;
	a = strchr(buf, ':');
	if (!a) {
		/* a bare glob searches tracepoint names */
		ret = list_tracepoints("*", buf, verbose);
		free(buf);
		return ret;
	}
	*a++ = 0;
	b = strchr(a, ':');
	if (b)
		*b++ = 0;
	if (!strcmp(type, "uprobe") || !strcmp(type, "u") || !strcmp(type, "uretprobe") ||
	    !strcmp(type, "ur")) {
		if (!b || !*a) {
			fprintf(stderr,
				"ERROR: uprobe listing needs a binary: -l 'uprobe:PATH:*'\n");
			ret = -EINVAL;
		} else {
			ret = list_uprobes(type[1] == 'r' || !strcmp(type, "uretprobe")
						   ? "uretprobe"
						   : "uprobe",
					   a, b, pid, verbose);
		}
	} else if (!strcmp(type, "usdt") || !strcmp(type, "U")) {
		if (!b || !*a) {
			fprintf(stderr, "ERROR: usdt listing needs a binary: -l 'usdt:PATH:*'\n");
			ret = -EINVAL;
		} else {
			ret = list_usdt(a, b, pid);
		}
	} else if (!strcmp(type, "tracepoint") || !strcmp(type, "t")) {
		ret = list_tracepoints(*a ? a : "*", b && *b ? b : "*", verbose);
	} else if (!strcmp(type, "software") || !strcmp(type, "s")) {
		static const char *const sw[] = {
			"alignment-faults", "bpf-output",  "context-switches", "cpu-clock",
			"cpu-migrations",   "dummy",	   "emulation-faults", "major-faults",
			"minor-faults",	    "page-faults", "task-clock"};

		for (size_t i = 0; i < sizeof(sw) / sizeof(*sw); i++)
			if (glob_match(*a ? a : "*", sw[i]))
				printf("software:%s:\n", sw[i]);
	} else if (!strcmp(type, "kprobe") || !strcmp(type, "k") || !strcmp(type, "kfunc")) {
		fprintf(stderr, "ERROR: %s probes are not available on this kernel\n", type);
		ret = -EOPNOTSUPP;
	} else {
		fprintf(stderr, "ERROR: Invalid probe type: %s\n", type);
		ret = -EINVAL;
	}
	free(buf);
	return ret;
}
