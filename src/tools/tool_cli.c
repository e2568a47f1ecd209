// SPDX-License-Identifier: GPL-2.0
/*
 * A tool's options table turned into what bcc's argparse gives its users: the help (usage
 * block, description, positional arguments, options, examples), the parse with argparse's
 * errors (core/usage.c) and a man page (see tool.h).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "core/metrics.h"
#include "core/metrics_http.h"
#include "core/net.h"
#include "core/strbuf.h"
#include "tools/tool.h"

#define HELP_WIDTH 79 /* argparse's, for an 80-column terminal */

/* Every tool's options after its own: the Prometheus endpoint (core/metrics_http.h). */
enum { OPT_METRICS = 0x1000, OPT_METRICS_MAX_SERIES };
static struct tool_metrics_opts metrics_opts = {.max_series = METRICS_DEFAULT_MAX_SERIES};
static const struct tool_opt common_opts[] = {
	{OPT_METRICS, "metrics", "HOST:PORT",
	 "serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9435)", TOOL_OPT_STR,
	 offsetof(struct tool_metrics_opts, addr)},
	{OPT_METRICS_MAX_SERIES, "metrics-max-series", "N",
	 "with --metrics: at most N series (default 10000)", TOOL_OPT_ULONG,
	 offsetof(struct tool_metrics_opts, max_series), 1, 100000000},
	{0},
};

const struct tool_metrics_opts *tool_metrics_opts(void)
{
	return &metrics_opts;
}
#define HELP_COL 24   /* where option help starts, at the latest (max_help_position) */

static bool takes_value(const struct tool_opt *o)
{
	return o->metavar != NULL;
}

/* In the help, the synopsis and the man page (bcc's options we refuse are not). */
static bool shown(const struct tool_opt *o)
{
	return o->kind != TOOL_OPT_UNSUPPORTED;
}

/* "-p PID" or "--json" or "--max-args MAX_ARGS": how the synopsis names an option. */
static void synopsis_item(struct strbuf *b, const struct tool_opt *o)
{
	if (o->key < 256)
		strbuf_printf(b, "-%c", o->key);
	else
		strbuf_printf(b, "--%s", o->name);
	if (takes_value(o))
		strbuf_printf(b, " %s", o->metavar);
}

/*
 * The usage block: "usage: NAME [-h] [-x] ... ARGS", wrapped under its first item. The tool's
 * own options only: the synopsis stays bcc's (every tool's --metrics is in the list below it).
 */
static void usage_line(struct strbuf *b, const struct tool_cli *cli)
{
	size_t indent = strlen("usage: ") + strlen(cli->name) + 1, col;
	char item[256];

	strbuf_printf(b, "usage: %s [-h]", cli->name);
	col = indent + 4;
	for (const struct tool_opt *o = cli->all; o && o < cli->all + cli->nown; o++) {
		struct strbuf it = {0};

		if (!shown(o))
			continue;
		if (o->group && o != cli->all && o[-1].group == o->group)
			continue; /* printed with the first of its group */
		strbuf_put(&it, "[", 1);
		synopsis_item(&it, o);
		for (const struct tool_opt *g = o + 1; o->group && g->key && g->group == o->group;
		     g++) {
			strbuf_put(&it, " | ", 3);
			synopsis_item(&it, g);
		}
		strbuf_put(&it, "]", 1);
		snprintf(item, sizeof(item), "%s", it.p);
		free(it.p);
		if (col + 1 + strlen(item) > HELP_WIDTH) {
			strbuf_printf(b, "\n%*s", (int)indent, "");
			col = indent;
		} else {
			strbuf_put(b, " ", 1);
			col++;
		}
		strbuf_printf(b, "%s", item);
		col += strlen(item);
	}
	if (cli->args && *cli->args) {
		if (col + 1 + strlen(cli->args) > HELP_WIDTH)
			strbuf_printf(b, "\n%*s", (int)indent, "");
		else
			strbuf_put(b, " ", 1);
		strbuf_printf(b, "%s", cli->args);
	}
	strbuf_put(b, "\n", 1);
}

/* Words of text wrapped from column hcol to HELP_WIDTH, the first line from col. */
static void wrapped(struct strbuf *b, const char *text, size_t col, size_t hcol)
{
	const char *w = text;

	if (col > hcol - 2) {
		strbuf_printf(b, "\n%*s", (int)hcol, "");
		col = hcol;
	} else {
		strbuf_printf(b, "%*s", (int)(hcol - col), "");
		col = hcol;
	}
	while (*w) {
		size_t n = strcspn(w, " ");

		if (col > hcol && col + 1 + n > HELP_WIDTH) {
			strbuf_printf(b, "\n%*s", (int)hcol, "");
			col = hcol;
		} else if (col > hcol) {
			strbuf_put(b, " ", 1);
			col++;
		}
		strbuf_put(b, w, n);
		col += n;
		w += n;
		while (*w == ' ')
			w++;
	}
	strbuf_put(b, "\n", 1);
}

/* How the help's option list names an option: "-p PID, --pid PID". */
static void invocation(struct strbuf *l, const struct tool_opt *o)
{
	if (o->key < 256) {
		strbuf_printf(l, "-%c", o->key);
		if (takes_value(o))
			strbuf_printf(l, " %s", o->metavar);
		if (o->name)
			strbuf_put(l, ", ", 2);
	}
	if (o->name) {
		strbuf_printf(l, "--%s", o->name);
		if (takes_value(o))
			strbuf_printf(l, " %s", o->metavar);
	}
}

/* argparse's help column: 4 past the longest option or argument name, at most HELP_COL. */
static void help_col_fit(size_t *hcol, size_t len)
{
	if (len + 4 > *hcol)
		*hcol = len + 4 < HELP_COL ? len + 4 : HELP_COL;
}

static void option_lines(struct strbuf *b, const struct tool_opt *o, size_t hcol)
{
	struct strbuf l = {0};

	strbuf_put(&l, "  ", 2);
	invocation(&l, o);
	strbuf_put(b, l.p, l.len);
	wrapped(b, o->help, l.len, hcol);
	free(l.p);
}

static char *help_text(const struct tool_cli *cli)
{
	struct strbuf b = {0};
	size_t hcol = 0;

	help_col_fit(&hcol, strlen("-h, --help"));
	/* the positional arguments' names: "[interval] [count]", "pattern [pattern ...]" */
	for (const char *a = cli->args ? cli->args : ""; *a;) {
		size_t n = strcspn(a, " "), skip = strspn(a, "[");

		if (n > skip && strncmp(a + skip, "...", 3))
			help_col_fit(&hcol, n - skip - (a[n - 1] == ']'));
		a += n + strspn(a + n, " ");
	}
	/* args_help's lines are laid out by hand ("  count    number of outputs"): the options'
	 * help lines up with theirs */
	for (const char *l = cli->args_help ? cli->args_help : ""; *l;) {
		size_t n = strcspn(l, "\n"), w;

		if (n > 2 && !strncmp(l, "  ", 2) && l[2] != ' ') {
			w = 2 + strcspn(l + 2, " \n");
			w += strspn(l + w, " ");
			if (w < n && w > hcol)
				hcol = w;
		}
		l += n + (l[n] == '\n');
	}
	for (const struct tool_opt *o = cli->all; o && o->key; o++) {
		struct strbuf l = {0};

		if (!shown(o))
			continue;
		invocation(&l, o);
		help_col_fit(&hcol, l.len);
		free(l.p);
	}
	usage_line(&b, cli);
	if (cli->description)
		strbuf_printf(&b, "\n%s\n", cli->description);
	if (cli->args_help)
		strbuf_printf(&b, "\npositional arguments:\n%s", cli->args_help);
	strbuf_printf(&b, "\noptions:\n");
	strbuf_printf(&b, "  -h, --help");
	wrapped(&b, "show this help message and exit", 12, hcol);
	for (const struct tool_opt *o = cli->all; o && o->key; o++)
		if (shown(o))
			option_lines(&b, o, hcol);
	if (cli->epilog)
		strbuf_printf(&b, "\n%s", cli->epilog);
	if (cli->examples)
		strbuf_printf(&b, "\nexamples:\n%s", cli->examples);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Build the merged options table, the usage (help text, optstring, long options) once. */
static int cli_build(struct tool_cli *cli)
{
	struct strbuf os = {0};
	struct tool_opt *all;
	struct option *lo;
	size_t n = 0, k = 0, nc = sizeof(common_opts) / sizeof(common_opts[0]);

	if (cli->usage.text)
		return 0;
	for (const struct tool_opt *o = cli->opts; o && o->key; o++)
		n++;
	all = calloc(n + nc, sizeof(*all));
	lo = calloc(n + nc + 1, sizeof(*lo));
	if (!all || !lo) {
		free(all);
		free(lo);
		return -ENOMEM;
	}
	if (n)
		memcpy(all, cli->opts, n * sizeof(*all));
	memcpy(all + n, common_opts, nc * sizeof(*all));
	cli->all = all;
	cli->nown = n;
	strbuf_put(&os, ":h", 2);
	lo[k++] = (struct option){"help", no_argument, NULL, 'h'};
	for (const struct tool_opt *o = cli->all; o->key; o++) {
		if (o->key < 256)
			strbuf_printf(&os, "%c%s", o->key, takes_value(o) ? ":" : "");
		if (o->name)
			lo[k++] = (struct option){o->name, takes_value(o) ? required_argument
									: no_argument,
						  NULL, o->key};
	}
	cli->usage.text = help_text(cli);
	cli->usage.optstring = os.p;
	cli->usage.longopts = lo;
	return cli->usage.text && !os.oom ? 0 : -ENOMEM;
}

static const struct tool_opt *opt_by_key(const struct tool_cli *cli, int key)
{
	for (const struct tool_opt *o = cli->all; o && o->key; o++)
		if (o->key == key)
			return o;
	return NULL;
}

static int parse_uid(const struct usage *u, int key, const char *s, uint32_t *uid)
{
	struct passwd *pw;
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!errno && end != s && !*end && s[0] != '-' && v < UINT32_MAX) {
		*uid = v;
		return 0;
	}
	pw = getpwnam(s);
	if (!pw) {
		usage_arg_error(u, key, "invalid value: '%s' (not a uid or user name)", s);
		return -EINVAL;
	}
	*uid = pw->pw_uid;
	return 0;
}

static int parse_ports(const struct usage *u, int key, const char *s, struct tool_ports *p)
{
	int err = net_parse_port_list(s, p->port, TOOL_MAX_PORTS, &p->n);

	if (err == -E2BIG)
		usage_arg_error(u, key, "too many ports: '%s' (at most %d)", s, TOOL_MAX_PORTS);
	else if (err)
		usage_arg_error(u, key, "invalid value: '%s' (expected comma-separated ports 1-65535)",
				s);
	return err ? -EINVAL : 0;
}

/* One option's value into opts. */
static int set_value(struct tool_cli *cli, const struct tool_opt *o, void *opts, const char *arg)
{
	const struct usage *u = &cli->usage;
	/* the common options' values are the process's, not the tool's struct */
	char *field =
		(char *)(o - cli->all >= (ptrdiff_t)cli->nown ? (void *)&metrics_opts : opts) +
		o->off;
	unsigned long v;
	int err = 0;

	switch (o->kind) {
	case TOOL_OPT_FLAG:
	case TOOL_OPT_VERBOSE:
		*(bool *)field = true;
		return 0;
	case TOOL_OPT_ULONG:
		return usage_parse_ulong(u, o->key, arg, o->min, o->max ? o->max : ULONG_MAX,
					 (unsigned long *)field);
	case TOOL_OPT_PID:
		err = usage_parse_ulong(u, o->key, arg, 1, INT_MAX, &v);
		if (!err)
			*(uint32_t *)field = v;
		return err;
	case TOOL_OPT_UID:
		return parse_uid(u, o->key, arg, (uint32_t *)field);
	case TOOL_OPT_STR:
		*(const char **)field = arg;
		return 0;
	case TOOL_OPT_PORTS:
		return parse_ports(u, o->key, arg, (struct tool_ports *)field);
	case TOOL_OPT_FAMILY:
		*(int *)field = o->key == '6' ? AF_INET6 : AF_INET;
		return 0;
	case TOOL_OPT_CALL:
		return o->parse(opts, u, o->key, arg);
	case TOOL_OPT_UNSUPPORTED:
		if (o->help)
			usage_arg_error(u, o->key, "not supported (%s)", o->help);
		else
			usage_arg_error(u, o->key, "not supported");
		return -EINVAL;
	}
	return -EINVAL;
}

int tool_cli_parse(struct tool_cli *cli, void *opts, int argc, char **argv)
{
	int seen_group[8] = {0}; /* the key given for each group */
	char why[160];
	int c;

	if (cli_build(cli)) {
		fprintf(stderr, "%s: out of memory\n", cli->name);
		return -2;
	}
	optind = 1;
	while ((c = usage_getopt(&cli->usage, argc, argv)) != -1) {
		const struct tool_opt *o;

		if (c == 'h') {
			usage_help(&cli->usage);
			return -1;
		}
		o = opt_by_key(cli, c);
		if (!o) {
			usage_getopt_error(&cli->usage, c, argv);
			return -2;
		}
		if (o->group > 0 && o->group < 8) {
			if (seen_group[o->group] && seen_group[o->group] != c) {
				usage_exclusive(&cli->usage, c, seen_group[o->group]);
				return -2;
			}
			seen_group[o->group] = c;
		}
		if (set_value(cli, o, opts, optarg))
			return -2;
		if (c == OPT_METRICS && !metrics_addr_valid(optarg, why, sizeof(why))) {
			usage_arg_error(&cli->usage, c, "%s", why);
			return -2;
		}
	}
	return optind;
}

/* One positional argument's value into opts. */
static int set_positional(struct tool_cli *cli, const struct tool_opt *p, void *opts,
			  const char *arg)
{
	if (p->kind == TOOL_OPT_CALL)
		return p->parse(opts, &cli->usage, 0, arg);
	return usage_parse_ulong_arg(&cli->usage, p->name, arg, p->min, p->max ? p->max : ULONG_MAX,
				     (unsigned long *)((char *)opts + p->off));
}

bool tool_start(struct tool_cli *cli, void *opts, int argc, char **argv, int *status)
{
	int first = tool_cli_parse(cli, opts, argc, argv);
	const struct tool_opt *p;
	bool verbose = false;

	if (first < 0) {
		*status = tool_cli_exit(first);
		return false;
	}
	if (cli->required && first >= argc) {
		*status = usage_error(&cli->usage, "the following arguments are required: %s",
				      cli->required);
		return false;
	}
	cli->first_arg = first;
	if (cli->required)
		first = argc; /* the tool's own */
	for (p = cli->pos; p && p->name && first < argc; p++) {
		if (set_positional(cli, p, opts, argv[first++])) {
			*status = 2;
			return false;
		}
	}
	if (first < argc) {
		*status = usage_extra_args(&cli->usage, argc, argv, first);
		return false;
	}
	for (p = cli->opts; p->key; p++)
		verbose |= p->kind == TOOL_OPT_VERBOSE && *(bool *)((char *)opts + p->off);
	cli->parsed = opts;
	tk_stdout_linebuf();
	tk_libbpf_setup(verbose);
	return true;
}

void tool_cli_help(struct tool_cli *cli, FILE *f)
{
	if (!cli_build(cli))
		fputs(cli->usage.text, f);
}

/* roff text: a leading '.' or '\'' would be a request, '\\' an escape. */
static void roff(FILE *f, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '\\')
			fputs("\\e", f);
		else if (*p == '-')
			fputs("\\-", f);
		else if ((*p == '.' || *p == '\'') && (p == s || p[-1] == '\n'))
			fprintf(f, "\\&%c", *p);
		else
			fputc(*p, f);
	}
}

/*
 * The description in roff: paragraphs apart with .PP, or (name) only the first paragraph, on
 * one line, as NAME wants it.
 */
static void roff_description(FILE *f, const char *d, bool name)
{
	for (const char *p = d ? d : ""; *p;) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n);

		roff(f, line ? line : "");
		free(line);
		p += n;
		if (!*p || !p[1])
			break;
		if (p[1] != '\n') {
			fputc(name ? ' ' : '\n', f);
			p++;
			continue;
		}
		if (name)
			break;
		fputs("\n.PP\n", f);
		p += strspn(p, "\n");
	}
}

/* A man page section of text, when there is any; nofill: kept line for line (.nf/.fi). */
static void man_section(FILE *f, const char *title, const char *text, bool nofill)
{
	if (!text)
		return;
	fprintf(f, ".SH %s\n%s", title, nofill ? ".nf\n" : "");
	roff(f, text);
	if (nofill)
		fputs(".fi\n", f);
}

void tool_cli_man(struct tool_cli *cli, FILE *f)
{
	const char *end;

	if (cli_build(cli))
		return;
	/* .ad l: ragged right, so NAME reads "tool - description" as whatis expects */
	fprintf(f, ".TH %s 8 \"\" tracekit \"System Manager's Manual\"\n.ad l\n.SH NAME\n",
		cli->name);
	roff(f, cli->name);
	fputs(" \\- ", f);
	roff_description(f, cli->description, true);
	fputs("\n.SH SYNOPSIS\n.nf\n", f);
	end = strstr(cli->usage.text, "\n\n");
	{
		char *syn = strndup(cli->usage.text + strlen("usage: "),
				    end ? (size_t)(end - cli->usage.text) - strlen("usage: ") : 0);

		roff(f, syn ? syn : "");
		free(syn);
	}
	fputs("\n.fi\n.SH DESCRIPTION\n", f);
	roff_description(f, cli->description, false);
	fputs("\n.PP\nIt is part of tracekit: the same command runs as \\fBtracekit ", f);
	roff(f, cli->name);
	fputs("\\fR.\n", f);
	man_section(f, "ARGUMENTS", cli->args_help, true);
	fputs(".SH OPTIONS\n.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nshow this help message and exit\n",
	      f);
	for (const struct tool_opt *o = cli->all; o && o->key; o++) {
		if (!shown(o))
			continue;
		fputs(".TP\n", f);
		if (o->key < 256)
			fprintf(f, "\\fB\\-%c\\fR%s", o->key, o->name ? ", " : "");
		if (o->name) {
			fputs("\\fB\\-\\-", f);
			roff(f, o->name);
			fputs("\\fR", f);
		}
		if (takes_value(o)) {
			fputs(" \\fI", f);
			roff(f, o->metavar);
			fputs("\\fR", f);
		}
		fputc('\n', f);
		roff(f, o->help);
		fputc('\n', f);
	}
	man_section(f, "NOTES", cli->epilog, false);
	man_section(f, "EXAMPLES", cli->examples, true);
	fputs(".SH SEE ALSO\n\\fBtracekit\\fR(8)\n", f);
}
