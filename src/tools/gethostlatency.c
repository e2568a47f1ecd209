// SPDX-License-Identifier: GPL-2.0
/*
 * gethostlatency: show the latency of host name lookups through libc (getaddrinfo(),
 * gethostbyname(), gethostbyname2()), with bcc's columns. libc is found as the function tools
 * find a LIB:FUNC target: in the -p process's own maps, else in ld.so.cache.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bpf/gethostlatency.h"
#include "core/attach.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/out.h"
#include "gethostlatency.skel.h"
#include "tools/functool.h"
#include "tools/libfuncs.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"

struct ghl {
	struct functool ft; /* first: the callbacks' ctx */
	const char *libc;   /* -l */
	struct gethostlatency *skel;
	struct metric_family *lat; /* --metrics */
};
FUNCTOOL_FIRST(struct ghl);

static const char *const funcs[] = {"getaddrinfo", "gethostbyname", "gethostbyname2"};
#define NFUNCS (sizeof(funcs) / sizeof(funcs[0]))

#define G struct ghl
static struct tool_cli cli = {
	.name = "gethostlatency",
	.description = "Show latency for getaddrinfo/gethostbyname[2] calls",
	.opts = TOOL_OPTS(FUNCTOOL_OPT_PID(G),
			  {'l', "libc", "LIBC", "specify which libc.so to use (default: libc)",
			   TOOL_OPT_STR, offsetof(G, libc)},
			  FUNCTOOL_OPT_JSON(G, "one JSON object per lookup"),
			  FUNCTOOL_OPT_VERBOSE(G)),
	.examples = "    gethostlatency           # time getaddrinfo/gethostbyname[2] calls\n"
		    "    gethostlatency -p 181    # only trace PID 181\n",
};

static int handle_event(void *ctx, void *data, size_t size)
{
	struct ghl *g = ctx;
	const struct ghl_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1], host[sizeof(e->host) * 4 + 1], hms[16];
	size_t hlen = strnlen(e->host, sizeof(e->host));

	if (g->lat) {
		char label[SNOOP_COMM_LABEL];
		const char *v[] = {snoop_comm_label(label, e->comm),
				   e->idx < NFUNCS ? funcs[e->idx] : "?"};

		snoop_metric_observe(g->lat, v, e->lat_ns / 1e3);
	}
	if (g->ft.o.json) {
		printf("{\"pid\":%u,\"tid\":%u,\"comm\":", e->pid, e->tid);
		json_strn(stdout, e->comm, sizeof(e->comm));
		printf(",\"func\":\"%s\",\"lat_ns\":%llu,\"host\":",
		       e->idx < NFUNCS ? funcs[e->idx] : "?", (unsigned long long)e->lat_ns);
		json_strn(stdout, e->host, hlen);
		printf("}\n");
		return 0;
	}
	printf("%-9s %-7u %-16s %10.2f %s\n", time_hms(hms, sizeof(hms)), e->pid,
	       str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm)), e->lat_ns / 1e6,
	       str_escape(host, sizeof(host), e->host, hlen));
	return 0;
}

static void print_header(void *ctx)
{
	printf("%-9s %-7s %-16s %10s %s\n", "TIME", "PID", "COMM", "LATms", "HOST");
}

static int attach(void *ctx, struct attach_set *as)
{
	struct ghl *g = ctx;

	return functool_attach_timed(&g->ft, as, g->skel->progs.ghl_entry,
				     g->skel->progs.ghl_return);
}

SNOOP_METRIC_HOOK(add_metrics, struct ghl, lat, "tracekit_gethostlatency_seconds", METRIC_HISTOGRAM,
		  "Host name lookups through libc, by comm and function "
		  "(gethostlatency)",
		  1e6, "comm", "func");

/* The three functions, in funcs[]'s order: the plan's index is the event's idx. */
static int plan(struct ghl *g)
{
	const char *lib = g->libc ? g->libc : "libc";
	int idx[NFUNCS];
	int err = libfuncs_plan(&g->ft.plan, lib, funcs, NFUNCS, g->ft.o.pid, idx, g->ft.o.verbose);

	for (size_t i = 0; !err && i < NFUNCS; i++) {
		if (idx[i] != (int)i) {
			tk_err("%s has no %s", lib, funcs[i]);
			err = -ENOENT;
		}
	}
	return err;
}

static int open_and_load(struct ghl *g)
{
	int err;

	g->skel = gethostlatency__open();
	if (!g->skel)
		return tool_load_error("open", -errno);
	g->skel->rodata->filter_tgid = g->ft.o.pid;
	attach_prepare_uprobe(g->skel->progs.ghl_entry, g->ft.plan.multi);
	attach_prepare_uprobe(g->skel->progs.ghl_return, g->ft.plan.multi);
	err = gethostlatency__load(g->skel);
	return err ? tool_load_error("load", err) : 0;
}

static int gethostlatency_main(int argc, char **argv)
{
	struct ghl g = {0};
	struct tool_run *run = &g.ft.run;
	int err;

	if (!tool_start(&cli, &g, argc, argv, &err))
		return err;
	err = 1;
	if (functool_check_pid(&g.ft.o) || plan(&g) || open_and_load(&g))
		goto out;
	functool_run_opts(&g.ft);
	run->obj = g.skel->obj; /* its "events" ring buffer */
	run->attach = attach;
	run->on_event = handle_event;
	run->event_size = sizeof(struct ghl_event);
	run->ready = "Tracing getaddrinfo/gethostbyname calls... Hit Ctrl-C to end.";
	run->header = print_header;
	run->metrics = add_metrics;
	err = tool_run(run);
out:
	gethostlatency__destroy(g.skel);
	func_plan__free(&g.ft.plan);
	return err;
}

TOOL_REGISTER(gethostlatency, gethostlatency_main,
	      "show latency of getaddrinfo/gethostbyname[2] calls (bcc gethostlatency)", &cli);
