// SPDX-License-Identifier: GPL-2.0
/*
 * bashreadline: print the commands bash reads, with bcc's columns, from a return probe on
 * readline() in bash itself or, where bash links it dynamically, in libreadline (-s names
 * that library).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpf/bashreadline.h"
#include "core/attach.h"
#include "core/funcplan.h"
#include "core/log.h"
#include "core/out.h"
#include "bashreadline.skel.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(bashreadline);

struct brl_opts {
	const char *shared;
	bool json, verbose;
};

struct brl_ctx {
	const struct brl_opts *o;
	struct func_plan plan;
	struct bpf_program *prog;
};

#define OPT(f) offsetof(struct brl_opts, f)
static struct tool_cli cli = {
	.name = "bashreadline",
	.description = "Print entered bash commands from all running shells",
	.opts = TOOL_OPTS({'s', "shared", "SHARED",
			   "specify the location of libreadline.so library (default: readline in "
			   "/bin/bash, else libreadline)",
			   TOOL_OPT_STR, OPT(shared)},
			  {TOOL_OPT_JSON, "json", NULL, "one JSON object per command",
			   TOOL_OPT_FLAG, OPT(json)},
			  TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	.examples = "    bashreadline                           # trace all bash commands\n"
		    "    bashreadline -s /usr/lib/libreadline.so # readline in this library\n",
};

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct brl_ctx *c = ctx;
	const struct brl_event *e = data;
	size_t n = strnlen(e->line, sizeof(e->line));
	char hms[16], esc[sizeof(e->line) * 4 + 1];

	if (c->o->json) {
		printf("{\"pid\":%u,\"command\":", e->pid);
		json_strn(stdout, e->line, n);
		printf("}\n");
		return 0;
	}
	printf("%-9s %-6u %s\n", time_hms(hms, sizeof(hms)), e->pid,
	       str_escape(esc, sizeof(esc), e->line, n));
	return 0;
}

static void print_header(void *ctx)
{
	printf("%-9s %-6s %s\n", "TIME", "PID", "COMMAND");
}

/* readline() in the first of these that has it: -s's library, else bash, else libreadline. */
static int plan(struct brl_ctx *c)
{
	const char *where[] = {"/bin/bash:readline", "libreadline:readline"};
	char pat[4096], err[512] = "";
	int ret = -ENOENT;

	c->plan.multi = kernel_has_uprobe_multi();
	for (size_t i = 0; i < 2 && c->plan.nfuncs != 1; i++) {
		if (c->o->shared && i > 0)
			break;
		snprintf(pat, sizeof(pat), "%s%s", c->o->shared ? c->o->shared : where[i],
			 c->o->shared ? ":readline" : "");
		func_plan__free(&c->plan);
		c->plan = (struct func_plan){.multi = c->plan.multi};
		ret = func_plan__add_text(&c->plan, pat, 0, err, sizeof(err));
	}
	if (!ret && c->plan.nfuncs == 1)
		return 0;
	tk_err("no readline() to trace: %s", err[0] ? err : "more than one match");
	return ret ? ret : -EINVAL;
}

static int fill(struct tool_run *r, void *skel)
{
	struct brl_ctx *c = r->ctx;

	if (plan(c))
		return 1;
	c->prog = ((struct bashreadline *)skel)->progs.readline_return;
	if (attach_prepare_uprobe(c->prog, c->plan.multi)) {
		tk_err("cannot prepare the uprobe");
		return 1;
	}
	return 0;
}

static int attach(void *ctx, struct attach_set *as)
{
	struct brl_ctx *c = ctx;
	int err = func_plan__attach_returns(&c->plan, as, bpf_program__fd(c->prog), 0);

	if (err)
		tk_err("cannot attach to %s:readline: %s", c->plan.sets[0].display,
		       attach_strerror(err));
	return err;
}

static int bashreadline_main(int argc, char **argv)
{
	struct brl_opts o = {0};
	struct brl_ctx c = {.o = &o};
	struct tool_run run = {.skel = &bashreadline_tool_skel,
			       .fill = fill,
			       .ctx = &c,
			       TOOL_EVENTS(handle_event, struct brl_event),
			       .attach = attach,
			       .header = print_header,
			       .ready = "Tracing bash commands... Hit Ctrl-C to end."};
	int err = tool_main(&cli, &o, &run, argc, argv);

	func_plan__free(&c.plan);
	return err;
}

TOOL_REGISTER(bashreadline, bashreadline_main,
	      "print bash commands as bash reads them (bcc "
	      "bashreadline)",
	      &cli);
