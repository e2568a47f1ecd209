// SPDX-License-Identifier: GPL-2.0
/*
 * funccount: count calls of user functions (PATH:glob, LIB:glob), tracepoints (t:CAT:EVENT)
 * or kernel functions, with bcc's command line and output.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/attach.h"
#include "core/funcplan.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/out.h"
#include "core/syscalls.h"
#include "funccount.skel.h"
#include "tools/functool.h"
#include "tools/tool.h"

struct fcount {
	struct functool ft; /* first: the callbacks' ctx */
	unsigned long cpu; /* -c, ULONG_MAX: every CPU */
	const char *pattern_text;
	char **tps; /* tracepoint or kernel mode: "cat:event" or function per index */
	size_t ntps;
	bool kernel; /* tps are kernel functions (kprobe_multi) */
	struct funccount *skel;
	int ncpus;
	/* each counter's total at the last summary: the BPF counters are never reset, so a
	 * summary is their growth and a scrape their total */
	uint64_t *shown;
};
FUNCTOOL_FIRST(struct fcount);

#define FC struct fcount
static struct tool_cli cli = {
	.name = "funccount",
	.description = "Count function calls, tracepoints or kernel functions.",
	.required = "pattern",
	.opts = TOOL_OPTS(FUNCTOOL_OPTS_SUMMARY(FC), FUNCTOOL_OPT_REGEX(FC), FUNCTOOL_OPT_DEBUG(FC),
			  {'c', NULL, "CPU", "trace this CPU only", TOOL_OPT_ULONG,
			   offsetof(FC, cpu), 0, 4096},
			  FUNCTOOL_OPT_JSON(FC, "one JSON object per summary"),
			  FUNCTOOL_OPT_VERBOSE(FC)),
	.args = "pattern [pattern ...]",
	.args_help =
		"  pattern      PATH:FUNC, LIB:FUNC (c:malloc), p:LIB:FUNC, t:CAT:EVENT, FUNC\n"
		"               (kernel)\n",
	.examples =
		"  funccount -d 10 './server:main.*.Mul'   # count calls for 10 seconds\n"
		"  funccount -Ti 5 './server:main.*.Mul'   # print counts every 5 s with a time\n"
		"  funccount './server:runtime.*'          # every Go runtime function "
		"(uprobe_multi)\n"
		"  funccount 't:syscalls:sys_enter_*'      # tracepoints\n"
		"  funccount -p 181 c:malloc               # libc malloc of PID 181\n",
};

struct count_row {
	const char *name;
	uint64_t count;
};

static int row_cmp(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

static const char *func_name(struct fcount *fc, size_t i)
{
	return fc->ntps ? fc->tps[i] : fc->ft.plan.funcs[i].f->name;
}

static size_t nfuncs(struct fcount *fc)
{
	return fc->ntps ? fc->ntps : fc->ft.plan.nfuncs;
}

/* Counter i's total over the CPUs; 0 when it cannot be read. */
static uint64_t read_total(struct fcount *fc, uint32_t i, uint64_t *vals)
{
	uint64_t sum = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(fc->skel->maps.counts), &i, vals))
		return 0;
	for (int c = 0; c < fc->ncpus; c++)
		sum += vals[c];
	return sum;
}

/* The calls since the last summary, sorted as bcc prints them. */
static int read_counts(struct fcount *fc, struct count_row *rows, size_t *nrows)
{
	uint64_t *vals = calloc(fc->ncpus, sizeof(*vals));

	*nrows = 0;
	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < nfuncs(fc); i++) {
		uint64_t total = read_total(fc, i, vals), sum = total - fc->shown[i];

		fc->shown[i] = total;
		if (sum)
			rows[(*nrows)++] = (struct count_row){ func_name(fc, i), sum };
	}
	free(vals);
	qsort(rows, *nrows, sizeof(*rows), row_cmp);
	return 0;
}

/* --metrics: every function's calls since the start, one series per name. */
static int collect_counts(void *ctx, struct metrics *m)
{
	static const char *const labels[] = {"func"};
	struct fcount *fc = ctx;
	struct metric_family *f =
		metrics_family(m, "tracekit_funccount_calls", METRIC_COUNTER,
			       "Calls of each traced function (funccount)", labels, 1, true);
	uint64_t *vals = calloc(fc->ncpus, sizeof(*vals));

	if (!f || !vals) {
		free(vals);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < nfuncs(fc); i++) {
		const char *name = func_name(fc, i);

		metric_add(metric_series(f, &name), read_total(fc, i, vals));
	}
	free(vals);
	return 0;
}

static int add_metrics(void *ctx, struct metrics *m)
{
	return metrics_add_collector(m, collect_counts, ctx);
}

static int print_counts(void *ctx)
{
	struct fcount *fc = ctx;
	struct count_row *rows = calloc(nfuncs(fc) + 1, sizeof(*rows));
	char ts[16], esc[512];
	size_t n;

	if (!rows || read_counts(fc, rows, &n)) {
		free(rows);
		return -ENOMEM;
	}
	time_hms(ts, sizeof(ts));
	if (fc->ft.o.json) {
		printf("{\"time\":\"%s\",\"counts\":[", ts);
		for (size_t i = 0; i < n; i++) {
			printf("%s{\"func\":", i ? "," : "");
			json_str(stdout, rows[i].name);
			printf(",\"count\":%llu}", (unsigned long long)rows[i].count);
		}
		printf("]}\n");
	} else {
		putchar('\n');
		if (fc->ft.o.timestamp)
			printf("%-8s\n", ts);
		printf("%-36s %8s\n", "FUNC", "COUNT");
		for (size_t i = 0; i < n; i++)
			printf("%-36s %8llu\n", str_escape(esc, sizeof(esc), rows[i].name, 512),
			       (unsigned long long)rows[i].count);
	}
	fflush(stdout);
	free(rows);
	return 0;
}

static int attach_kprobes(struct fcount *fc, struct attach_set *as)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts, .syms = (const char **)fc->tps, .cnt = fc->ntps);
	uint64_t *cookies = calloc(fc->ntps, sizeof(*cookies));
	struct bpf_link *link;
	int err;

	if (!cookies)
		return -ENOMEM;
	for (size_t i = 0; i < fc->ntps; i++)
		cookies[i] = i;
	opts.cookies = (const __u64 *)cookies;
	link = bpf_program__attach_kprobe_multi_opts(fc->skel->progs.count_kprobe, NULL, &opts);
	free(cookies);
	err = link ? attach_set__add_link(as, link) : -errno;
	if (err && link)
		bpf_link__destroy(link);
	if (err)
		tk_err("cannot attach kprobes: %s", attach_strerror(err));
	else
		tk_note("kernel functions: one kprobe_multi link");
	return err;
}

/* syscalls:sys_enter_X -> (raw "sys_enter", nr of X); -1 for every other event. */
static int syscall_event(const char *tp, bool *enter)
{
	if (strncmp(tp, "syscalls:sys_enter_", 19) == 0) {
		*enter = true;
		return syscall_nr(tp + 19);
	}
	if (strncmp(tp, "syscalls:sys_exit_", 18) == 0) {
		*enter = false;
		return syscall_nr(tp + 18);
	}
	return -1;
}

/*
 * Raw tracepoints first (they detach at once; perf-event tracepoints take ~0.1 s each, which
 * is half a minute for 't:syscalls:*'), perf events where the kernel lacks raw_tp cookies or
 * the event has no raw tracepoint of its own name.
 */
static int attach_tracepoints(struct fcount *fc, struct attach_set *as)
{
	struct funccount *sk = fc->skel;
	int tp_fd = bpf_program__fd(sk->progs.count_tracepoint);
	int raw_fd = bpf_program__fd(sk->progs.count_raw_tp);
	bool use_enter = false, use_exit = false, raw_ok = true;
	size_t nperf = 0;
	int err = 0;

	for (size_t i = 0; i < fc->ntps && !err; i++) {
		char *colon = strchr(fc->tps[i], ':');
		uint32_t val = i + 1;
		bool enter;
		int nr = syscall_event(fc->tps[i], &enter);

		if (nr >= 0 && nr < 1024) {
			struct bpf_map *m = enter ? sk->maps.sys_enter_idx : sk->maps.sys_exit_idx;
			uint32_t key = nr;

			if (!bpf_map_update_elem(bpf_map__fd(m), &key, &val, BPF_ANY)) {
				*(enter ? &use_enter : &use_exit) = true;
				continue;
			}
		}
		*colon = '\0';
		if (raw_ok && nr < 0) {
			err = attach_raw_tracepoint_cookie(as, raw_fd, colon + 1, i);
			raw_ok = err != -E2BIG && err != -EINVAL;
		} else {
			err = -ENOENT;
		}
		if (err) {
			err = attach_tracepoint(as, tp_fd, fc->tps[i], colon + 1, i);
			nperf++;
		}
		*colon = ':';
		if (err)
			tk_err("cannot attach tracepoint %s: %s", fc->tps[i], attach_strerror(err));
	}
	if (!err && use_enter)
		err = attach_raw_tracepoint(as, bpf_program__fd(sk->progs.count_sys_enter),
					    "sys_enter");
	if (!err && use_exit)
		err = attach_raw_tracepoint(as, bpf_program__fd(sk->progs.count_sys_exit),
					    "sys_exit");
	if (err)
		return err;
	if (nperf > 8)
		tk_note("%zu tracepoints attached as perf events (each takes ~0.1 s to detach)",
			nperf);
	return 0;
}

static int plan(struct fcount *fc, int argc, char **argv, int first)
{
	char err[512];

	for (int i = first; i < argc; i++) {
		struct probe_spec spec;
		int ret = probe_spec__parse(argv[i], fc->ft.o.regex, &spec, err, sizeof(err));

		if (ret) {
			tk_err("%s", err);
			return ret;
		}
		if (spec.kind == PROBE_KERNEL && !kernel_has_kprobes()) {
			/* Counting needs kprobe_multi; say what the kernel lacks. */
			if (kernel_kfunc_mech(err, sizeof(err)) != KFUNC_NONE)
				snprintf(err, sizeof(err),
					 "this kernel has fentry but no kprobes; funccount counts "
					 "kernel functions with kprobes: use tracepoints");
			probe_spec__free(&spec);
			tk_err("'%s': %s", argv[i], err);
			return -EOPNOTSUPP;
		}
		if (spec.kind != PROBE_UPROBE) {
			if (fc->ft.plan.nfuncs || fc->ntps || argc - first > 1) {
				probe_spec__free(&spec);
				tk_err("tracepoint and kernel patterns cannot be mixed with others; "
				       "give one");
				return -EINVAL;
			}
			fc->kernel = spec.kind == PROBE_KERNEL;
			ret = fc->kernel ? kfuncs_match(&spec, &fc->tps, &fc->ntps, err, sizeof(err)) :
					   tracepoints_match(&spec, &fc->tps, &fc->ntps, err,
							     sizeof(err));
		} else {
			if (fc->ntps) {
				probe_spec__free(&spec);
				tk_err("tracepoint patterns cannot be mixed with others; give one");
				return -EINVAL;
			}
			ret = func_plan__add(&fc->ft.plan, &spec, fc->ft.o.pid, err, sizeof(err));
		}
		probe_spec__free(&spec);
		if (ret) {
			tk_err("%s", err);
			return ret;
		}
	}
	return 0;
}

static int attach(void *ctx, struct attach_set *as)
{
	struct fcount *fc = ctx;
	int err;

	if (fc->kernel)
		err = attach_kprobes(fc, as);
	else if (fc->ntps)
		err = attach_tracepoints(fc, as);
	else
		err = functool_attach_entries(&fc->ft.plan, as,
					      bpf_program__fd(fc->skel->progs.count_uprobe),
					      fc->ft.o.pid);
	if (!err)
		functool_note_plan(&fc->ft.plan);
	return err;
}

static int open_and_load(struct fcount *fc)
{
	bool tp = fc->ntps > 0 && !fc->kernel;
	int err;

	fc->ncpus = libbpf_num_possible_cpus();
	fc->skel = funccount__open();
	fc->shown = calloc(nfuncs(fc) + 1, sizeof(*fc->shown));
	if (!fc->skel || fc->ncpus <= 0 || !fc->shown) {
		tk_err("cannot open the BPF object: %s", strerror(errno));
		return -ENOENT;
	}
	fc->skel->rodata->filter_tgid = fc->ft.o.pid;
	fc->skel->rodata->filter_cpu = fc->cpu == ULONG_MAX ? -1 : (int)fc->cpu;
	bpf_map__set_max_entries(fc->skel->maps.counts, nfuncs(fc));
	attach_prepare_uprobe(fc->skel->progs.count_uprobe, fc->ft.plan.multi);
	bpf_program__set_autoload(fc->skel->progs.count_kprobe, fc->kernel);
	bpf_program__set_autoload(fc->skel->progs.count_tracepoint, tp);
	bpf_program__set_autoload(fc->skel->progs.count_raw_tp, tp);
	bpf_program__set_autoload(fc->skel->progs.count_sys_enter, tp);
	bpf_program__set_autoload(fc->skel->progs.count_sys_exit, tp);
	bpf_program__set_autoload(fc->skel->progs.count_uprobe, fc->ntps == 0);
	err = funccount__load(fc->skel);
	if (err)
		tk_err("the kernel refused the BPF program: %s", attach_strerror(err));
	return err;
}

static int funccount_main(int argc, char **argv)
{
	struct fcount fc = {.cpu = ULONG_MAX};
	int err, first;

	if (!tool_start(&cli, &fc, argc, argv, &err))
		return err;
	err = 1;
	first = cli.first_arg;
	fc.pattern_text = argv[first];
	if (functool_check_pid(&fc.ft.o))
		goto out;
	fc.ft.plan.multi = kernel_has_uprobe_multi();
	if (plan(&fc, argc, argv, first))
		goto out;
	if (fc.ft.o.debug)
		functool_print_plan(&fc.ft.plan);
	if (open_and_load(&fc))
		goto out;
	fc.ft.run.metrics = add_metrics;
	fc.ft.run.obj = fc.skel->obj; /* its programs in the self metrics */
	err = functool_run_summary(&fc.ft, nfuncs(&fc), fc.pattern_text, attach, print_counts);
out:
	free(fc.shown);
	funccount__destroy(fc.skel);
	func_plan__free(&fc.ft.plan);
	strv_free(fc.tps, fc.ntps);
	return err;
}

TOOL_REGISTER(funccount, funccount_main, "count function calls (user, tracepoint)", &cli);
