// SPDX-License-Identifier: GPL-2.0
/* syncsnoop: trace the sync() family of syscalls, with libbpf-tools' columns. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "core/attach.h"
#include "core/log.h"
#include "core/out.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/syncsnoop.h"
#include "syncsnoop.skel.h"

TOOL_SKEL_DEFINE(syncsnoop);

static const char *const sys_names[SYNCSNOOP_NR] = {
	"sync", "fsync", "fdatasync", "msync", "sync_file_range", "sync_file_range2", "syncfs",
};

struct syncsnoop_opts {
	bool json, verbose;
	uint32_t pid;
	struct metric_family *syncs; /* --metrics */
};

#define OPT(f) offsetof(struct syncsnoop_opts, f)
static struct tool_cli cli = {
	.name = "syncsnoop",
	.description = "Trace sync syscalls (sync, fsync, fdatasync, msync, sync_file_range, "
		       "syncfs)",
	.opts = TOOL_OPTS(TOOL_OPT_PID_ONLY(OPT(pid), "filter_tgid"),
			  SNOOP_OPTS_JSON_VERBOSE(struct syncsnoop_opts)),
	.examples = "    syncsnoop           # trace all sync syscalls\n"
		    "    syncsnoop -p 181    # only trace PID 181\n",
};

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct syncsnoop_opts *o = ctx;
	const struct syncsnoop_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1];
	const char *call;
	double ts;

	ts = (double)e->ts_ns / 1e9;
	call = e->sys < SYNCSNOOP_NR ? sys_names[e->sys] : "?";
	if (o->syncs) {
		char cbuf[SNOOP_COMM_LABEL];
		const char *v[] = {snoop_comm_label(cbuf, e->comm), call};

		snoop_metric_inc(o->syncs, v);
	}
	if (o->json) {
		printf("{\"timestamp\":%.9f,\"pid\":%u,\"tid\":%u,\"comm\":", ts, e->pid, e->tid);
		json_strn(stdout, e->comm, sizeof(e->comm));
		printf(",\"call\":\"%s\",\"fd\":%d}\n", call, e->fd);
		return 0;
	}
	printf("%-18.9f %-16s %s\n", ts, str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm)),
	       call);
	return 0;
}

static void print_header(void *ctx)
{
	printf("%-18s %-16s %s\n", "TIME(s)", "COMM", "CALL");
}

SNOOP_METRIC_HOOK(add_metrics, struct syncsnoop_opts, syncs, "tracekit_syncsnoop_syncs",
		  METRIC_COUNTER, "sync() family calls traced, by comm and syscall (syncsnoop)", 0,
		  "comm", "syscall");

static int syncsnoop_main(int argc, char **argv)
{
	struct syncsnoop_opts o = {};
	struct tool_run run = {.skel = &syncsnoop_tool_skel,
			       .ctx = &o,
			       TOOL_EVENTS(handle_event, struct syncsnoop_event),
			       .header = print_header,
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(syncsnoop, syncsnoop_main, "trace sync() family syscalls (bcc syncsnoop)", &cli);
