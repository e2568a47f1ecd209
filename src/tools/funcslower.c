// SPDX-License-Identifier: GPL-2.0
/*
 * funcslower: print calls slower than a threshold, with bcc's columns, optional arguments and
 * user/kernel stacks. For Go, the stack is taken at the RET probe, where the frame-pointer
 * chain lacks the immediate caller: the BPF side keeps [SP] (the return address) for it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/func_probe.h"
#include "core/attach.h"
#include "core/funcplan.h"
#include "core/ksym.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/out.h"
#include "core/usage.h"
#include "core/usym.h"
#include "funcslower.skel.h"
#include "tools/functool.h"
#include "tools/tool.h"

struct fslow {
	struct functool_opts o;
	uint64_t min_ns;
	bool ms;	    /* threshold given in ms: LAT(ms) column */
	unsigned int nargs; /* -a */
	bool ustack, kstack, folded, rel_time;
	struct timespec start;
	struct func_plan plan;
	struct funcslower *skel;
	struct attach_set *as;
	struct ring_buffer *rb;
	struct usym_cache *usyms;
	struct ksyms *ksyms; /* loaded on the first kernel stack */
};

static const char usage_text[] =
	"usage: funcslower [-h] [-p PID] [-m MIN_MS] [-u MIN_US] [-a ARGUMENTS] [-T] [-t] [-f]\n"
	"                  [-d DURATION] [-U] [-K] [-r] [-D] [-v] [--json] function [function ...]\n\n"
	"Trace slow function calls and print details.\n\n"
	"  -p PID        trace this PID only\n"
	"  -m MIN_MS     minimum duration to trace, ms (default 1)\n"
	"  -u MIN_US     minimum duration to trace, us\n"
	"  -a N          print the first N arguments (Go: register ABI order)\n"
	"  -T            print time column (HH:MM:SS)\n"
	"  -t            print time column (seconds since start)\n"
	"  -f            print folded stacks\n"
	"  -d DURATION   total duration of trace, seconds\n"
	"  -U            show user stack\n"
	"  -K            show kernel stack\n"
	"  --json        one JSON object per call\n\n"
	"examples:\n"
	"  funcslower -u 10 './server:main.(*Arith).Mul'     # calls over 10 us\n"
	"  funcslower -UK -u 10 './server:main.(*Arith).Mul' # with stacks\n"
	"  funcslower -m 5 -a 2 c:open                       # libc open over 5 ms, 2 args\n";

static const char *func_label(struct fslow *fs, uint32_t idx, char *buf, size_t len)
{
	char raw[1024];

	if (idx >= fs->plan.nfuncs)
		return "?";
	snprintf(raw, sizeof(raw), "%s:%s", fs->plan.funcs[idx].ts->display,
		 fs->plan.funcs[idx].f->name);
	return str_escape(buf, len, raw, sizeof(raw));
}

static const char *usym_name(struct fslow *fs, int pid, uint64_t ip, char *buf, size_t len)
{
	struct usym s;

	if (usym_cache__resolve(fs->usyms, pid, ip, &s) || !s.name) {
		snprintf(buf, len, "[unknown] 0x%llx", (unsigned long long)ip);
		return buf;
	}
	return str_escape(buf, len, s.name, 512);
}

/* The user frames to show: for Go at a RET, [caller] + the chain above it. */
static size_t user_frames(const struct slow_event *e, uint64_t *out, size_t max)
{
	size_t n = 0, depth = e->ustack_len > 0 ? e->ustack_len / 8 : 0;

	if (e->caller && n < max)
		out[n++] = e->caller;
	for (size_t i = e->caller ? 1 : 0; i < depth && n < max; i++)
		out[n++] = e->ustack[i];
	return n;
}

static const char *ksym_name(struct fslow *fs, uint64_t addr)
{
	uint64_t off;
	const char *s;

	if (!fs->ksyms)
		fs->ksyms = ksyms__load();
	s = fs->ksyms ? ksyms__resolve(fs->ksyms, addr, &off) : NULL;
	return s ? s : "[unknown]";
}

static void print_json_event(struct fslow *fs, const struct slow_event *e, const uint64_t *uf,
			     size_t nuf)
{
	char buf[512];

	printf("{\"comm\":");
	json_strn(stdout, e->comm, sizeof(e->comm));
	printf(",\"pid\":%u,\"tid\":%u,\"lat_ns\":%llu,\"retval\":%llu,\"func\":", e->pid,
	       e->tid, (unsigned long long)e->lat_ns, (unsigned long long)e->retval);
	json_str(stdout, func_label(fs, e->idx, buf, sizeof(buf)));
	if (fs->nargs) {
		printf(",\"args\":[");
		for (unsigned int i = 0; i < fs->nargs; i++)
			printf("%s%llu", i ? "," : "", (unsigned long long)e->args[i]);
		printf("]");
	}
	if (fs->ustack) {
		printf(",\"ustack\":[");
		for (size_t i = 0; i < nuf; i++) {
			printf(i ? "," : "");
			json_str(stdout, usym_name(fs, e->pid, uf[i], buf, sizeof(buf)));
		}
		printf("]");
	}
	if (fs->kstack) {
		printf(",\"kstack\":[");
		for (int i = 0; i < (e->kstack_len > 0 ? e->kstack_len / 8 : 0); i++) {
			printf(i ? "," : "");
			json_str(stdout, ksym_name(fs, e->kstack[i]));
		}
		printf("]");
	}
	printf("}\n");
}

static void print_folded(struct fslow *fs, const struct slow_event *e, const uint64_t *uf,
			 size_t nuf)
{
	char buf[512];

	fputs(str_escape(buf, sizeof(buf), e->comm, sizeof(e->comm)), stdout);
	for (size_t i = nuf; i-- > 0;)
		printf(";%s", usym_name(fs, e->pid, uf[i], buf, sizeof(buf)));
	for (int i = (e->kstack_len > 0 ? e->kstack_len / 8 : 0); i-- > 0;)
		printf(";%s", ksym_name(fs, e->kstack[i]));
	printf(" %llu\n", (unsigned long long)(e->lat_ns / 1000));
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct fslow *fs = ctx;
	const struct slow_event *e = data;
	uint64_t uf[MAX_STACK + 1];
	size_t nuf;
	char comm[64], buf[512];

	if (size < sizeof(*e))
		return 0;
	nuf = fs->ustack ? user_frames(e, uf, MAX_STACK + 1) : 0;
	if (fs->o.json) {
		print_json_event(fs, e, uf, nuf);
		return 0;
	}
	if (fs->folded) {
		print_folded(fs, e, uf, nuf);
		return 0;
	}
	if (fs->o.timestamp) {
		printf("%-9s", time_hms(buf, sizeof(buf)));
	} else if (fs->rel_time) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		printf("%-18.9f ", (now.tv_sec - fs->start.tv_sec) +
					   (now.tv_nsec - fs->start.tv_nsec) / 1e9);
	}
	str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm));
	printf("%-14.14s %-6u %7.2f %16llx %s", comm, e->pid,
	       fs->ms ? e->lat_ns / 1e6 : e->lat_ns / 1e3, (unsigned long long)e->retval,
	       func_label(fs, e->idx, buf, sizeof(buf)));
	for (unsigned int i = 0; i < fs->nargs; i++)
		printf(" 0x%llx", (unsigned long long)e->args[i]);
	putchar('\n');
	if (fs->kstack)
		for (int i = 0; i < (e->kstack_len > 0 ? e->kstack_len / 8 : 0); i++)
			printf("    %s\n", ksym_name(fs, e->kstack[i]));
	for (size_t i = 0; i < nuf; i++)
		printf("    %s\n", usym_name(fs, e->pid, uf[i], buf, sizeof(buf)));
	return 0;
}

static int parse_opts(struct fslow *fs, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const struct usage cli = { usage_text, ":hp:m:u:a:d:TtfUKrDv", longopts };
	unsigned long v;
	int c, err;

	while ((c = usage_getopt(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'm':
			if (usage_parse_ulong(&cli, c, optarg, 0, 86400000, &v))
				return -EINVAL;
			fs->min_ns = v * 1000000ULL;
			fs->ms = true;
			break;
		case 'u':
			if (usage_parse_ulong(&cli, c, optarg, 0, 86400000, &v))
				return -EINVAL;
			fs->min_ns = v * 1000ULL;
			fs->ms = false;
			break;
		case 'a':
			if (usage_parse_ulong(&cli, c, optarg, 0, MAX_ARGS, &v))
				return -EINVAL;
			fs->nargs = v;
			break;
		case 't':
			fs->rel_time = true;
			break;
		case 'f':
			fs->folded = true;
			break;
		case 'U':
			fs->ustack = true;
			break;
		case 'K':
			fs->kstack = true;
			break;
		case 'h':
			exit(usage_help(&cli));
		default:
			err = functool_common_opt(&fs->o, &cli, c, optarg);
			if (err == -ENOENT)
				return -usage_getopt_error(&cli, c, argv);
			if (err)
				return err;
		}
	}
	if (optind >= argc)
		return -usage_error(&cli, "the following arguments are required: function");
	return 0;
}

static int plan(struct fslow *fs, int argc, char **argv)
{
	char err[512];

	for (int i = optind; i < argc; i++) {
		struct probe_spec spec;
		int ret = probe_spec__parse(argv[i], fs->o.regex, &spec, err, sizeof(err));

		if (ret) {
			tk_err("%s", err);
			return ret;
		}
		if (spec.kind != PROBE_UPROBE) {
			bool kernel = spec.kind == PROBE_KERNEL;

			probe_spec__free(&spec);
			if (kernel && kernel_kfunc_mech(err, sizeof(err)) == KFUNC_NONE)
				tk_err("'%s': %s", argv[i], err);
			else
				tk_err("'%s': only user functions (PATH:FUNC, LIB:FUNC) can be timed",
				       argv[i]);
			return -EINVAL;
		}
		ret = func_plan__add(&fs->plan, &spec, fs->o.pid, err, sizeof(err));
		probe_spec__free(&spec);
		if (ret) {
			tk_err("%s", err);
			return ret;
		}
	}
	return 0;
}

static void print_header(struct fslow *fs)
{
	if (fs->min_ns % 1000000 == 0 && fs->ms)
		printf("Tracing function calls slower than %llu ms... Ctrl+C to quit.\n",
		       (unsigned long long)(fs->min_ns / 1000000));
	else
		printf("Tracing function calls slower than %llu us... Ctrl+C to quit.\n",
		       (unsigned long long)(fs->min_ns / 1000));
	if (fs->o.json || fs->folded)
		return;
	if (fs->o.timestamp)
		printf("%-9s", "TIME");
	else if (fs->rel_time)
		printf("%-18s ", "TIME(s)");
	printf("%-14s %-6s %7s %16s %s%s\n", "COMM", "PID", fs->ms ? "LAT(ms)" : "LAT(us)", "RVAL",
	       "FUNC", fs->nargs ? " ARGS" : "");
}

static int funcslower_main(int argc, char **argv)
{
	struct fslow fs = { .min_ns = 1000000, .ms = true };
	struct event_loop loop;
	enum loop_reason why;
	uint64_t *lost = NULL;
	uint32_t zero = 0;
	int err, ret = 1, ncpus;

	tk_stdout_linebuf();
	if (parse_opts(&fs, argc, argv))
		return 2;
	tk_libbpf_setup(fs.o.verbose);
	if (loop__init(&loop)) {
		tk_err("cannot set up signal handling: %s", strerror(errno));
		return 1;
	}
	if (functool_check_pid(&fs.o, &loop))
		goto out;
	fs.plan.multi = kernel_has_uprobe_multi();
	if (plan(&fs, argc, argv))
		goto out;
	if (fs.o.debug)
		functool_print_plan(&fs.plan);
	fs.usyms = usym_cache__new();
	fs.skel = funcslower__open();
	if (!fs.skel || !fs.usyms) {
		tk_err("cannot open the BPF object: %s", strerror(errno));
		goto out;
	}
	fs.skel->rodata->filter_tgid = fs.o.pid;
	fs.skel->rodata->min_ns = fs.min_ns;
	fs.skel->rodata->capture_args = fs.nargs > 0;
	fs.skel->rodata->want_ustack = fs.ustack || fs.folded;
	fs.skel->rodata->want_kstack = fs.kstack;
	fs.ustack = fs.ustack || fs.folded;
	attach_prepare_uprobe(fs.skel->progs.slow_entry, fs.plan.multi);
	attach_prepare_uprobe(fs.skel->progs.slow_return, fs.plan.multi);
	err = funcslower__load(fs.skel);
	if (err) {
		tk_err("the kernel refused the BPF program: %s", attach_strerror(err));
		goto out;
	}
	fs.rb = ring_buffer__new(bpf_map__fd(fs.skel->maps.events), handle_event, &fs, NULL);
	fs.as = attach_set__new();
	if (!fs.rb || !fs.as || loop__add_ringbuf(&loop, fs.rb)) {
		tk_err("cannot set up the event buffer");
		goto out;
	}
	if (functool_attach_returns(&fs.plan, fs.as, bpf_program__fd(fs.skel->progs.slow_return),
				    fs.o.pid) ||
	    functool_attach_entries(&fs.plan, fs.as, bpf_program__fd(fs.skel->progs.slow_entry),
				    fs.o.pid))
		goto out;
	functool_note_plan(&fs.plan);
	clock_gettime(CLOCK_MONOTONIC, &fs.start);
	print_header(&fs);
	fflush(stdout);
	if (fs.o.duration && loop__set_duration(&loop, (uint64_t)fs.o.duration * 1000))
		goto out;
	why = loop__run(&loop);
	if (why == LOOP_ERROR)
		goto out;
	ring_buffer__consume(fs.rb);
	ncpus = libbpf_num_possible_cpus();
	lost = ncpus > 0 ? calloc(ncpus, sizeof(*lost)) : NULL;
	if (lost && !bpf_map_lookup_elem(bpf_map__fd(fs.skel->maps.lost), &zero, lost)) {
		uint64_t sum = 0;

		for (int i = 0; i < ncpus; i++)
			sum += lost[i];
		if (sum)
			tk_note("lost %llu events (ring buffer full)", (unsigned long long)sum);
	}
	if (why == LOOP_TARGET_EXIT)
		tk_note("process %d exited", fs.o.pid);
	ret = 0;
out:
	free(lost);
	attach_set__destroy(fs.as);
	ring_buffer__free(fs.rb);
	funcslower__destroy(fs.skel);
	func_plan__free(&fs.plan);
	usym_cache__free(fs.usyms);
	ksyms__free(fs.ksyms);
	loop__close(&loop);
	return ret;
}

TOOL_REGISTER(funcslower, funcslower_main, "print function calls slower than a threshold");
