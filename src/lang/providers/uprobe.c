// SPDX-License-Identifier: GPL-2.0
/*
 * uprobe and uretprobe: PATH:FUNCTION[+OFFSET], PATH a file (as the -p process sees it) or a
 * library name. Sites come from core's Go-safe plan (core/funcplan.h): a Go entry sits on
 * the prologue's morestack jump, a Go return is a uprobe on every RET (never a uretprobe);
 * a Go uretprobe that reads `args` also gets a hidden entry program that saves the
 * registers for its RET (lang/gopair.c).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/attach.h"
#include "core/dwarf.h"
#include "core/elf.h"
#include "core/insn.h"
#include "core/probe.h"
#include "core/procmaps.h"
#include "lang/cg.h"
#include "lang/goargs.h"
#include "lang/gopair.h"
#include "lang/probes.h"
#include "lang/provider.h"

/*
 * PATH@FILE:LINE[:COL] (0.26): a uprobe at a source line, resolved through the DWARF line
 * table (resolve_src_loc()). up.func keeps "FILE:LINE[:COL]": a function name never holds a
 * ':' (the point is split at them), so that text both marks the form and carries it.
 */
struct src_loc {
	char file[PATH_MAX];
	unsigned int line, col;
};

static bool src_loc_of(const struct attach_point *ap, struct src_loc *sl)
{
	const char *colon = ap->up.func ? strchr(ap->up.func, ':') : NULL;
	size_t n;

	if (!colon || (n = (size_t)(colon - ap->up.func)) >= sizeof(sl->file))
		return false;
	memcpy(sl->file, ap->up.func, n);
	sl->file[n] = 0;
	sl->col = 0;
	return sscanf(colon + 1, "%u:%u", &sl->line, &sl->col) >= 1;
}

static int parse_src_loc(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	char *at = strchr(parts[1], '@');
	uint64_t line, col = 0;
	int len;

	if (ap->type == PT_URETPROBE)
		return provider_error(c, ap,
				      "uretprobes can not be attached to a source code "
				      "location");
	if (strpbrk(parts[1], "*?"))
		return provider_error(c, ap, "Cannot use wildcards with source code location");
	*at = 0;
	if (n < 3 || n > 4 || !*parts[1] || !at[1])
		return provider_error(c, ap,
				      "Invalid uprobe probe: expected "
				      "PATH@FILE:LINE[:COLUMN]");
	if (strlen(at + 1) >= PATH_MAX)
		return provider_error(c, ap, "Source file name too long");
	if (provider_parse_u64(parts[2], &line) || !line || line > UINT_MAX)
		return provider_error(c, ap, "Invalid line number: %s", parts[2]);
	if (n == 4 && (provider_parse_u64(parts[3], &col) || !col || col > UINT_MAX))
		return provider_error(c, ap, "Invalid column number: %s", parts[3]);
	ap->up.path = strdup(parts[1]);
	len = col ? asprintf(&ap->up.func, "%s:%llu:%llu", at + 1, (unsigned long long)line,
			     (unsigned long long)col)
		  : asprintf(&ap->up.func, "%s:%llu", at + 1, (unsigned long long)line);
	if (len < 0)
		ap->up.func = NULL;
	ap->up.stash_fd = ap->up.entry_prog_fd = ap->up.errs_fd = -1;
	return ap->up.path && ap->up.func ? 0 : -ENOMEM;
}

/*
 * uprobe:FUNCTION with -p (bpftrace 0.19): the -p process's program, named as that process
 * names it (/proc/PID/exe's target), so that its path resolves as any -p path does.
 */
static int parse_pid_program(struct compiler *c, struct attach_point *ap, char *func)
{
	char link[64], exe[4096];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/%d/exe", c->opts->pid);
	len = readlink(link, exe, sizeof(exe) - 1);
	if (len <= 0)
		return provider_error(c, ap, "cannot read the program of pid %d: %s", c->opts->pid,
				      strerror(errno));
	exe[len] = 0;
	ap->up.path = strdup(exe);
	ap->up.func = strdup(func);
	ap->up.stash_fd = ap->up.entry_prog_fd = ap->up.errs_fd = -1;
	return ap->up.path && ap->up.func ? 0 : -ENOMEM;
}

static int uprobe_parse(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	const char *type = ap->prov->name;
	char *plus;

	if (n >= 2 && strchr(parts[1], '@'))
		return parse_src_loc(c, ap, parts, n);
	if (n == 2 && c->opts->pid > 0 && *parts[1])
		return parse_pid_program(c, ap, parts[1]);
	if (n == 2)
		return provider_error(c, ap, "%s probe must have a target and a function", type);
	if (n != 3 || !*parts[1] || !*parts[2])
		return provider_error(c, ap, "Invalid %s probe: expected PATH:FUNCTION[+OFFSET]",
				      type);
	plus = strrchr(parts[2], '+');
	if (plus && plus != parts[2] && isdigit((unsigned char)plus[1])) {
		if (provider_parse_u64(plus + 1, &ap->up.func_offset))
			return provider_error(c, ap, "Invalid offset: %s", plus + 1);
		if (ap->type == PT_URETPROBE)
			return provider_error(c, ap, "Offset not allowed");
		ap->up.has_offset = true;
		*plus = 0;
	}
	ap->up.path = strdup(parts[1]);
	ap->up.func = strdup(parts[2]);
	ap->up.stash_fd = ap->up.entry_prog_fd = ap->up.errs_fd = -1;
	return ap->up.path && ap->up.func ? 0 : -ENOMEM;
}

/* Check that OFF lands on an instruction boundary of the function. */
static int check_offset(struct compiler *c, struct attach_point *ap, const char *path,
			const struct func_target *f)
{
	struct elf_file *ef;
	const uint8_t *code;
	int ret = 0;

	if (f->size && ap->up.func_offset >= f->size) {
		diag_error(c->diag, ap->loc,
			   "Offset outside the function bounds ('%s' size is %llu)", f->name,
			   (unsigned long long)f->size);
		return -EINVAL;
	}
	if (elf_file__open(path, &ef))
		return 0;
	code = f->size ? elf_file__bytes_at(ef, f->addr, f->size) : NULL;
	if (code && !insn_is_boundary(code, f->size, f->addr, ap->up.func_offset)) {
		diag_error(c->diag, ap->loc,
			   "Could not add uprobe into middle of instruction: %s:%s+%llu",
			   ap->up.display, f->name, (unsigned long long)ap->up.func_offset);
		ret = -EINVAL;
	} else if (code && insn_uprobe_unsafe(code + ap->up.func_offset, f->size - ap->up.func_offset)) {
		diag_error(c->diag, ap->loc,
			   "Refusing a uprobe on %s+%llu: the kernel mis-emulates that instruction",
			   f->name, (unsigned long long)ap->up.func_offset);
		ret = -EINVAL;
	} else if (code &&
		   insn_uprobe_refused(code + ap->up.func_offset, f->size - ap->up.func_offset)) {
		/* one such site would fail the whole link when the file is mapped */
		diag_error(c->diag, ap->loc,
			   "Refusing a uprobe on %s+%llu: the kernel cannot probe that instruction",
			   f->name, (unsigned long long)ap->up.func_offset);
		ret = -EINVAL;
	}
	elf_file__close(ef);
	return ret;
}

/* ap takes the resolved file: the path for the kernel, the one typed for messages. */
static int adopt_target(struct attach_point *ap, const struct target_set *ts)
{
	ap->up.display = strdup(ap->up.path);
	free(ap->up.path);
	ap->up.path = strdup(ts->path);
	ap->up.is_go = ts->is_go;
	ap->up.goid_off = ts->goid_off;
	ap->up.func_names = calloc(ts->nfuncs ? ts->nfuncs : 1, sizeof(char *));
	return ap->up.func_names && ap->up.path && ap->up.display ? 0 : -ENOMEM;
}

/* The address DWARF's line table gives the attach point's FILE:LINE[:COL] in path. */
static int src_loc_addr(struct compiler *c, struct attach_point *ap, const char *path,
			uint64_t *addr)
{
	struct dwarf_file *df;
	struct src_loc sl;
	int ret;

	if (!src_loc_of(ap, &sl))
		return -EINVAL;
	ret = dwarf_file__open(path, &df);

	if (ret == -ENOENT) {
		diag_error(c->diag, ap->loc,
			   "No DWARF debug info found for '%s', cannot attach by source code "
			   "location.",
			   ap->up.path);
		return ret;
	}
	if (ret) {
		diag_error(c->diag, ap->loc, "could not read '%s': %s", ap->up.path,
			   strerror(-ret));
		return ret;
	}
	ret = dwarf_file__line_addr(df, sl.file, sl.line, sl.col, addr);
	dwarf_file__close(df);
	if (ret == -ENOENT)
		diag_error(c->diag, ap->loc, "No source file '%s' in the debug info of '%s'",
			   sl.file, ap->up.path);
	else if (ret == -ENODATA)
		diag_error(c->diag, ap->loc, "No code at %s in '%s'", ap->up.func, ap->up.path);
	else if (ret)
		diag_error(c->diag, ap->loc, "could not read the line table of '%s': %s",
			   ap->up.path, strerror(-ret));
	return ret;
}

/* The function of ts holding addr, or NULL. */
static const struct func_target *func_holding(const struct target_set *ts, uint64_t addr)
{
	for (size_t i = 0; i < ts->nfuncs; i++) {
		const struct func_target *f = &ts->funcs[i];

		if (addr >= f->addr && addr < f->addr + (f->size ? f->size : 1))
			return f;
	}
	return NULL;
}

/*
 * PATH@FILE:LINE[:COL]: one site at the line's first statement address. Its function is
 * found among all of PATH's symbols, then resolved again by name for its layout (a Go
 * name's '*' is a glob there, so the match at the same address is the one). Go-safe: a line
 * whose code starts inside a Go stack check (the `func` line) is the function's entry, on
 * the morestack jump as every Go entry probe; any other site must be an instruction the
 * uprobe can take (check_offset()).
 */
static int resolve_src_loc(struct compiler *c, struct attach_point *ap)
{
	struct probe_spec spec = {.kind = PROBE_UPROBE, .target = ap->up.path, .pattern = "*"};
	const struct func_target *f = NULL;
	struct target_set all, ts = {0};
	char err[512], *pname = NULL;
	uint64_t addr, off;
	uint32_t idx;
	int ret;

	ret = target_resolve(&spec, c->opts->pid, 0, &all, err, sizeof(err));
	if (ret) {
		diag_error(c->diag, ap->loc, "%s", err);
		return ret;
	}
	ret = src_loc_addr(c, ap, all.path, &addr);
	if (!ret && !(f = func_holding(&all, addr))) {
		diag_error(c->diag, ap->loc,
			   "%s has code at 0x%llx, outside every function of '%s'", ap->up.func,
			   (unsigned long long)addr, ap->up.path);
		ret = -ENOENT;
	}
	if (!ret) {
		spec.pattern = f->name;
		ret = target_resolve(&spec, c->opts->pid, RESOLVE_LAYOUT, &ts, err, sizeof(err));
		if (ret)
			diag_error(c->diag, ap->loc, "%s", err);
	}
	f = ret ? NULL : func_holding(&ts, addr);
	target_set__free(&all);
	if (ret)
		return ret;
	ret = -ENOENT;
	if (!f)
		goto out;
	ret = adopt_target(ap, &ts);
	if (!ret && asprintf(&pname, "%s:%s@%s", probe_type_name(ap->type), ap->up.display,
			     ap->up.func) < 0)
		ret = -ENOMEM;
	if (ret || !probe_filter_keeps(pname))
		goto out;
	ap->up.func_names[ap->up.nfuncs] = strdup(f->name);
	if (!ap->up.func_names[ap->up.nfuncs++]) {
		ret = -ENOMEM;
		goto out;
	}
	idx = (uint32_t)probe_name_add(c, pname);
	off = addr - f->addr;
	if (!off || (ts.is_go && f->layout.go_prologue && off < f->layout.body_off)) {
		ret = uprobe_sites__add_entry(&ap->up.sites, &ts, f, idx);
		/* at the entry the parameters are where DWARF says */
		if (!ret && ap->up.want_params) {
			int perr = go_params_load(ap, ts.path, f->addr);

			if (perr && perr != -ENOENT)
				diag_warn(c->diag, ap->loc,
					  "could not read DWARF parameters of %s: %s", f->name,
					  strerror(-perr));
		}
		goto out;
	}
	/* inside the body: registers hold other things by now, so no `args` here */
	ap->up.func_offset = off;
	ap->up.has_offset = true;
	ret = check_offset(c, ap, ts.path, f);
	if (!ret)
		ret = uprobe_sites__add_at(&ap->up.sites, &ts, f, idx, off);
out:
	free(pname);
	target_set__free(&ts);
	return ret;
}

static int uprobe_resolve(struct compiler *c, struct attach_point *ap)
{
	struct probe_spec spec = {.kind = PROBE_UPROBE, .target = ap->up.path, .pattern = ap->up.func};
	struct target_set ts;
	char err[512];
	int ret;

	/* With -p the path is the file as that process sees it (core's proc_file_path()). */
	if (strchr(ap->up.path, '/')) {
		char real[PATH_MAX] = "";
		int pid = c->opts->pid;

		if (proc_file_path(pid, ap->up.path, real, sizeof(real)) || access(real, X_OK)) {
			if (*real && strcmp(real, ap->up.path))
				diag_error(c->diag, ap->loc,
					   "uprobe target file '%s' does not exist or is not "
					   "executable in the root of PID %d (%s)",
					   ap->up.path, pid, real);
			else
				diag_error(c->diag, ap->loc,
					   "uprobe target file '%s' does not exist or is not "
					   "executable",
					   ap->up.path);
			return -ENOENT;
		}
	}
	if (src_loc_of(ap, &(struct src_loc){0}))
		return resolve_src_loc(c, ap);
	ret = target_resolve(&spec, c->opts->pid, RESOLVE_LAYOUT, &ts, err, sizeof(err));
	if (ret) {
		diag_error(c->diag, ap->loc, "%s", err);
		return ret;
	}
	if (adopt_target(ap, &ts)) {
		target_set__free(&ts);
		return -ENOMEM;
	}
	if (ts.nfuncs > 1 && ap->up.has_offset) {
		diag_error(c->diag, ap->loc,
			   "an offset needs a single function, but '%s' matches %zu", ap->up.func,
			   ts.nfuncs);
		target_set__free(&ts);
		return -EINVAL;
	}
	for (size_t i = 0; i < ts.nfuncs && !ret; i++) {
		struct func_target *f = &ts.funcs[i];
		char *pname;
		uint32_t idx;

		if (asprintf(&pname, "%s:%s:%s%s", probe_type_name(ap->type), ap->up.display, f->name,
			     "") < 0)
			return -ENOMEM;
		if (!probe_filter_keeps(pname)) {
			free(pname);
			continue;
		}
		ap->up.func_names[ap->up.nfuncs++] = strdup(f->name);
		idx = (uint32_t)probe_name_add(c, pname);
		free(pname);
		if (ap->up.has_offset) {
			ret = check_offset(c, ap, ts.path, f);
			if (!ret)
				ret = uprobe_sites__add_at(&ap->up.sites, &ts, f, idx, ap->up.func_offset);
		} else if (ap->type == PT_UPROBE) {
			ret = uprobe_sites__add_entry(&ap->up.sites, &ts, f, idx);
		} else {
			ret = uprobe_sites__add_returns(&ap->up.sites, &ts, f, idx);
			/* a Go return that reads args: its entry saves the registers */
			if (!ret && ap->up.is_go && ap->up.want_params) {
				ret = uprobe_sites__add_entry(&ap->up.entry_sites, &ts, f, idx);
				ap->up.stash = true;
			}
		}
	}
	if (!ret && ap->up.want_params && ts.nfuncs) {
		int err = go_params_load(ap, ts.path, ts.funcs[0].addr);

		if (err && err != -ENOENT)
			diag_warn(c->diag, ap->loc, "could not read DWARF parameters of %s: %s",
				  ts.funcs[0].name, strerror(-err));
	}
	if (!ret && !ap->up.sites.n && ap->up.nfuncs) {
		diag_error(c->diag, ap->loc,
			   "no RET instruction found in '%s': it only leaves by tail jumps",
			   ap->up.func);
		ret = -ENOENT;
	}
	target_set__free(&ts);
	return ret;
}

static bool use_multi(void)
{
	return kernel_has_uprobe_multi();
}

static unsigned int uprobe_attach_type(const struct attach_point *ap)
{
	return use_multi() ? TK_BPF_TRACE_UPROBE_MULTI : 0;
}

/* A Go uretprobe that reads args: the map its entry half saves registers in, and that half. */
static int uprobe_prepare(struct compiler *c, struct attach_point *ap, const struct cg_maps *fds)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	struct bpf_insn *insns = NULL;
	int n, fd;

	if (ap->up.is_go) {
		fd = go_error_map_create(ap);
		if (fd < 0 && fd != -ENOENT) {
			diag_error(c->diag, ap->loc,
				   "creating the map of Go error types failed: %s", strerror(-fd));
			return fd;
		}
		ap->up.errs_fd = fd < 0 ? -1 : fd;
	}
	if (!ap->up.stash)
		return 0;
	fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "tk_gocalls", GOPAIR_KEY_SIZE,
			    GOPAIR_REGS_SIZE, GOPAIR_MAX_CALLS, NULL);
	if (fd < 0)
		return -errno;
	ap->up.stash_fd = fd;
	n = gopair_entry_program(ap, fds, &insns);
	if (n < 0)
		return n;
	opts.expected_attach_type = uprobe_attach_type(ap);
	fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "tk_goentry", "GPL", insns, n, &opts);
	free(insns);
	if (fd < 0) {
		diag_error(c->diag, ap->loc, "loading the entry half of %s failed: %s",
			   ap->probe_name, strerror(errno));
		return -errno;
	}
	ap->up.entry_prog_fd = fd;
	return 0;
}

static int uprobe_attach(const struct attach_point *ap, struct attach_set *as, int pid)
{
	int err = 0;

	/* the entry half first: a RET never fires before its entry was seen */
	if (ap->up.stash)
		err = attach_uprobes(as, ap->up.entry_prog_fd, use_multi(), ap->up.path,
				     ap->up.entry_sites.offs, ap->up.entry_sites.cookies,
				     ap->up.entry_sites.n, pid, false);
	if (err)
		return err;
	return attach_uprobes(as, ap->prog_fd, use_multi(), ap->up.path, ap->up.sites.offs,
			      ap->up.sites.cookies, ap->up.sites.n, pid,
			      ap->type == PT_URETPROBE && !ap->up.is_go);
}

static void uprobe_release(struct attach_point *ap)
{
	if (ap->up.entry_prog_fd >= 0)
		close(ap->up.entry_prog_fd);
	if (ap->up.stash_fd >= 0)
		close(ap->up.stash_fd);
	if (ap->up.errs_fd >= 0)
		close(ap->up.errs_fd);
	ap->up.entry_prog_fd = ap->up.stash_fd = ap->up.errs_fd = -1;
}

static void uprobe_free(struct attach_point *ap)
{
	struct uprobe_point *u = &ap->up;

	free(u->path);
	free(u->display);
	free(u->func);
	uprobe_sites__free(&u->sites);
	uprobe_sites__free(&u->entry_sites);
	for (size_t i = 0; i < u->nfuncs; i++)
		free(u->func_names[i]);
	free(u->func_names);
	for (int i = 0; i < u->nparams; i++) {
		free(u->params[i].name);
		free(u->params[i].type_name);
		for (int k = 0; k < u->params[i].nmembers; k++)
			free(u->params[i].member_names[k]);
	}
	free(u->params);
}

#define UPROBE_PROVIDER(nm, al, t)                                                              \
	{                                                                                        \
		.name = nm, .alias = al, .type = t, .prog_type = BPF_PROG_TYPE_KPROBE,           \
		.parse = uprobe_parse, .resolve = uprobe_resolve, .prepare = uprobe_prepare,     \
		.attach_type = uprobe_attach_type, .attach = uprobe_attach,                      \
		.release = uprobe_release, .free = uprobe_free,                                  \
	}

const struct provider provider_uprobe = UPROBE_PROVIDER("uprobe", "u", PT_UPROBE);
const struct provider provider_uretprobe = UPROBE_PROVIDER("uretprobe", "ur", PT_URETPROBE);
