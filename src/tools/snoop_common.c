// SPDX-License-Identifier: GPL-2.0
/* What the *snoop tools print alike: signals and the -t clock (see snoop_common.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
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

int snoop_parse_signal_set(const struct usage *u, int opt, const char *s, uint64_t mask[2])
{
	char tok[32];
	int sig;

	do {
		size_t len = strcspn(s, ",");

		if (!len || len >= sizeof(tok)) {
			usage_arg_error(u, opt, "invalid value: '%.*s'", (int)len, s);
			return -EINVAL;
		}
		memcpy(tok, s, len);
		tok[len] = '\0';
		if (snoop_parse_signal(u, opt, tok, &sig))
			return -EINVAL;
		if (sig > 64) {
			usage_arg_error(u, opt, "invalid value: '%s' (signals are 0 to 64)", tok);
			return -EINVAL;
		}
		mask[sig >> 6] |= 1ULL << (sig & 63);
		s += len;
	} while (*s++);
	return 0;
}

const char *snoop_loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "re");

	if (!f || !fgets(buf, len, f))
		buf[0] = '\0';
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
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

/* The log2 buckets of a histogram family: enough for any 64-bit value. */
#define SNOOP_LOG2_SLOTS 65

int snoop_metrics_add(struct metrics *m, const struct snoop_metric *specs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct snoop_metric *s = &specs[i];
		struct metric_family *f = metrics_family(m, s->name, s->type, s->help, s->labels,
							 s->nlabels, s->collected);

		if (!f || (s->type == METRIC_HISTOGRAM && metrics_log2_bounds(f, SNOOP_LOG2_SLOTS)))
			return -ENOMEM;
		if (s->div)
			metric_family_set_divisor(f, s->div);
		*s->fam = f;
	}
	return 0;
}

void snoop_metric_add(struct metric_family *f, const char *const *values, double v)
{
	if (f)
		metric_add(metric_series(f, values), v);
}

void snoop_metric_inc(struct metric_family *f, const char *const *values)
{
	snoop_metric_add(f, values, 1);
}

void snoop_metric_observe(struct metric_family *f, const char *const *values, double v)
{
	if (f)
		metric_observe(metric_series(f, values), v);
}

const char *snoop_comm_label(char *buf, const char *comm)
{
	memcpy(buf, comm, SNOOP_COMM_LABEL - 1);
	buf[SNOOP_COMM_LABEL - 1] = '\0';
	return buf;
}

const char *snoop_errno_label(char *buf, size_t len, long ret)
{
	const char *name = ret < 0 && ret > -4096 ? strerrorname_np(-ret) : NULL;

	if (ret >= 0)
		return "0";
	if (name)
		return name;
	snprintf(buf, len, "%ld", ret); /* an errno this libc has no name for */
	return buf;
}

const char *snoop_uint_label(char *buf, size_t len, unsigned long v)
{
	snprintf(buf, len, "%lu", v);
	return buf;
}
