// SPDX-License-Identifier: GPL-2.0
/* exitsnoop: trace process termination (exit code, signal, age), bcc's options and columns. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "core/btfmin.h"
#include "core/log.h"
#include "core/out.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/exitsnoop.h"
#include "exitsnoop.skel.h"

static const char exitsnoop_usage[] =
	"usage: exitsnoop [-h] [-t] [--utc] [-p PID] [--label LABEL] [-x] [--per-thread]\n"
	"                 [--json] [-v]\n"
	"\n"
	"Trace all process termination (exit, fatal signal)\n"
	"\n"
	"options:\n"
	"  -h, --help         show this help message and exit\n"
	"  -t, --timestamp    include timestamp (local time default)\n"
	"  --utc              include timestamp in UTC (-t implied)\n"
	"  -p PID, --pid PID  trace this PID only\n"
	"  --label LABEL      label each line\n"
	"  -x, --failed       trace only fails, exclude exit(0)\n"
	"  --per-thread       trace per thread termination\n"
	"  --json             one JSON object per event\n"
	"  -v, --verbose      print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    exitsnoop                # trace all process termination\n"
	"    exitsnoop -x             # trace only fails, exclude exit(0)\n"
	"    exitsnoop -t             # include timestamps (local time)\n"
	"    exitsnoop --utc          # include timestamps (UTC)\n"
	"    exitsnoop -p 181         # only trace PID 181\n"
	"    exitsnoop --label=exit   # label each output line with 'exit'\n"
	"    exitsnoop --per-thread   # trace per thread termination\n";

struct exitsnoop_opts {
	bool timestamp, utc, failed, per_thread, json, verbose;
	const char *label;
	uint32_t pid;
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

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct exitsnoop_opts *o = ctx;
	const struct exitsnoop_event *e = data;
	int code = (e->exit_code >> 8) & 0xff, sig = e->exit_code & 0x7f;
	bool core = e->exit_code & 0x80;
	char comm[sizeof(e->comm) * 4 + 1], label[256], tbuf[32];
	double age;

	if (size < sizeof(*e))
		return 0;
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

enum { OPT_UTC = 0x100, OPT_LABEL, OPT_PER_THREAD, OPT_JSON };

static int parse_args(int argc, char **argv, struct exitsnoop_opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"timestamp", no_argument, NULL, 't'},
		{"utc", no_argument, NULL, OPT_UTC},
		{"pid", required_argument, NULL, 'p'},
		{"label", required_argument, NULL, OPT_LABEL},
		{"failed", no_argument, NULL, 'x'},
		{"per-thread", no_argument, NULL, OPT_PER_THREAD},
		{"json", no_argument, NULL, OPT_JSON},
		{"verbose", no_argument, NULL, 'v'},
		{},
	};
	static const struct usage cli = {exitsnoop_usage, ":htp:xv", longopts};
	int opt;

	while ((opt = usage_getopt(&cli, argc, argv)) != -1) {
		switch (opt) {
		case 'h':
			exit(usage_help(&cli));
		case 't':
			o->timestamp = true;
			break;
		case OPT_UTC:
			o->utc = o->timestamp = true;
			break;
		case 'p':
			if (snoop_parse_pid(&cli, opt, optarg, &o->pid))
				return -EINVAL;
			break;
		case OPT_LABEL:
			o->label = optarg;
			break;
		case 'x':
			o->failed = true;
			break;
		case OPT_PER_THREAD:
			o->per_thread = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		default:
			return -usage_getopt_error(&cli, opt, argv);
		}
	}
	if (optind < argc)
		return -usage_extra_args(&cli, argc, argv, optind);
	return 0;
}

static void print_header(const struct exitsnoop_opts *o)
{
	char tz[64] = "UTC", title[80];
	time_t now = time(NULL);
	struct tm tm;

	if (o->json) {
		snoop_json_ready();
		return;
	}
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

static int exitsnoop_main(int argc, char **argv)
{
	struct exitsnoop_opts o = {};
	struct exitsnoop *skel = NULL;
	struct btf_min *bm = NULL;
	struct snoop s;
	int err, rc = 1;

	if (parse_args(argc, argv, &o))
		return 2;
	if (snoop__init(&s, o.verbose))
		return 1;
	skel = BTF_MIN_SKEL_OPEN(exitsnoop, &bm);
	if (!skel) {
		rc = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->per_thread = o.per_thread;
	skel->rodata->failed_only = o.failed;
	skel->rodata->filter_tgid = o.pid;
	if (snoop__drop_missing(&s, skel->obj) < 0)
		goto out;
	err = exitsnoop__load(skel);
	if (err) {
		rc = snoop_load_error("load", err);
		goto out;
	}
	if (snoop__attach(&s, skel->obj, handle_event, &o))
		goto out;
	print_header(&o);
	rc = snoop__run(&s, 0, &skel->bss->lost_events) ? 1 : 0;
out:
	snoop__fini(&s);
	exitsnoop__destroy(skel);
	btf_min__free(bm);
	return rc;
}

TOOL_REGISTER(exitsnoop, exitsnoop_main, "trace process termination (bcc exitsnoop)");
