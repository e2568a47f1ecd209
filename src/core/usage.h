/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line errors in the shape of bcc's argparse, for every tool:
 *
 *     usage: funccount [-h] [-p PID] ... pattern [pattern ...]
 *     funccount: error: unrecognized arguments: --bogus
 *
 * on stderr, exit status 2. The usage block is the tool's help text up to its first blank
 * line (every help starts with "usage: TOOL"); TOOL is program_invocation_short_name.
 * `-h/--help` prints the whole text on stdout instead (exit status 0).
 */
#ifndef TK_USAGE_H
#define TK_USAGE_H

#include <getopt.h>
#include <stdio.h>

struct usage {
	const char *text;		/* the whole help, starting with its usage block */
	const char *optstring;		/* getopt_long()'s, starting with ':' */
	const struct option *longopts;	/* may be NULL */
};

/*
 * getopt_long() over u's options, printing nothing itself (opterr = 0). A value that looks
 * like an option ("-p -T") is reported as missing (':'), as argparse does.
 */
int usage_getopt(const struct usage *u, int argc, char **argv);

/* -h/--help: the whole text on stdout; returns 0, the exit status. */
int usage_help(const struct usage *u);

/* The usage block of text (up to its first blank line) on f. */
void usage_block(FILE *f, const char *text);

/* The usage block and "TOOL: error: MESSAGE" on stderr; returns 2, the exit status. */
int usage_error(const struct usage *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * usage_getopt() returned '?' or ':' (argv as given to it): argparse's message
 * ("unrecognized arguments: --bogus", "argument -p/--pid: expected one argument", ...)
 * in the shape above; returns 2.
 */
int usage_getopt_error(const struct usage *u, int c, char **argv);

/*
 * A refused value of option opt (its short option character or its long option's val):
 * "argument -p/--pid: MESSAGE" in the shape above; returns 2.
 */
int usage_arg_error(const struct usage *u, int opt, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Options opt and other given together: "argument -6/--ipv6: not allowed with argument -4/--ipv4"; 2. */
int usage_exclusive(const struct usage *u, int opt, int other);

/* Positional arguments nobody takes, argv[first..argc): "unrecognized arguments: a b"; 2. */
int usage_extra_args(const struct usage *u, int argc, char **argv, int first);

/* How argparse names option opt: "-p/--pid", "-T", "--max-args". */
const char *usage_opt_name(const struct usage *u, int opt, char *buf, size_t len);

/*
 * An unsigned decimal value of option opt in [min, max]: 0, or -EINVAL after a usage error
 * ("argument -p/--pid: invalid int value: 'x'", or out of range).
 */
int usage_parse_ulong(const struct usage *u, int opt, const char *arg, unsigned long min,
		      unsigned long max, unsigned long *out);
/* The same for a positional argument called name ("interval"). */
int usage_parse_ulong_arg(const struct usage *u, const char *name, const char *arg,
			  unsigned long min, unsigned long max, unsigned long *out);

#endif
