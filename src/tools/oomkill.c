// SPDX-License-Identifier: GPL-2.0
/*
 * oomkill: one line per OOM kill, bcc's format, from the oom:mark_victim tracepoint (bcc
 * probes oom_kill_process(), a kprobe this kernel lacks).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf/oomkill.h"
#include "core/out.h"
#include "oomkill.skel.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(oomkill);

struct opts {
	bool json, verbose;
	struct metric_family *kills; /* --metrics */
};

static int on_kill(void *ctx, void *data, size_t size)
{
	const struct opts *o = ctx;
	const struct oomkill_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1], vcomm[sizeof(comm)], hms[16], load[128];
	char label[SNOOP_COMM_LABEL];
	const char *v[] = {snoop_comm_label(label, e->victim_comm)};
	/* bcc's pages are the OOM context's total; the tracepoint has the victim's size */
	unsigned long long pages = e->total_vm_kb * 1024 / sysconf(_SC_PAGESIZE);

	snoop_metric_inc(o->kills, v);
	time_hms(hms, sizeof(hms));
	snoop_loadavg(load, sizeof(load));
	if (o->json) {
		printf("{\"time\":\"%s\",\"pid\":%u,\"tid\":%u,\"comm\":", hms, e->pid, e->tid);
		json_strn(stdout, e->comm, sizeof(e->comm));
		printf(",\"victim_pid\":%u,\"victim_comm\":", e->victim_pid);
		json_strn(stdout, e->victim_comm, sizeof(e->victim_comm));
		printf(",\"victim_uid\":%u,\"pages\":%llu,\"total_vm_kb\":%llu,\"anon_rss_kb\":%"
		       "llu,"
		       "\"file_rss_kb\":%llu,\"shmem_rss_kb\":%llu,\"oom_score_adj\":%d,"
		       "\"loadavg\":",
		       e->victim_uid, pages, (unsigned long long)e->total_vm_kb,
		       (unsigned long long)e->anon_rss_kb, (unsigned long long)e->file_rss_kb,
		       (unsigned long long)e->shmem_rss_kb, e->oom_score_adj);
		json_str(stdout, load);
		printf("}\n");
		return 0;
	}
	printf("%s Triggered by PID %u (\"%s\"), OOM kill of PID %u (\"%s\"), %llu pages, "
	       "loadavg: %s\n",
	       hms, e->pid, str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm)), e->victim_pid,
	       str_escape(vcomm, sizeof(vcomm), e->victim_comm, sizeof(e->victim_comm)), pages,
	       load);
	return 0;
}

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "oomkill",
	.description = "Trace OOM killer (tracepoint oom:mark_victim: the victim's total_vm as\n"
		       "its pages)",
	.opts = TOOL_OPTS(SNOOP_OPTS_JSON_VERBOSE(struct opts)),
	.examples = "    oomkill          # one line per OOM kill\n"
		    "    oomkill --json   # one JSON object per OOM kill\n",
};

SNOOP_METRIC_HOOK(kill_metrics, struct opts, kills, "tracekit_oomkill_kills", METRIC_COUNTER,
		  "OOM kills, by the victim's comm (oomkill)", 0, "comm");

static int oomkill_main(int argc, char **argv)
{
	struct opts o = {};
	struct tool_run run = {.skel = &oomkill_tool_skel,
			       .ctx = &o,
			       TOOL_EVENTS(on_kill, struct oomkill_event),
			       .ready = "Tracing OOM kills... Ctrl-C to end.",
			       .metrics = kill_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(oomkill, oomkill_main, "trace the OOM killer (bcc oomkill)", &cli);
