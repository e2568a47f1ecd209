// SPDX-License-Identifier: GPL-2.0
/*
 * Entry point. A first word (or argv[0], for the installed symlinks) that names a tool runs
 * that tool; anything else is the trace language with bpftrace's flags.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tool.h"
#include "tools/unavailable.h"

extern const struct tool __start_tk_tools[];
extern const struct tool __stop_tk_tools[];

/* The language lives in src/lang; these weak stand-ins keep the tools usable without it. */
__attribute__((weak)) int lang_main(int argc, char **argv)
{
	fprintf(stderr, "tracekit: the trace language is not built into this binary\n");
	return 2;
}

__attribute__((weak)) void lang_help(FILE *f)
{
	fprintf(f, "usage: tracekit TOOL [OPTIONS...]   (also: TOOL [OPTIONS...] via a symlink)\n");
}

const struct tool *tool_find(const char *name)
{
	for (const struct tool *t = __start_tk_tools; t < __stop_tk_tools; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static int tool_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct tool *const *)a)->name, (*(const struct tool *const *)b)->name);
}

void tool_list(void)
{
	size_t n = __stop_tk_tools - __start_tk_tools;
	const struct tool **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = &__start_tk_tools[i];
	qsort(v, n, sizeof(*v), tool_cmp);
	for (size_t i = 0; i < n; i++)
		printf("  %-14s %s\n", v[i]->name, v[i]->summary);
	free(v);
}

/* The language's help (its synopsis names the tools too), then the tools. */
static void usage(void)
{
	lang_help(stdout);
	printf("\nTOOLS (TOOL -h: its options; also run as TOOL through a symlink):\n");
	tool_list();
	unavailable_list(stdout); /* bcc's tools that are not here, and why */
}

/*
 * `tracekit --man NAME`: the man page of a tool, from its options table, or tracekit(8) for
 * the language (`make install` writes them; not meant for users to type).
 */
static int man_page(const char *name)
{
	const struct tool *t = tool_find(name);

	if (t && t->cli) {
		tool_cli_man(t->cli, stdout);
		return 0;
	}
	if (!strcmp(name, "tracekit")) {
		printf(".TH tracekit 8 \"\" tracekit \"System Manager's Manual\"\n"
		       ".SH NAME\ntracekit \\- eBPF tracing: bcc's tools and a bpftrace-compatible "
		       "language\n.SH SYNOPSIS\n.nf\n");
		fflush(stdout);
		lang_help(stdout);
		printf(".fi\n.SH TOOLS\nEach tool is also a command of its own (a symlink to "
		       "tracekit), with a man page of its own:\n.nf\n");
		tool_list();
		printf(".fi\n.SH SEE ALSO\nThe README and docs/ of tracekit.\n");
		return 0;
	}
	fprintf(stderr, "tracekit: no man page for '%s'\n", name);
	return 1;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	const struct tool *t;

	base = base ? base + 1 : argv[0];
	/* Symlinked as a tool name: funccount -> tracekit. */
	t = strcmp(base, "tracekit") ? tool_find(base) : NULL;
	if (t) {
		program_invocation_short_name = (char *)t->name;
		return t->main(argc, argv);
	}
	if (argc >= 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		usage();
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--man"))
		return man_page(argv[2]);
	if (argc >= 2 && (t = tool_find(argv[1]))) {
		program_invocation_short_name = (char *)t->name;
		return t->main(argc - 1, argv + 1);
	}
	if (argc >= 2 && unavailable_find(argv[1]))
		return unavailable_run(argv[1]);
	if (argc < 2) {
		usage();
		return 2;
	}
	return lang_main(argc, argv);
}
