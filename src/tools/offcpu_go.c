// SPDX-License-Identifier: GPL-2.0
/*
 * offcputime --go (offcpu_go.h): uprobes on runtime.gopark and runtime.execute of one Go
 * process, found by symbol (ELF or .gopclntab) and placed after Go's stack check like every
 * Go entry probe (core/funcplan.h); the counts map read into a stack profile and written out
 * by stack_tool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/offcpu_go.h"
#include "core/attach.h"
#include "core/funcplan.h"
#include "core/log.h"
#include "core/procmaps.h"
#include "offcpu_go.skel.h"
#include "tools/functool.h"
#include "tools/offcpu_go.h"

/* The runtime's functions, by the cookie index their probe gets (enum offcpu_go_site). */
static const char *const sites[] = {
	[OFFCPU_GO_PARK] = "runtime.gopark",
	[OFFCPU_GO_RUN] = "runtime.execute",
};

struct go_trace {
	const struct offcputime_opts *o;
	int pid;
	struct func_plan plan;
	struct offcpu_go *skel;
	struct tool_run run;
	struct stack_run sr;
};

/* The probe sites of process pid's executable, in the order of sites[]. 0 or -errno. */
static int plan_sites(struct func_plan *p, int pid)
{
	char text[64], err[512];

	if (!proc_alive(pid)) {
		tk_err("no process with PID %d", pid);
		return -ESRCH;
	}
	p->multi = kernel_has_uprobe_multi();
	for (size_t i = 0; i < sizeof(sites) / sizeof(sites[0]); i++) {
		int ret;

		snprintf(text, sizeof(text), "/proc/%d/exe:%s", pid, sites[i]);
		ret = func_plan__add_text(p, text, pid, err, sizeof(err));
		if (ret) {
			tk_err("process %d: no Go runtime to probe (%s)", pid, err);
			return ret;
		}
		if (p->nfuncs != i + 1 || strcmp(p->funcs[i].f->name, sites[i]) ||
		    !p->funcs[i].ts->is_go) {
			tk_err("process %d: cannot probe %s of its Go runtime", pid, sites[i]);
			return -ENOENT;
		}
	}
	return 0;
}

static int load(struct go_trace *t)
{
	struct offcpu_go *sk = offcpu_go__open();
	int err;

	if (!sk)
		return tool_load_error("open", -errno);
	t->skel = sk;
	sk->rodata->min_us = t->o->min_us;
	sk->rodata->max_us = t->o->max_us;
	t->run.obj = sk->obj;
	if (stack_tool_fill(&t->run, sk->maps.stacks, &t->o->st))
		return 1;
	err = attach_prepare_uprobe(sk->progs.offcpu_go, t->plan.multi);
	if (!err)
		err = offcpu_go__load(sk);
	return err ? tool_load_error("load", err) : 0;
}

static int attach(void *ctx, struct attach_set *as)
{
	struct go_trace *t = ctx;
	int err = functool_attach_entries(&t->plan, as, bpf_program__fd(t->skel->progs.offcpu_go),
					  t->pid);

	if (!err)
		stack_run_started(&t->sr);
	return err;
}

static void footer(void *ctx)
{
	struct go_trace *t = ctx;

	if (t->run.why == LOOP_TARGET_EXIT)
		tk_note("process %d exited", t->pid);
}

/* The profile of what the goroutines waited, shown as offcputime shows threads'. */
static int report_init(struct go_trace *t)
{
	static const struct stack_value_type types[] = {{"offcpu", "nanoseconds"}};
	struct stack_run *sr = &t->sr;

	sr->o = &t->o->st;
	if (stack_run_init(sr, types, 1))
		return 1;
	sr->prof.period = 1;
	sr->style.value_div = 1000; /* summed in nanoseconds, shown in microseconds */
	sr->fg = (struct flamegraph_opts){
		.title = "Off-CPU Time Flame Graph (goroutines)", .unit = "us", .div = 1000};
	sr->what = "offcputime --go";
	sr->lost = "lost and could not be displayed";
	sr->counts = t->skel->maps.counts;
	sr->stacks = t->skel->maps.stacks;
	return 0;
}

/* What does not apply to goroutines: a one-line error, or NULL. */
static const char *refused(const struct offcputime_opts *o)
{
	if (o->st.targets.n != 1 || o->st.targets.tids)
		return "--go traces the goroutines of one Go process: give -p PID";
	if (o->st.kernel_only)
		return "--go: goroutines park in user space, -K leaves nothing to show";
	if (o->kernel_threads)
		return "--go: kernel threads run no goroutines (-k)";
	if (o->state_set)
		return "--go: a parked goroutine has no thread state (--state)";
	return NULL;
}

int offcpu_go_run(const struct offcputime_opts *o)
{
	struct go_trace t = {.o = o, .pid = (int)o->st.targets.id[0]};
	const char *why = refused(o);
	char ready[160];
	int err;

	if (why) {
		tk_err("%s", why);
		return 1;
	}
	err = plan_sites(&t.plan, t.pid) || load(&t) || report_init(&t);
	if (err)
		goto out;
	snprintf(ready, sizeof(ready),
		 "Tracing off-CPU time (us) of PID %d goroutines by user stack", t.pid);
	if (o->duration)
		snprintf(ready + strlen(ready), sizeof(ready) - strlen(ready), " for %lu secs.",
			 o->duration);
	else
		snprintf(ready + strlen(ready), sizeof(ready) - strlen(ready),
			 "... Hit Ctrl-C to end.");
	t.run.ctx = &t;
	t.run.attach = attach;
	t.run.footer = footer;
	t.run.duration_s = o->duration;
	t.run.pid = t.pid;
	t.run.ready = ready;
	/* folded lines and JSON own stdout: the ready line goes to stderr */
	t.run.json = o->st.json || o->st.folded;
	err = tool_run(&t.run);
	if (!err && t.run.ran) {
		stack_run_report(&t.sr);
		err = t.sr.status;
	}
out:
	stack_profile__exit(&t.sr.prof);
	offcpu_go__destroy(t.skel);
	func_plan__free(&t.plan);
	return err;
}
