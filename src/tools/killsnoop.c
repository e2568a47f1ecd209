// SPDX-License-Identifier: GPL-2.0
/* killsnoop: trace signals sent by kill() (and tkill/tgkill), bcc's options and columns. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attach.h"
#include "core/log.h"
#include "core/out.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/killsnoop.h"
#include "killsnoop.skel.h"

TOOL_SKEL_DEFINE(killsnoop);

static const char *const call_names[] = {"kill", "tkill", "tgkill"};

struct killsnoop_opts {
	bool failed, json, verbose;
	uint32_t pid, tpid;
	uint64_t sig_mask[2];
	bool sig_filter;
	struct metric_family *signals; /* --metrics */
};

/* --metrics: the signals sent, by sender comm, signal and result */
static void count_kill(const struct killsnoop_opts *o, const struct killsnoop_event *e)
{
	char comm[SNOOP_COMM_LABEL], sbuf[16], err[24];
	const char *sig = e->sig ? snoop_signal_name(e->sig) : "0"; /* 0: a probe, no signal */
	const char *v[] = {snoop_comm_label(comm, e->comm),
			   strcmp(sig, "?") ? sig : snoop_uint_label(sbuf, sizeof(sbuf), e->sig),
			   snoop_errno_label(err, sizeof(err), e->ret)};

	snoop_metric_inc(o->signals, v);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct killsnoop_opts *o = ctx;
	const struct killsnoop_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1], hms[16];

	count_kill(o, e);
	time_hms(hms, sizeof(hms));
	if (o->json) {
		printf("{\"time\":\"%s\",\"pid\":%u,\"tid\":%u,\"comm\":", hms, e->pid, e->tid);
		json_strn(stdout, e->comm, sizeof(e->comm));
		printf(",\"sig\":%d,\"tpid\":%d,\"result\":%d,\"call\":\"%s\"}\n", e->sig, e->tpid,
		       e->ret, e->call < 3 ? call_names[e->call] : "?");
		return 0;
	}
	printf("%-9s %-7u %-16s %-4d %-7d %d\n", hms, e->pid,
	       str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm)), e->sig, e->tpid, e->ret);
	return 0;
}

/* -s: comma-separated numbers or names, into the mask of signals traced */
static int parse_signals(void *opts, const struct usage *u, int key, const char *arg)
{
	struct killsnoop_opts *o = opts;

	o->sig_filter = true;
	return snoop_parse_signal_set(u, key, arg, o->sig_mask);
}

#define OPT(f) offsetof(struct killsnoop_opts, f)
static struct tool_cli cli = {
	.name = "killsnoop",
	.description = "Trace signals issued by the kill() syscall",
	.opts = TOOL_OPTS({'x', "failed", NULL, "only show failed kill syscalls", TOOL_OPT_FLAG,
			   OPT(failed), .bpf = "failed_only"},
			  {'p', "pid", "PID", "trace this PID only which is the sender of signal",
			   TOOL_OPT_PID, OPT(pid), .bpf = "filter_tgid"},
			  {'T', "tpid", "TPID",
			   "trace this target PID only which is the receiver of signal",
			   TOOL_OPT_PID, OPT(tpid), .bpf = "filter_tpid"},
			  {'s', "signal", "SIGNAL",
			   "trace this signal only (comma-separated numbers or names)",
			   TOOL_OPT_CALL, .parse = parse_signals},
			  SNOOP_OPTS_JSON_VERBOSE(struct killsnoop_opts)),
	.examples = "    killsnoop           # trace all kill() signals\n"
		    "    killsnoop -x        # only show failed kills\n"
		    "    killsnoop -p 181    # only trace PID 181\n"
		    "    killsnoop -T 189    # only trace target PID 189\n"
		    "    killsnoop -s 9      # only trace signal 9\n"
		    "    killsnoop -s 9,15   # only trace signals 9 and 15\n",
};

static void print_header(void *ctx)
{
	printf("%-9s %-7s %-16s %-4s %-7s %s\n", "TIME", "PID", "COMM", "SIG", "TPID", "RESULT");
}

/* -s: the signals traced */
static int fill(struct tool_run *run, void *s)
{
	const struct killsnoop_opts *o = run->ctx;
	struct killsnoop *skel = s;

	skel->rodata->sig_filter = o->sig_filter;
	skel->rodata->sig_mask[0] = o->sig_mask[0];
	skel->rodata->sig_mask[1] = o->sig_mask[1];
	return 0;
}

SNOOP_METRIC_HOOK(add_metrics, struct killsnoop_opts, signals, "tracekit_killsnoop_signals",
		  METRIC_COUNTER,
		  "Signals sent by kill(), tkill() and tgkill(), by sender comm, signal name and "
		  "errno (0: delivered) (killsnoop)",
		  0, "comm", "signal", "errno");

static int killsnoop_main(int argc, char **argv)
{
	struct killsnoop_opts o = {};
	struct tool_run run = {.skel = &killsnoop_tool_skel,
			       .fill = fill,
			       .ctx = &o,
			       TOOL_EVENTS(handle_event, struct killsnoop_event),
			       .header = print_header,
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(killsnoop, killsnoop_main, "trace signals issued by kill() (bcc killsnoop)", &cli);
