// SPDX-License-Identifier: GPL-2.0
/*
 * argdist: bcc's frequency counts (-C) and log2 histograms (-H) of function arguments,
 * return values, latencies and tracepoint fields, with bcc's specifiers
 * (`{p,r,t,u}:LIB:FUNC(SIGNATURE)[:TYPE[,TYPE]:EXPR[,EXPR][:FILTER]][#LABEL]`) and output.
 * The specifiers become a program of the language (tools/bccspec.h, lang/embed.h): each
 * event prints its values, an interval probe prints a tick, and the counts and histograms
 * are kept here, where the program's output arrives a line at a time. That costs a
 * ring-buffer record per event where bcc counts in the kernel; it keeps the language as it
 * is and every value exact until the ring buffer overflows (then "Lost N events").
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "lang/embed.h"
#include "tools/bccspec.h"
#include "tools/tool.h"

#define SEP	  "\x1f"
#define TICK	  "\x1e"
#define MAX_SPECS 32
#define MAX_EXPRS 8

struct spec_arg {
	const char *text;
	bool hist;
};

struct argdist_opts {
	uint32_t pid, tid;
	unsigned long string_size, interval, count, duration, top;
	bool verbose, cumulative;
	struct spec_arg specs[MAX_SPECS];
	int nspecs;
};

struct freq_entry {
	char *key; /* the values as printed, SEP between them */
	uint64_t hash, count;
};

struct adprobe {
	const char *raw;
	char *label;
	struct bcc_probe bp;
	bool is_hist, default_expr;
	char *exprs[MAX_EXPRS]; /* as typed, for the EVENT column */
	int nexprs;
	bool entry;		 /* r: with $entry() or $latency: an entry probe saves them */
	char *metric;		 /* --metrics: its map's name */
	struct freq_entry *freq; /* -C */
	size_t nfreq, cap;
	size_t *slots_of; /* open addressing: index + 1 into freq, 0 empty */
	size_t nslots;
	uint64_t hist[HIST_LOG2_SLOTS]; /* -H */
};

struct argdist {
	struct argdist_opts o;
	struct adprobe p[MAX_SPECS];
	int n;
	unsigned long ticks;
	bool done;
	bool running;	     /* attached, until the run returns: -n and -d stop it by a signal */
	const char *metrics; /* --metrics HOST:PORT */
};

static int add_spec(void *opts, const struct usage *u, int key, const char *arg)
{
	struct argdist_opts *o = opts;

	if (o->nspecs == MAX_SPECS)
		return usage_error(u, "at most %d specifiers", MAX_SPECS);
	o->specs[o->nspecs++] = (struct spec_arg){arg, key == 'H'};
	return 0;
}

#define AO struct argdist_opts
static struct tool_cli cli = {
	.name = "argdist",
	.description = "Trace a function and display a summary of its parameter values.",
	.opts = TOOL_OPTS({'p', "pid", "PID", "id of the process to trace (optional)", TOOL_OPT_PID,
			   offsetof(AO, pid)},
			  {'t', "tid", "TID", "id of the thread to trace (optional)", TOOL_OPT_PID,
			   offsetof(AO, tid)},
			  {'z', "string-size", "STRING_SIZE",
			   "maximum string size to read from char* arguments", TOOL_OPT_ULONG,
			   offsetof(AO, string_size), 1, 1024},
			  {'i', "interval", "INTERVAL", "output interval, in seconds (default 1)",
			   TOOL_OPT_ULONG, offsetof(AO, interval), 1, 86400},
			  {'d', "duration", "DURATION", "total duration of trace, in seconds",
			   TOOL_OPT_ULONG, offsetof(AO, duration), 1, ULONG_MAX / 1000},
			  {'n', "number", "COUNT", "number of outputs", TOOL_OPT_ULONG,
			   offsetof(AO, count), 1, ULONG_MAX},
			  {'v', "verbose", NULL, "print the generated program before running it",
			   TOOL_OPT_VERBOSE, offsetof(AO, verbose)},
			  {'c', "cumulative", NULL,
			   "do not clear histograms and freq counts at each interval",
			   TOOL_OPT_FLAG, offsetof(AO, cumulative)},
			  {'T', "top", "TOP",
			   "number of top results to show (not applicable to histograms)",
			   TOOL_OPT_ULONG, offsetof(AO, top), 1, ULONG_MAX},
			  {'H', "histogram", "specifier",
			   "probe specifier to capture histogram of (see examples below)",
			   TOOL_OPT_CALL, 0, .parse = add_spec},
			  {'C', "count", "specifier",
			   "probe specifier to capture count of (see examples below)",
			   TOOL_OPT_CALL, 0, .parse = add_spec},
			  {'I', "include", "header", "no C headers: the language has no clang",
			   TOOL_OPT_UNSUPPORTED}),
	.epilog = "A specifier is {p,r,t,u}:{[library],category}:function(signature)\n"
		  "[:type[,type...]:expr[,expr...][:filter]][#label]; r: probes have $retval,\n"
		  "$entry(param) and $latency (ns). One specifier per -C or -H, which may be\n"
		  "repeated. Where the library is a Go program, the signature's parameters are\n"
		  "Go's register arguments and r: probes every RET of the function.\n",
	.examples = "  argdist -C 'p:c:write(int fd, const void *buf, size_t count):size_t:count'\n"
		    "  argdist -H 'r:c:read()'                  # sizes read() returns\n"
		    "  argdist -C 'r:c:write():int:$retval#write results' -i 5 -n 2\n"
		    "  argdist -H 'p:./server:main.(*Arith).Mul(void *t, void *c1, void *c2, "
		    "long a):long:a'\n",
};
#undef AO

/* ---- specifiers into the program ------------------------------------------------------ */

/* The entry probe's saved values, keyed by thread, or by goroutine in Go. */
static const char *entry_key(const struct adprobe *p)
{
	return p->bp.is_go ? "goid" : "tid";
}

struct dollar_ctx {
	struct adprobe *p;
	int idx;
	char buf[160];
	bool used_entry;
};

static const char *dollar(void *ctx, const char *name, const char *arg)
{
	struct dollar_ctx *d = ctx;
	struct adprobe *p = d->p;

	if (!strcmp(name, "retval") && !arg && p->bp.type == 'r')
		return "retval";
	if (!strcmp(name, "PID") && !arg)
		return "tid";
	if (p->bp.type != 'r')
		return NULL;
	if (!strcmp(name, "latency") && !arg) {
		snprintf(d->buf, sizeof(d->buf), "(nsecs - @__t%d[%s])", d->idx, entry_key(p));
		d->used_entry = true;
		return d->buf;
	}
	if (!strcmp(name, "entry") && arg) {
		for (int i = 0; i < p->bp.nparams; i++)
			if (!strcmp(p->bp.params[i].name, arg)) {
				snprintf(d->buf, sizeof(d->buf), "@__e%d_%d[%s]", d->idx, i,
					 entry_key(p));
				d->used_entry = true;
				return d->buf;
			}
	}
	return NULL;
}

/* The trailing "(...)" of "FUNC(SIG)": its '(' in s, or NULL. */
static char *sig_open(char *s)
{
	size_t n = strlen(s);
	int depth = 0;

	if (!n || s[n - 1] != ')')
		return NULL;
	for (char *c = s + n - 1; c >= s; c--) {
		if (*c == ')')
			depth++;
		else if (*c == '(' && !--depth)
			return c;
	}
	return NULL;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* One value: the type's cast and printf conversion. */
static int put_value(const struct argdist *a, const char *type, const char *expr,
		     struct strbuf *fmt, struct strbuf *val, char *err, size_t errlen)
{
	const char *cast = bcc_ctype_cast(type);
	char *t = strdup(type), *w = t;

	if (!t)
		return -ENOMEM;
	/* "char*", "char *", "const char *" */
	for (char *c = t; *c; c++)
		if (!isspace((unsigned char)*c))
			*w++ = *c;
	*w = 0;
	if (!strcmp(t, "char*") || !strcmp(t, "constchar*")) {
		strbuf_puts(fmt, SEP "%s");
		strbuf_printf(val, "str(%s, %lu)", expr, a->o.string_size);
	} else if (cast) {
		strbuf_puts(fmt, cast[0] == 'u' ? SEP "%llu" : SEP "%lld");
		strbuf_printf(val, "(%s)(%s)", cast, expr);
	} else {
		snprintf(err, errlen, "unsupported type '%s' (integers and char*)", type);
		free(t);
		return -EINVAL;
	}
	free(t);
	return 0;
}

/* s as a name of the language ([A-Za-z0-9_], not starting with a digit), into out */
static void put_name(struct strbuf *out, const char *s)
{
	if (isdigit((unsigned char)*s))
		strbuf_puts(out, "_");
	for (; *s; s++)
		strbuf_printf(out, "%c",
			      isalnum((unsigned char)*s) ? tolower((unsigned char)*s) : '_');
}

/*
 * --metrics: the values counted (-C) or bucketed (-H) in a map of the language too, which
 * its exporter serves: @argdist_LABEL (else _FUNCTION, then _N when taken), _ns for a
 * $latency histogram (seconds in the exposition), keys named after plain expressions.
 */
static void put_metrics(struct argdist *a, int idx, char **vals, struct strbuf *prog)
{
	struct adprobe *p = &a->p[idx];
	struct strbuf name = {0}, keys = {0};

	strbuf_puts(&name, "argdist_");
	put_name(&name, p->label ? p->label : p->bp.function);
	for (int i = 0; i < idx; i++)
		if (a->p[i].metric && !strcmp(a->p[i].metric, name.p))
			strbuf_printf(&name, "_%d", idx);
	if (p->is_hist && strstr(p->exprs[0], "$latency"))
		strbuf_puts(&name, "_ns");
	p->metric = name.p;
	if (p->is_hist) {
		strbuf_printf(prog, "\t@%s = hist(%s);\n", name.p, vals[0]);
		return;
	}
	for (int i = 0; i < p->nexprs && !(p->default_expr && p->bp.type != 'r'); i++) {
		const char *e = p->exprs[i];
		size_t n = strlen(e);
		char id[64];

		/* $entry(x) is x, $retval retval, as bcc shows them */
		if (!strncmp(e, "$entry(", 7) && n > 8 && e[n - 1] == ')')
			snprintf(id, sizeof(id), "%.*s", (int)(n - 8), e + 7);
		else
			snprintf(id, sizeof(id), "%s", e + (*e == '$'));
		strbuf_puts(&keys, i ? ", " : "");
		if (strlen(id) < sizeof(id) - 1 && !isdigit((unsigned char)id[0]) &&
		    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") ==
			    strlen(id)) {
			/* a plain name: the label is called so (a $x key is labelled x) */
			strbuf_printf(prog, "\t$");
			put_name(prog, id);
			strbuf_printf(prog, " = %s;\n", vals[i]);
			strbuf_puts(&keys, "$");
			put_name(&keys, id);
		} else {
			strbuf_puts(&keys, vals[i]);
		}
	}
	strbuf_printf(prog, "\t@%s%s%s%s = count();\n", name.p, keys.p ? "[" : "",
		      keys.p ? keys.p : "", keys.p ? "]" : "");
	free(keys.p);
}

static int put_spec(struct argdist *a, int idx, struct strbuf *prog, char *err, size_t errlen)
{
	struct adprobe *p = &a->p[idx];
	struct dollar_ctx d = {.p = p, .idx = idx};
	struct bcc_expr_ext ext = {.dollar = dollar, .ctx = &d};
	struct strbuf fmt = {0}, args = {0}, pred = {0}, e = {0};
	char *spec = strdup(p->raw), *hash, *parts[7], *open, **types = NULL, **exprs = NULL;
	char *vals[MAX_EXPRS] = {0};
	size_t ntypes = 0, nexprs = 0;
	int n = 0, ret = -EINVAL;

	if (!spec)
		return -ENOMEM;
	hash = strchr(spec, '#');
	if (hash) {
		*hash++ = 0;
		p->label = strdup(hash);
	}
	/* a Go function's signature may hold no ':', its name neither: split on every ':' */
	for (char *c = spec; n < 7;) {
		parts[n++] = c;
		c = strchr(c, ':');
		if (!c)
			break;
		*c++ = 0;
	}
	if (n < 3) {
		snprintf(err, errlen,
			 "at least the probe type, library, and function signature must be "
			 "specified");
		goto out;
	}
	if (n > 6) {
		snprintf(err, errlen, "extraneous ':'-separated parts detected");
		goto out;
	}
	open = sig_open(parts[2]);
	if (!open || open == parts[2]) {
		snprintf(err, errlen, "function signature '%s' has an invalid format", parts[2]);
		goto out;
	}
	*open = 0;
	open[strlen(open + 1)] = 0; /* the ')' */
	{
		char *probe;
		bool is_tu = !strcmp(parts[0], "t") || !strcmp(parts[0], "u");

		if (strlen(parts[0]) != 1 || !strchr("prtu", parts[0][0])) {
			snprintf(err, errlen,
				 "probe type must be 'p', 'r', 't', or 'u' but got '%s'", parts[0]);
			goto out;
		}
		if (asprintf(&probe, "%s:%s:%s", parts[0], parts[1], parts[2]) < 0) {
			ret = -ENOMEM;
			goto out;
		}
		/* tracepoints and USDT take no signature (bcc's "()" there is empty) */
		ret = bcc_probe_parse(probe, is_tu && !open[1] ? NULL : open + 1, (int)a->o.pid,
				      &p->bp, err, errlen);
		free(probe);
		if (ret)
			goto out;
		ret = -EINVAL;
	}
	p->default_expr = n < 5;
	if (p->default_expr) {
		if (p->is_hist && p->bp.type != 'r') {
			snprintf(err, errlen, "histograms must have expr");
			goto out;
		}
		types = calloc(1, sizeof(*types));
		exprs = calloc(1, sizeof(*exprs));
		if (!types || !exprs || !(types[0] = strdup(p->bp.type == 'r' ? "int" : "u64")) ||
		    !(exprs[0] = strdup(p->bp.type == 'r' ? "$retval" : "1"))) {
			ret = -ENOMEM;
			goto out;
		}
		ntypes = nexprs = 1;
	} else {
		if (!*parts[3] || !*parts[4]) {
			snprintf(err, errlen,
				 !*parts[3] ? "no expr types specified" : "no exprs specified");
			goto out;
		}
		if (bcc_split_commas(parts[3], &types, &ntypes) ||
		    bcc_split_commas(parts[4], &exprs, &nexprs)) {
			ret = -ENOMEM;
			goto out;
		}
		if (ntypes != nexprs) {
			snprintf(err, errlen, "mismatched # of exprs and types");
			goto out;
		}
		if (p->is_hist && nexprs > 1) {
			snprintf(err, errlen, "histograms can only have 1 expr");
			goto out;
		}
		if (nexprs > MAX_EXPRS) {
			snprintf(err, errlen, "at most %d exprs", MAX_EXPRS);
			goto out;
		}
	}
	for (size_t i = 0; i < nexprs; i++) {
		struct strbuf v = {0};

		e.len = 0;
		if (bcc_expr(&p->bp, exprs[i], &ext, &e, err, errlen) ||
		    put_value(a, types[i], e.p, &fmt, &v, err, errlen)) {
			free(v.p);
			goto out;
		}
		strbuf_printf(&args, ", %s", v.p);
		vals[i] = v.p;
		p->exprs[p->nexprs++] = exprs[i];
		exprs[i] = NULL;
	}
	if (n == 6 && *parts[5] && bcc_expr(&p->bp, parts[5], &ext, &pred, err, errlen))
		goto out;
	p->entry = d.used_entry;
	if (p->entry) {
		/* the same function's entry: $latency's start and $entry()'s parameters */
		char type = p->bp.type;

		p->bp.type = 'p';
		bcc_probe_attach(&p->bp, prog);
		p->bp.type = type;
		strbuf_puts(prog, " /1");
		if (a->o.pid)
			strbuf_printf(prog, " && pid == %u", a->o.pid);
		if (a->o.tid)
			strbuf_printf(prog, " && tid == %u", a->o.tid);
		strbuf_printf(prog, "/ {\n\t@__t%d[%s] = nsecs;\n", idx, entry_key(p));
		for (int i = 0; i < p->bp.nparams; i++) {
			strbuf_printf(prog, "\t@__e%d_%d[%s] = ", idx, i, entry_key(p));
			e.len = 0;
			strbuf_printf(&e, "arg%d", i + 1);
			{
				struct strbuf v = {0};

				bcc_expr(&p->bp, e.p, NULL, &v, err, errlen);
				strbuf_printf(prog, "%s;\n", v.p ? v.p : "0");
				free(v.p);
			}
		}
		strbuf_puts(prog, "}\n");
	}
	bcc_probe_attach(&p->bp, prog);
	strbuf_puts(prog, " /1");
	if (p->entry)
		strbuf_printf(prog, " && has_key(@__t%d, %s)", idx, entry_key(p));
	if (pred.p)
		strbuf_printf(prog, " && (%s)", pred.p);
	if (a->o.pid)
		strbuf_printf(prog, " && pid == %u", a->o.pid);
	if (a->o.tid)
		strbuf_printf(prog, " && tid == %u", a->o.tid);
	/* not argdist's own output: counting it would feed on itself (trace's default too) */
	strbuf_printf(prog, " && pid != %d", (int)getpid());
	strbuf_printf(prog, "/ {\n\tprintf(\"" SEP "%d%s\\n\"%s);\n", idx, fmt.p, args.p);
	if (a->metrics)
		put_metrics(a, idx, vals, prog);
	if (p->entry) {
		strbuf_printf(prog, "\tdelete(@__t%d, %s);\n", idx, entry_key(p));
		for (int i = 0; i < p->bp.nparams; i++)
			strbuf_printf(prog, "\tdelete(@__e%d_%d, %s);\n", idx, i, entry_key(p));
	}
	strbuf_puts(prog, "}\n");
	ret = prog->oom ? -ENOMEM : 0;
out:
	for (int i = 0; i < MAX_EXPRS; i++)
		free(vals[i]);
	free_strv(types, ntypes);
	free_strv(exprs, nexprs);
	free(spec);
	free(fmt.p);
	free(args.p);
	free(pred.p);
	free(e.p);
	return ret;
}

/* ---- counting and printing ------------------------------------------------------------ */

static int freq_grow(struct adprobe *p)
{
	size_t ns = p->nslots ? p->nslots * 2 : 64;
	size_t *s = calloc(ns, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < p->nfreq; i++) {
		size_t h = p->freq[i].hash & (ns - 1);

		while (s[h])
			h = (h + 1) & (ns - 1);
		s[h] = i + 1;
	}
	free(p->slots_of);
	p->slots_of = s;
	p->nslots = ns;
	return 0;
}

static void freq_add(struct adprobe *p, const char *key)
{
	uint64_t h = hash_fnv_str(HASH_FNV_SEED, key);
	size_t i;

	if ((p->nfreq + 1) * 2 > p->nslots && freq_grow(p))
		return;
	for (i = h & (p->nslots - 1); p->slots_of[i]; i = (i + 1) & (p->nslots - 1)) {
		struct freq_entry *f = &p->freq[p->slots_of[i] - 1];

		if (f->hash == h && !strcmp(f->key, key)) {
			f->count++;
			return;
		}
	}
	if (p->nfreq == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct freq_entry *nf = realloc(p->freq, cap * sizeof(*nf));

		if (!nf)
			return;
		p->freq = nf;
		p->cap = cap;
	}
	p->freq[p->nfreq] = (struct freq_entry){strdup(key), h, 1};
	if (!p->freq[p->nfreq].key)
		return;
	p->slots_of[i] = ++p->nfreq;
}

static void event_line(struct argdist *a, char *l)
{
	char *vals = strchr(l + 1, SEP[0]);
	int idx = atoi(l + 1);
	struct adprobe *p;

	if (!vals || idx < 0 || idx >= a->n || a->done)
		return;
	p = &a->p[idx];
	if (p->is_hist)
		p->hist[hist_log2_slot(strtoull(vals + 1, NULL, 10))]++;
	else
		freq_add(p, vals + 1);
}

static int cmp_count(const void *x, const void *y)
{
	const struct freq_entry *a = x, *b = y;

	if (a->count != b->count)
		return a->count < b->count ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* An expression as bcc shows it: $entry(x) as x. */
static void put_display_expr(const char *e)
{
	for (const char *c = e; *c;) {
		if (!strncmp(c, "$entry(", 7) && strchr(c, ')')) {
			const char *end = strchr(c, ')');

			printf("%.*s", (int)(end - c - 7), c + 7);
			c = end + 1;
		} else {
			putchar(*c++);
		}
	}
}

static void display(struct argdist *a, struct adprobe *p)
{
	if (p->is_hist) {
		char unit[256];
		size_t n = 0;

		/* bcc's val_type: the label, else the expression */
		if (p->label) {
			snprintf(unit, sizeof(unit), "%s", p->label);
		} else if (p->default_expr) {
			snprintf(unit, sizeof(unit), "retval");
		} else {
			FILE *f = fmemopen(unit, sizeof(unit), "w");

			if (f) {
				for (const char *c = p->exprs[0]; *c; c++) {
					if (!strncmp(c, "$entry(", 7) && strchr(c, ')')) {
						const char *end = strchr(c, ')');

						fprintf(f, "%.*s", (int)(end - c - 7), c + 7);
						c = end;
					} else {
						fputc(*c, f);
					}
				}
				n = ftell(f);
				fclose(f);
			}
			unit[n < sizeof(unit) ? n : sizeof(unit) - 1] = 0;
		}
		hist_print_log2(stdout, p->hist, HIST_LOG2_SLOTS, unit);
		if (!a->o.cumulative)
			memset(p->hist, 0, sizeof(p->hist));
		return;
	}
	printf("%s\n", p->label ? p->label : p->raw);
	printf("\t%-10s %s\n", "COUNT", "EVENT");
	qsort(p->freq, p->nfreq, sizeof(*p->freq), cmp_count);
	for (size_t i = a->o.top && p->nfreq > a->o.top ? p->nfreq - a->o.top : 0; i < p->nfreq;
	     i++) {
		char *v = p->freq[i].key;

		printf("\t%-10llu ", (unsigned long long)p->freq[i].count);
		if (p->default_expr && p->bp.type != 'r') {
			printf("total calls\n");
			continue;
		}
		for (int e = 0; e < p->nexprs; e++) {
			char *next = strchr(v, SEP[0]);

			if (next)
				*next = 0;
			if (p->default_expr) {
				printf("retval = %s", v);
			} else {
				printf("%s", e ? ", " : "");
				put_display_expr(p->exprs[e]);
				printf(" = %s", v);
			}
			if (next)
				*next = SEP[0];
			v = next ? next + 1 : v + strlen(v);
		}
		printf("\n");
	}
	/* sorted: the slots are rebuilt on the next event */
	free(p->slots_of);
	p->slots_of = NULL;
	p->nslots = 0;
	if (!a->o.cumulative) {
		for (size_t i = 0; i < p->nfreq; i++)
			free(p->freq[i].key);
		p->nfreq = 0;
	} else {
		freq_grow(p);
	}
}

static void tick(struct argdist *a)
{
	char buf[16];
	time_t now = time(NULL);

	if (a->done)
		return;
	strftime(buf, sizeof(buf), "%H:%M:%S", localtime(&now));
	printf("[%s]\n", buf);
	for (int i = 0; i < a->n; i++)
		display(a, &a->p[i]);
	fflush(stdout);
	a->ticks++;
	if ((a->o.count && a->ticks >= a->o.count) ||
	    (a->o.duration && a->ticks * a->o.interval >= a->o.duration)) {
		a->done = true;
		if (a->running)
			kill(getpid(), SIGINT); /* the run's loop stops at its signalfd */
	}
}

static void out_line(void *ctx, char *l)
{
	struct argdist *a = ctx;

	if (l[0] == SEP[0])
		event_line(a, l);
	else if (!strcmp(l, TICK))
		tick(a);
	else if (l[0])
		printf("%s\n", l);
}

static void ready(void *ctx)
{
	struct argdist *a = ctx;

	a->running = true;
	fflush(stdout);
}

static int argdist_main(int argc, char **argv)
{
	struct argdist a = {.o = {.string_size = 80, .interval = 1}};
	struct strbuf prog = {0};
	char err[512];
	int ret;

	if (!tool_start(&cli, &a.o, argc, argv, &ret))
		return ret;
	ret = 1;
	if (!a.o.nspecs) {
		tk_err("at least one specifier is required");
		return 2;
	}
	a.metrics = tool_metrics_opts()->addr;
	strbuf_puts(&prog, "config = { print_maps_on_exit = false }\n");
	a.n = a.o.nspecs;
	for (int i = 0; i < a.n; i++) {
		a.p[i].raw = a.o.specs[i].text;
		a.p[i].is_hist = a.o.specs[i].hist;
		if (put_spec(&a, i, &prog, err, sizeof(err))) {
			tk_err("error parsing probe '%s': %s", a.p[i].raw, err);
			goto out;
		}
	}
	strbuf_printf(&prog, "interval:s:%lu {\n\tprintf(\"" TICK "\\n\");\n}\n", a.o.interval);
	if (prog.oom)
		goto out;
	ret = lang_embed_run(
		&(struct lang_embed){.name = "argdist",
				     .src = prog.p,
				     .pid = (int)a.o.pid,
				     .verbose = a.o.verbose,
				     .on_line = out_line,
				     .metrics_addr = a.metrics,
				     .metrics_max_series = tool_metrics_opts()->max_series,
				     .on_attached = ready,
				     .ctx = &a});
	a.running = false;
	/* the -p process ended the run: what it did since the last interval */
	if (!ret && !a.done && a.o.pid && kill((pid_t)a.o.pid, 0) && errno == ESRCH)
		tick(&a);
	fflush(stdout);
out:
	for (int i = 0; i < a.n; i++) {
		struct adprobe *p = &a.p[i];

		bcc_probe_free(&p->bp);
		free(p->label);
		free(p->metric);
		for (int e = 0; e < p->nexprs; e++)
			free(p->exprs[e]);
		for (size_t f = 0; f < p->nfreq; f++)
			free(p->freq[f].key);
		free(p->freq);
		free(p->slots_of);
	}
	free(prog.p);
	return ret;
}

TOOL_REGISTER(argdist, argdist_main, "histograms and counts of function arguments (bcc)", &cli);
