// SPDX-License-Identifier: GPL-2.0
/*
 * sigsnoop: signals generated system-wide (signal:signal_generate), or with -k those sent by
 * kill(), tkill() and tgkill() (killsnoop's programs), with libbpf-tools' options and columns.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpf/sigsnoop.h"
#include "core/out.h"
#include "core/procmaps.h"
#include "sigsnoop.skel.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(sigsnoop);

static const char *const call_names[] = {"kill", "tkill", "tgkill", "generate"};

struct opts {
	bool failed, kill_only, names, json, verbose;
	uint32_t pid;
	uint64_t sig_mask[2];
	bool sig_filter;
	struct metric_family *signals; /* --metrics */
};

/* -n: libbpf-tools' names: SIGHUP .. SIGSYS, then SIGNAL-32 .. SIGNAL-64; N/A for 0 */
static const char *sig_name(char *buf, size_t len, int sig)
{
	if (sig == 0)
		return "N/A";
	if (sig < 32 && strcmp(snoop_signal_name(sig), "?"))
		snprintf(buf, len, "SIG%s", snoop_signal_name(sig));
	else
		snprintf(buf, len, "SIGNAL-%d", sig);
	return buf;
}

/* The target's comm: the tracepoint's, or for -k's rows /proc's while the target lives */
static const char *target_comm(char *buf, size_t len, const struct sigsnoop_event *e, size_t size)
{
	buf[0] = '\0';
	if (size >= sizeof(*e))
		str_escape(buf, len, e->tcomm, sizeof(e->tcomm));
	else if (e->k.tpid > 0 && proc_comm(e->k.tpid, buf, len))
		buf[0] = '\0';
	return buf;
}

static int on_signal(void *ctx, void *data, size_t size)
{
	const struct opts *o = ctx;
	const struct sigsnoop_event *e = data;
	char comm[sizeof(e->k.comm) * 4 + 1], tcomm[sizeof(comm)], hms[16];
	char name[16], res[24];
	const char *v[] = {sig_name(name, sizeof(name), e->k.sig), res};

	if (e->k.call == SIGSNOOP_GENERATE && size < sizeof(*e))
		return 0;
	snprintf(res, sizeof(res), "%d", e->k.ret);
	snoop_metric_inc(o->signals, v);
	target_comm(tcomm, sizeof(tcomm), e, size);
	time_hms(hms, sizeof(hms));
	if (o->json) {
		printf("{\"time\":\"%s\",\"pid\":%u,\"tid\":%u,\"comm\":", hms, e->k.pid, e->k.tid);
		json_strn(stdout, e->k.comm, sizeof(e->k.comm));
		printf(",\"sig\":%d,\"tpid\":%d,\"tcomm\":", e->k.sig, e->k.tpid);
		if (size >= sizeof(*e))
			json_strn(stdout, e->tcomm, sizeof(e->tcomm)); /* raw: JSON escapes */
		else
			json_str(stdout, tcomm);
		printf(",\"result\":%d,\"call\":\"%s\"", e->k.ret,
		       e->k.call < 4 ? call_names[e->k.call] : "?");
		if (size >= sizeof(*e))
			printf(",\"code\":%d", e->code);
		printf("}\n");
		return 0;
	}
	printf("%-8s %-7u %-16s ", hms, e->k.pid,
	       str_escape(comm, sizeof(comm), e->k.comm, sizeof(e->k.comm)));
	if (o->names)
		printf("%-12s ", name);
	else
		printf("%-12d ", e->k.sig);
	printf("%-7d %-16s %-6d\n", e->k.tpid, tcomm, e->k.ret);
	return 0;
}

/* -s */
static int parse_signals(void *opts, const struct usage *u, int key, const char *arg)
{
	struct opts *o = opts;

	o->sig_filter = true;
	return snoop_parse_signal_set(u, key, arg, o->sig_mask);
}

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "sigsnoop",
	.description = "Trace standard and real-time signals.",
	.opts = TOOL_OPTS({'x', "failed", NULL,
			   "trace failed signals only (not delivered; with -k: the call failed)",
			   TOOL_OPT_FLAG, OPT(failed), .bpf = "failed_only"},
			  {'k', "kill", NULL, "trace signals issued by kill syscall only",
			   TOOL_OPT_FLAG, OPT(kill_only)},
			  {'p', "pid", "PID", "process ID to trace (the sender)", TOOL_OPT_PID,
			   OPT(pid), .bpf = "filter_tgid"},
			  {'s', "signal", "SIGNAL",
			   "signals to trace (comma-separated numbers or names)", TOOL_OPT_CALL,
			   .parse = parse_signals},
			  {'n', "name", NULL, "output signal name instead of signal number",
			   TOOL_OPT_FLAG, OPT(names)},
			  SNOOP_OPTS_JSON_VERBOSE(struct opts)),
	.examples = "    sigsnoop             # trace signals system-wide\n"
		    "    sigsnoop -k          # trace signals issued by kill syscall only\n"
		    "    sigsnoop -x          # trace failed signals only\n"
		    "    sigsnoop -p 1216     # only trace PID 1216\n"
		    "    sigsnoop -s 1,9,15   # trace signal 1, 9, 15\n",
};

static void print_columns(void *ctx)
{
	printf("%-8s %-7s %-16s %-12s %-7s %-16s %-6s\n", "TIME", "PID", "COMM", "SIG", "TPID",
	       "TCOMM", "RESULT");
}

/* -s, and -k's programs or signal_generate's */
static int set_filters(struct tool_run *run, void *s)
{
	const struct opts *o = run->ctx;
	struct sigsnoop *skel = s;
	struct bpf_program *prog;

	skel->rodata->sig_filter = o->sig_filter;
	skel->rodata->sig_mask[0] = o->sig_mask[0];
	skel->rodata->sig_mask[1] = o->sig_mask[1];
	/* -k: killsnoop's programs, else signal_generate */
	bpf_object__for_each_program(prog, skel->obj)
	{
		bool generate = prog == skel->progs.signal_generate;

		bpf_program__set_autoload(prog, o->kill_only != generate);
	}
	return 0;
}

SNOOP_METRIC_HOOK(signal_metrics, struct opts, signals, "tracekit_sigsnoop_signals", METRIC_COUNTER,
		  "Signals traced, by signal name and result (0: delivered; with -k, the call's "
		  "return) (sigsnoop)",
		  0, "signal", "result");

static int sigsnoop_main(int argc, char **argv)
{
	struct opts o = {};
	struct tool_run run = {.skel = &sigsnoop_tool_skel,
			       .fill = set_filters,
			       .ctx = &o,
			       TOOL_EVENTS(on_signal, struct killsnoop_event),
			       .header = print_columns,
			       .metrics = signal_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(sigsnoop, sigsnoop_main, "trace standard and real-time signals (bcc sigsnoop)", &cli);
