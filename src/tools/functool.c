// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attach.h"
#include "core/funcplan.h"
#include "core/log.h"
#include "core/out.h"
#include "core/procmaps.h"
#include "core/usage.h"
#include "tools/functool.h"

int functool_common_opt(struct functool_opts *o, const struct usage *u, int c, const char *arg)
{
	const unsigned long year = 86400 * 365;
	unsigned long v;

	switch (c) {
	case 'p':
		if (usage_parse_ulong(u, c, arg, 1, INT_MAX, &v))
			return -EINVAL;
		o->pid = v;
		return 0;
	case 'i':
		if (usage_parse_ulong(u, c, arg, 1, year, &v))
			return -EINVAL;
		o->interval = v;
		return 0;
	case 'd':
		if (usage_parse_ulong(u, c, arg, 1, year, &v))
			return -EINVAL;
		o->duration = v;
		return 0;
	case 'T':
		o->timestamp = true;
		return 0;
	case 'r':
		o->regex = true;
		return 0;
	case 'D':
		o->debug = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case 'J':
		o->json = true;
		return 0;
	}
	return -ENOENT;
}

int functool_check_pid(struct functool_opts *o, struct event_loop *loop)
{
	if (!o->pid)
		return 0;
	if (!proc_alive(o->pid) || loop__watch_pid(loop, o->pid)) {
		tk_err("no process with PID %d", o->pid);
		return -ESRCH;
	}
	return 0;
}

static int on_tick(void *ctx)
{
	struct functool_opts *o = ctx;
	int err = o->print(o->print_ctx);

	if (err)
		return err;
	o->ticks++;
	if (o->duration && (uint64_t)o->ticks * o->interval >= o->duration) {
		o->final_printed = true;
		return 1;
	}
	return 0;
}

int functool_setup_timers(struct functool_opts *o, struct event_loop *loop, loop_fd_cb print,
			  void *ctx)
{
	int err = 0;

	o->print = print;
	o->print_ctx = ctx;
	/* With -i, -d counts whole intervals (bcc's loop); alone, it is one timer. */
	if (o->interval)
		err = loop__set_interval(loop, (uint64_t)o->interval * 1000, on_tick, o);
	else if (o->duration)
		err = loop__set_duration(loop, (uint64_t)o->duration * 1000);
	if (err)
		tk_err("cannot set up timers: %s", strerror(-err));
	return err;
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

int functool_attach_returns(struct func_plan *p, struct attach_set *as, int prog_fd, int pid)
{
	return report_attach(p, func_plan__attach_returns(p, as, prog_fd, pid), "return");
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
