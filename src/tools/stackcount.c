// SPDX-License-Identifier: GPL-2.0
/*
 * stackcount: count events by their stacks, with bcc's command line and output. PATTERN is
 * funccount's: user functions (PATH:glob, LIB:glob, Go-safe entry sites, uprobe_multi for
 * globs) or tracepoints (t:CAT:EVENT).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/attach.h"
#include "core/funcplan.h"
#include "core/log.h"
#include "core/out.h"
#include "core/syscalls.h"
#include "stackcount.skel.h"
#include "tools/functool.h"
#include "tools/stack_tool.h"

struct scount {
	struct functool ft; /* first: the callbacks' ctx */
	struct stack_tool_opts st;
	unsigned long cpu; /* -c, ULONG_MAX: every CPU */
	bool per_pid;	   /* -P */
	bool addrs;	   /* -v */
	bool per_process;  /* counts keyed by process (bcc: unless kernel stacks only) */
	const char *pattern;
	char **tps; /* tracepoints: "cat:event" */
	size_t ntps;
	struct stackcount *skel;
	struct stack_symbolizer *sym; /* every summary's: symbol tables read once */
};
FUNCTOOL_FIRST(struct scount);

#define SC	  struct scount
#define SC_OFF(m) offsetof(SC, m)
static struct tool_cli cli = {
	.name = "stackcount",
	.description = "Count events and their stack traces",
	.required = "pattern",
	.opts = TOOL_OPTS(
		FUNCTOOL_OPT_PID(SC),
		{'c', "cpu", "CPU", "trace this CPU only", TOOL_OPT_ULONG, SC_OFF(cpu), 0, 4096},
		FUNCTOOL_OPT_INTERVAL(SC),
		{'D', "duration", "DURATION", "total duration of trace, seconds", TOOL_OPT_ULONG,
		 SC_OFF(ft.o.duration), 1, FUNCTOOL_MAX_SECONDS},
		FUNCTOOL_OPT_TIMESTAMP(SC, "include timestamp on output"),
		{'r', "regexp", NULL, "use regular expressions. Default is \"*\" wildcards only.",
		 TOOL_OPT_FLAG, SC_OFF(ft.o.regex)},
		{'s', "offset", NULL, "show address offsets", TOOL_OPT_UNSUPPORTED},
		{'P', "perpid", NULL, "display stacks separately for each process", TOOL_OPT_FLAG,
		 SC_OFF(per_pid)},
		STACK_TOOL_OPTS_UK(SC, 1),
		{'v', "verbose", NULL, "show raw addresses", TOOL_OPT_FLAG, SC_OFF(addrs)},
		STACK_TOOL_OPT_DELIMITED(SC), STACK_TOOL_OPT_FOLDED(SC, "output folded format"),
		{TOOL_OPT_JSON + 1, "debug", NULL, "print the probe sites before starting",
		 TOOL_OPT_FLAG, SC_OFF(ft.o.debug)},
		STACK_TOOL_OPTS_OUTPUT(SC),
		STACK_TOOL_OPT_STORAGE(SC, "the number of unique stack traces that can be stored "
					   "and displayed (default 16384)")),
	.args = "pattern",
	.args_help = "  pattern               search expression for events: PATH:FUNC, "
		     "LIB:FUNC (c:malloc),\n"
		     "                        t:CAT:EVENT\n",
	.examples =
		"  stackcount -p 185 c:malloc             # count stacks for malloc in PID 185\n"
		"  stackcount './server:main.*.Mul'       # Go functions, Go-safe entry sites\n"
		"  stackcount -r './server:^main\\..*Mul$' # same as above, using regular "
		"expressions\n"
		"  stackcount -Ti 5 c:malloc              # output every 5 seconds, with "
		"timestamps\n"
		"  stackcount t:sched:sched_fork          # count stacks for sched_fork "
		"tracepoint\n"
		"  stackcount -U t:syscalls:sys_enter_write  # user stacks only\n"
		"  stackcount -f -D 10 c:malloc > out.folded  # folded, for flame graphs\n",
};

/* The one pattern: a plan of user functions, or tracepoint names. 0 or -errno. */
static int plan(struct scount *sc)
{
	struct probe_spec spec;
	char err[512];
	int ret = probe_spec__parse(sc->pattern, sc->ft.o.regex, &spec, err, sizeof(err));

	if (ret) {
		tk_err("%s", err);
		return ret;
	}
	if (spec.kind == PROBE_KERNEL) {
		/* Stacks of kernel functions need kprobes: say what the kernel lacks. */
		if (kernel_kfunc_mech(err, sizeof(err)) != KFUNC_NONE || kernel_has_kprobes())
			snprintf(err, sizeof(err),
				 "kernel functions are not supported here: use "
				 "tracepoints (t:CAT:EVENT)");
		ret = -EOPNOTSUPP;
	} else if (spec.kind == PROBE_TRACEPOINT) {
		ret = tracepoints_match(&spec, &sc->tps, &sc->ntps, err, sizeof(err));
	} else {
		sc->ft.plan.multi = kernel_has_uprobe_multi();
		ret = func_plan__add(&sc->ft.plan, &spec, sc->ft.o.pid, err, sizeof(err));
	}
	probe_spec__free(&spec);
	if (ret)
		tk_err("'%s': %s", sc->pattern, err);
	return ret;
}

static size_t nevents(const struct scount *sc)
{
	return sc->ntps ? sc->ntps : sc->ft.plan.nfuncs;
}

/* syscalls:sys_enter_X -> X's number and whether it is the enter event; -1 for others. */
static int syscall_event(const char *tp, bool *enter)
{
	const char *name = strchr(tp, ':') + 1;

	*enter = !strncmp(name, "sys_enter_", 10);
	if (strncmp(tp, "syscalls:", 9) || (!*enter && strncmp(name, "sys_exit_", 9)))
		return -1;
	return syscall_nr(name + (*enter ? 10 : 9));
}

/*
 * One tracepoint: a syscall event as its number in want_enter/want_exit (one raw attach
 * each, later), else a raw tracepoint (it detaches at once), else a perf event.
 */
static int attach_tp(struct scount *sc, struct attach_set *as, char *tp, bool *use)
{
	struct stackcount *sk = sc->skel;
	char *event = strchr(tp, ':');
	bool enter;
	int nr = syscall_event(tp, &enter), err;

	if (nr >= 0 && nr < 1024) {
		struct bpf_map *m = enter ? sk->maps.want_enter : sk->maps.want_exit;
		uint32_t key = nr;
		uint8_t on = 1;

		if (!bpf_map_update_elem(bpf_map__fd(m), &key, &on, BPF_ANY)) {
			use[!enter] = true;
			return 0;
		}
	}
	*event++ = '\0';
	err = nr < 0 ? attach_raw_tracepoint(as, bpf_program__fd(sk->progs.count_raw_tp), event)
		     : -ENOENT;
	if (err)
		err = attach_tracepoint(as, bpf_program__fd(sk->progs.count_tracepoint), tp, event,
					0);
	event[-1] = ':';
	if (err)
		tk_err("cannot attach tracepoint %s: %s", tp, attach_strerror(err));
	return err;
}

static int attach(void *ctx, struct attach_set *as)
{
	struct scount *sc = ctx;
	struct stackcount *sk = sc->skel;
	bool use[2] = {false, false}; /* sys_enter, sys_exit */
	int err = 0;

	if (!sc->ntps)
		return functool_attach_entries(&sc->ft.plan, as,
					       bpf_program__fd(sk->progs.count_uprobe),
					       (int)sc->ft.o.pid);
	for (size_t i = 0; i < sc->ntps && !err; i++)
		err = attach_tp(sc, as, sc->tps[i], use);
	if (!err && use[0])
		err = attach_raw_tracepoint(as, bpf_program__fd(sk->progs.count_sys_enter),
					    "sys_enter");
	if (!err && use[1])
		err = attach_raw_tracepoint(as, bpf_program__fd(sk->progs.count_sys_exit),
					    "sys_exit");
	if (err)
		tk_err("cannot attach to the syscall tracepoints: %s", attach_strerror(err));
	return err;
}

/* bcc's layout: 2-space frames, the count under them, "comm [pid]" unless -p. */
static struct stack_style style(const struct scount *sc)
{
	struct stack_style st = stack_tool_style(&sc->st);

	st.missing = false;
	st.indent = "  ";
	st.value_indent = "    ";
	st.addrs = sc->addrs;
	st.who = sc->per_process && !sc->ft.o.pid ? STACK_WHO_BRACKET : STACK_WHO_NONE;
	st.folded_comm = sc->per_process;
	return st;
}

/* Empty the counts: each summary shows what came since the last (bcc clears them). */
static void clear_counts(int fd)
{
	struct stack_key key;

	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key))
			break;
}

static int summary(void *ctx)
{
	static const struct stack_value_type type = {"events", "count"};
	struct scount *sc = ctx;
	struct flamegraph_opts fg = {.title = "Stack Count Flame Graph", .unit = "events"};
	struct stack_style st = style(sc);
	int counts_fd = bpf_map__fd(sc->skel->maps.counts);
	struct stack_tool_stats stats;
	struct stack_profile p;
	char ts[16];
	int err;

	if (stack_profile__init(&p, &type, 1))
		return -ENOMEM;
	stack_profile__share_symbolizer(&p, sc->sym);
	p.period_type = type;
	p.period = 1;
	err = stack_tool_collect(&p, &sc->st, counts_fd, bpf_map__fd(sc->skel->maps.stacks), NULL,
				 NULL, &stats);
	clear_counts(counts_fd);
	if (err) {
		tk_err("cannot read the stacks: %s", strerror(-err));
	} else {
		if (!sc->st.folded && !sc->st.json)
			putchar('\n');
		if (sc->ft.o.timestamp && !sc->st.json)
			printf("%-8s\n", time_hms(ts, sizeof(ts)));
		err = stack_tool_emit(&sc->st, &p, &st, &fg) ? -EIO : 0;
		fflush(stdout);
	}
	if (!err && stats.missing)
		tk_note("%zu stack traces could not be displayed%s", stats.missing,
			stats.storage_short ? ": try a larger --stack-storage-size" : "");
	stack_profile__exit(&p);
	return err;
}

static void footer(void *ctx)
{
	struct scount *sc = ctx;

	if (sc->ft.run.why == LOOP_TARGET_EXIT)
		tk_note("process %d exited", (int)sc->ft.o.pid);
	if (!sc->st.folded && !sc->st.json)
		printf("Detaching...\n");
}

static int open_and_load(struct scount *sc)
{
	struct stackcount *sk = stackcount__open();
	bool tp = sc->ntps > 0;
	int err;

	if (!sk)
		return tool_load_error("open", -errno);
	sc->skel = sk;
	sc->ft.run.obj = sk->obj;
	if (sc->ft.o.pid)
		sc->st.targets = (struct stack_targets){.id = {sc->ft.o.pid}, .n = 1};
	if (stack_tool_fill(&sc->ft.run, sk->maps.stacks, &sc->st))
		return 1;
	/* bcc: per process for user functions and user stacks, else only with -P */
	sc->per_process = sc->per_pid || !tp || !sc->st.kernel_only;
	sk->rodata->per_process = sc->per_process;
	sk->rodata->filter_cpu = sc->cpu == ULONG_MAX ? -1 : (int)sc->cpu;
	attach_prepare_uprobe(sk->progs.count_uprobe, sc->ft.plan.multi);
	bpf_program__set_autoload(sk->progs.count_uprobe, !tp);
	bpf_program__set_autoload(sk->progs.count_tracepoint, tp);
	bpf_program__set_autoload(sk->progs.count_raw_tp, tp);
	bpf_program__set_autoload(sk->progs.count_sys_enter, tp);
	bpf_program__set_autoload(sk->progs.count_sys_exit, tp);
	err = stackcount__load(sk);
	return err ? tool_load_error("load", err) : 0;
}

static int stackcount_main(int argc, char **argv)
{
	struct scount sc = {.cpu = ULONG_MAX};
	char *ready = NULL;
	int err;

	if (!tool_start(&cli, &sc, argc, argv, &err))
		return err;
	err = 1;
	sc.pattern = argv[cli.first_arg];
	if (cli.first_arg + 1 < argc) {
		tk_err("one pattern: '%s' is one too many", argv[cli.first_arg + 1]);
		goto out;
	}
	if (functool_check_pid(&sc.ft.o) || plan(&sc))
		goto out;
	sc.sym = stack_symbolizer__new();
	if (!sc.sym) {
		tk_err("out of memory");
		goto out;
	}
	/* a -p process that exits before a summary keeps its user frames */
	if (sc.ft.o.pid)
		stack_symbolizer__remember_pid(sc.sym, (int)sc.ft.o.pid);
	if (sc.ft.o.debug)
		functool_print_plan(&sc.ft.plan);
	if (open_and_load(&sc) ||
	    asprintf(&ready, "Tracing %zu functions for \"%s\"... Hit Ctrl-C to end.", nevents(&sc),
		     sc.pattern) < 0)
		goto out;
	functool_run_opts(&sc.ft);
	sc.ft.run.ready = ready;
	/* folded lines and JSON own stdout: the ready line goes to stderr */
	sc.ft.run.json = sc.st.json || sc.st.folded;
	sc.ft.run.attach = attach;
	sc.ft.run.on_interval = summary;
	sc.ft.run.interval_at_end = true;
	sc.ft.run.footer = footer;
	err = tool_run(&sc.ft.run);
	if (!err && sc.ntps == 0)
		functool_note_plan(&sc.ft.plan);
out:
	free(ready);
	stackcount__destroy(sc.skel);
	func_plan__free(&sc.ft.plan);
	strv_free(sc.tps, sc.ntps);
	stack_symbolizer__free(sc.sym);
	return err;
}

TOOL_REGISTER(stackcount, stackcount_main, "count events by their stack traces", &cli);
