// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer over the trace language's front end: lexer, parser, attach point parsing and
 * semantic analysis, offline (no binaries resolved, no kernel, no tracefs). Any input must
 * give a program or diagnostics, never a crash, a leak or a hang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compile.h"
#include "lang/parser.h"
#include "lang/probes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static char *params[] = {"42", "hello"};
	struct lang_opts opts = {.offline = true, .params = params, .nparams = 2};
	struct compiler c = {0};
	struct diag d;
	char *src;

	if (size > 4096)
		return 0;
	if (!sink)
		sink = fopen("/dev/null", "w");
	src = malloc(size + 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = 0;
	diag_init(&d, "stdin", src);
	d.out = sink;
	c.diag = &d;
	c.opts = &opts;
	c.prog = lang_parse(src, &d);
	if (c.prog && !probes_expand(&c))
		sema_run(&c);
	compiler_free(&c);
	free(src);
	return 0;
}
