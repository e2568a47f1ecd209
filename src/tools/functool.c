// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core/attach.h"
#include "core/funcplan.h"
#include "core/log.h"
#include "core/out.h"
#include "core/procmaps.h"
#include "tools/functool.h"

int functool_check_pid(const struct functool_opts *o)
{
	if (!o->pid || proc_alive(o->pid))
		return 0;
	tk_err("no process with PID %d", (int)o->pid);
	return -ESRCH;
}

int functool_plan_user(struct functool *ft, char **pats, int n)
{
	struct func_plan *p = &ft->plan;
	const struct functool_opts *o = &ft->o;
	char err[512];

	p->multi = kernel_has_uprobe_multi();
	for (int i = 0; i < n; i++) {
		struct probe_spec spec;
		int ret = probe_spec__parse(pats[i], o->regex, &spec, err, sizeof(err));

		if (ret) {
			tk_err("%s", err);
			return ret;
		}
		if (spec.kind != PROBE_UPROBE) {
			bool kernel = spec.kind == PROBE_KERNEL;

			probe_spec__free(&spec);
			if (kernel && kernel_kfunc_mech(err, sizeof(err)) == KFUNC_NONE)
				tk_err("'%s': %s", pats[i], err);
			else
				tk_err("'%s': only user functions (PATH:FUNC, LIB:FUNC) can be timed",
				       pats[i]);
			return -EINVAL;
		}
		ret = func_plan__add(p, &spec, o->pid, err, sizeof(err));
		probe_spec__free(&spec);
		if (ret) {
			tk_err("%s", err);
			return ret;
		}
	}
	if (o->debug)
		functool_print_plan(p);
	return 0;
}

static int report_attach(const struct func_plan *p, int err, const char *what)
{
	if (!err)
		return 0;
	tk_err("cannot attach %s probes to %s: %s", what, p->nsets ? p->sets[0].display : "?",
	       attach_strerror(err));
	return err;
}

int functool_attach_entries(struct func_plan *p, struct attach_set *as, int prog_fd, int pid)
{
	return report_attach(p, func_plan__attach_entries(p, as, prog_fd, pid), "entry");
}

int functool_attach_timed(struct functool *ft, struct attach_set *as, struct bpf_program *entry,
			  struct bpf_program *ret)
{
	struct func_plan *p = &ft->plan;
	int pid = ft->o.pid;
	int err = report_attach(p, func_plan__attach_returns(p, as, bpf_program__fd(ret), pid),
				"return");

	if (!err)
		err = functool_attach_entries(p, as, bpf_program__fd(entry), pid);
	if (!err)
		functool_note_plan(p);
	return err;
}

void functool_note_plan(const struct func_plan *p)
{
	char esc[160];

	if (!p->nfuncs)
		return;
	for (size_t i = 0; i < p->nsets; i++)
		if (p->sets[i].nbcc_only)
			tk_note("%zu function(s) of '%s' matched only as bcc reads the pattern ('.' is "
				"any character)",
				p->sets[i].nbcc_only,
				str_escape(esc, sizeof(esc), p->sets[i].display, sizeof(esc)));
	if (!p->multi && p->nfuncs > 1)
		tk_note("this kernel has no uprobe_multi: %zu single uprobes (each takes ~0.1 s to "
			"detach)",
			p->nfuncs);
	if (p->nrefused)
		tk_note("skipped %zu function(s) whose probe site the kernel cannot probe or "
			"mis-emulates (REX.B xchg), e.g. %s",
			p->nrefused,
			str_escape(esc, sizeof(esc), p->sets[0].refused_example, sizeof(esc)));
	if (p->ntail_only)
		tk_note("%zu Go function(s) have no RET instruction (they leave by a tail jump): "
			"their returns are not seen",
			p->ntail_only);
}

static const char *cond_name(enum entry_cond c)
{
	return c == ENTRY_JBE_NOT_TAKEN ? " (on JBE morestack, counted when not taken)" :
	       c == ENTRY_JB_NOT_TAKEN	? " (on JB morestack, counted when not taken)" :
					  "";
}

void functool_print_plan(const struct func_plan *p)
{
	char esc[256];

	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct func_target *f = p->funcs[i].f;

		fprintf(stderr, "%s %s: addr 0x%llx file offset 0x%llx entry +0x%x%s, %u RET%s%s\n",
			p->funcs[i].ts->path, str_escape(esc, sizeof(esc), f->name, sizeof(esc)),
			(unsigned long long)f->addr, (unsigned long long)f->offset,
			f->layout.entry_off, cond_name(f->layout.entry_cond), f->layout.nrets,
			f->layout.nrets == 1 ? "" : "s", p->funcs[i].ts->is_go ? " [Go]" : "");
	}
}

static void footer(void *ctx)
{
	struct functool *ft = ctx;

	if (ft->run.why == LOOP_TARGET_EXIT)
		tk_note("process %d exited", (int)ft->o.pid);
}

void functool_run_opts(struct functool *ft)
{
	/* With -i, -d counts whole intervals (bcc's loop); alone, it is one timer. */
	ft->run.interval_s = ft->o.interval;
	ft->run.duration_s = ft->o.duration;
	ft->run.pid = ft->o.pid;
	ft->run.json = ft->o.json; /* the ready line on stderr: stdout is only JSON */
	ft->run.ctx = ft;
	ft->run.footer = footer;
}

static void summary_footer(void *ctx)
{
	struct functool *ft = ctx;

	footer(ft);
	if (!ft->o.json)
		printf("Detaching...\n");
}

int functool_run_summary(struct functool *ft, size_t n, const char *pattern,
			 int (*attach)(void *ft, struct attach_set *as), loop_fd_cb summary)
{
	struct tool_run *r = &ft->run;
	char *ready;
	int err;

	if (asprintf(&ready, "Tracing %zu functions for \"%s\"... Hit Ctrl-C to end.", n,
		     pattern) < 0)
		return 1;
	functool_run_opts(ft);
	r->ready = ready;
	r->attach = attach;
	r->on_interval = summary;
	r->interval_at_end = true; /* -i prints as it goes; the end prints what is left */
	r->footer = summary_footer;
	err = tool_run(r);
	free(ready);
	return err;
}
