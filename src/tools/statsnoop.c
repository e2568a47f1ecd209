// SPDX-License-Identifier: GPL-2.0
/* statsnoop: trace the stat() family of syscalls, bcc's options and columns. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "core/attach.h"
#include "core/log.h"
#include "core/out.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/statsnoop.h"
#include "statsnoop.skel.h"

TOOL_SKEL_DEFINE(statsnoop);

static const char *const sys_names[] = {
	"N/A", "stat", "statx", "statfs", "newstat", "newlstat", "fstatat64", "newfstatat",
};

struct statsnoop_opts {
	bool timestamp, sysname, failed, json, verbose;
	uint32_t pid;
};

struct statsnoop_ctx {
	const struct statsnoop_opts *o;
	struct snoop_clock clock;
	struct metric_family *stats; /* --metrics */
};

#define OPT(f) offsetof(struct statsnoop_opts, f)
static struct tool_cli cli = {
	.name = "statsnoop",
	.description = "Trace stat() syscalls",
	.opts = TOOL_OPTS(TOOL_OPT_TIMESTAMP('t', OPT(timestamp)),
			  {'s', "sysname", NULL, "include syscall name on output", TOOL_OPT_FLAG,
			   OPT(sysname)},
			  {'x', "failed", NULL, "only show failed stats", TOOL_OPT_FLAG,
			   OPT(failed), .bpf = "failed_only"},
			  TOOL_OPT_PID_ONLY(OPT(pid), "filter_tgid"),
			  SNOOP_OPTS_JSON_VERBOSE(struct statsnoop_opts)),
	.examples = "    statsnoop           # trace all stat() syscalls\n"
		    "    statsnoop -t        # include timestamps\n"
		    "    statsnoop -s        # include syscall name\n"
		    "    statsnoop -x        # only show failed stats\n"
		    "    statsnoop -p 181    # only trace PID 181\n",
};

static int handle_event(void *ctx, void *data, size_t size)
{
	struct statsnoop_ctx *c = ctx;
	const struct statsnoop_opts *o = c->o;
	const struct statsnoop_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1], path[sizeof(e->path) * 4 + 1];
	const char *sys;
	int fd, err;
	double ts;

	ts = snoop_clock_rel(&c->clock, e->ts_ns);
	fd = e->ret >= 0 ? e->ret : -1;
	err = e->ret >= 0 ? 0 : -e->ret;
	sys = e->sys < sizeof(sys_names) / sizeof(sys_names[0]) ? sys_names[e->sys] : "N/A";
	if (c->stats) {
		char cbuf[SNOOP_COMM_LABEL], ebuf[24];
		const char *v[] = {snoop_comm_label(cbuf, e->comm), sys,
				   snoop_errno_label(ebuf, sizeof(ebuf), e->ret)};

		snoop_metric_inc(c->stats, v);
	}
	if (o->json) {
		printf("{");
		if (o->timestamp)
			printf("\"timestamp\":%.9f,", ts);
		printf("\"pid\":%u,\"tid\":%u,\"comm\":", e->pid, e->tid);
		json_strn(stdout, e->comm, sizeof(e->comm));
		printf(",\"fd\":%d,\"err\":%d,\"syscall\":\"%s\",\"path\":", fd, err, sys);
		json_strn(stdout, e->path, sizeof(e->path));
		printf("}\n");
		return 0;
	}
	if (o->timestamp)
		printf("%-14.9f", ts);
	printf("%-7u %-16s %4d %3d", e->pid,
	       str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm)), fd, err);
	if (o->sysname)
		printf(" %-12s", sys);
	printf(" %s\n", str_escape(path, sizeof(path), e->path, sizeof(e->path)));
	return 0;
}

static void print_header(void *ctx)
{
	const struct statsnoop_opts *o = ((struct statsnoop_ctx *)ctx)->o;

	if (o->timestamp)
		printf("%-14s", "TIME(s)");
	printf("%-7s %-16s %4s %3s", "PID", "COMM", "FD", "ERR");
	if (o->sysname)
		printf(" %-12s", "SYSCALL");
	printf(" %s\n", "PATH");
}

SNOOP_METRIC_HOOK(
	add_metrics, struct statsnoop_ctx, stats, "tracekit_statsnoop_stats", METRIC_COUNTER,
	"stat() family calls traced, by comm, syscall and errno (0: succeeded) (statsnoop)", 0,
	"comm", "syscall", "errno");

static int statsnoop_main(int argc, char **argv)
{
	struct statsnoop_opts o = {};
	struct statsnoop_ctx c = {.o = &o};
	struct tool_run run = {.skel = &statsnoop_tool_skel,
			       .ctx = &c,
			       TOOL_EVENTS(handle_event, struct statsnoop_event),
			       .header = print_header,
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(statsnoop, statsnoop_main, "trace stat() syscalls (bcc statsnoop)", &cli);
