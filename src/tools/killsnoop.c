// SPDX-License-Identifier: GPL-2.0
/* killsnoop: trace signals sent by kill() (and tkill/tgkill), bcc's options and columns. */
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
#include "bpf/killsnoop.h"
#include "killsnoop.skel.h"

static const char killsnoop_usage[] =
	"usage: killsnoop [-h] [-x] [-p PID] [-T TPID] [-s SIGNAL] [--json] [-v]\n"
	"\n"
	"Trace signals issued by the kill() syscall\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -x, --failed          only show failed kill syscalls\n"
	"  -p PID, --pid PID     trace this PID only which is the sender of signal\n"
	"  -T TPID, --tpid TPID  trace this target PID only which is the receiver of signal\n"
	"  -s SIGNAL, --signal SIGNAL\n"
	"                        trace this signal only (comma-separated numbers or names)\n"
	"  --json                one JSON object per event\n"
	"  -v, --verbose         print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    killsnoop           # trace all kill() signals\n"
	"    killsnoop -x        # only show failed kills\n"
	"    killsnoop -p 181    # only trace PID 181\n"
	"    killsnoop -T 189    # only trace target PID 189\n"
	"    killsnoop -s 9      # only trace signal 9\n"
	"    killsnoop -s 9,15   # only trace signals 9 and 15\n";

static const char *const call_names[] = {"kill", "tkill", "tgkill"};

struct killsnoop_opts {
	bool failed, json, verbose;
	uint32_t pid, tpid;
	uint64_t sig_mask[2];
	bool sig_filter;
};

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct killsnoop_opts *o = ctx;
	const struct killsnoop_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1], hms[16];

	if (size < sizeof(*e))
		return 0;
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

static int parse_signals(const struct usage *u, const char *arg, uint64_t mask[2])
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int sig, err = 0, n = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		err = snoop_parse_signal(u, 's', tok, &sig);
		if (err)
			break;
		if (sig > 64) {
			usage_arg_error(u, 's', "invalid value: '%s' (signals are 0 to 64)", tok);
			err = -EINVAL;
			break;
		}
		mask[sig >> 6] |= 1ULL << (sig & 63);
		n++;
	}
	free(copy);
	if (!err && !n) {
		usage_arg_error(u, 's', "invalid value: '%s'", arg);
		err = -EINVAL;
	}
	return err;
}

enum { OPT_JSON = 0x100 };

static int parse_args(int argc, char **argv, struct killsnoop_opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},	  {"failed", no_argument, NULL, 'x'},
		{"pid", required_argument, NULL, 'p'},	  {"tpid", required_argument, NULL, 'T'},
		{"signal", required_argument, NULL, 's'}, {"json", no_argument, NULL, OPT_JSON},
		{"verbose", no_argument, NULL, 'v'},	  {},
	};
	static const struct usage cli = {killsnoop_usage, ":hxp:T:s:v", longopts};
	int opt;

	while ((opt = usage_getopt(&cli, argc, argv)) != -1) {
		switch (opt) {
		case 'h':
			exit(usage_help(&cli));
		case 'x':
			o->failed = true;
			break;
		case 'p':
			if (snoop_parse_pid(&cli, opt, optarg, &o->pid))
				return -EINVAL;
			break;
		case 'T':
			if (snoop_parse_pid(&cli, opt, optarg, &o->tpid))
				return -EINVAL;
			break;
		case 's':
			if (parse_signals(&cli, optarg, o->sig_mask))
				return -EINVAL;
			o->sig_filter = true;
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

static int killsnoop_main(int argc, char **argv)
{
	struct killsnoop_opts o = {};
	struct killsnoop *skel = NULL;
	struct snoop s;
	int err, rc = 1;

	if (parse_args(argc, argv, &o))
		return 2;
	if (snoop__init(&s, o.verbose))
		return 1;
	skel = killsnoop__open();
	if (!skel) {
		rc = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->failed_only = o.failed;
	skel->rodata->filter_tgid = o.pid;
	skel->rodata->filter_tpid = o.tpid;
	skel->rodata->sig_filter = o.sig_filter;
	skel->rodata->sig_mask[0] = o.sig_mask[0];
	skel->rodata->sig_mask[1] = o.sig_mask[1];
	if (snoop__drop_missing(&s, skel->obj) < 0)
		goto out;
	err = killsnoop__load(skel);
	if (err) {
		rc = snoop_load_error("load", err);
		goto out;
	}
	if (snoop__attach(&s, skel->obj, handle_event, &o))
		goto out;
	if (o.json)
		snoop_json_ready();
	else
		printf("%-9s %-7s %-16s %-4s %-7s %s\n", "TIME", "PID", "COMM", "SIG", "TPID",
		       "RESULT");
	rc = snoop__run(&s, 0, &skel->bss->lost_events) ? 1 : 0;
out:
	snoop__fini(&s);
	killsnoop__destroy(skel);
	return rc;
}

TOOL_REGISTER(killsnoop, killsnoop_main, "trace signals issued by kill() (bcc killsnoop)");
