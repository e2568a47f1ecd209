// SPDX-License-Identifier: GPL-2.0
/* Command-line errors in the shape of bcc's argparse (see usage.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/usage.h"

int usage_getopt(const struct usage *u, int argc, char **argv)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, u->optstring, u->longopts, NULL);
	/*
	 * As argparse: a value given as the next word that looks like an option ("-p -T", not
	 * "-p -1") is a missing value.
	 */
	if (c > 0 && c != '?' && c != ':' && optarg && optind > 0 && optarg == argv[optind - 1] &&
	    optarg[0] == '-' && optarg[1] && !isdigit((unsigned char)optarg[1]) &&
	    optarg[1] != '.') {
		optopt = c;
		return ':';
	}
	return c;
}

int usage_help(const struct usage *u)
{
	fputs(u->text, stdout);
	return 0;
}

void usage_block(FILE *f, const char *text)
{
	const char *end = strstr(text, "\n\n");
	size_t n = end ? (size_t)(end - text) + 1 : strlen(text);

	fwrite(text, 1, n, f);
	if (n && text[n - 1] != '\n')
		fputc('\n', f);
}

static int verror(const struct usage *u, const char *what, const char *fmt, va_list ap)
{
	usage_block(stderr, u->text);
	fprintf(stderr, "%s: error: ", program_invocation_short_name);
	if (what)
		fprintf(stderr, "argument %s: ", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	return 2;
}

int usage_error(const struct usage *u, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verror(u, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

int usage_arg_error(const struct usage *u, int opt, const char *fmt, ...)
{
	char name[128];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verror(u, usage_opt_name(u, opt, name, sizeof(name)), fmt, ap);
	va_end(ap);
	return ret;
}

/* opt is one of the short options (not the ':' or '+' flags at the start). */
static bool is_short(const struct usage *u, int opt)
{
	const char *s = u->optstring;

	if (opt <= 0 || opt > 127 || opt == ':' || opt == '+' || opt == '-')
		return false;
	return strchr(s, opt) != NULL;
}

static const struct option *long_by_val(const struct usage *u, int val, const struct option *from)
{
	const struct option *o = from ? from + 1 : u->longopts;

	for (; o && o->name; o++)
		if (!o->flag && o->val == val)
			return o;
	return NULL;
}

const char *usage_opt_name(const struct usage *u, int opt, char *buf, size_t len)
{
	const struct option *o = NULL;
	size_t n = 0;

	buf[0] = 0;
	if (is_short(u, opt))
		n = snprintf(buf, len, "-%c", opt);
	while (n < len && (o = long_by_val(u, opt, o)))
		n += snprintf(buf + n, len - n, "%s--%s", n ? "/" : "", o->name);
	if (!buf[0])
		snprintf(buf, len, "-%c", opt > 0 && opt < 128 && isprint(opt) ? opt : '?');
	return buf;
}

/* "--name[=value]": the length of name. */
static size_t long_name_len(const char *arg)
{
	return strcspn(arg + 2, "=");
}

/* An unknown or ambiguous long option; argparse's words for each. */
static int long_unknown(const struct usage *u, const char *arg)
{
	size_t n = long_name_len(arg), matches = 0;
	const struct option *o, *first = NULL;
	char list[512];
	size_t l = 0;

	list[0] = 0;
	for (o = u->longopts; o && o->name; o++) {
		if (strncmp(o->name, arg + 2, n))
			continue;
		if (strlen(o->name) == n)
			return usage_error(u, "unrecognized arguments: %s", arg);
		if (!first || first->val != o->val || first->has_arg != o->has_arg)
			matches++;
		if (!first)
			first = o;
		if (l < sizeof(list))
			l += snprintf(list + l, sizeof(list) - l, "%s--%s", l ? ", " : "", o->name);
	}
	if (matches > 1)
		return usage_error(u, "ambiguous option: %.*s could match %s", (int)(n + 2), arg,
				   list);
	return usage_error(u, "unrecognized arguments: %s", arg);
}

int usage_getopt_error(const struct usage *u, int c, char **argv)
{
	const char *prev = optind > 0 ? argv[optind - 1] : "";
	bool was_long = !strncmp(prev, "--", 2) && prev[2];

	if (c == ':') /* optopt: the short option, or the long option's val */
		return usage_arg_error(u, optopt, "expected one argument");
	if (!optopt && was_long) /* unknown or ambiguous long option */
		return long_unknown(u, prev);
	if (optopt && was_long && strchr(prev, '=') &&
	    (is_short(u, optopt) || long_by_val(u, optopt, NULL)))
		return usage_arg_error(u, optopt, "ignored explicit argument '%s'",
				       strchr(prev, '=') + 1);
	if (optopt)
		return usage_error(u, "unrecognized arguments: -%c", optopt);
	return usage_error(u, "unrecognized arguments: %s", prev);
}

int usage_exclusive(const struct usage *u, int opt, int other)
{
	char name[128];

	return usage_arg_error(u, opt, "not allowed with argument %s",
			       usage_opt_name(u, other, name, sizeof(name)));
}

int usage_extra_args(const struct usage *u, int argc, char **argv, int first)
{
	char list[1024];
	size_t l = 0;

	list[0] = 0;
	for (int i = first; i < argc && l < sizeof(list); i++)
		l += snprintf(list + l, sizeof(list) - l, "%s%s", l ? " " : "", argv[i]);
	return usage_error(u, "unrecognized arguments: %s", list);
}

/* name: "-p/--pid", or a positional argument's name ("interval"). */
static int parse_ulong(const struct usage *u, const char *name, const char *arg,
		       unsigned long min, unsigned long max, unsigned long *out)
{
	const char *p = arg;
	unsigned long v;
	char *end = NULL;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		p++;
	errno = 0;
	v = isdigit((unsigned char)*p) ? strtoul(p, &end, 10) : 0;
	if (!isdigit((unsigned char)*p) || *end) {
		usage_error(u, "argument %s: invalid int value: '%s'", name, arg);
		return -EINVAL;
	}
	if (errno || strchr(arg, '-') || v < min || v > max) {
		usage_error(u, "argument %s: invalid value: '%s' (expected a number from %lu to %lu)",
			    name, arg, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int usage_parse_ulong(const struct usage *u, int opt, const char *arg, unsigned long min,
		      unsigned long max, unsigned long *out)
{
	char name[128];

	return parse_ulong(u, usage_opt_name(u, opt, name, sizeof(name)), arg, min, max, out);
}

int usage_parse_ulong_arg(const struct usage *u, const char *name, const char *arg,
			  unsigned long min, unsigned long max, unsigned long *out)
{
	return parse_ulong(u, name, arg, min, max, out);
}
