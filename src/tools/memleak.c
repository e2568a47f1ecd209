// SPDX-License-Identifier: GPL-2.0
/*
 * memleak: outstanding allocations of a process by the stack that made them, with bcc's
 * command line and blocks. libc's allocator functions are found as the function tools find
 * LIB:FUNC targets (in the process's own maps); the stacks are symbolized by core/usym.c as
 * bcc shows them ("func+0xoff [module]").
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/memleak.h"
#include "core/attach.h"
#include "core/funcplan.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/out.h"
#include "core/procmaps.h"
#include "core/usym.h"
#include "memleak.skel.h"
#include "tools/libfuncs.h"
#include "tools/snoop_common.h"
#include "tools/stack_tool.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(memleak);

struct memleak_opts {
	uint32_t pid;
	bool trace, show_allocs, json, verbose;
	unsigned long older_ms, min_size, max_size, top, sample_rate, interval, count;
};

/* The libc functions probed: the entry program, and the return's (NULL: none) */
static const struct {
	const char *name, *entry, *ret;
} funcs[ML_NFUNCS] = {
	[ML_MALLOC] = {"malloc", "malloc_enter", "alloc_return"},
	[ML_CALLOC] = {"calloc", "calloc_enter", "alloc_return"},
	[ML_REALLOC] = {"realloc", "realloc_enter", "alloc_return"},
	[ML_POSIX_MEMALIGN] = {"posix_memalign", "posix_memalign_enter", "posix_memalign_return"},
	[ML_ALIGNED_ALLOC] = {"aligned_alloc", "align_size_enter", "alloc_return"},
	[ML_VALLOC] = {"valloc", "size_enter", "alloc_return"},
	[ML_MEMALIGN] = {"memalign", "align_size_enter", "alloc_return"},
	[ML_PVALLOC] = {"pvalloc", "size_enter", "alloc_return"},
	[ML_FREE] = {"free", "free_entry", NULL},
};

struct memleak_ctx {
	const struct memleak_opts *o;
	struct func_plan plan;
	int which[ML_NFUNCS]; /* plan index of each function, -1: libc lacks it */
	struct bpf_object *obj;
	struct usym_cache *usyms;
	char ready[64];
};

#define OPT(f) offsetof(struct memleak_opts, f)
enum { ML_OPT_COMBINED = TOOL_OPT_JSON + 32, ML_OPT_PERCPU }; /* long-only keys */
static struct tool_cli cli = {
	.name = "memleak",
	.description = "Trace outstanding memory allocations that weren't freed.\n"
		       "Supports only user-mode allocations made with libc functions",
	.opts = TOOL_OPTS(
		{'p', "pid", "PID",
		 "the PID to trace (required: kernel allocations are not traced)", TOOL_OPT_PID,
		 OPT(pid), .bpf = "filter_tgid"},
		{'t', "trace", NULL, "print trace messages for each alloc/free call", TOOL_OPT_FLAG,
		 OPT(trace), .bpf = "trace_all"},
		{'a', "show-allocs", NULL,
		 "show allocation addresses and sizes as well as call stacks", TOOL_OPT_FLAG,
		 OPT(show_allocs)},
		{'o', "older", "OLDER",
		 "prune allocations younger than this age in milliseconds (default 500)",
		 TOOL_OPT_ULONG, OPT(older_ms), 0, 86400000},
		{'s', "sample-rate", "SAMPLE_RATE",
		 "sample every N-th allocation to decrease overhead", TOOL_OPT_ULONG,
		 OPT(sample_rate), 1, 1000000, .bpf = "sample_rate"},
		{'T', "top", "TOP", "display only this many top allocating stacks (by size)",
		 TOOL_OPT_ULONG, OPT(top), 1, 100000},
		{'z', "min-size", "MIN_SIZE", "capture only allocations larger than this size",
		 TOOL_OPT_ULONG, OPT(min_size), 0, ULONG_MAX, .bpf = "min_size"},
		{'Z', "max-size", "MAX_SIZE", "capture only allocations smaller than this size",
		 TOOL_OPT_ULONG, OPT(max_size), 0, ULONG_MAX, .bpf = "max_size"},
		{TOOL_OPT_JSON, "json", NULL, "one JSON object per stack and interval",
		 TOOL_OPT_FLAG, OPT(json)},
		TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose)),
		/* bcc's options this memleak refuses: kernel allocations, and a command it starts
		 */
		{'c', "command", "COMMAND", "start the command, then give -p its PID",
		 TOOL_OPT_UNSUPPORTED},
		{'O', "obj", "OBJ", "only libc's allocator is traced", TOOL_OPT_UNSUPPORTED},
		{ML_OPT_COMBINED, "combined-only", NULL, NULL, TOOL_OPT_UNSUPPORTED},
		{ML_OPT_PERCPU, "percpu", NULL, "kernel allocations are not traced",
		 TOOL_OPT_UNSUPPORTED}),
	.args = "[interval] [count]",
	.args_help =
		"  interval              interval in seconds to print outstanding allocations\n"
		"  count                 number of times to print the report before exiting\n",
	.pos = (const struct tool_opt[]){{0, "interval", .kind = TOOL_OPT_ULONG,
					  .off = OPT(interval), .min = 1, .max = 99999999,
					  .sets = TOOL_SETS_INTERVAL},
					 {0, "count", .kind = TOOL_OPT_ULONG, .off = OPT(count),
					  .min = 1, .max = 99999999, .sets = TOOL_SETS_COUNT},
					 {0}},
	.examples =
		"    memleak -p $(pidof allocs)\n"
		"        Trace allocations and display a summary of \"leaked\" (outstanding)\n"
		"        allocations every 5 seconds\n"
		"    memleak -p $(pidof allocs) -t\n"
		"        Trace allocations and display each individual allocator function call\n"
		"    memleak -ap $(pidof allocs) 10\n"
		"        Trace allocations and display allocated addresses, sizes, and stacks\n"
		"        every 10 seconds for outstanding allocations\n"
		"    memleak -p $(pidof allocs) -o 60000\n"
		"        Trace allocations for a process, skipping allocations younger than a "
		"minute\n"
		"    memleak -p $(pidof allocs) -s 5\n"
		"        Trace roughly every 5th allocation, to reduce overhead\n",
};

/* One stack's outstanding allocations */
struct ml_stack {
	int32_t id;
	uint64_t bytes, count;
};

static int by_bytes(const void *a, const void *b)
{
	const struct ml_stack *x = a, *y = b;

	return x->bytes < y->bytes ? -1 : x->bytes > y->bytes;
}

/* Add a block to its stack's sum (a linear search: stacks are few). */
static int add_block(struct ml_stack **v, size_t *n, size_t *cap, int32_t id, uint64_t size)
{
	for (size_t i = 0; i < *n; i++) {
		if ((*v)[i].id == id) {
			(*v)[i].bytes += size;
			(*v)[i].count++;
			return 0;
		}
	}
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct ml_stack *nv = realloc(*v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = (struct ml_stack){id, size, 1};
	return 0;
}

/* A frame as bcc shows it: "func+0xoff [module]" (the module's base name). */
static const char *frame_text(struct memleak_ctx *c, uint64_t ip, char *buf, size_t len)
{
	char esc[512];
	struct usym s = {0};
	const char *mod;

	if (usym_cache__resolve(c->usyms, c->o->pid, ip, &s) || !s.name) {
		snprintf(buf, len, "[unknown]");
		return buf;
	}
	mod = s.module ? strrchr(s.module, '/') : NULL;
	mod = mod ? mod + 1 : s.module;
	snprintf(buf, len, "%s+0x%llx [%s]", str_escape(esc, sizeof(esc), s.name, strlen(s.name)),
		 (unsigned long long)s.off, mod ? mod : "unknown");
	return buf;
}

static void print_stack(struct memleak_ctx *c, int stacks_fd, const struct ml_stack *s)
{
	uint64_t ips[STACK_MAX_DEPTH];
	size_t n = stack_tool_read(stacks_fd, s->id, ips);
	char buf[1024];

	if (c->o->json) {
		printf("{\"bytes\":%llu,\"allocs\":%llu,\"stack\":[", (unsigned long long)s->bytes,
		       (unsigned long long)s->count);
		for (size_t i = 0; i < n; i++) {
			printf(i ? "," : "");
			json_str(stdout, frame_text(c, ips[i], buf, sizeof(buf)));
		}
		printf("]}\n");
		return;
	}
	printf("\t%llu bytes in %llu allocations from stack\n", (unsigned long long)s->bytes,
	       (unsigned long long)s->count);
	for (size_t i = 0; i < n; i++)
		printf("\t\t%s\n", frame_text(c, ips[i], buf, sizeof(buf)));
}

/*
 * The outstanding blocks at least min_age_ns old with a stack, summed by stack into *v
 * (ascending by bytes; free() it), and every outstanding block into *all; -a prints each
 * block shown. The number of stacks, or -ENOMEM after a one-line error.
 */
static long outstanding(struct memleak_ctx *c, uint64_t min_age_ns, bool print, struct ml_stack **v,
			struct ml_stack *all)
{
	int fd = bpf_object__find_map_fd_by_name(c->obj, "allocs");
	uint64_t now = snoop_now_ns(), key, next, *prev = NULL;
	struct memleak_alloc a;
	size_t n = 0, cap = 0;

	*v = NULL;
	*all = (struct ml_stack){0};
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &a))
			continue;
		all->bytes += a.size;
		all->count++;
		if (a.ts_ns + min_age_ns > now || a.ustack < 0)
			continue;
		if (print)
			printf("\taddr = %llx size = %llu\n", (unsigned long long)key,
			       (unsigned long long)a.size);
		if (add_block(v, &n, &cap, a.ustack, a.size)) {
			tk_err("out of memory");
			free(*v);
			*v = NULL;
			return -ENOMEM;
		}
	}
	qsort(*v, n, sizeof(**v), by_bytes);
	return n;
}

/* bcc's report: -a's blocks, then the top stacks by outstanding bytes, ascending. */
static int report(void *ctx)
{
	struct memleak_ctx *c = ctx;
	int stacks_fd = bpf_object__find_map_fd_by_name(c->obj, "stacks");
	struct ml_stack *v, all;
	char hms[16];
	long n;

	if (!c->o->json)
		printf("[%s] Top %lu stacks with outstanding allocations:\n",
		       time_hms(hms, sizeof(hms)), c->o->top);
	n = outstanding(c, c->o->older_ms * 1000000ULL, c->o->show_allocs && !c->o->json, &v, &all);
	if (n < 0)
		return n;
	for (long i = n > (long)c->o->top ? n - (long)c->o->top : 0; i < n; i++)
		print_stack(c, stacks_fd, &v[i]);
	free(v);
	fflush(stdout);
	return 0;
}

/* --metrics: what is outstanding at the scrape, of any age. */
static int collect(void *ctx, struct metrics *m)
{
	struct memleak_ctx *c = ctx;
	struct metric_family *bytes, *blocks;
	struct ml_stack *v, all;
	long n = outstanding(c, 0, false, &v, &all);

	if (n < 0)
		return n;
	free(v);
	bytes = metrics_family(m, "tracekit_memleak_outstanding_bytes", METRIC_GAUGE,
			       "Bytes allocated through libc and not freed yet (memleak)", NULL, 0,
			       true);
	blocks = metrics_family(m, "tracekit_memleak_outstanding_allocations", METRIC_GAUGE,
				"Allocations through libc not freed yet (memleak)", NULL, 0, true);
	if (!bytes || !blocks)
		return -ENOMEM;
	metric_set(metric_series(bytes, NULL), all.bytes);
	metric_set(metric_series(blocks, NULL), all.count);
	return 0;
}

static int add_metrics(void *ctx, struct metrics *m)
{
	return metrics_add_collector(m, collect, ctx);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct memleak_ctx *c = ctx;
	const struct memleak_event *e = data;
	const char *fn = e->func < ML_NFUNCS ? funcs[e->func].name : "?";

	if (c->o->json) {
		printf("{\"event\":\"%s\",\"func\":\"%s\",\"pid\":%u,\"tid\":%u,\"addr\":%llu,"
		       "\"size\":%llu}\n",
		       e->func == ML_FREE ? "free" : "alloc", fn, e->pid, e->tid,
		       (unsigned long long)e->addr, (unsigned long long)e->size);
		return 0;
	}
	if (e->func == ML_FREE)
		printf("free entered, address = %llx, size = %llu\n", (unsigned long long)e->addr,
		       (unsigned long long)e->size);
	else
		printf("%s exited, size = %llu, result = %llx\n", fn, (unsigned long long)e->size,
		       (unsigned long long)e->addr);
	return 0;
}

/* The allocator functions of the process's libc: malloc (first) and free must be there. */
static int plan(struct memleak_ctx *c)
{
	const char *names[ML_NFUNCS];
	int err;

	for (int i = 0; i < ML_NFUNCS; i++)
		names[i] = funcs[i].name;
	err = libfuncs_plan(&c->plan, "libc", names, ML_NFUNCS, c->o->pid, c->which, c->o->verbose);
	if (!err && c->which[ML_FREE] < 0) {
		tk_err("libc has no free()");
		err = -ENOENT;
	}
	return err;
}

static int fill(struct tool_run *r, void *skel)
{
	struct memleak_ctx *c = r->ctx;
	const struct memleak_opts *o = c->o;
	struct bpf_program *prog;

	if (!o->pid) {
		tk_err("-p PID is required: this memleak traces a process's libc allocations, not "
		       "the kernel's");
		return 1;
	}
	if (!proc_alive(o->pid)) {
		tk_err("no process with PID %d", (int)o->pid);
		return 1;
	}
	if (o->min_size > o->max_size) {
		tk_err("min_size (-z) can't be greater than max_size (-Z)");
		return 1;
	}
	if (plan(c))
		return 1;
	c->obj = ((struct memleak *)skel)->obj;
	bpf_object__for_each_program(prog, c->obj)
	{
		if (attach_prepare_uprobe(prog, c->plan.multi)) {
			tk_err("cannot prepare the uprobes");
			return 1;
		}
	}
	r->pid = o->pid;
	snprintf(c->ready, sizeof(c->ready), "Attaching to pid %d, Ctrl+C to quit.", (int)o->pid);
	r->ready = c->ready;
	if (!o->trace)
		r->on_event = NULL; /* -t's records only */
	return 0;
}

static int attach_one(struct memleak_ctx *c, struct attach_set *as, int i, const char *prog,
		      bool ret)
{
	const struct func_ref *ref = &c->plan.funcs[c->which[i]];
	struct bpf_program *p = bpf_object__find_program_by_name(c->obj, prog);
	uint64_t cookie = i;
	int err;

	err = p ? attach_uprobes(as, bpf_program__fd(p), c->plan.multi, ref->ts->path,
				 &ref->f->offset, &cookie, 1, c->o->pid, ret)
		: -ENOENT;
	if (err)
		tk_err("cannot attach %s probe to %s:%s: %s", ret ? "return" : "entry",
		       ref->ts->display, funcs[i].name, attach_strerror(err));
	return err;
}

/* Returns first, so that no allocation is entered without its return being seen. */
static int attach(void *ctx, struct attach_set *as)
{
	struct memleak_ctx *c = ctx;
	int err = 0;

	for (int i = 0; i < ML_NFUNCS && !err; i++)
		if (c->which[i] >= 0 && funcs[i].ret)
			err = attach_one(c, as, i, funcs[i].ret, true);
	for (int i = 0; i < ML_NFUNCS && !err; i++)
		if (c->which[i] >= 0)
			err = attach_one(c, as, i, funcs[i].entry, false);
	return err;
}

static int memleak_main(int argc, char **argv)
{
	struct memleak_opts o = {
		.older_ms = 500, .top = 10, .sample_rate = 1, .max_size = ULONG_MAX, .interval = 5};
	struct memleak_ctx c = {.o = &o};
	struct tool_run run = {.skel = &memleak_tool_skel,
			       .fill = fill,
			       .ctx = &c,
			       TOOL_EVENTS(handle_event, struct memleak_event),
			       TOOL_SUMMARY(report),
			       .attach = attach,
			       .metrics = add_metrics};
	int err;

	c.usyms = usym_cache__new();
	if (!c.usyms) {
		tk_err("out of memory");
		return 1;
	}
	err = tool_main(&cli, &o, &run, argc, argv);
	func_plan__free(&c.plan);
	usym_cache__free(c.usyms);
	return err;
}

TOOL_REGISTER(memleak, memleak_main, "outstanding allocations by stack (bcc memleak)", &cli);
