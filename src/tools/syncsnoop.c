// SPDX-License-Identifier: GPL-2.0
/* syncsnoop: trace the sync() family of syscalls, with libbpf-tools' columns. */
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
#include "bpf/syncsnoop.h"
#include "syncsnoop.skel.h"

static const char syncsnoop_usage[] =
	"usage: syncsnoop [-h] [-p PID] [--json] [-v]\n"
	"\n"
	"Trace sync syscalls (sync, fsync, fdatasync, msync, sync_file_range, syncfs)\n"
	"\n"
	"options:\n"
	"  -h, --help         show this help message and exit\n"
	"  -p PID, --pid PID  trace this PID only\n"
	"  --json             one JSON object per event\n"
	"  -v, --verbose      print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    syncsnoop           # trace all sync syscalls\n"
	"    syncsnoop -p 181    # only trace PID 181\n";

static const char *const sys_names[SYNCSNOOP_NR] = {
	"sync", "fsync", "fdatasync", "msync", "sync_file_range", "sync_file_range2", "syncfs",
};

struct syncsnoop_opts {
	bool json, verbose;
	uint32_t pid;
};

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct syncsnoop_opts *o = ctx;
	const struct syncsnoop_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1];
	const char *call;
	double ts;

	if (size < sizeof(*e))
		return 0;
	ts = (double)e->ts_ns / 1e9;
	call = e->sys < SYNCSNOOP_NR ? sys_names[e->sys] : "?";
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

enum { OPT_JSON = 0x100 };

static int parse_args(int argc, char **argv, struct syncsnoop_opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"pid", required_argument, NULL, 'p'},
		{"json", no_argument, NULL, OPT_JSON},
		{"verbose", no_argument, NULL, 'v'},
		{},
	};
	static const struct usage cli = {syncsnoop_usage, ":hp:v", longopts};
	int opt;

	while ((opt = usage_getopt(&cli, argc, argv)) != -1) {
		switch (opt) {
		case 'h':
			exit(usage_help(&cli));
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

static int syncsnoop_main(int argc, char **argv)
{
	struct syncsnoop_opts o = {};
	struct syncsnoop *skel = NULL;
	struct snoop s;
	int err, rc = 1;

	if (parse_args(argc, argv, &o))
		return 2;
	if (snoop__init(&s, o.verbose))
		return 1;
	skel = syncsnoop__open();
	if (!skel) {
		rc = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->filter_tgid = o.pid;
	if (snoop__drop_missing(&s, skel->obj) < 0)
		goto out;
	err = syncsnoop__load(skel);
	if (err) {
		rc = snoop_load_error("load", err);
		goto out;
	}
	if (snoop__attach(&s, skel->obj, handle_event, &o))
		goto out;
	if (o.json)
		snoop_json_ready();
	else
		printf("%-18s %-16s %s\n", "TIME(s)", "COMM", "CALL");
	rc = snoop__run(&s, 0, &skel->bss->lost_events) ? 1 : 0;
out:
	snoop__fini(&s);
	syncsnoop__destroy(skel);
	return rc;
}

TOOL_REGISTER(syncsnoop, syncsnoop_main, "trace sync() family syscalls (bcc syncsnoop)");
