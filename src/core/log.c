// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "core/log.h"

/* The one piece of process-wide state: libbpf's print callback cannot carry a context. */
static bool verbose_mode;

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", program_invocation_short_name, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void tk_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

void tk_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("note: ", fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose_mode)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void tk_libbpf_setup(bool verbose)
{
	verbose_mode = verbose;
	libbpf_set_print(libbpf_print);
}

bool tk_verbose(void)
{
	return verbose_mode;
}

void tk_stdout_linebuf(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
