// SPDX-License-Identifier: GPL-2.0
/*
 * funcslower: print calls slower than a threshold, with bcc's columns, optional arguments and
 * user/kernel stacks. For Go, the stack is taken at the RET probe, where the frame-pointer
 * chain lacks the immediate caller: the BPF side keeps [SP] (the return address) for it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/func_probe.h"
#include "core/attach.h"
#include "core/funcplan.h"
#include "core/ksym.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/out.h"
#include "core/usym.h"
#include "funcslower.skel.h"
#include "tools/functool.h"
#include "tools/tool.h"

struct fslow {
	struct functool ft; /* first: the callbacks' ctx */
	uint64_t min_ns;
	bool ms;	     /* threshold given in ms: LAT(ms) column */
	unsigned long nargs; /* -a */
	bool ustack, kstack, folded, rel_time;
	struct timespec start;
	struct funcslower *skel;
	struct usym_cache *usyms;
	struct ksyms *ksyms; /* loaded on the first kernel stack */
	char ready[96];
	struct metric_family *calls, *lat; /* --metrics: the slow calls, as they come */
};
FUNCTOOL_FIRST(struct fslow);

/* -m MIN_MS, -u MIN_US: the last one given wins */
static int parse_min(void *opts, const struct usage *u, int key, const char *arg)
{
	struct fslow *fs = opts;
	unsigned long v;

	if (usage_parse_ulong(u, key, arg, 0, 86400000, &v))
		return -EINVAL;
	fs->ms = key == 'm';
	fs->min_ns = v * (fs->ms ? 1000000ULL : 1000ULL);
	return 0;
}

#define FS struct fslow
static struct tool_cli cli = {
	.name = "funcslower",
	.description = "Trace slow function calls and print details.",
	.required = "function",
	.opts = TOOL_OPTS(
		FUNCTOOL_OPT_PID(FS),
		{'m', NULL, "MIN_MS", "minimum duration to trace, ms (default 1)", TOOL_OPT_CALL,
		 .parse = parse_min},
		{'u', NULL, "MIN_US", "minimum duration to trace, us", TOOL_OPT_CALL,
		 .parse = parse_min},
		{'a', NULL, "ARGUMENTS", "print the first N arguments (Go: register ABI order)",
		 TOOL_OPT_ULONG, offsetof(FS, nargs), 0, MAX_ARGS},
		FUNCTOOL_OPT_TIMESTAMP(FS, "print time column (HH:MM:SS)"),
		{'t', NULL, NULL, "print time column (seconds since start)", TOOL_OPT_FLAG,
		 offsetof(FS, rel_time)},
		{'f', NULL, NULL, "print folded stacks", TOOL_OPT_FLAG, offsetof(FS, folded)},
		FUNCTOOL_OPT_DURATION(FS),
		{'U', NULL, NULL, "show user stack", TOOL_OPT_FLAG, offsetof(FS, ustack)},
		{'K', NULL, NULL, "show kernel stack", TOOL_OPT_FLAG, offsetof(FS, kstack)},
		FUNCTOOL_OPT_REGEX(FS), FUNCTOOL_OPT_DEBUG(FS), FUNCTOOL_OPT_VERBOSE(FS),
		FUNCTOOL_OPT_JSON(FS, "one JSON object per call")),
	.args = "function [function ...]",
	.args_help = "  function      function(s) to trace\n",
	.examples = "  funcslower -u 10 './server:main.(*Arith).Mul'     # calls over 10 us\n"
		    "  funcslower -UK -u 10 './server:main.(*Arith).Mul' # with stacks\n"
		    "  funcslower -m 5 -a 2 c:open                       # libc open over 5 ms, 2 "
		    "args\n",
};

static const char *func_label(struct fslow *fs, uint32_t idx, char *buf, size_t len)
{
	char raw[1024];

	if (idx >= fs->ft.plan.nfuncs)
		return "?";
	snprintf(raw, sizeof(raw), "%s:%s", fs->ft.plan.funcs[idx].ts->display,
		 fs->ft.plan.funcs[idx].f->name);
	return str_escape(buf, len, raw, sizeof(raw));
}

static const char *usym_name(struct fslow *fs, int pid, uint64_t ip, char *buf, size_t len)
{
	struct usym s;

	if (usym_cache__resolve(fs->usyms, pid, ip, &s) || !s.name) {
		snprintf(buf, len, "[unknown] 0x%llx", (unsigned long long)ip);
		return buf;
	}
	return str_escape(buf, len, s.name, 512);
}

/* The user frames to show: for Go at a RET, [caller] + the chain above it. */
static size_t user_frames(const struct slow_event *e, uint64_t *out, size_t max)
{
	size_t n = 0, depth = e->ustack_len > 0 ? e->ustack_len / 8 : 0;

	if (e->caller && n < max)
		out[n++] = e->caller;
	for (size_t i = e->caller ? 1 : 0; i < depth && n < max; i++)
		out[n++] = e->ustack[i];
	return n;
}

static const char *ksym_name(struct fslow *fs, uint64_t addr)
{
	uint64_t off;
	const char *s;

	if (!fs->ksyms)
		fs->ksyms = ksyms__load();
	s = fs->ksyms ? ksyms__resolve(fs->ksyms, addr, &off) : NULL;
	return s ? s : "[unknown]";
}

static void print_json_event(struct fslow *fs, const struct slow_event *e, const uint64_t *uf,
			     size_t nuf)
{
	char buf[512];

	printf("{\"comm\":");
	json_strn(stdout, e->comm, sizeof(e->comm));
	printf(",\"pid\":%u,\"tid\":%u,\"lat_ns\":%llu,\"retval\":%llu,\"func\":", e->pid,
	       e->tid, (unsigned long long)e->lat_ns, (unsigned long long)e->retval);
	json_str(stdout, func_label(fs, e->idx, buf, sizeof(buf)));
	if (fs->nargs) {
		printf(",\"args\":[");
		for (unsigned int i = 0; i < fs->nargs; i++)
			printf("%s%llu", i ? "," : "", (unsigned long long)e->args[i]);
		printf("]");
	}
	if (fs->ustack) {
		printf(",\"ustack\":[");
		for (size_t i = 0; i < nuf; i++) {
			printf(i ? "," : "");
			json_str(stdout, usym_name(fs, e->pid, uf[i], buf, sizeof(buf)));
		}
		printf("]");
	}
	if (fs->kstack) {
		printf(",\"kstack\":[");
		for (int i = 0; i < (e->kstack_len > 0 ? e->kstack_len / 8 : 0); i++) {
			printf(i ? "," : "");
			json_str(stdout, ksym_name(fs, e->kstack[i]));
		}
		printf("]");
	}
	printf("}\n");
}

static void print_folded(struct fslow *fs, const struct slow_event *e, const uint64_t *uf,
			 size_t nuf)
{
	char buf[512];

	fputs(str_escape(buf, sizeof(buf), e->comm, sizeof(e->comm)), stdout);
	for (size_t i = nuf; i-- > 0;)
		printf(";%s", usym_name(fs, e->pid, uf[i], buf, sizeof(buf)));
	for (int i = (e->kstack_len > 0 ? e->kstack_len / 8 : 0); i-- > 0;)
		printf(";%s", ksym_name(fs, e->kstack[i]));
	printf(" %llu\n", (unsigned long long)(e->lat_ns / 1000));
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct fslow *fs = ctx;
	const struct slow_event *e = data;
	uint64_t uf[MAX_STACK + 1];
	size_t nuf;
	char comm[64], buf[512];

	if (fs->calls) {
		const char *name =
			fs->ft.plan.funcs[e->idx < fs->ft.plan.nfuncs ? e->idx : 0].f->name;

		metric_add(metric_series(fs->calls, &name), 1);
		metric_observe(metric_series(fs->lat, &name), e->lat_ns);
	}
	nuf = fs->ustack ? user_frames(e, uf, MAX_STACK + 1) : 0;
	if (fs->ft.o.json) {
		print_json_event(fs, e, uf, nuf);
		return 0;
	}
	if (fs->folded) {
		print_folded(fs, e, uf, nuf);
		return 0;
	}
	if (fs->ft.o.timestamp) {
		printf("%-9s", time_hms(buf, sizeof(buf)));
	} else if (fs->rel_time) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		printf("%-18.9f ", (now.tv_sec - fs->start.tv_sec) +
					   (now.tv_nsec - fs->start.tv_nsec) / 1e9);
	}
	str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm));
	printf("%-14.14s %-6u %7.2f %16llx %s", comm, e->pid,
	       fs->ms ? e->lat_ns / 1e6 : e->lat_ns / 1e3, (unsigned long long)e->retval,
	       func_label(fs, e->idx, buf, sizeof(buf)));
	for (unsigned int i = 0; i < fs->nargs; i++)
		printf(" 0x%llx", (unsigned long long)e->args[i]);
	putchar('\n');
	if (fs->kstack)
		for (int i = 0; i < (e->kstack_len > 0 ? e->kstack_len / 8 : 0); i++)
			printf("    %s\n", ksym_name(fs, e->kstack[i]));
	for (size_t i = 0; i < nuf; i++)
		printf("    %s\n", usym_name(fs, e->pid, uf[i], buf, sizeof(buf)));
	return 0;
}

/* --metrics: the slow calls counted and timed per function, kept as events arrive. */
static int add_metrics(void *ctx, struct metrics *m)
{
	static const char *const labels[] = {"func"};
	struct fslow *fs = ctx;

	fs->calls = metrics_family(m, "tracekit_funcslower_calls", METRIC_COUNTER,
				   "Calls slower than the threshold, per function (funcslower)",
				   labels, 1, false);
	fs->lat = metrics_family(m, "tracekit_funcslower_latency_seconds", METRIC_HISTOGRAM,
				 "Latency of the calls slower than the threshold (funcslower)",
				 labels, 1, false);
	if (!fs->calls || !fs->lat || metrics_log2_bounds(fs->lat, HIST_SLOTS))
		return -ENOMEM;
	metric_family_set_divisor(fs->lat, 1e9);
	for (size_t i = 0; i < fs->ft.plan.nfuncs; i++) {
		const char *name = fs->ft.plan.funcs[i].f->name;

		metric_add(metric_series(fs->calls, &name), 0); /* none slow yet: 0, not absent */
	}
	return 0;
}

static void print_header(void *ctx)
{
	struct fslow *fs = ctx;

	clock_gettime(CLOCK_MONOTONIC, &fs->start);
	if (fs->folded)
		return;
	if (fs->ft.o.timestamp)
		printf("%-9s", "TIME");
	else if (fs->rel_time)
		printf("%-18s ", "TIME(s)");
	printf("%-14s %-6s %7s %16s %s%s\n", "COMM", "PID", fs->ms ? "LAT(ms)" : "LAT(us)", "RVAL",
	       "FUNC", fs->nargs ? " ARGS" : "");
}

static int attach(void *ctx, struct attach_set *as)
{
	struct fslow *fs = ctx;

	return functool_attach_timed(&fs->ft, as, fs->skel->progs.slow_entry,
				     fs->skel->progs.slow_return);
}

static int open_and_load(struct fslow *fs)
{
	int err;

	fs->usyms = usym_cache__new();
	fs->skel = funcslower__open();
	if (!fs->skel || !fs->usyms) {
		tk_err("cannot open the BPF object: %s", strerror(errno));
		return -ENOENT;
	}
	fs->skel->rodata->filter_tgid = fs->ft.o.pid;
	fs->skel->rodata->min_ns = fs->min_ns;
	fs->skel->rodata->capture_args = fs->nargs > 0;
	fs->skel->rodata->want_ustack = fs->ustack || fs->folded;
	fs->skel->rodata->want_kstack = fs->kstack;
	fs->ustack = fs->ustack || fs->folded;
	attach_prepare_uprobe(fs->skel->progs.slow_entry, fs->ft.plan.multi);
	attach_prepare_uprobe(fs->skel->progs.slow_return, fs->ft.plan.multi);
	err = funcslower__load(fs->skel);
	if (err)
		tk_err("the kernel refused the BPF program: %s", attach_strerror(err));
	return err;
}

static int funcslower_main(int argc, char **argv)
{
	struct fslow fs = {.min_ns = 1000000, .ms = true};
	struct tool_run *run = &fs.ft.run;
	bool ms;
	int err, first;

	if (!tool_start(&cli, &fs, argc, argv, &err))
		return err;
	err = 1;
	first = cli.first_arg;
	if (functool_check_pid(&fs.ft.o) ||
	    functool_plan_user(&fs.ft, argv + first, argc - first) || open_and_load(&fs))
		goto out;
	ms = fs.ms && fs.min_ns % 1000000 == 0;
	snprintf(fs.ready, sizeof(fs.ready),
		 "Tracing function calls slower than %llu %s... Ctrl+C to quit.",
		 (unsigned long long)(fs.min_ns / (ms ? 1000000 : 1000)), ms ? "ms" : "us");
	functool_run_opts(&fs.ft);
	run->obj = fs.skel->obj; /* its "events" ring buffer */
	run->attach = attach;
	run->on_event = handle_event;
	run->event_size = sizeof(struct slow_event);
	run->ready = fs.ready;
	run->header = print_header;
	run->metrics = add_metrics;
	err = tool_run(run);
out:
	funcslower__destroy(fs.skel);
	func_plan__free(&fs.ft.plan);
	usym_cache__free(fs.usyms);
	ksyms__free(fs.ksyms);
	return err;
}

TOOL_REGISTER(funcslower, funcslower_main, "print function calls slower than a threshold", &cli);
