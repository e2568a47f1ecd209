// SPDX-License-Identifier: GPL-2.0
/* opensnoop: trace open(), openat() and openat2(), with bcc's options and columns. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "core/btfmin.h"
#include "core/log.h"
#include "core/out.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/opensnoop.h"
#include "opensnoop.skel.h"

static const char opensnoop_usage[] =
	"usage: opensnoop [-h] [-T] [-U] [-x] [-p PID] [-t TID] [-u UID] [-d DURATION]\n"
	"                 [-n NAME] [-e] [-f FLAG_FILTER] [-F] [--json] [-v]\n"
	"\n"
	"Trace open() syscalls\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -T, --timestamp       include timestamp on output\n"
	"  -U, --print-uid       print UID column\n"
	"  -x, --failed          only show failed opens\n"
	"  -p PID, --pid PID     trace this PID only\n"
	"  -t TID, --tid TID     trace this TID only\n"
	"  -u UID, --uid UID     trace this UID only\n"
	"  -d DURATION, --duration DURATION\n"
	"                        total duration of trace in seconds\n"
	"  -n NAME, --name NAME  only print process names containing this name\n"
	"  -e, --extended_fields show extended fields\n"
	"  -f FLAG_FILTER, --flag_filter FLAG_FILTER\n"
	"                        filter on flags argument (e.g., O_WRONLY)\n"
	"  -F, --full-path       show full path for an open file with relative path\n"
	"  --json                one JSON object per event\n"
	"  -v, --verbose         print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    opensnoop                # trace all open() syscalls\n"
	"    opensnoop -T             # include timestamps\n"
	"    opensnoop -U             # include UID\n"
	"    opensnoop -x             # only show failed opens\n"
	"    opensnoop -p 181         # only trace PID 181\n"
	"    opensnoop -t 123         # only trace TID 123\n"
	"    opensnoop -u 1000        # only trace UID 1000\n"
	"    opensnoop -d 10          # trace for 10 seconds only\n"
	"    opensnoop -n main        # only print process names containing \"main\"\n"
	"    opensnoop -e             # show extended fields\n"
	"    opensnoop -f O_WRONLY -f O_RDWR  # only print calls for writing\n"
	"    opensnoop -F             # show full path for an open file with relative path\n";

static const struct {
	const char *name;
	unsigned long val;
} open_flags[] = {
	{"O_WRONLY", O_WRONLY},	      {"O_RDWR", O_RDWR},	  {"O_CREAT", O_CREAT},
	{"O_EXCL", O_EXCL},	      {"O_NOCTTY", O_NOCTTY},	  {"O_TRUNC", O_TRUNC},
	{"O_APPEND", O_APPEND},	      {"O_NONBLOCK", O_NONBLOCK}, {"O_DSYNC", O_DSYNC},
	{"O_ASYNC", O_ASYNC},	      {"O_DIRECT", O_DIRECT},	  {"O_LARGEFILE", O_LARGEFILE},
	{"O_DIRECTORY", O_DIRECTORY}, {"O_NOFOLLOW", O_NOFOLLOW}, {"O_NOATIME", O_NOATIME},
	{"O_CLOEXEC", O_CLOEXEC},     {"O_SYNC", O_SYNC},	  {"O_PATH", O_PATH},
	{"O_TMPFILE", O_TMPFILE},
};

struct opensnoop_opts {
	bool timestamp, print_uid, failed, extended, full_path, json, verbose;
	uint32_t pid, tid, uid;
	unsigned long duration_s;
	unsigned long flags_mask;
	const char *name;
};

struct opensnoop_ctx {
	const struct opensnoop_opts *o;
	struct snoop_clock clock;
};

/*
 * -F: a relative path joined to the directory names the BPF side collected (innermost
 * first). A walk that stopped short of the root (too deep) is marked with a leading "...".
 */
static const char *full_path(char *buf, size_t len, const struct opensnoop_event *e, size_t size,
			     const char *path)
{
	const char *names[OPENSNOOP_DIR_BYTES / 2], *p = e->dir;
	const char *end = e->dir + (e->dir_size <= sizeof(e->dir) ? e->dir_size : 0);
	size_t n = 0, pos = 0;

	if (path[0] == '/' || !path[0] ||
	    size < offsetof(struct opensnoop_event, dir) + e->dir_size)
		return path;
	if (!e->dir_root && !e->dir_depth)
		return path; /* nothing found: leave it relative */
	for (; p < end && n < e->dir_depth && n < sizeof(names) / sizeof(names[0]); n++) {
		names[n] = p;
		p += strnlen(p, end - p) + 1;
	}
	if (!e->dir_root)
		pos += snprintf(buf + pos, len - pos, "...");
	while (n-- > 0 && pos < len)
		pos += snprintf(buf + pos, len - pos, "/%s", names[n]);
	if (pos < len)
		snprintf(buf + pos, len - pos, "/%s", path);
	return buf;
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct opensnoop_ctx *c = ctx;
	const struct opensnoop_opts *o = c->o;
	const struct opensnoop_event *e = data;
	char rawpath[OPENSNOOP_PATH_LEN + 1], full[sizeof(e->dir) + OPENSNOOP_PATH_LEN + 8];
	char esc[sizeof(full) * 4];
	char comm[sizeof(e->comm) + 1], ecomm[sizeof(e->comm) * 4 + 1];
	const char *path;
	int fd, err;
	double ts;

	if (size < offsetof(struct opensnoop_event, dir))
		return 0;
	ts = snoop_clock_rel(&c->clock, e->ts_ns);
	memcpy(comm, e->comm, sizeof(e->comm));
	comm[sizeof(e->comm)] = '\0';
	if (o->name && !strstr(comm, o->name))
		return 0;
	fd = e->ret >= 0 ? e->ret : -1;
	err = e->ret >= 0 ? 0 : -e->ret;
	memcpy(rawpath, e->path, sizeof(e->path));
	rawpath[sizeof(e->path)] = '\0';
	path = o->full_path ? full_path(full, sizeof(full), e, size, rawpath) : rawpath;
	if (o->json) {
		printf("{");
		if (o->timestamp)
			printf("\"timestamp\":%.9f,", ts);
		printf("\"uid\":%u,\"pid\":%u,\"tid\":%u,\"comm\":", e->uid, e->pid, e->tid);
		json_str(stdout, comm);
		printf(",\"fd\":%d,\"err\":%d,\"flags\":%llu,\"mode\":%u,\"path\":", fd, err,
		       (unsigned long long)e->flags, e->mode);
		json_str(stdout, path);
		printf("}\n");
		return 0;
	}
	if (o->timestamp)
		printf("%-14.9f", ts);
	if (o->print_uid)
		printf("%-6u", e->uid);
	printf("%-6u %-16s %4d %3d ", o->tid ? e->tid : e->pid,
	       str_escape(ecomm, sizeof(ecomm), comm, sizeof(comm)), fd, err);
	if (o->extended)
		printf("%08llo ", (unsigned long long)e->flags);
	printf("%s\n", str_escape(esc, sizeof(esc), path, strlen(path)));
	return 0;
}

static int parse_flag(const struct usage *u, const char *s, unsigned long *mask)
{
	for (size_t i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++) {
		if (strcmp(s, open_flags[i].name) == 0) {
			*mask |= open_flags[i].val;
			return 0;
		}
	}
	usage_arg_error(u, 'f', "invalid value: '%s' (expected a flag like O_WRONLY, O_RDWR, O_CREAT)",
			s);
	return -EINVAL;
}

enum { OPT_JSON = 0x100 };

static int parse_args(int argc, char **argv, struct opensnoop_opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"timestamp", no_argument, NULL, 'T'},
		{"print-uid", no_argument, NULL, 'U'},
		{"failed", no_argument, NULL, 'x'},
		{"pid", required_argument, NULL, 'p'},
		{"tid", required_argument, NULL, 't'},
		{"uid", required_argument, NULL, 'u'},
		{"duration", required_argument, NULL, 'd'},
		{"name", required_argument, NULL, 'n'},
		{"extended_fields", no_argument, NULL, 'e'},
		{"flag_filter", required_argument, NULL, 'f'},
		{"full-path", no_argument, NULL, 'F'},
		{"json", no_argument, NULL, OPT_JSON},
		{"verbose", no_argument, NULL, 'v'},
		{},
	};
	static const struct usage cli = {opensnoop_usage, ":hTUxp:t:u:d:n:ef:Fv", longopts};
	int opt;

	o->uid = (uint32_t)-1;
	while ((opt = usage_getopt(&cli, argc, argv)) != -1) {
		switch (opt) {
		case 'h':
			exit(usage_help(&cli));
		case 'T':
			o->timestamp = true;
			break;
		case 'U':
			o->print_uid = true;
			break;
		case 'x':
			o->failed = true;
			break;
		case 'p':
			if (snoop_parse_pid(&cli, opt, optarg, &o->pid))
				return -EINVAL;
			break;
		case 't':
			if (snoop_parse_pid(&cli, opt, optarg, &o->tid))
				return -EINVAL;
			break;
		case 'u':
			if (snoop_parse_uid(&cli, opt, optarg, &o->uid))
				return -EINVAL;
			break;
		case 'd':
			if (usage_parse_ulong(&cli, opt, optarg, 1, 100000000, &o->duration_s))
				return -EINVAL;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'e':
			o->extended = true;
			break;
		case 'f':
			if (parse_flag(&cli, optarg, &o->flags_mask))
				return -EINVAL;
			break;
		case 'F':
			o->full_path = true;
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
	if (o->flags_mask)
		o->extended = true; /* bcc shows FLAGS whenever it filters on them */
	return 0;
}

static void print_header(const struct opensnoop_opts *o)
{
	if (o->json) {
		snoop_json_ready();
		return;
	}
	if (o->timestamp)
		printf("%-14s", "TIME(s)");
	if (o->print_uid)
		printf("%-6s", "UID");
	printf("%-6s %-16s %4s %3s ", o->tid ? "TID" : "PID", "COMM", "FD", "ERR");
	if (o->extended)
		printf("%-9s", "FLAGS");
	printf("PATH\n");
}

static int opensnoop_main(int argc, char **argv)
{
	struct opensnoop_opts o = {};
	struct opensnoop_ctx c = {.o = &o};
	struct opensnoop *skel = NULL;
	struct btf_min *bm = NULL;
	struct snoop s;
	int err, rc = 1;

	if (parse_args(argc, argv, &o))
		return 2;
	if (snoop__init(&s, o.verbose))
		return 1;
	skel = BTF_MIN_SKEL_OPEN(opensnoop, &bm);
	if (!skel) {
		rc = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->failed_only = o.failed;
	skel->rodata->flags_mask = o.flags_mask;
	skel->rodata->filter_tgid = o.pid;
	skel->rodata->filter_tid = o.tid;
	skel->rodata->filter_uid = o.uid;
	skel->rodata->full_path = o.full_path;
	if (snoop__drop_missing(&s, skel->obj) < 0)
		goto out;
	err = opensnoop__load(skel);
	if (err) {
		rc = snoop_load_error("load", err);
		goto out;
	}
	if (snoop__attach(&s, skel->obj, handle_event, &c))
		goto out;
	print_header(&o);
	rc = snoop__run(&s, o.duration_s * 1000, &skel->bss->lost_events) ? 1 : 0;
out:
	snoop__fini(&s);
	opensnoop__destroy(skel);
	btf_min__free(bm);
	return rc;
}

TOOL_REGISTER(opensnoop, opensnoop_main, "trace open() syscalls (bcc opensnoop)");
