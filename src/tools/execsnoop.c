// SPDX-License-Identifier: GPL-2.0
/* execsnoop: trace exec() syscalls, with bcc's options and columns. */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/btfmin.h"
#include "core/log.h"
#include "core/out.h"
#include "core/usage.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"
#include "bpf/execsnoop.h"
#include "execsnoop.skel.h"

static const char execsnoop_usage[] =
	"usage: execsnoop [-h] [-T] [-t] [-x] [-u USER] [-q] [-n NAME] [-l LINE] [-U]\n"
	"                 [-P PPID] [--max-args MAX_ARGS] [--json] [-v]\n"
	"\n"
	"Trace exec() syscalls\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -T, --time            include time column on output (HH:MM:SS)\n"
	"  -t, --timestamp       include timestamp on output\n"
	"  -x, --fails           include failed exec()s\n"
	"  -u USER, --uid USER   trace this UID only\n"
	"  -q, --quote           Add quotemarks (\") around arguments.\n"
	"  -n NAME, --name NAME  only print commands matching this name (regex), any arg\n"
	"  -l LINE, --line LINE  only print commands where arg contains this line (regex)\n"
	"  -U, --print-uid       print UID column\n"
	"  -P PPID, --ppid PPID  trace this parent PID only\n"
	"  --max-args MAX_ARGS   maximum number of arguments parsed and displayed, defaults to 20\n"
	"  --json                one JSON object per event\n"
	"  -v, --verbose         print libbpf's messages\n"
	"\n"
	"examples:\n"
	"    execsnoop           # trace all exec() syscalls\n"
	"    execsnoop -x        # include failed exec()s\n"
	"    execsnoop -T        # include time (HH:MM:SS)\n"
	"    execsnoop -U        # include UID\n"
	"    execsnoop -u 1000   # only trace UID 1000\n"
	"    execsnoop -t        # include timestamps\n"
	"    execsnoop -q        # add \"quotemarks\" around arguments\n"
	"    execsnoop -n main   # only print command lines containing \"main\"\n"
	"    execsnoop -l tpkg   # only print command where arguments contains \"tpkg\"\n"
	"    execsnoop -P 181    # only trace new processes whose parent PID is 181\n";

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

static int compile_regex(const struct usage *u, int opt, regex_t *re, const char *s)
{
	char msg[128];
	int err = regcomp(re, s, REG_EXTENDED | REG_NOSUB);

	if (err) {
		regerror(err, re, msg, sizeof(msg));
		usage_arg_error(u, opt, "invalid regex: '%s': %s", s, msg);
		return -EINVAL;
	}
	return 0;
}

enum { OPT_MAX_ARGS = 0x100, OPT_JSON };

static int parse_args(int argc, char **argv, struct execsnoop_opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"time", no_argument, NULL, 'T'},
		{"timestamp", no_argument, NULL, 't'},
		{"fails", no_argument, NULL, 'x'},
		{"uid", required_argument, NULL, 'u'},
		{"quote", no_argument, NULL, 'q'},
		{"name", required_argument, NULL, 'n'},
		{"line", required_argument, NULL, 'l'},
		{"print-uid", no_argument, NULL, 'U'},
		{"ppid", required_argument, NULL, 'P'},
		{"max-args", required_argument, NULL, OPT_MAX_ARGS},
		{"json", no_argument, NULL, OPT_JSON},
		{"verbose", no_argument, NULL, 'v'},
		{},
	};
	static const struct usage cli = {execsnoop_usage, ":hTtxu:qn:l:UP:v", longopts};
	int opt;

	o->uid = (uint32_t)-1;
	o->max_args = EXECSNOOP_DEFAULT_MAX_ARGS;
	while ((opt = usage_getopt(&cli, argc, argv)) != -1) {
		switch (opt) {
		case 'h':
			exit(usage_help(&cli));
		case 'T':
			o->time = true;
			break;
		case 't':
			o->timestamp = true;
			break;
		case 'x':
			o->fails = true;
			break;
		case 'u':
			if (snoop_parse_uid(&cli, opt, optarg, &o->uid))
				return -EINVAL;
			break;
		case 'q':
			o->quote = true;
			break;
		case 'n':
			if (compile_regex(&cli, opt, &o->name, optarg))
				return -EINVAL;
			o->have_name = true;
			break;
		case 'l':
			if (compile_regex(&cli, opt, &o->line, optarg))
				return -EINVAL;
			o->have_line = true;
			break;
		case 'U':
			o->print_uid = true;
			break;
		case 'P':
			if (snoop_parse_pid(&cli, opt, optarg, &o->ppid))
				return -EINVAL;
			break;
		case OPT_MAX_ARGS:
			if (usage_parse_ulong(&cli, opt, optarg, 1, EXECSNOOP_MAX_ARGS,
					      &o->max_args))
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

static void print_header(const struct execsnoop_opts *o)
{
	if (o->json) {
		snoop_json_ready();
		return;
	}
	if (o->time)
		printf("%-9s", "TIME");
	if (o->timestamp)
		printf("%-8s", "TIME(s)");
	if (o->print_uid)
		printf("%-6s", "UID");
	printf("%-16s %-7s %-7s %3s %s\n", "COMM", "PID", "PPID", "RET", "ARGS");
}

static int execsnoop_main(int argc, char **argv)
{
	struct execsnoop_opts o = {};
	struct execsnoop_ctx *c = NULL;
	struct execsnoop *skel = NULL;
	struct btf_min *bm = NULL;
	struct snoop s;
	int err, rc = 1;

	if (parse_args(argc, argv, &o))
		return 2;
	if (snoop__init(&s, o.verbose))
		return 1;
	c = calloc(1, sizeof(*c));
	if (!c) {
		tk_err("out of memory");
		goto out;
	}
	c->o = &o;
	skel = BTF_MIN_SKEL_OPEN(execsnoop, &bm);
	if (!skel) {
		rc = snoop_load_error("open", -errno);
		goto out;
	}
	skel->rodata->ignore_failed = !o.fails;
	skel->rodata->max_args = o.max_args;
	skel->rodata->filter_ppid = o.ppid;
	skel->rodata->filter_uid = o.uid;
	if (snoop__drop_missing(&s, skel->obj) < 0)
		goto out;
	err = execsnoop__load(skel);
	if (err) {
		rc = snoop_load_error("load", err);
		goto out;
	}
	if (snoop__attach(&s, skel->obj, handle_event, c))
		goto out;
	print_header(&o);
	c->clock.start_ns = snoop_now_ns();
	rc = snoop__run(&s, 0, &skel->bss->lost_events) ? 1 : 0;
out:
	snoop__fini(&s);
	execsnoop__destroy(skel);
	btf_min__free(bm);
	if (o.have_name)
		regfree(&o.name);
	if (o.have_line)
		regfree(&o.line);
	free(c);
	return rc;
}

TOOL_REGISTER(execsnoop, execsnoop_main, "trace exec() syscalls (bcc execsnoop)");
