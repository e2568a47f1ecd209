// SPDX-License-Identifier: GPL-2.0
/* opensnoop: trace open(), openat() and openat2(), with bcc's options and columns. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/attach.h"
#include "core/btfmin.h"
#include "core/log.h"
#include "core/out.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/opensnoop.h"
#include "opensnoop.skel.h"

TOOL_SKEL_DEFINE(opensnoop);

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
	struct metric_family *opens; /* --metrics */
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
	if (c->opens) {
		char ebuf[24];
		const char *v[] = {comm, snoop_errno_label(ebuf, sizeof(ebuf), e->ret)};

		snoop_metric_inc(c->opens, v);
	}
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

/* -f, given again for each flag: the flags add up */
static int parse_flag(void *opts, const struct usage *u, int key, const char *arg)
{
	struct opensnoop_opts *o = opts;

	for (size_t i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++) {
		if (strcmp(arg, open_flags[i].name) == 0) {
			o->flags_mask |= open_flags[i].val;
			o->extended = true; /* bcc shows FLAGS whenever it filters on them */
			return 0;
		}
	}
	usage_arg_error(u, key,
			"invalid value: '%s' (expected a flag like O_WRONLY, O_RDWR, O_CREAT)", arg);
	return -EINVAL;
}

#define OPT(f) offsetof(struct opensnoop_opts, f)
static struct tool_cli cli = {
	.name = "opensnoop",
	.description = "Trace open() syscalls",
	.opts = TOOL_OPTS(
		TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
		SNOOP_OPT_PRINT_UID(struct opensnoop_opts, print_uid),
		{'x', "failed", NULL, "only show failed opens", TOOL_OPT_FLAG, OPT(failed),
		 .bpf = "failed_only"},
		TOOL_OPT_PID_ONLY(OPT(pid), "filter_tgid"),
		SNOOP_OPT_TID(struct opensnoop_opts, tid),
		TOOL_OPT_UID_ONLY(OPT(uid), "filter_uid"),
		SNOOP_OPT_DURATION(struct opensnoop_opts, duration_s),
		SNOOP_OPT_NAME(struct opensnoop_opts, name),
		{'e', "extended_fields", NULL, "show extended fields", TOOL_OPT_FLAG,
		 OPT(extended)},
		{'f', "flag_filter", "FLAG_FILTER", "filter on flags argument (e.g., O_WRONLY)",
		 TOOL_OPT_CALL, .parse = parse_flag},
		{'F', "full-path", NULL, "show full path for an open file with relative path",
		 TOOL_OPT_FLAG, OPT(full_path), .bpf = "full_path"},
		SNOOP_OPTS_JSON_VERBOSE(struct opensnoop_opts)),
	.examples = "    opensnoop                # trace all open() syscalls\n"
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
		    "    opensnoop -F             # show full path for an open file with relative "
		    "path\n",
};

static void print_header(void *ctx)
{
	const struct opensnoop_opts *o = ((struct opensnoop_ctx *)ctx)->o;

	if (o->timestamp)
		printf("%-14s", "TIME(s)");
	if (o->print_uid)
		printf("%-6s", "UID");
	printf("%-6s %-16s %4s %3s ", o->tid ? "TID" : "PID", "COMM", "FD", "ERR");
	if (o->extended)
		printf("%-9s", "FLAGS");
	printf("PATH\n");
}

static int fill(struct tool_run *run, void *skel)
{
	((struct opensnoop *)skel)->rodata->flags_mask =
		((struct opensnoop_ctx *)run->ctx)->o->flags_mask;
	return 0;
}

SNOOP_METRIC_HOOK(
	add_metrics, struct opensnoop_ctx, opens, "tracekit_opensnoop_opens", METRIC_COUNTER,
	"open(), openat() and openat2() calls traced, by comm and errno (0: opened) (opensnoop)", 0,
	"comm", "errno");

static int opensnoop_main(int argc, char **argv)
{
	struct opensnoop_opts o = {.uid = TOOL_UID_NONE};
	struct opensnoop_ctx c = {.o = &o};
	struct tool_run run = {.skel = &opensnoop_tool_skel,
			       .fill = fill,
			       .ctx = &c,
			       .on_event = handle_event,
			       .event_size = offsetof(struct opensnoop_event, dir),
			       .header = print_header,
			       .metrics = add_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(opensnoop, opensnoop_main, "trace open() syscalls (bcc opensnoop)", &cli);
