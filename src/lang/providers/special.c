// SPDX-License-Identifier: GPL-2.0
/*
 * BEGIN and END: no attach point; the runtime runs them once (BPF_PROG_TEST_RUN) before the
 * others attach and after they detach. usdt and watchpoint: known names, not supported.
 */
#include "lang/provider.h"

static int special_parse(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	if (n != 1)
		return provider_error(c, ap, "%s probes take no arguments", parts[0]);
	return 0;
}

static void special_free(struct attach_point *ap)
{
}

/* BEGIN and END: one provider under two names (test-run programs, see above). */
#define RUN_ONCE_PROVIDER(nm, t)                                                                \
	{                                                                                        \
		.name = nm, .type = t, .prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,                \
		.parse = special_parse, .free = special_free,                                    \
	}

const struct provider provider_begin = RUN_ONCE_PROVIDER("BEGIN", PT_BEGIN);
const struct provider provider_end = RUN_ONCE_PROVIDER("END", PT_END);

const struct provider provider_usdt = {.name = "usdt", .alias = "U", .type = PT_USDT};
const struct provider provider_watchpoint = {.name = "watchpoint", .alias = "w",
					     .type = PT_WATCHPOINT};
