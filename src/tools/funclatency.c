// SPDX-License-Identifier: GPL-2.0
/*
 * funclatency: histogram of function durations, bcc's command line and output. Go functions
 * are timed from the post-prologue entry to every RET, paired per goroutine: safe for Go
 * programs whose goroutines grow stacks, block and move between threads.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/func_probe.h"
#include "core/attach.h"
#include "core/funcplan.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/out.h"
#include "core/usage.h"
#include "funclatency.skel.h"
#include "tools/functool.h"
#include "tools/tool.h"

struct flat {
	struct functool_opts o;
	bool per_func; /* -F */
	const char *unit;
	uint64_t unit_div;
	const char *pattern_text;
	struct func_plan plan;
	struct funclatency *skel;
	struct attach_set *as;
};

static const char usage_text[] =
	"usage: funclatency [-h] [-p PID] [-i INTERVAL] [-d DURATION] [-T] [-u] [-m] [-F] [-r]\n"
	"                   [--json] [-v] pattern\n\n"
	"Time functions and print latency as a histogram.\n\n"
	"  -p PID        trace this PID only\n"
	"  -i INTERVAL   summary interval, seconds\n"
	"  -d DURATION   total duration of trace, seconds\n"
	"  -T            include timestamp on output\n"
	"  -u            microsecond histogram\n"
	"  -m            millisecond histogram\n"
	"  -F            show a separate histogram per function\n"
	"  -r            use regular expressions; default: '*' and '?' wildcards\n"
	"  -D            print the probe sites (debug)\n"
	"  --json        one JSON object per summary\n"
	"  -v            verbose libbpf and verifier output\n\n"
	"Go code is timed with a probe on every RET instruction, paired per goroutine; never\n"
	"with a uretprobe (they crash Go programs). C code uses uretprobes.\n\n"
	"examples:\n"
	"  funclatency -d 10 './server:main.*.Mul'   # Go method, 10 seconds\n"
	"  funclatency -u c:read                      # libc read(), microseconds\n"
	"  funclatency -F -i 5 './server:main.*'      # per function, every 5 s\n";

struct entry {
	struct lat_key key;
	struct lat_hist h;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->key.idx != y->key.idx)
		return x->key.idx < y->key.idx ? -1 : 1;
	return x->key.tgid < y->key.tgid ? -1 : x->key.tgid > y->key.tgid;
}

/* Read and clear every (function, process) histogram. */
static struct entry *read_hists(struct flat *fl, size_t *n)
{
	int fd = bpf_map__fd(fl->skel->maps.hists);
	struct lat_key key, next, *prev = NULL;
	struct entry *v = NULL;
	size_t cap = 0;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (*n == cap) {
			struct entry *nv;

			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		if (!bpf_map_lookup_elem(fd, &next, &v[*n].h)) {
			v[*n].key = next;
			(*n)++;
		}
		key = next;
		prev = &key;
	}
	for (size_t i = 0; i < *n; i++)
		bpf_map_delete_elem(fd, &v[i].key);
	if (*n)
		qsort(v, *n, sizeof(*v), entry_cmp);
	return v;
}

static void add_hist(struct lat_hist *dst, const struct lat_hist *src)
{
	for (int i = 0; i < HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
	dst->total += src->total;
	dst->count += src->count;
}

static void print_json(struct flat *fl, const struct entry *v, size_t n, const char *ts)
{
	printf("{\"time\":\"%s\",\"unit\":\"%s\",\"histograms\":[", ts, fl->unit);
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"func\":", i ? "," : "");
		json_str(stdout, fl->plan.funcs[v[i].key.idx].f->name);
		printf(",\"pid\":%u,\"count\":%llu,\"total\":%llu,\"slots\":[", v[i].key.tgid,
		       (unsigned long long)v[i].h.count, (unsigned long long)v[i].h.total);
		for (int s = 1, first = 1; s < HIST_SLOTS; s++) {
			if (!v[i].h.slots[s])
				continue;
			printf("%s{\"low\":%llu,\"high\":%llu,\"count\":%llu}", first ? "" : ",",
			       s == 1 ? 0ULL : 1ULL << (s - 1),
			       s == 64 ? ~0ULL : (1ULL << s) - 1,
			       (unsigned long long)v[i].h.slots[s]);
			first = 0;
		}
		printf("]}");
	}
	printf("]}\n");
}

/*
 * bcc's layout: with -F, or for user-space targets without -p (keyed by process), one
 * "Function = NAME [PID]" section per histogram; otherwise a single histogram.
 */
static int print_hists(void *ctx)
{
	struct flat *fl = ctx;
	struct lat_hist all = { 0 };
	char ts[16], esc[512];
	size_t n;
	struct entry *v = read_hists(fl, &n);
	bool sections = fl->per_func || !fl->o.pid;

	time_hms(ts, sizeof(ts));
	if (fl->o.json) {
		print_json(fl, v, n, ts);
		free(v);
		return 0;
	}
	putchar('\n');
	if (fl->o.timestamp)
		printf("%-8s\n", ts);
	for (size_t i = 0; i < n; i++) {
		add_hist(&all, &v[i].h);
		if (!sections)
			continue;
		str_escape(esc, sizeof(esc), fl->plan.funcs[v[i].key.idx].f->name, sizeof(esc));
		if (i)
			putchar('\n');
		if (fl->o.pid)
			printf("Function = %s\n", esc);
		else
			printf("Function = %s [%u]\n", esc, v[i].key.tgid);
		hist_print_log2(stdout, (const uint64_t *)v[i].h.slots, HIST_SLOTS, fl->unit);
	}
	if (!sections)
		hist_print_log2(stdout, (const uint64_t *)all.slots, HIST_SLOTS, fl->unit);
	if (all.count)
		printf("avg = %llu %s, total: %llu %s, count: %llu\n",
		       (unsigned long long)(all.total / all.count), fl->unit,
		       (unsigned long long)all.total, fl->unit, (unsigned long long)all.count);
	fflush(stdout);
	free(v);
	return 0;
}

static int funclatency_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const struct usage cli = { usage_text, ":hp:i:d:TrDvumF", longopts };
	struct flat fl = { .unit = "nsecs", .unit_div = 1 };
	struct event_loop loop;
	struct probe_spec spec;
	enum loop_reason why;
	char err[512];
	int c, opt_err, ret = 1;

	tk_stdout_linebuf();
	while ((c = usage_getopt(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'u':
			fl.unit = "usecs";
			fl.unit_div = 1000;
			break;
		case 'm':
			fl.unit = "msecs";
			fl.unit_div = 1000000;
			break;
		case 'F':
			fl.per_func = true;
			break;
		case 'h':
			return usage_help(&cli);
		default:
			opt_err = functool_common_opt(&fl.o, &cli, c, optarg);
			if (opt_err == -ENOENT)
				return usage_getopt_error(&cli, c, argv);
			if (opt_err)
				return 2;
		}
	}
	if (optind >= argc)
		return usage_error(&cli, "the following arguments are required: pattern");
	if (optind < argc - 1)
		return usage_error(&cli, "unrecognized arguments: %s (one pattern only: use a glob "
				   "or -r for several functions)", argv[optind + 1]);
	fl.pattern_text = argv[optind];
	tk_libbpf_setup(fl.o.verbose);
	if (loop__init(&loop)) {
		tk_err("cannot set up signal handling: %s", strerror(errno));
		return 1;
	}
	if (functool_check_pid(&fl.o, &loop))
		goto out;
	if (probe_spec__parse(fl.pattern_text, fl.o.regex, &spec, err, sizeof(err))) {
		tk_err("%s", err);
		goto out;
	}
	if (spec.kind != PROBE_UPROBE) {
		bool kernel = spec.kind == PROBE_KERNEL;

		probe_spec__free(&spec);
		if (kernel && kernel_kfunc_mech(err, sizeof(err)) == KFUNC_NONE)
			tk_err("'%s': %s", fl.pattern_text, err);
		else
			tk_err("'%s': only user functions (PATH:FUNC, LIB:FUNC) can be timed",
			       fl.pattern_text);
		goto out;
	}
	fl.plan.multi = kernel_has_uprobe_multi();
	c = func_plan__add(&fl.plan, &spec, fl.o.pid, err, sizeof(err));
	probe_spec__free(&spec);
	if (c) {
		tk_err("%s", err);
		goto out;
	}
	if (fl.o.debug)
		functool_print_plan(&fl.plan);

	fl.skel = funclatency__open();
	if (!fl.skel) {
		tk_err("cannot open the BPF object: %s", strerror(errno));
		goto out;
	}
	fl.skel->rodata->filter_tgid = fl.o.pid;
	fl.skel->rodata->unit_div = fl.unit_div;
	attach_prepare_uprobe(fl.skel->progs.lat_entry, fl.plan.multi);
	attach_prepare_uprobe(fl.skel->progs.lat_return, fl.plan.multi);
	c = funclatency__load(fl.skel);
	if (c) {
		tk_err("the kernel refused the BPF program: %s", attach_strerror(c));
		goto out;
	}
	fl.as = attach_set__new();
	if (!fl.as ||
	    functool_attach_returns(&fl.plan, fl.as, bpf_program__fd(fl.skel->progs.lat_return),
				    fl.o.pid) ||
	    functool_attach_entries(&fl.plan, fl.as, bpf_program__fd(fl.skel->progs.lat_entry),
				    fl.o.pid))
		goto out;
	functool_note_plan(&fl.plan);
	printf("Tracing %zu functions for \"%s\"... Hit Ctrl-C to end.\n", fl.plan.nfuncs,
	       fl.pattern_text);
	fflush(stdout);

	if (functool_setup_timers(&fl.o, &loop, print_hists, &fl))
		goto out;
	why = loop__run(&loop);
	if (why == LOOP_ERROR)
		goto out;
	if (!fl.o.final_printed)
		print_hists(&fl);
	if (why == LOOP_TARGET_EXIT)
		tk_note("process %d exited", fl.o.pid);
	if (!fl.o.json)
		printf("Detaching...\n");
	ret = 0;
out:
	attach_set__destroy(fl.as);
	funclatency__destroy(fl.skel);
	func_plan__free(&fl.plan);
	loop__close(&loop);
	return ret;
}

TOOL_REGISTER(funclatency, funclatency_main, "time functions, print a latency histogram");
