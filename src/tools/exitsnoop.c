// SPDX-License-Identifier: GPL-2.0
/* exitsnoop: trace process termination (exit code, signal, age), bcc's options and columns. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/attach.h"
#include "core/btfmin.h"
#include "core/log.h"
#include "core/out.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/exitsnoop.h"
#include "exitsnoop.skel.h"

TOOL_SKEL_DEFINE(exitsnoop);

struct exitsnoop_opts {
	bool timestamp, utc, failed, per_thread, json, verbose;
	const char *label;
	uint32_t pid;
	struct metric_family *exits; /* --metrics */
};

/* --utc: -t implied */
static int parse_utc(void *opts, const struct usage *u, int key, const char *arg)
{
	struct exitsnoop_opts *o = opts;

	o->utc = o->timestamp = true;
	return 0;
}

enum { OPT_UTC = TOOL_OPT_JSON + 16, OPT_LABEL, OPT_PER_THREAD };

#define OPT(f) offsetof(struct exitsnoop_opts, f)
static struct tool_cli cli = {
	.name = "exitsnoop",
	.description = "Trace all process termination (exit, fatal signal)",
	.opts = TOOL_OPTS(
		{'t', "timestamp", NULL, "include timestamp (local time default)", TOOL_OPT_FLAG,
		 OPT(timestamp)},
		{OPT_UTC, "utc", NULL, "include timestamp in UTC (-t implied)", TOOL_OPT_CALL,
		 .parse = parse_utc},
		TOOL_OPT_PID_ONLY(OPT(pid), "filter_tgid"),
		{OPT_LABEL, "label", "LABEL", "label each line", TOOL_OPT_STR, OPT(label)},
		{'x', "failed", NULL, "trace only fails, exclude exit(0)", TOOL_OPT_FLAG,
		 OPT(failed), .bpf = "failed_only"},
		{OPT_PER_THREAD, "per-thread", NULL, "trace per thread termination", TOOL_OPT_FLAG,
		 OPT(per_thread), .bpf = "per_thread"},
		SNOOP_OPTS_JSON_VERBOSE(struct exitsnoop_opts)),
	.examples = "    exitsnoop                # trace all process termination\n"
		    "    exitsnoop -x             # trace only fails, exclude exit(0)\n"
		    "    exitsnoop -t             # include timestamps (local time)\n"
		    "    exitsnoop --utc          # include timestamps (UTC)\n"
		    "    exitsnoop -p 181         # only trace PID 181\n"
		    "    exitsnoop --label=exit   # label each output line with 'exit'\n"
		    "    exitsnoop --per-thread   # trace per thread termination\n",
};

/* "HH:MM:SS.mmm", local or UTC, as bcc's -t column. */
static const char *time_ms(char *buf, size_t len, bool utc)
{
	struct timeval tv;
	struct tm tm;
	char hms[32];

	gettimeofday(&tv, NULL);
	if (utc)
		gmtime_r(&tv.tv_sec, &tm);
	else
		localtime_r(&tv.tv_sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, len, "%.8s.%03d", hms, (int)(tv.tv_usec / 1000));
	return buf;
}

/* --metrics: the exits, by comm and either exit code or fatal signal */
static void count_exit(const struct exitsnoop_opts *o, const struct exitsnoop_event *e, int code,
		       int sig)
{
	char comm[SNOOP_COMM_LABEL], cbuf[16];
	const char *v[] = {snoop_comm_label(comm, e->comm),
			   sig ? "" : snoop_uint_label(cbuf, sizeof(cbuf), code),
			   sig ? snoop_signal_name(sig) : ""};

	snoop_metric_inc(o->exits, v);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct exitsnoop_opts *o = ctx;
	const struct exitsnoop_event *e = data;
	int code = (e->exit_code >> 8) & 0xff, sig = e->exit_code & 0x7f;
	bool core = e->exit_code & 0x80;
	char comm[sizeof(e->comm) * 4 + 1], label[256], tbuf[32];
	double age;

	count_exit(o, e, code, sig);
	age = e->exit_ns > e->start_ns ? (double)(e->exit_ns - e->start_ns) / 1e9 : 0;
	str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm));
	if (o->json) {
		printf("{");
		if (o->timestamp)
			printf("\"time\":\"%s\",", time_ms(tbuf, sizeof(tbuf), o->utc));
		if (o->label) {
			printf("\"label\":");
			json_str(stdout, *o->label ? o->label : "exit");
			printf(",");
		}
		printf("\"pcomm\":");
		json_strn(stdout, e->comm, sizeof(e->comm));
		printf(",\"pid\":%u,\"ppid\":%u,\"tid\":%u,\"age\":%.2f,\"exit_code\":%d,"
		       "\"signal\":%d,\"signal_name\":",
		       e->pid, e->ppid, e->tid, age, code, sig);
		json_str(stdout, sig ? snoop_signal_name(sig) : "");
		printf(",\"core_dumped\":%s}\n", core ? "true" : "false");
		return 0;
	}
	if (o->timestamp)
		printf("%-13s", time_ms(tbuf, sizeof(tbuf), o->utc));
	if (o->label)
		printf("%-6s", str_escape(label, sizeof(label), *o->label ? o->label : "exit",
					  strlen(o->label ? o->label : "")));
	printf("%-16s %-7u %-7u %-7u %-7.2f ", comm, e->pid, e->ppid, e->tid, age);
	if ((e->exit_code & 0xff) == 0) {
		if (code == 0)
			printf("0\n");
		else
			printf("code %d\n", code);
		return 0;
	}
	if (sig)
		printf("signal %d (%s)", sig, snoop_signal_name(sig));
	if (core)
		printf(", core dumped ");
	printf("\n");
	return 0;
}

static void print_header(void *ctx)
{
	const struct exitsnoop_opts *o = ctx;
	char tz[64] = "UTC", title[80];
	time_t now = time(NULL);
	struct tm tm;

	if (o->timestamp) {
		if (!o->utc) {
			localtime_r(&now, &tm);
			strftime(tz, sizeof(tz), "%Z", &tm);
		}
		snprintf(title, sizeof(title), "TIME-%s", tz);
		printf("%-13s", title);
	}
	if (o->label)
		printf("%-6s", "LABEL");
	printf("%-16s %-7s %-7s %-7s %-7s %-10s\n", "PCOMM", "PID", "PPID", "TID", "AGE(s)",
	       "EXIT_CODE");
}

SNOOP_METRIC_HOOK(add_metrics, struct exitsnoop_opts, exits, "tracekit_exitsnoop_exits",
		  METRIC_COUNTER,
		  "Process (or, with --per-thread, thread) exits traced, by comm and exit code, or "
		  "fatal signal name (exitsnoop)",
		  0, "comm", "exit_code", "signal");

static int exitsnoop_main(int argc, char **argv)
{
	struct exitsnoop_opts o = {};
	struct tool_run run = {.skel = &exitsnoop_tool_skel,
			       .ctx = &o,
			       TOOL_EVENTS(handle_event, struct exitsnoop_event),
			       .header = print_header,
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(exitsnoop, exitsnoop_main, "trace process termination (bcc exitsnoop)", &cli);
