// SPDX-License-Identifier: GPL-2.0
/*
 * syscount: syscall counts (and with -L their time) by syscall or by process, bcc's command
 * line and output, from raw_syscalls:sys_enter/sys_exit.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/syscount.h"
#include "core/log.h"
#include "core/out.h"
#include "core/syscalls.h"
#include "core/vec.h"
#include "syscount.skel.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(syscount);

#define MAX_S  (86400UL * 365)
#define MAX_NR 1024 /* above any x86-64 syscall number */
#define BATCH  256

struct opts {
	uint32_t pid, tid;
	unsigned long interval_s, duration_s, top;
	bool failures, latency, ms, process, list, json, verbose;
	int err_nr;
	const char *syscall;
};

/* One row: a map entry, or its totals since the start (for --metrics) */
struct row {
	uint32_t key;
	struct syscount_val v;
};

struct state {
	const struct opts *o;
	struct syscount *skel;
	char ready[96];
	/* --metrics: what the summaries took out of the map, added up by key */
	struct metric_family *calls, *errors, *secs;
	struct row *taken;
	size_t ntaken, cap;
};

/* -e: a number or a name (EPERM) */
static int parse_errno(void *opts, const struct usage *u, int key, const char *arg)
{
	struct opts *o = opts;
	char *end;
	long v = strtol(arg, &end, 10);

	if (end != arg && !*end && v != 0 && v > -4096 && v < 4096) {
		o->err_nr = v < 0 ? -v : v;
		return 0;
	}
	for (int i = 1; i < 4096; i++) {
		const char *n = strerrorname_np(i);

		if (n && strcmp(n, arg) == 0) {
			o->err_nr = i;
			return 0;
		}
	}
	usage_arg_error(u, key, "couldn't map %s to an errno", arg);
	return -EINVAL;
}

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "syscount",
	.description = "Summarize syscall counts and latencies.",
	.opts = TOOL_OPTS({'p', "pid", "PID", "trace only this pid", TOOL_OPT_PID, OPT(pid),
			   .bpf = "filter_tgid"},
			  {'t', "tid", "TID", "trace only this tid", TOOL_OPT_PID, OPT(tid)},
			  {'i', "interval", "INTERVAL", "print summary at this interval (seconds)",
			   TOOL_OPT_ULONG, OPT(interval_s), 1, MAX_S},
			  {'d', "duration", "DURATION", "total duration of trace, in seconds",
			   TOOL_OPT_ULONG, OPT(duration_s), 1, MAX_S},
			  {'T', "top", "TOP", "print only the top syscalls by count or latency",
			   TOOL_OPT_ULONG, OPT(top), 1, 1000000},
			  {'x', "failures", NULL, "trace only failed syscalls (return < 0)",
			   TOOL_OPT_FLAG, OPT(failures), .bpf = "failed_only"},
			  {'e', "errno", "ERRNO",
			   "trace only syscalls that return this error (numeric or EPERM, etc.)",
			   TOOL_OPT_CALL, .parse = parse_errno},
			  {'L', "latency", NULL, "collect syscall latency", TOOL_OPT_FLAG,
			   OPT(latency), .bpf = "latency"},
			  {'m', "milliseconds", NULL,
			   "display latency in milliseconds (default: microseconds)", TOOL_OPT_FLAG,
			   OPT(ms)},
			  {'P', "process", NULL, "count by process and not by syscall",
			   TOOL_OPT_FLAG, OPT(process), .bpf = "by_process"},
			  {'l', "list", NULL, "print list of recognized syscalls and exit",
			   TOOL_OPT_FLAG, OPT(list)},
			  {257, "syscall", "SYSCALL",
			   "trace this syscall only (use option -l to get all recognized syscalls)",
			   TOOL_OPT_STR, OPT(syscall)},
			  {TOOL_OPT_JSON, "json", NULL, "one JSON object per summary",
			   TOOL_OPT_FLAG, OPT(json)},
			  TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	.examples = "    syscount                 # count all syscalls, top 10, at Ctrl-C\n"
		    "    syscount -p 181          # only syscalls of PID 181\n"
		    "    syscount -i 1 -d 10      # a summary every second, for 10 seconds\n"
		    "    syscount -L -m           # with their time, in milliseconds\n"
		    "    syscount -P              # by process\n"
		    "    syscount -x              # failed syscalls only\n"
		    "    syscount -e ENOENT       # syscalls that returned ENOENT only\n"
		    "    syscount --syscall read  # read() only\n",
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* -l: bcc's list, sorted, four to a line */
static int list_syscalls(void)
{
	const char *names[MAX_NR];
	size_t n = 0;

	for (int nr = 0; nr < MAX_NR; nr++)
		if (syscall_name(nr))
			names[n++] = syscall_name(nr);
	qsort(names, n, sizeof(names[0]), cmp_name);
	for (size_t i = 0; i < n; i++)
		printf("%-22s%s", names[i], i % 4 == 3 || i + 1 == n ? "\n" : "   ");
	return 0;
}

/* What a row's key is called: the syscall's name, "[unknown: N]", or "PID COMM" with -P */
static const char *row_name(const struct state *s, const struct row *r, char *buf, size_t len)
{
	const char *name;
	char comm[sizeof(r->v.comm) * 4 + 1];

	if (s->o->process) {
		snprintf(buf, len, "%-6u %-15s", r->key,
			 str_escape(comm, sizeof(comm), r->v.comm, strnlen(r->v.comm, 16)));
		return buf;
	}
	name = syscall_name(r->key);
	if (name)
		return name;
	snprintf(buf, len, "[unknown: %u]", r->key);
	return buf;
}

/* One more row in *rows (n of them, room for cap): 0 or -ENOMEM */
static int push_row(struct row **rows, size_t *n, size_t *cap, uint32_t key,
		    const struct syscount_val *v)
{
	if (vec_reserve(rows, cap, *n, 1, sizeof(**rows)))
		return -ENOMEM;
	(*rows)[(*n)++] = (struct row){key, *v};
	return 0;
}

/* Every entry of the map into *rows (n of them); with take, the entries are deleted. */
static int read_map(int fd, bool take, struct row **rows, size_t *n)
{
	uint32_t keys[BATCH], k, cur, *prev = NULL;
	struct syscount_val v;
	size_t cap = 0, nk;

	*rows = NULL;
	*n = 0;
	if (!take) {
		for (; !bpf_map_get_next_key(fd, prev, &k); prev = &cur) {
			cur = k;
			if (!bpf_map_lookup_elem(fd, &cur, &v) && push_row(rows, n, &cap, cur, &v))
				return -ENOMEM;
		}
		return 0;
	}
	do {
		/* keys first: deleting while walking would restart the walk */
		for (nk = 0, prev = NULL; nk < BATCH && !bpf_map_get_next_key(fd, prev, &k);
		     prev = &keys[nk++])
			keys[nk] = k;
		for (size_t i = 0; i < nk; i++)
			if (!bpf_map_lookup_and_delete_elem(fd, &keys[i], &v) &&
			    push_row(rows, n, &cap, keys[i], &v))
				return -ENOMEM;
	} while (nk == BATCH);
	return 0;
}

static int cmp_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->v.count < y->v.count ? 1 : x->v.count > y->v.count ? -1 : 0;
}

static int cmp_time(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->v.total_ns < y->v.total_ns ? 1 : x->v.total_ns > y->v.total_ns ? -1 : 0;
}

/* rows added to the totals *to (by key): 0 or -ENOMEM */
static int add_rows(struct row **to, size_t *nto, size_t *cap, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct row *t = NULL;

		for (size_t j = 0; j < *nto && !t; j++)
			if ((*to)[j].key == rows[i].key)
				t = &(*to)[j];
		if (!t) {
			if (push_row(to, nto, cap, rows[i].key, &rows[i].v))
				return -ENOMEM;
			continue;
		}
		t->v.count += rows[i].v.count;
		t->v.errors += rows[i].v.errors;
		t->v.total_ns += rows[i].v.total_ns;
	}
	return 0;
}

static void print_rows(const struct state *s, const struct row *rows, size_t n)
{
	const struct opts *o = s->o;
	double div = o->ms ? 1e6 : 1e3;
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		if (o->json) {
			printf("%s{", i ? "," : "");
			if (o->process) {
				printf("\"pid\":%u,\"comm\":", r->key);
				json_strn(stdout, r->v.comm, sizeof(r->v.comm));
			} else {
				printf("\"syscall\":");
				json_str(stdout, row_name(s, r, buf, sizeof(buf)));
				printf(",\"nr\":%u", r->key);
			}
			printf(",\"count\":%llu,\"errors\":%llu", (unsigned long long)r->v.count,
			       (unsigned long long)r->v.errors);
			if (o->latency)
				printf(",\"%s\":%.3f", o->ms ? "time_ms" : "time_us",
				       r->v.total_ns / div);
			printf("}");
			continue;
		}
		printf("%-22s %8llu", row_name(s, r, buf, sizeof(buf)),
		       (unsigned long long)r->v.count);
		if (o->latency)
			printf(o->ms ? " %16.6f" : " %16.3f", r->v.total_ns / div);
		printf("\n");
	}
}

/* Every -i, and at the end: the top rows since the last summary */
static int print_summary(void *ctx)
{
	struct state *s = ctx;
	const struct opts *o = s->o;
	struct row *rows;
	size_t n;
	char ts[16];

	if (read_map(bpf_map__fd(s->skel->maps.data), true, &rows, &n) ||
	    (s->calls && add_rows(&s->taken, &s->ntaken, &s->cap, rows, n))) {
		free(rows);
		tk_err("out of memory");
		return 1;
	}
	qsort(rows, n, sizeof(*rows), o->latency ? cmp_time : cmp_count);
	if (n > o->top)
		n = o->top;
	time_hms(ts, sizeof(ts));
	if (o->json) {
		printf("{\"time\":\"%s\",\"%s\":[", ts, o->process ? "processes" : "syscalls");
		print_rows(s, rows, n);
		printf("]}\n");
	} else {
		printf("[%s]\n", ts);
		printf("%-22s %8s", o->process ? "PID    COMM" : "SYSCALL", "COUNT");
		if (o->latency)
			printf(" %16s", o->ms ? "TIME (ms)" : "TIME (us)");
		printf("\n");
		print_rows(s, rows, n);
		printf("\n");
	}
	free(rows);
	fflush(stdout);
	return ferror(stdout) ? 1 : 0; /* the reader went away (tool | head): stop */
}

static void print_footer(void *ctx)
{
	if (!((struct state *)ctx)->o->json)
		printf("Detaching...\n");
}

/* --metrics: the totals the summaries took, plus what the map holds now */
static int collect(void *ctx, struct metrics *m)
{
	struct state *s = ctx;
	struct row *rows, *all = NULL;
	size_t n, nall = 0, cap = 0;
	int err = read_map(bpf_map__fd(s->skel->maps.data), false, &rows, &n);

	if (!err)
		err = add_rows(&all, &nall, &cap, s->taken, s->ntaken)
			      ?: add_rows(&all, &nall, &cap, rows, n);
	for (size_t i = 0; !err && i < nall; i++) {
		char name[64], pid[16], comm[SNOOP_COMM_LABEL];
		const char *vp[] = {snoop_uint_label(pid, sizeof(pid), all[i].key),
				    snoop_comm_label(comm, all[i].v.comm)};
		const char *vs[] = {row_name(s, &all[i], name, sizeof(name))};
		const char *const *v = s->o->process ? vp : vs;

		metric_set(metric_series(s->calls, v), all[i].v.count);
		metric_set(metric_series(s->errors, v), all[i].v.errors);
		if (s->secs)
			metric_set(metric_series(s->secs, v), all[i].v.total_ns);
	}
	free(all);
	free(rows);
	return err;
}

static int add_metrics(void *ctx, struct metrics *m)
{
	struct state *s = ctx;
	static const char *const by_sys[] = {"syscall"}, *const by_proc[] = {"pid", "comm"};
	const char *const *l = s->o->process ? by_proc : by_sys;
	int nl = s->o->process ? 2 : 1;
	const struct snoop_metric specs[] = {
		{&s->calls, "tracekit_syscount_calls", METRIC_COUNTER,
		 "Syscalls traced (after -x/-e/--syscall), by syscall or by process (-P) "
		 "(syscount)",
		 l, nl, 0, true},
		{&s->errors, "tracekit_syscount_errors", METRIC_COUNTER,
		 "Syscalls traced that returned an error, by syscall or by process (-P) (syscount)",
		 l, nl, 0, true},
		{&s->secs, "tracekit_syscount_time_seconds", METRIC_COUNTER,
		 "Time spent in the syscalls traced (-L), by syscall or by process (-P) (syscount)",
		 l, nl, 1e9, true},
	};

	return snoop_metrics_add(m, specs, s->o->latency ? 3 : 2)
		       ?: metrics_add_collector(m, collect, s);
}

static int fill(struct tool_run *run, void *skel)
{
	struct state *s = run->ctx;
	const struct opts *o = s->o;
	int nr = -1;

	if (o->syscall) {
		nr = syscall_nr(o->syscall);
		if (nr < 0) {
			tk_err("syscall '%s' not found", o->syscall);
			return 1;
		}
	}
	s->skel = skel;
	/* bcc: -p wins over -t */
	s->skel->rodata->filter_tid = o->pid ? 0 : o->tid;
	s->skel->rodata->filter_nr = nr;
	s->skel->rodata->filter_errno = o->err_nr;
	bpf_program__set_autoload(s->skel->progs.sys_enter, o->latency);
	/* bcc: -d alone prints once, at its end; with -i, summaries until -d has passed */
	run->interval_s = o->interval_s ? o->interval_s : o->duration_s;
	if (o->duration_s)
		run->count = (o->duration_s + run->interval_s - 1) / run->interval_s;
	if (o->syscall)
		snprintf(s->ready, sizeof(s->ready), "Tracing %ssyscall '%s'... Ctrl+C to quit.",
			 o->failures ? "failed " : "", o->syscall);
	else
		snprintf(s->ready, sizeof(s->ready),
			 "Tracing %ssyscalls, printing top %lu... Ctrl+C to quit.",
			 o->failures ? "failed " : "", o->top);
	run->ready = o->json ? NULL : s->ready;
	return 0;
}

static int syscount_main(int argc, char **argv)
{
	struct opts o = {.top = 10};
	struct state s = {.o = &o};
	struct tool_run run = {.skel = &syscount_tool_skel,
			       .fill = fill,
			       .ctx = &s,
			       .footer = print_footer,
			       .metrics = add_metrics,
			       TOOL_SUMMARY(print_summary)};
	int err;
	void *skel;

	if (!tool_start(&cli, &o, argc, argv, &err))
		return err;
	if (o.list)
		return list_syscalls(); /* bcc: -l lists and exits, tracing nothing */
	skel = tool_open(&run, &cli, &err);
	if (!skel)
		return err;
	err = fill(&run, skel);
	if (err)
		tool_close(&run);
	else
		err = tool_run(&run);
	free(s.taken);
	return err;
}

TOOL_REGISTER(syscount, syscount_main, "syscall counts and latencies (bcc syscount)", &cli);
