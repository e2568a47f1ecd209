// SPDX-License-Identifier: GPL-2.0
/* What the *snoop tools print alike: signals and the -t clock (see snoop_common.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/usage.h"
#include "tools/snoop_common.h"

const char *snoop_signal_name(int sig)
{
	const char *n = sig > 0 ? sigabbrev_np(sig) : NULL;

	return n ? n : "?";
}

int snoop_parse_signal(const struct usage *u, int opt, const char *s, int *sig)
{
	const char *given = s;
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!errno && end != s && !*end && s[0] != '-' && v < (unsigned long)SIGRTMAX + 1) {
		*sig = v;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *n = sigabbrev_np(i);

		if (n && strcasecmp(n, s) == 0) {
			*sig = i;
			return 0;
		}
	}
	usage_arg_error(u, opt, "invalid value: '%s' (not a signal number or name)", given);
	return -EINVAL;
}

uint64_t snoop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

double snoop_clock_rel(struct snoop_clock *c, uint64_t ts_ns)
{
	if (!c->start_ns)
		c->start_ns = ts_ns;
	if (ts_ns < c->start_ns)
		return 0;
	return (double)(ts_ns - c->start_ns) / 1e9;
}
