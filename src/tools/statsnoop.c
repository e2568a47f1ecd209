// SPDX-License-Identifier: GPL-2.0
/* statsnoop: trace the stat() family of syscalls, bcc's options and columns. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/out.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/statsnoop.h"
#include "statsnoop.skel.h"

static const char statsnoop_usage[] =
	"usage: statsnoop [-h] [-t] [-s] [-x] [-p PID] [--json] [-v]\n"
	"\n"
	"Trace stat() syscalls\n"
	"\n"
	"options:\n"
	"  -h, --help         show this help message and exit\n"
	"  -t, --timestamp    include timestamp on output\n"
	"  -s, --sysname      include syscall name on output\n"
	"  -x, --failed       only show failed stats\n"
	"  -p PID, --pid PID  trace this PID only\n"
	"  --json             one JSON object per event\n"
	"  -v, --verbose      print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    statsnoop           # trace all stat() syscalls\n"
	"    statsnoop -t        # include timestamps\n"
	"    statsnoop -s        # include syscall name\n"
	"    statsnoop -x        # only show failed stats\n"
	"    statsnoop -p 181    # only trace PID 181\n";

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

	if (size < sizeof(*e))
		return 0;
	ts = snoop_clock_rel(&c->clock, e->ts_ns);
	fd = e->ret >= 0 ? e->ret : -1;
	err = e->ret >= 0 ? 0 : -e->ret;
	sys = e->sys < sizeof(sys_names) / sizeof(sys_names[0]) ? sys_names[e->sys] : "N/A";
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

enum { OPT_JSON = 0x100 };

static int parse_args(int argc, char **argv, struct statsnoop_opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},      {"timestamp", no_argument, NULL, 't'},
		{"sysname", no_argument, NULL, 's'},   {"failed", no_argument, NULL, 'x'},
		{"pid", required_argument, NULL, 'p'}, {"json", no_argument, NULL, OPT_JSON},
		{"verbose", no_argument, NULL, 'v'},   {},
	};
	static const struct usage cli = {statsnoop_usage, ":htsxp:v", longopts};
	int opt;

	while ((opt = usage_getopt(&cli, argc, argv)) != -1) {
		switch (opt) {
		case 'h':
			exit(usage_help(&cli));
		case 't':
			o->timestamp = true;
			break;
		case 's':
			o->sysname = true;
			break;
		case 'x':
			o->failed = true;
			break;
		case 'p':
			if (snoop_parse_pid(&cli, opt, optarg, &o->pid))
				return -EINVAL;
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

static void print_header(const struct statsnoop_opts *o)
{
	if (o->json) {
		snoop_json_ready();
		return;
	}
	if (o->timestamp)
		printf("%-14s", "TIME(s)");
	printf("%-7s %-16s %4s %3s", "PID", "COMM", "FD", "ERR");
	if (o->sysname)
		printf(" %-12s", "SYSCALL");
	printf(" %s\n", "PATH");
}

static int statsnoop_main(int argc, char **argv)
{
	struct statsnoop_opts o = {};
	struct statsnoop_ctx c = {.o = &o};
	struct statsnoop *skel = NULL;
	struct snoop s;
	int err, rc = 1;

	if (parse_args(argc, argv, &o))
		return 2;
	if (snoop__init(&s, o.verbose))
		return 1;
	skel = statsnoop__open();
	if (!skel) {
		rc = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->failed_only = o.failed;
	skel->rodata->filter_tgid = o.pid;
	if (snoop__drop_missing(&s, skel->obj) < 0)
		goto out;
	err = statsnoop__load(skel);
	if (err) {
		rc = snoop_load_error("load", err);
		goto out;
	}
	if (snoop__attach(&s, skel->obj, handle_event, &c))
		goto out;
	print_header(&o);
	rc = snoop__run(&s, 0, &skel->bss->lost_events) ? 1 : 0;
out:
	snoop__fini(&s);
	statsnoop__destroy(skel);
	return rc;
}

TOOL_REGISTER(statsnoop, statsnoop_main, "trace stat() syscalls (bcc statsnoop)");
