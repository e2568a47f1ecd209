// SPDX-License-Identifier: GPL-2.0
/*
 * profile: sample the stacks of whatever runs on each CPU at a timed interval, with bcc's
 * command line and output (profile.py). A software cpu-clock perf event per CPU (there is no
 * PMU here) runs the BPF half, which counts each (process, kernel stack, user stack) in the
 * kernel; the counts are read, symbolized and printed once, at the end.
 */
#include <errno.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/attach.h"
#include "core/log.h"
#include "profile.skel.h"
#include "tools/stack_tool.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(profile);

#define DEFAULT_HZ 49

struct opts {
	struct stack_tool_opts st; /* first: stack_tool_parse_targets() */
	unsigned long hz, count;   /* -F, -c */
	bool annotate, idle;	   /* -a, -I */
	unsigned long hash_size;   /* --hash-storage-size */
	unsigned long cpu;	   /* -C, ULONG_MAX: every CPU */
	unsigned long duration;
	bool verbose;
};

struct state {
	struct stack_run sr; /* first: the values' ctx */
	struct opts *o;
	struct profile *skel;
	char what[64];
};

enum { OPT_HASH = STACK_OPT_STORAGE + 1 };

#define O      struct opts
#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "profile",
	.description = "Profile CPU stack traces at a timed interval",
	.opts = TOOL_OPTS(
		{'p', "pid", "PID", "profile process with one or more comma separated PIDs only",
		 TOOL_OPT_CALL, .group = 1, .parse = stack_tool_parse_targets},
		{'L', "tid", "TID", "profile thread with one or more comma separated TIDs only",
		 TOOL_OPT_CALL, .group = 1, .parse = stack_tool_parse_targets},
		STACK_TOOL_OPTS_UK(O, 2),
		{'F', "frequency", "FREQUENCY", "sample frequency, Hertz", TOOL_OPT_ULONG, OPT(hz),
		 1, 1000000, .group = 3},
		{'c', "count", "COUNT", "sample period, number of events", TOOL_OPT_ULONG,
		 OPT(count), 1, ULONG_MAX, .group = 3},
		STACK_TOOL_OPT_DELIMITED(O),
		{'a', "annotations", NULL, "add _[k] annotations to kernel frames", TOOL_OPT_FLAG,
		 OPT(annotate)},
		{'I', "include-idle", NULL, "include CPU idle stacks", TOOL_OPT_FLAG, OPT(idle),
		 .bpf = "include_idle"},
		STACK_TOOL_OPT_FOLDED(O, "output folded format, one line per stack (for flame "
					 "graphs)"),
		{OPT_HASH, "hash-storage-size", "HASH_STORAGE_SIZE",
		 "the number of hash keys that can be stored and (default 40960)", TOOL_OPT_ULONG,
		 OPT(hash_size), 1, 1u << 24},
		STACK_TOOL_OPT_STORAGE(O, "the number of unique stack traces that can be stored "
					  "and displayed (default 16384)"),
		{'C', "cpu", "CPU", "cpu number to run profile on", TOOL_OPT_ULONG, OPT(cpu), 0,
		 4095},
		TOOL_OPTS_CONTAINER_MAPS, STACK_TOOL_OPTS_OUTPUT(O),
		TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	STACK_TOOL_CLI_DURATION(O),
	.examples = "    ./profile             # profile stack traces at 49 Hertz until Ctrl-C\n"
		    "    ./profile -F 99       # profile stack traces at 99 Hertz\n"
		    "    ./profile -c 1000000  # profile stack traces every 1 in a million events\n"
		    "    ./profile 5           # profile at 49 Hertz for 5 seconds only\n"
		    "    ./profile -f 5        # output in folded format for flame graphs\n"
		    "    ./profile -p 185      # only profile process with PID 185\n"
		    "    ./profile -L 185      # only profile thread with TID 185\n"
		    "    ./profile -U          # only show user space stacks (no kernel)\n"
		    "    ./profile -K          # only show kernel space stacks (no user)\n"
		    "    ./profile --pprof cpu.pb.gz 10  # 10 s, for go tool pprof\n"
		    "    ./profile --svg cpu.svg 10      # 10 s, as a flame graph\n",
};

/* Nanoseconds of CPU time one sample stands for: the cpu-clock event counts nanoseconds. */
static int64_t period_ns(const struct opts *o)
{
	return o->count ? (int64_t)o->count : 1000000000ll / (int64_t)o->hz;
}

/* bcc's "[185, 186]": its header prints the Python list -p/-L made */
static void print_targets(FILE *f, const struct stack_targets *t)
{
	fprintf(f, "%s [", t->tids ? "TID" : "PID");
	for (uint32_t i = 0; i < t->n; i++)
		fprintf(f, "%s%u", i ? ", " : "", t->id[i]);
	fprintf(f, "]");
}

/* bcc's header: what is sampled, how often, for how long */
static void describe(void *ctx, FILE *f)
{
	struct state *s = ctx;
	const struct opts *o = s->o;

	if (o->count)
		fprintf(f, "Sampling at every %lu events of ", o->count);
	else
		fprintf(f, "Sampling at %lu Hertz of ", o->hz);
	if (o->st.targets.n)
		print_targets(f, &o->st.targets);
	else
		fprintf(f, "all threads");
	stack_tool_describe_tail(f, &o->st, o->cpu == ULONG_MAX ? -1 : (long)o->cpu, o->duration);
}

static void header(void *ctx)
{
	stack_run_started(&((struct state *)ctx)->sr);
}

static int attach(void *ctx, struct attach_set *as)
{
	struct state *s = ctx;
	const struct opts *o = s->o;
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
	};
	int err;

	if (o->count) {
		attr.sample_period = o->count;
	} else {
		attr.freq = 1;
		attr.sample_freq = o->hz;
	}
	err = attach_perf_event_cpus(as, bpf_program__fd(s->skel->progs.profile_sample), &attr,
				     o->cpu == ULONG_MAX ? -1 : (int)o->cpu);
	if (err && o->cpu != ULONG_MAX && (err == -EINVAL || err == -ENODEV))
		tk_err("cannot sample CPU %lu: no such CPU online", o->cpu);
	else if (err == -EINVAL && !o->count)
		tk_err("cannot sample at %lu Hertz: above kernel.perf_event_max_sample_rate?",
		       o->hz);
	else if (err)
		tk_err("cannot open the cpu-clock perf event: %s", attach_strerror(err));
	return err;
}

/* A count of samples: the samples, and the CPU time they stand for */
static void values(void *ctx, uint64_t count, int64_t *v)
{
	const struct state *s = ctx;

	v[0] = (int64_t)count;
	v[1] = (int64_t)count * period_ns(s->o);
}

static void footer(void *ctx)
{
	struct state *s = ctx;
	const struct opts *o = s->o;

	stack_run_report(&s->sr);
	if (s->sr.stats.keys >= (o->hash_size ? o->hash_size : 40960))
		fprintf(stderr,
			"WARNING: hash table full. Consider increasing --hash-storage-size.\n");
}

static int fill(struct tool_run *r, void *skel)
{
	struct state *s = r->ctx;
	const struct opts *o = s->o;
	static const struct stack_value_type types[] = {{"samples", "count"},
							{"cpu", "nanoseconds"}};

	s->skel = skel;
	if (stack_run_init(&s->sr, types, 2) || stack_run_ready(&s->sr, r, describe, s))
		return 1;
	s->sr.prof.period_type = types[1];
	s->sr.prof.period = period_ns(o);
	s->sr.style.annotate = o->annotate;
	s->sr.fg = (struct flamegraph_opts){.title = "CPU Flame Graph", .unit = "samples"};
	snprintf(s->what, sizeof(s->what), "profile at %lu %s", o->count ? o->count : o->hz,
		 o->count ? "events" : "Hz");
	s->sr.what = s->what;
	s->sr.counts = s->skel->maps.counts;
	s->sr.stacks = s->skel->maps.stacks;
	s->sr.values = values;
	s->sr.ctx = s;
	if (o->hash_size && bpf_map__set_max_entries(s->skel->maps.counts, o->hash_size)) {
		tk_err("cannot size the counts map: %s", strerror(errno));
		return 1;
	}
	return stack_tool_fill(r, s->skel->maps.stacks, &o->st);
}

static int profile_main(int argc, char **argv)
{
	struct opts o = {.hz = DEFAULT_HZ, .cpu = ULONG_MAX}; /* -c wins over hz when given */
	struct state s = {.o = &o, .sr.o = &o.st};
	struct tool_run run = {
		.skel = &profile_tool_skel,
		.fill = fill,
		.attach = attach,
		.header = header,
		.footer = footer,
		.ctx = &s,
	};

	return stack_run_main(&cli, &o, &run, &s.sr, argc, argv);
}

TOOL_REGISTER(profile, profile_main, "sample CPU stacks at a frequency (bcc profile)", &cli);
