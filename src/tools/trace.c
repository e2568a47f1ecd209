// SPDX-License-Identifier: GPL-2.0
/*
 * trace: bcc's multi-tool, one line per event of each probe specifier
 * (`p:LIB:FUNC "fmt", args`, `r:LIB:FUNC`, `t:CAT:EVENT`, `u:LIB:PROBE`, with a predicate),
 * with bcc's command line and columns. The specifiers become a program of the language
 * (tools/bccspec.h), which lang/embed.h runs: Go code gets Go's argument registers and
 * RET-based returns from there. Each event's printf carries its columns separated by 0x1f;
 * what the program writes comes back here a line at a time, where bcc's columns, its
 * -n/-f filters, -M and the stack layout are made.
 */
#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/out.h"
#include "core/strbuf.h"
#include "lang/embed.h"
#include "tools/bccspec.h"
#include "tools/tool.h"

#define SEP	   "\x1f" /* between an event's columns */
#define STACKS_END "\x1e" /* the line after an event's stacks */

struct trace_opts {
	uint32_t pid, tid, uid;
	unsigned long string_size, max_events, pages;
	bool include_self, timestamp, unix_ts, time, cpu, kstack, ustack, address, verbose, json;
	const char *name, *msg_filter;
};

struct trace_probe {
	struct bcc_probe bp;
	bool trivial; /* no format: bcc's default message */
};

struct trace {
	struct trace_opts o;
	struct trace_probe *probes;
	int nprobes;
	unsigned long events;
	bool skip; /* the current event's lines are filtered out */
	double start_real;
};

#define TO struct trace_opts
static struct tool_cli cli = {
	.name = "trace",
	.description = "Attach to functions and print trace messages.",
	.required = "probe",
	.opts = TOOL_OPTS(
		{'b', "buffer-pages", "BUFFER_PAGES",
		 "accepted for bcc's command line (the ring buffer is the language's)",
		 TOOL_OPT_ULONG, offsetof(TO, pages), 1, 1 << 20},
		{'p', "pid", "PID", "id of the process to trace (optional)", TOOL_OPT_PID,
		 offsetof(TO, pid)},
		{'L', "tid", "TID", "id of the thread to trace (optional)", TOOL_OPT_PID,
		 offsetof(TO, tid)},
		{'u' + 512, "uid", "UID", "id of the user to trace (optional)", TOOL_OPT_UID,
		 offsetof(TO, uid)},
		{'v', "verbose", NULL, "print the generated program before running it",
		 TOOL_OPT_VERBOSE, offsetof(TO, verbose)},
		{'Z', "string-size", "STRING_SIZE", "maximum size to read from strings",
		 TOOL_OPT_ULONG, offsetof(TO, string_size), 1, 1024},
		{'S', "include-self", NULL, "do not filter trace's own pid from the trace",
		 TOOL_OPT_FLAG, offsetof(TO, include_self)},
		{'M', "max-events", "MAX_EVENTS", "number of events to print before quitting",
		 TOOL_OPT_ULONG, offsetof(TO, max_events), 1, ULONG_MAX},
		{'t', "timestamp", NULL, "print timestamp column (offset from trace start)",
		 TOOL_OPT_FLAG, offsetof(TO, timestamp)},
		{'u', "unix-timestamp", NULL,
		 "print UNIX timestamp instead of offset from trace start, requires -t",
		 TOOL_OPT_FLAG, offsetof(TO, unix_ts)},
		{'T', "time", NULL, "print time column", TOOL_OPT_FLAG, offsetof(TO, time)},
		{'C', "print_cpu", NULL, "print CPU id", TOOL_OPT_FLAG, offsetof(TO, cpu)},
		{'n', "name", "NAME", "only print process names containing this name", TOOL_OPT_STR,
		 offsetof(TO, name)},
		{'f', "msg-filter", "MSG_FILTER",
		 "only print the msg of event containing this string", TOOL_OPT_STR,
		 offsetof(TO, msg_filter)},
		{'K', "kernel-stack", NULL, "output kernel stack trace", TOOL_OPT_FLAG,
		 offsetof(TO, kstack)},
		{'U', "user-stack", NULL, "output user stack trace", TOOL_OPT_FLAG,
		 offsetof(TO, ustack)},
		{'a', "address", NULL, "print virtual address in stacks", TOOL_OPT_FLAG,
		 offsetof(TO, address)},
		{TOOL_OPT_JSON, "json", NULL, "one JSON object per event", TOOL_OPT_FLAG,
		 offsetof(TO, json)},
		{'c', "cgroup-path", "CGROUP_PATH", NULL, TOOL_OPT_UNSUPPORTED},
		{'B', "bin_cmp", NULL, NULL, TOOL_OPT_UNSUPPORTED},
		{'s', "sym_file_list", "SYM_FILE_LIST", NULL, TOOL_OPT_UNSUPPORTED},
		{'I', "include", "header", "no C headers: the language has no clang",
		 TOOL_OPT_UNSUPPORTED},
		{'A', "aggregate", NULL, NULL, TOOL_OPT_UNSUPPORTED}),
	.args = "probe [probe ...]",
	.args_help = "  probe        probe specifier (see examples)\n",
	.epilog = "A probe is [{p,r}]:[library]:function[+offset][(signature)] [(predicate)]\n"
		  "[\"format\", arguments...], t:category:event or u:library:[provider:]probe.\n"
		  "Where the library is a Go program, arg1..arg6 are Go's register arguments and\n"
		  "r: probes every RET of the function (never a uretprobe: they crash Go).\n",
	.examples =
		"  trace 'r:c:write \"%d\", retval'             # what each write() returns\n"
		"  trace 'p:c:write (arg3 > 10) \"%d bytes\", arg3'  # with a predicate\n"
		"  trace 't:sched:sched_process_exec \"%s\", args->filename'\n"
		"  trace 'p:./server:main.(*Arith).Mul \"A=%d B=%d\", arg4, arg5'  # Go arguments\n"
		"  trace -M 10 'r:./server:main.(*Arith).Mul \"err=%d\", retval'\n",
};
#undef TO

/* ---- the program ---------------------------------------------------------------------- */

/* A bcc format's value as the language prints it: its conversion and its expression. */
static int put_value(const struct trace *t, const struct bcc_probe *bp, const char *len, char conv,
		     const char *expr, struct strbuf *fmt, struct strbuf *args, char *err,
		     size_t errlen)
{
	struct strbuf e = {0};
	const char *cast;
	int ret;

	ret = bcc_expr(bp, expr, NULL, &e, err, errlen);
	if (ret)
		goto out;
	strbuf_puts(args, ", ");
	switch (conv) {
	case 'd':
	case 'i':
	case 'u':
	case 'x':
	case 'X': {
		bool sign = conv == 'd' || conv == 'i';

		/* bcc stores the value in a C variable of the format's type: %d is an int */
		if (!strcmp(len, "h"))
			cast = sign ? "int16" : "uint16";
		else if (!strcmp(len, "hh"))
			cast = sign ? "int8" : "uint8";
		else if (*len)
			cast = sign ? "int64" : "uint64";
		else
			cast = sign ? "int32" : "uint32";
		strbuf_printf(args, "(%s)(%s)", cast, e.p);
		strbuf_printf(fmt, "%c", conv);
		break;
	}
	case 'c':
		strbuf_printf(args, "(int8)(%s)", e.p);
		strbuf_puts(fmt, "c");
		break;
	case 's':
		strbuf_printf(args, "str(%s, %lu)", e.p, t->o.string_size);
		strbuf_puts(fmt, "s");
		break;
	case 'K':
	case 'U':
		strbuf_printf(args, "%s(%s)", conv == 'K' ? "ksym" : "usym", e.p);
		strbuf_puts(fmt, "s");
		break;
	case 'p':
		strbuf_printf(args, "(uint64)(%s)", e.p);
		strbuf_puts(fmt, "lx");
		break;
	default:
		ret = -EINVAL;
		snprintf(err, errlen, "unrecognized format specifier %c", conv);
	}
out:
	free(e.p);
	return ret;
}

/* "fmt", a, b: the language's format (its bcc conversions typed) and arguments. */
static int put_action(const struct trace *t, const struct bcc_probe *bp, const char *action,
		      struct strbuf *fmt, struct strbuf *args, char *err, size_t errlen)
{
	char **v;
	size_t n, used = 1;
	const char *f;
	int ret = 0;

	if (action[0] != '"') {
		snprintf(err, errlen, "expected format string in \"s");
		return -EINVAL;
	}
	if (bcc_split_commas(action, &v, &n))
		return -ENOMEM;
	f = v[0];
	if (strlen(f) < 2 || f[strlen(f) - 1] != '"') {
		snprintf(err, errlen, "expected format string in \"s");
		ret = -EINVAL;
		goto out;
	}
	for (const char *c = f + 1; !ret && c < f + strlen(f) - 1; c++) {
		char len[3] = "";
		size_t l = 0;

		if (*c != '%') {
			strbuf_put(fmt, c, 1);
			continue;
		}
		strbuf_put(fmt, c++, 1);
		if (*c == '%') {
			strbuf_put(fmt, c, 1);
			continue;
		}
		while (strchr("-+ #0", *c) && *c)
			strbuf_put(fmt, c++, 1);
		while (isdigit((unsigned char)*c) || *c == '.')
			strbuf_put(fmt, c++, 1);
		while ((*c == 'l' || *c == 'h' || *c == 'z') && l < 2)
			len[l++] = *c++;
		if (used >= n) {
			snprintf(err, errlen, "the format has more conversions than arguments");
			ret = -EINVAL;
			break;
		}
		ret = put_value(t, bp, len, *c, v[used++], fmt, args, err, errlen);
	}
	if (!ret && used < n) {
		snprintf(err, errlen, "the format has fewer conversions than arguments");
		ret = -EINVAL;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return ret;
}

/* One probe: [spec][(sig)] [(predicate)] ["fmt", args] as bcc splits it, into the program. */
static int put_probe(struct trace *t, int idx, const char *text, struct strbuf *prog, char *err,
		     size_t errlen)
{
	struct trace_probe *tp = &t->probes[idx];
	struct strbuf fmt = {0}, args = {0}, pred = {0};
	const char *rest, *sp, *paren;
	char *spec, *sig = NULL, *filter = NULL;
	int ret;

	/* the specifier ends at a blank; a signature is "(...)" ending the specifier */
	sp = text + strcspn(text, " \t");
	paren = memchr(text, '(', sp - text);
	rest = sp;
	if (paren && sp[-1] == ')' && !memchr(paren + 1, '(', sp - paren - 1)) {
		spec = strndup(text, paren - text);
		sig = strndup(paren + 1, sp - paren - 2);
	} else {
		spec = strndup(text, sp - text);
	}
	if (!spec || (paren && sp[-1] == ')' && !sig))
		return -ENOMEM;
	ret = bcc_probe_parse(spec, sig, (int)t->o.pid, &tp->bp, err, errlen);
	if (ret)
		goto out;
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest == '(') {
		int depth = 0;
		const char *c;

		for (c = rest; *c; c++) {
			if (*c == '(')
				depth++;
			else if (*c == ')' && !--depth)
				break;
		}
		if (!*c) {
			snprintf(err, errlen, "unmatched end of predicate");
			ret = -EINVAL;
			goto out;
		}
		filter = strndup(rest, c + 1 - rest);
		rest = c + 1;
		while (isspace((unsigned char)*rest))
			rest++;
		ret = filter ? bcc_expr(&tp->bp, filter, NULL, &pred, err, errlen) : -ENOMEM;
		if (ret)
			goto out;
	}
	tp->trivial = !*rest;
	if (*rest) {
		ret = put_action(t, &tp->bp, rest, &fmt, &args, err, errlen);
		if (ret)
			goto out;
	}
	bcc_probe_attach(&tp->bp, prog);
	strbuf_puts(prog, " /1");
	if (pred.p)
		strbuf_printf(prog, " && %s", pred.p);
	if (t->o.pid)
		strbuf_printf(prog, " && pid == %u", t->o.pid);
	if (t->o.tid)
		strbuf_printf(prog, " && tid == %u", t->o.tid);
	if (t->o.uid != TOOL_UID_NONE)
		strbuf_printf(prog, " && uid == %u", t->o.uid);
	if (!t->o.include_self)
		strbuf_printf(prog, " && pid != %d", (int)getpid());
	strbuf_printf(prog,
		      "/ {\n\tprintf(\"" SEP "%%d" SEP "%%d" SEP "%%s" SEP "%%d" SEP "%%llu" SEP
		      "%d" SEP "%s\\n%s%s%s\", pid, tid, comm, cpu, elapsed%s%s%s);\n}\n",
		      idx, fmt.p ? fmt.p : "", t->o.kstack ? "%s" : "", t->o.ustack ? "%s" : "",
		      t->o.kstack || t->o.ustack ? STACKS_END "\\n" : "", args.p ? args.p : "",
		      t->o.kstack ? ", kstack" : "", t->o.ustack ? ", ustack" : "");
out:
	free(spec);
	free(sig);
	free(filter);
	free(fmt.p);
	free(args.p);
	free(pred.p);
	return ret;
}

/* ---- its output ----------------------------------------------------------------------- */

static void header(void *ctx)
{
	struct trace *t = ctx;
	bool trivial = true;

	if (t->o.json) {
		fprintf(stderr, "%s\n", TOOL_JSON_READY);
		return;
	}
	for (int i = 0; i < t->nprobes; i++)
		trivial &= t->probes[i].trivial;
	if (t->o.timestamp || t->o.time)
		printf(t->o.unix_ts ? "%-17s " : "%-8s ", "TIME");
	if (t->o.cpu)
		printf("%-3s ", "CPU");
	printf("%-7s %-7s %-15s %-16s %s\n", "PID", "TID", "COMM", "FUNC", trivial ? "" : "-");
	fflush(stdout);
}

/*
 * A frame of the language's perf stack mode, "\tADDR SYM+OFF (MODULE)" (kernel frames have
 * no module), as bcc prints it: "SYM+0xOFF [MODULE]", [kernel] for the kernel's.
 */
static void stack_line(const struct trace *t, char *l)
{
	char *addr = l + 1, *sym, *mod, *plus, *slash;
	unsigned long long off;

	sym = strchr(addr, ' ');
	if (!sym) {
		printf("        %s\n", addr);
		return;
	}
	*sym++ = 0;
	mod = strstr(sym, " (");
	if (mod) {
		*mod = 0;
		mod += 2;
		mod[strcspn(mod, ")")] = 0;
	}
	printf("        ");
	if (t->o.address)
		printf("%16s ", addr);
	if (!strncmp(sym, "0x", 2) || (mod && !strcmp(mod, "[unknown]"))) {
		printf("[unknown]\n");
		return;
	}
	plus = strrchr(sym, '+');
	off = plus ? strtoull(plus + 1, NULL, 10) : 0;
	if (plus)
		*plus = 0;
	slash = mod ? strrchr(mod, '/') : NULL;
	printf("%s+0x%llx [%s]\n", sym, off, !mod ? "kernel" : slash ? slash + 1 : mod);
}

static void event_line(struct trace *t, char *l)
{
	char *f[7], *p = l + 1;
	double off;
	int idx;

	for (int i = 0; i < 7; i++) {
		f[i] = p;
		p = i < 6 ? strchr(p, SEP[0]) : NULL;
		if (i < 6 && !p)
			return;
		if (p)
			*p++ = 0;
	}
	idx = atoi(f[5]);
	t->skip = idx < 0 || idx >= t->nprobes || (t->o.name && !strstr(f[2], t->o.name)) ||
		  (t->o.msg_filter && !strstr(f[6], t->o.msg_filter)) ||
		  (t->o.max_events && t->events >= t->o.max_events);
	if (t->skip)
		return;
	off = strtoull(f[4], NULL, 10) / 1e9;
	if (t->o.json) {
		printf("{\"time\": %.6f, \"cpu\": %s, \"pid\": %s, \"tid\": %s, \"comm\": ", off,
		       f[3], f[0], f[1]);
		json_str(stdout, f[2]);
		printf(", \"func\": ");
		json_str(stdout, bcc_probe_display(&t->probes[idx].bp));
		printf(", \"msg\": ");
		json_str(stdout, f[6]);
		printf("}\n");
	} else {
		if (t->o.time && !t->o.timestamp) {
			char buf[16];
			time_t now = time(NULL);

			strftime(buf, sizeof(buf), "%H:%M:%S", localtime(&now));
			printf("%-8s ", buf);
		} else if (t->o.timestamp) {
			char buf[64];

			snprintf(buf, sizeof(buf), "%.6f",
				 t->o.unix_ts ? t->start_real + off : off);
			printf(t->o.unix_ts ? "%-17.17s " : "%-8.8s ", buf);
		}
		if (t->o.cpu)
			printf("%-3s ", f[3]);
		printf("%-7s %-7s %-15s %-16s %s\n", f[0], f[1], f[2],
		       bcc_probe_display(&t->probes[idx].bp), f[6]);
	}
	if (t->o.max_events && ++t->events >= t->o.max_events)
		kill(getpid(), SIGINT); /* the run's loop stops at its signalfd */
}

static void out_line(void *ctx, char *l)
{
	struct trace *t = ctx;

	if (l[0] == SEP[0]) {
		event_line(t, l);
	} else if (t->skip || t->o.json) {
		return;
	} else if (!strcmp(l, STACKS_END)) {
		printf("\n"); /* bcc's blank line after an event's stacks */
	} else if ((t->o.kstack || t->o.ustack) && l[0] == '\t') {
		stack_line(t, l);
	} else if (l[0]) {
		/* a format's own newlines; the run's blank lines at exit are left out */
		printf("%s\n", l);
	}
}

static int trace_main(int argc, char **argv)
{
	struct trace t = {.o = {.uid = TOOL_UID_NONE, .string_size = 80}};
	struct strbuf prog = {0};
	struct timespec now;
	char err[512];
	int ret, first;

	if (!tool_start(&cli, &t.o, argc, argv, &ret))
		return ret;
	ret = 1;
	if (tool_metrics_opts()->addr) {
		tk_err("--metrics: trace prints events and counts nothing (argdist -C and -H do)");
		return 2;
	}
	if (t.o.pid && t.o.tid) {
		tk_err("only one of -p and -L may be specified");
		return 2;
	}
	first = cli.first_arg;
	t.nprobes = argc - first;
	t.probes = calloc(t.nprobes, sizeof(*t.probes));
	if (!t.probes)
		goto out;
	if (t.o.kstack || t.o.ustack)
		strbuf_puts(&prog, "config = { stack_mode = perf }\n");
	for (int i = 0; i < t.nprobes; i++)
		if (put_probe(&t, i, argv[first + i], &prog, err, sizeof(err))) {
			tk_err("error in probe '%s': %s", argv[first + i], err);
			goto out;
		}
	if (prog.oom)
		goto out;
	clock_gettime(CLOCK_REALTIME, &now);
	t.start_real = now.tv_sec + now.tv_nsec / 1e9;
	ret = lang_embed_run(&(struct lang_embed){.name = "trace",
						  .src = prog.p,
						  .pid = (int)t.o.pid,
						  .verbose = t.o.verbose,
						  .on_line = out_line,
						  .on_attached = header,
						  .ctx = &t});
	fflush(stdout);
out:
	for (int i = 0; i < t.nprobes && t.probes; i++)
		bcc_probe_free(&t.probes[i].bp);
	free(t.probes);
	free(prog.p);
	return ret;
}

TOOL_REGISTER(trace, trace_main, "print a line per event of functions and tracepoints (bcc)", &cli);
