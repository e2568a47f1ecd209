// SPDX-License-Identifier: GPL-2.0
/*
 * Perf-event probes: interval:UNIT:N (one CPU), profile:UNIT:N (every CPU, or the -p
 * process), software:EVENT[:COUNT]; hardware:EVENT[:COUNT] parses but needs a PMU.
 */
#include <ctype.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attach.h"
#include "core/probe.h"
#include "lang/probes.h"
#include "lang/provider.h"

static const struct {
	const char *name, *alias;
	int config; /* PERF_COUNT_SW_* */
	uint64_t def;
} sw_events[] = {
	{"cpu-clock", "cpu", 0, 1000000},  {"task-clock", NULL, 1, 1000000},
	{"page-faults", "faults", 2, 100}, {"context-switches", "cs", 3, 1000},
	{"cpu-migrations", NULL, 4, 1},	   {"minor-faults", NULL, 5, 100},
	{"major-faults", NULL, 6, 1},	   {"alignment-faults", NULL, 7, 1},
	{"emulation-faults", NULL, 8, 1},  {"dummy", NULL, 9, 1},
	{"bpf-output", NULL, 10, 1},
};

int software_event_config(const char *name, uint64_t *def)
{
	for (size_t i = 0; i < sizeof(sw_events) / sizeof(sw_events[0]); i++)
		if (!strcmp(name, sw_events[i].name) ||
		    (sw_events[i].alias && !strcmp(name, sw_events[i].alias))) {
			if (def)
				*def = sw_events[i].def;
			return sw_events[i].config;
		}
	return -1;
}

/*
 * 0.24 on: interval:1s, profile:10ms, interval:500000 (nanoseconds without a suffix), at
 * least 1us; it becomes UNIT:N in microseconds, also in the probe's name.
 */
static int rate_parse_single(struct compiler *c, struct attach_point *ap, const char *text)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
	} units[] = {
		{"ns", 1},
		{"us", 1000},
		{"ms", 1000000},
		{"s", 1000000000ull},
		{"m", 60000000000ull},
		{"h", 3600000000000ull},
		{"d", 86400000000000ull},
	};
	uint64_t v, mult = 1;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (end == text || !isdigit((unsigned char)*text) || errno)
		return provider_error(c, ap, "Invalid rate of %s probe", ap->prov->name);
	if (*end) {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(end, units[i].suffix))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return provider_error(c, ap, "Invalid rate of %s probe", ap->prov->name);
		mult = units[i].ns;
	}
	if (v > UINT64_MAX / mult)
		return provider_error(c, ap, "Invalid rate of %s probe", ap->prov->name);
	v *= mult;
	if (v < 1000)
		return provider_error(
			c, ap,
			"Invalid rate of %s probe. Minimum is 1000 or 1us. Found: %llu "
			"nanoseconds",
			ap->prov->name, (unsigned long long)v);
	ap->timer.freq = v / 1000;
	ap->timer.unit = strdup("us");
	return ap->timer.unit ? 0 : -ENOMEM;
}

static int rate_parse(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	const char *u = parts[1];

	if (n == 2 && c->opts->dialect == LANG_0_26)
		return rate_parse_single(c, ap, parts[1]);
	if (n != 3)
		return provider_error(c, ap, "%s probe must have a unit and a rate (e.g. s:1, hz:99)",
				      ap->prov->name);
	if (strcmp(u, "s") && strcmp(u, "ms") && strcmp(u, "us") && strcmp(u, "hz"))
		return provider_error(c, ap, "%s is not an accepted unit of time", u);
	if (provider_parse_u64(parts[2], &ap->timer.freq) || !ap->timer.freq)
		return provider_error(c, ap, "Invalid rate of %s probe", ap->prov->name);
	ap->timer.unit = strdup(u);
	return ap->timer.unit ? 0 : -ENOMEM;
}

static int event_parse(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	if (n < 2 || n > 3)
		return provider_error(c, ap, "%s probe must have an event name", ap->prov->name);
	if (ap->type == PT_SOFTWARE && software_event_config(parts[1], &ap->timer.freq) < 0)
		return provider_error(c, ap, "Invalid software event: %s", parts[1]);
	if (n == 3 && (provider_parse_u64(parts[2], &ap->timer.freq) || !ap->timer.freq))
		return provider_error(c, ap, "Invalid count for %s probe", ap->prov->name);
	ap->timer.unit = strdup(parts[1]);
	return ap->timer.unit ? 0 : -ENOMEM;
}

static int hardware_resolve(struct compiler *c, struct attach_point *ap)
{
	diag_error(c->diag, ap->loc, "hardware probes are not available: this machine has no PMU");
	return -EOPNOTSUPP;
}

/* On every CPU, or on the -p process wherever it runs. */
static int attach_each_cpu(const struct attach_point *ap, struct attach_set *as, int pid,
			   struct perf_event_attr *attr)
{
	if (pid > 0)
		return attach_perf_event(as, ap->prog_fd, attr, pid, -1);
	return attach_perf_event_cpus(as, ap->prog_fd, attr, -1);
}

static int rate_attach(const struct attach_point *ap, struct attach_set *as, int pid)
{
	struct perf_event_attr attr = {.size = sizeof(attr), .type = PERF_TYPE_SOFTWARE};
	const char *u = ap->timer.unit;
	uint64_t f = ap->timer.freq;

	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	if (!strcmp(u, "hz")) {
		attr.freq = 1;
		attr.sample_freq = f;
	} else {
		attr.sample_period = !strcmp(u, "s")	? f * 1000000000ull
				     : !strcmp(u, "ms") ? f * 1000000ull
							: f * 1000ull;
	}
	if (ap->type == PT_INTERVAL)
		return attach_perf_event(as, ap->prog_fd, &attr, -1, 0);
	return attach_each_cpu(ap, as, pid, &attr);
}

static int software_attach(const struct attach_point *ap, struct attach_set *as, int pid)
{
	struct perf_event_attr attr = {.size = sizeof(attr), .type = PERF_TYPE_SOFTWARE};

	attr.config = (uint64_t)software_event_config(ap->timer.unit, NULL);
	attr.sample_period = ap->timer.freq;
	return attach_each_cpu(ap, as, pid, &attr);
}

static void timer_free(struct attach_point *ap)
{
	free(ap->timer.unit);
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * bpftrace lists a fixed set as "TYPE:NAME:" lines, the set sorted with the ':' (so
 * "cpu-clock:" comes before "cpu:"), what matches pat then "NAME:"'s glob.
 */
static int list_fixed(const char *type, const char *const *names, size_t n, const char *pat)
{
	char **lines = calloc(n ? n : 1, sizeof(*lines)), *want;
	size_t k = 0;

	/* software:*:* is software:*: the name is the first part, the count is not listed */
	if (!*pat || *pat == ':')
		pat = "*";
	if (!lines || asprintf(&want, "%.*s:", (int)strcspn(pat, ":"), pat) < 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if (asprintf(&lines[k++], "%s:", names[i]) < 0)
			abort();
	qsort(lines, k, sizeof(*lines), line_cmp);
	for (size_t i = 0; i < k; i++) {
		if (glob_match(want, lines[i]))
			printf("%s:%s\n", type, lines[i]);
		free(lines[i]);
	}
	free(lines);
	free(want);
	return 0;
}

int perf_provider_list(const struct provider *pv, const char *pat)
{
	/* bpftrace's TIME_UNITS: the units interval and profile take */
	static const char *const units[] = {"s", "ms", "us", "hz"};
	const char *names[2 * sizeof(sw_events) / sizeof(sw_events[0])];
	size_t n = 0;

	if (pv->type != PT_SOFTWARE)
		return list_fixed(pv->name, units, sizeof(units) / sizeof(units[0]), pat);
	for (size_t i = 0; i < sizeof(sw_events) / sizeof(sw_events[0]); i++) {
		names[n++] = sw_events[i].name;
		if (sw_events[i].alias)
			names[n++] = sw_events[i].alias;
	}
	return list_fixed(pv->name, names, n, pat);
}

#define PERF_PROVIDER(nm, al, t, p, r, a)                                                       \
	{                                                                                        \
		.name = nm, .alias = al, .type = t, .prog_type = BPF_PROG_TYPE_PERF_EVENT,       \
		.parse = p, .resolve = r, .attach = a, .free = timer_free,                       \
	}

const struct provider provider_interval =
	PERF_PROVIDER("interval", "i", PT_INTERVAL, rate_parse, NULL, rate_attach);
const struct provider provider_profile =
	PERF_PROVIDER("profile", "p", PT_PROFILE, rate_parse, NULL, rate_attach);
const struct provider provider_software =
	PERF_PROVIDER("software", "s", PT_SOFTWARE, event_parse, NULL, software_attach);
const struct provider provider_hardware =
	PERF_PROVIDER("hardware", "h", PT_HARDWARE, event_parse, hardware_resolve, NULL);
