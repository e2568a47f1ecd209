// SPDX-License-Identifier: GPL-2.0
/* execsnoop: trace exec() syscalls, with bcc's options and columns. */
#include <errno.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attach.h"
#include "core/btfmin.h"
#include "core/log.h"
#include "core/out.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/execsnoop.h"
#include "execsnoop.skel.h"

TOOL_SKEL_DEFINE(execsnoop);

struct execsnoop_opts {
	bool time, timestamp, fails, quote, print_uid, json, verbose;
	bool have_name, have_line;
	regex_t name, line;
	uint32_t uid, ppid;
	unsigned long max_args;
};

struct execsnoop_ctx {
	const struct execsnoop_opts *o;
	struct snoop_clock clock;
	char line[EXECSNOOP_ARGS_BYTES * 2]; /* args joined by spaces, raw (for -l) */
	char text[EXECSNOOP_ARGS_BYTES * 6]; /* escaped and quoted, for printing */
	struct metric_family *execs;	     /* --metrics */
};

static int compile_regex(const struct usage *u, int opt, regex_t *re, bool *have, const char *s)
{
	char msg[128];
	int err;

	if (*have)
		regfree(re); /* given again: the last one wins */
	*have = false;
	err = regcomp(re, s, REG_EXTENDED | REG_NOSUB);
	if (err) {
		regerror(err, re, msg, sizeof(msg));
		usage_arg_error(u, opt, "invalid regex: '%s': %s", s, msg);
		return -EINVAL;
	}
	*have = true;
	return 0;
}

static int parse_name(void *opts, const struct usage *u, int key, const char *arg)
{
	struct execsnoop_opts *o = opts;

	return compile_regex(u, key, &o->name, &o->have_name, arg);
}

static int parse_line(void *opts, const struct usage *u, int key, const char *arg)
{
	struct execsnoop_opts *o = opts;

	return compile_regex(u, key, &o->line, &o->have_line, arg);
}

enum { OPT_MAX_ARGS = TOOL_OPT_JSON + 16 };

#define OPT(f) offsetof(struct execsnoop_opts, f)
static struct tool_cli cli = {
	.name = "execsnoop",
	.description = "Trace exec() syscalls",
	.opts = TOOL_OPTS(
		{'T', "time", NULL, "include time column on output (HH:MM:SS)", TOOL_OPT_FLAG,
		 OPT(time)},
		TOOL_OPT_TIMESTAMP('t', OPT(timestamp)),
		{'x', "fails", NULL, "include failed exec()s", TOOL_OPT_FLAG, OPT(fails)},
		{'u', "uid", "USER", "trace this UID only", TOOL_OPT_UID, OPT(uid),
		 .bpf = "filter_uid"},
		{'q', "quote", NULL, "Add quotemarks (\") around arguments.", TOOL_OPT_FLAG,
		 OPT(quote)},
		{'n', "name", "NAME", "only print commands matching this name (regex), any arg",
		 TOOL_OPT_CALL, .parse = parse_name},
		{'l', "line", "LINE", "only print commands where arg contains this line (regex)",
		 TOOL_OPT_CALL, .parse = parse_line},
		{'U', "print-uid", NULL, "print UID column", TOOL_OPT_FLAG, OPT(print_uid)},
		{'P', "ppid", "PPID", "trace this parent PID only", TOOL_OPT_PID, OPT(ppid),
		 .bpf = "filter_ppid"},
		{OPT_MAX_ARGS, "max-args", "MAX_ARGS",
		 "maximum number of arguments parsed and displayed, defaults to 20", TOOL_OPT_ULONG,
		 OPT(max_args), 1, EXECSNOOP_MAX_ARGS, .bpf = "max_args"},
		SNOOP_OPTS_JSON_VERBOSE(struct execsnoop_opts)),
	.examples =
		"    execsnoop           # trace all exec() syscalls\n"
		"    execsnoop -x        # include failed exec()s\n"
		"    execsnoop -T        # include time (HH:MM:SS)\n"
		"    execsnoop -U        # include UID\n"
		"    execsnoop -u 1000   # only trace UID 1000\n"
		"    execsnoop -t        # include timestamps\n"
		"    execsnoop -q        # add \"quotemarks\" around arguments\n"
		"    execsnoop -n main   # only print command lines containing \"main\"\n"
		"    execsnoop -l tpkg   # only print command where arguments contains \"tpkg\"\n"
		"    execsnoop -P 181    # only trace new processes whose parent PID is 181\n",
};

/* Append the escaped arg to buf at *pos, quoted with -q (bcc: " around, \" inside). */
static void append_arg(char *buf, size_t len, size_t *pos, const char *arg, bool quote)
{
	char esc[EXECSNOOP_ARGSIZE * 4 + 1];
	size_t n;

	str_escape(esc, sizeof(esc), arg, EXECSNOOP_ARGSIZE);
	if (*pos && *pos < len - 1)
		buf[(*pos)++] = ' ';
	if (quote && *pos < len - 1)
		buf[(*pos)++] = '"';
	for (const char *p = esc; *p && *pos < len - 3; p++) {
		if (quote && *p == '"')
			buf[(*pos)++] = '\\';
		buf[(*pos)++] = *p;
	}
	if (quote && *pos < len - 1)
		buf[(*pos)++] = '"';
	n = *pos < len ? *pos : len - 1;
	buf[n] = '\0';
}

static void print_json(struct execsnoop_ctx *c, const struct execsnoop_event *e, double ts)
{
	const struct execsnoop_opts *o = c->o;
	const char *p = e->args, *end = e->args + e->args_size;
	char hms[16];

	printf("{");
	if (o->time)
		printf("\"time\":\"%s\",", time_hms(hms, sizeof(hms)));
	if (o->timestamp)
		printf("\"timestamp\":%.3f,", ts);
	printf("\"uid\":%u,\"comm\":", e->uid);
	json_strn(stdout, e->comm, sizeof(e->comm));
	printf(",\"pid\":%u,\"ppid\":%u,\"ret\":%d,\"args\":[", e->pid, e->ppid, e->retval);
	for (unsigned int i = 0; i < e->args_count && p < end; i++) {
		size_t n = strnlen(p, end - p);

		if (i)
			printf(",");
		json_strn(stdout, p, n);
		p += n + 1;
	}
	printf("],\"truncated\":%s}\n", e->truncated ? "true" : "false");
}

/* --metrics: the execs shown, by comm and result */
static void count_exec(struct execsnoop_ctx *c, const struct execsnoop_event *e)
{
	char comm[SNOOP_COMM_LABEL], err[24];
	const char *v[] = {snoop_comm_label(comm, e->comm),
			   snoop_errno_label(err, sizeof(err), e->retval)};

	snoop_metric_inc(c->execs, v);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct execsnoop_ctx *c = ctx;
	const struct execsnoop_opts *o = c->o;
	const struct execsnoop_event *e = data;
	const char *p = e->args, *end;
	char comm[EXECSNOOP_COMM_LEN * 4 + 1], hms[16], ppid[16];
	size_t lpos = 0, tpos = 0;
	double ts;

	if (size < offsetof(struct execsnoop_event, args) ||
	    e->args_size > size - offsetof(struct execsnoop_event, args))
		return 0;
	end = e->args + e->args_size;
	ts = snoop_clock_rel(&c->clock, e->ts_ns);
	if (o->have_name) {
		char raw[EXECSNOOP_COMM_LEN + 1];

		memcpy(raw, e->comm, EXECSNOOP_COMM_LEN);
		raw[EXECSNOOP_COMM_LEN] = '\0';
		if (regexec(&o->name, raw, 0, NULL, 0) != 0)
			return 0;
	}
	c->line[0] = c->text[0] = '\0';
	for (unsigned int i = 0; i < e->args_count && p < end; i++) {
		size_t n = strnlen(p, end - p);

		if (lpos + n + 2 < sizeof(c->line)) {
			if (lpos)
				c->line[lpos++] = ' ';
			memcpy(c->line + lpos, p, n);
			lpos += n;
			c->line[lpos] = '\0';
		}
		append_arg(c->text, sizeof(c->text), &tpos, p, o->quote);
		p += n + 1;
	}
	if (e->truncated)
		append_arg(c->text, sizeof(c->text), &tpos, "...", o->quote);
	if (o->have_line && regexec(&o->line, c->line, 0, NULL, 0) != 0)
		return 0;
	count_exec(c, e);
	if (o->json) {
		print_json(c, e, ts);
		return 0;
	}
	if (o->time)
		printf("%-9s", time_hms(hms, sizeof(hms)));
	if (o->timestamp)
		printf("%-8.3f", ts);
	if (o->print_uid)
		printf("%-6u", e->uid);
	if (e->ppid)
		snprintf(ppid, sizeof(ppid), "%u", e->ppid);
	else
		strcpy(ppid, "?");
	printf("%-16s %-7u %-7s %3d %s\n", str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm)),
	       e->pid, ppid, e->retval, c->text);
	return 0;
}

static void print_header(void *ctx)
{
	struct execsnoop_ctx *c = ctx;
	const struct execsnoop_opts *o = c->o;

	/* -t counts from here, once attached */
	c->clock.start_ns = snoop_now_ns();
	if (o->time)
		printf("%-9s", "TIME");
	if (o->timestamp)
		printf("%-8s", "TIME(s)");
	if (o->print_uid)
		printf("%-6s", "UID");
	printf("%-16s %-7s %-7s %3s %s\n", "COMM", "PID", "PPID", "RET", "ARGS");
}

/* -x shows failed execs too, which the BPF side otherwise drops */
static int fill(struct tool_run *run, void *skel)
{
	((struct execsnoop *)skel)->rodata->ignore_failed =
		!((struct execsnoop_ctx *)run->ctx)->o->fails;
	return 0;
}

SNOOP_METRIC_HOOK(
	add_metrics, struct execsnoop_ctx, execs, "tracekit_execsnoop_execs", METRIC_COUNTER,
	"exec() calls traced, by comm and errno (0: succeeded; failed ones with -x) (execsnoop)", 0,
	"comm", "errno");

static int execsnoop_main(int argc, char **argv)
{
	struct execsnoop_opts o = {.uid = TOOL_UID_NONE, .max_args = EXECSNOOP_DEFAULT_MAX_ARGS};
	static struct execsnoop_ctx c; /* its buffers are too big for the stack */
	struct tool_run run = {.skel = &execsnoop_tool_skel,
			       .fill = fill,
			       .ctx = &c,
			       .on_event = handle_event,
			       .event_size = offsetof(struct execsnoop_event, args),
			       .header = print_header,
			       .metrics = add_metrics};
	int err;

	c.o = &o;
	err = tool_main(&cli, &o, &run, argc, argv);
	if (o.have_name)
		regfree(&o.name);
	if (o.have_line)
		regfree(&o.line);
	return err;
}

TOOL_REGISTER(execsnoop, execsnoop_main, "trace exec() syscalls (bcc execsnoop)", &cli);
