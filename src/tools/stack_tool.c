// SPDX-License-Identifier: GPL-2.0
/*
 * The stack tools' shared half (stack_tool.h): their BPF side's stack settings, their counts
 * map read into a stack profile, and the profile written out as the options ask.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/pprof.h"
#include "tools/stack_tool.h"

int stack_tool_parse_targets(void *opts, const struct usage *u, int key, const char *arg)
{
	struct stack_targets *t = &((struct stack_tool_opts *)opts)->targets;
	const char *p = arg;

	t->n = 0;
	t->tids = key == 'L' || key == 't';
	do {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || (*end && *end != ',') || errno || v > INT32_MAX || *p == '-') {
			usage_arg_error(u, key, "invalid positive_int_list value: '%s'", arg);
			return -EINVAL;
		}
		if (t->n == STACK_MAX_TARGETS) {
			usage_arg_error(u, key, "at most %d ids", STACK_MAX_TARGETS);
			return -EINVAL;
		}
		t->id[t->n++] = (uint32_t)v;
		p = *end ? end + 1 : end;
	} while (*p);
	return 0;
}

struct stack_style stack_tool_style(const struct stack_tool_opts *o)
{
	struct stack_style st = STACK_STYLE_BCC;

	st.kernel = !o->user_only;
	st.user = !o->kernel_only;
	st.delimit = o->delimited;
	return st;
}

/* Whether path's directory takes a new file: 0, or 1 after a one-line error. */
static int check_writable(const char *opt, const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	char dir[PATH_MAX];

	if (!path || !strcmp(path, "-"))
		return 0;
	if (!*path) {
		tk_err("%s: empty file name", opt);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (access(dir, W_OK)) {
		tk_err("cannot write %s: %s", path, strerror(errno));
		return 1;
	}
	return 0;
}

int stack_tool_fill(struct tool_run *r, struct bpf_map *stacks, const struct stack_tool_opts *o)
{
	bool tid = o->targets.tids;

	if (check_writable("--pprof", o->pprof) || check_writable("--svg", o->svg))
		return 1;
	tool_set_rodata(r, "kernel_stacks", &(bool){!o->user_only}, sizeof(bool));
	tool_set_rodata(r, "user_stacks", &(bool){!o->kernel_only}, sizeof(bool));
	tool_set_rodata(r, "targets", o->targets.id, sizeof(o->targets.id));
	tool_set_rodata(r, "ntargets", &o->targets.n, sizeof(o->targets.n));
	tool_set_rodata(r, "targets_tid", &tid, sizeof(tid));
	if (o->stack_storage && bpf_map__set_max_entries(stacks, (uint32_t)o->stack_storage)) {
		tk_err("cannot size the stack map: %s", strerror(errno));
		return 1;
	}
	return r->fill_failed ? 1 : 0;
}

size_t stack_tool_read(int stacks_fd, int32_t id, uint64_t *ips)
{
	size_t n = 0;

	if (id < 0 || bpf_map_lookup_elem(stacks_fd, &id, ips))
		return 0;
	while (n < STACK_MAX_DEPTH && ips[n])
		n++;
	return n;
}

/* A stack shown that the map had no room for (-EFAULT is "no such stack", not missed). */
static bool missed(int32_t id, bool shown, struct stack_tool_stats *stats)
{
	if (!shown || id >= 0 || id == -EFAULT)
		return false;
	stats->missing++;
	stats->storage_short |= id == -EEXIST || id == -ENOMEM;
	return true;
}

/*
 * A probe's caller (stack_key.caller) put back as frame 1 of its user stack of n frames,
 * unless the walk has it already (the kernel adds it for a probe on `push rbp`). The new n.
 */
static size_t with_caller(uint64_t *ips, size_t n, uint64_t caller)
{
	if (!caller || !n || (n > 1 && ips[1] == caller))
		return n;
	if (n == STACK_MAX_DEPTH)
		n--; /* the outermost frame makes room */
	memmove(ips + 2, ips + 1, (n - 1) * sizeof(*ips));
	ips[1] = caller;
	return n + 1;
}

/* The kernel's functions that run a BPF program at a tracepoint: not the traced code's. */
static bool tracing_frame(const char *func)
{
	static const char *const prefixes[] = {"bpf_prog_", "bpf_trace_run", "__traceiter_",
					       "__bpf_trace_", "bpf_trampoline_"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(func, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/*
 * A stack taken in a program on a tracepoint starts with the frames that ran the program:
 * drop them from the sample just added, so the stack starts where the kernel's code was.
 */
static void trim_tracing_frames(struct stack_profile *p)
{
	struct stack_sample *s = &p->samples[p->nsamples - 1];

	while (s->nkernel) {
		const struct stack_loc *l = &p->locs[p->loc_ids[s->loc0]];

		if (!tracing_frame(stack_line_func(p, &p->lines[l->line0 + l->nlines - 1])))
			break;
		s->loc0++;
		s->nlocs--;
		s->nkernel--;
	}
}

static int add_entry(struct stack_profile *p, const struct stack_tool_opts *o, int stacks_fd,
		     const struct stack_key *k, const int64_t *values,
		     struct stack_tool_stats *stats)
{
	uint64_t kips[STACK_MAX_DEPTH], uips[STACK_MAX_DEPTH];
	char comm[STACK_COMM_LEN + 1], extra[STACK_COMM_LEN + 1];
	struct stack_who who = {.pid = k->pid, .tid = k->tid, .comm = comm, .extra = extra};
	struct stack_raw raw = {.kips = kips, .uips = uips};
	int err;

	memcpy(comm, k->comm, STACK_COMM_LEN);
	comm[STACK_COMM_LEN] = '\0';
	memcpy(extra, k->extra, STACK_COMM_LEN);
	extra[STACK_COMM_LEN] = '\0';
	who.kernel_missing = missed(k->kstack, !o->user_only, stats);
	who.user_missing = missed(k->ustack, !o->kernel_only, stats);
	if (!o->user_only)
		raw.nk = stack_tool_read(stacks_fd, k->kstack, kips);
	if (!o->kernel_only)
		raw.nu = with_caller(uips, stack_tool_read(stacks_fd, k->ustack, uips), k->caller);
	err = stack_profile__add_raw(p, &who, &raw, values);
	if (!err && raw.nk)
		trim_tracing_frames(p);
	return err;
}

int stack_tool_collect(struct stack_profile *p, const struct stack_tool_opts *o, int counts_fd,
		       int stacks_fd, stack_values_fn fn, void *ctx, struct stack_tool_stats *stats)
{
	struct stack_key key, *prev = NULL;
	int64_t values[STACK_MAX_TYPES];
	uint64_t count;
	int err = 0;

	*stats = (struct stack_tool_stats){0};
	while (!err && !bpf_map_get_next_key(counts_fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(counts_fd, &key, &count))
			continue; /* gone in between */
		stats->keys++;
		if (fn)
			if (fn)
				fn(ctx, count, values);
			else
				values[0] = (int64_t)count;
		else
			values[0] = (int64_t)count;
		err = add_entry(p, o, stacks_fd, &key, values, stats);
	}
	return err;
}

static int write_files(const struct stack_tool_opts *o, const struct stack_profile *p,
		       const struct flamegraph_opts *fg)
{
	int err;

	if (o->pprof) {
		err = pprof_write(p, o->pprof);
		if (err) {
			tk_err("cannot write %s: %s", o->pprof, strerror(-err));
			return 1;
		}
	}
	if (o->svg) {
		err = flamegraph_write_svg(p, 0, o->svg, fg);
		if (err) {
			tk_err("cannot write %s: %s", o->svg, strerror(-err));
			return 1;
		}
	}
	return 0;
}

int stack_tool_emit(const struct stack_tool_opts *o, const struct stack_profile *p,
		    const struct stack_style *st, const struct flamegraph_opts *fg)
{
	bool files = o->pprof || o->svg;
	int err = 0;

	if (write_files(o, p, fg))
		return 1;
	if (o->json)
		err = stack_out_json(stdout, p, st);
	else if (o->folded)
		err = stack_out_folded(stdout, p, st);
	else if (!files)
		err = stack_out_text(stdout, p, st);
	if (err == -EIO)
		return 0; /* the reader went away (tool | head) */
	if (err) {
		tk_err("cannot print the stacks: %s", strerror(-err));
		return 1;
	}
	return 0;
}

int stack_run_init(struct stack_run *sr, const struct stack_value_type *types, unsigned int n)
{
	if (stack_profile__init(&sr->prof, types, n)) {
		tk_err("out of memory");
		return 1;
	}
	sr->prof.time_ns = (uint64_t)time(NULL) * 1000000000ull;
	/* a -p process that exits before the report keeps its user frames */
	for (uint32_t i = 0; !sr->o->targets.tids && i < sr->o->targets.n; i++)
		stack_profile__remember_pid(&sr->prof, (int)sr->o->targets.id[i]);
	sr->style = stack_tool_style(sr->o);
	/* the header restarts it once attached; with --json there is no header to call */
	stack_run_started(sr);
	return 0;
}

int stack_run_ready(struct stack_run *sr, struct tool_run *r, void (*describe)(void *, FILE *),
		    void *ctx)
{
	size_t len = 0;
	FILE *f = open_memstream(&sr->ready, &len);

	if (!f) {
		tk_err("out of memory");
		return 1;
	}
	describe(ctx, f);
	if (fclose(f) || !sr->ready) {
		tk_err("out of memory");
		return 1;
	}
	if (len && sr->ready[len - 1] == '\n')
		sr->ready[len - 1] = '\0';
	r->ready = sr->ready;
	r->json = sr->o->json || sr->o->folded;
	return 0;
}

void stack_tool_describe_tail(FILE *f, const struct stack_tool_opts *o, long cpu,
			      unsigned long duration)
{
	fprintf(f, " by %s stack",
		o->user_only	 ? "user"
		: o->kernel_only ? "kernel"
				 : "user + kernel");
	if (cpu >= 0)
		fprintf(f, " on CPU#%ld", cpu);
	if (duration)
		fprintf(f, " for %lu secs.\n", duration);
	else
		fprintf(f, "... Hit Ctrl-C to end.\n");
}

void stack_run_started(struct stack_run *sr)
{
	clock_gettime(CLOCK_MONOTONIC, &sr->start);
}

void stack_run_report(struct stack_run *sr)
{
	const struct stack_tool_opts *o = sr->o;
	struct stack_tool_stats *stats = &sr->stats;
	struct timespec end;
	char sub[160];
	int err;

	clock_gettime(CLOCK_MONOTONIC, &end);
	sr->prof.duration_ns = (uint64_t)(end.tv_sec - sr->start.tv_sec) * 1000000000ull +
			       (uint64_t)(end.tv_nsec - sr->start.tv_nsec);
	/* bcc's blank line after Ctrl-C, before the stacks */
	if (!o->folded && !o->json && !o->pprof && !o->svg)
		printf("\n");
	err = stack_tool_collect(&sr->prof, o, bpf_map__fd(sr->counts), bpf_map__fd(sr->stacks),
				 sr->values, sr->ctx, stats);
	if (err) {
		tk_err("cannot read the stacks: %s", strerror(-err));
		sr->status = 1;
		return;
	}
	snprintf(sub, sizeof(sub), "%s, %.1f s", sr->what ? sr->what : "",
		 (double)sr->prof.duration_ns / 1e9);
	sr->fg.subtitle = sub;
	sr->status = stack_tool_emit(o, &sr->prof, &sr->style, &sr->fg);
	sr->fg.subtitle = NULL;
	if (stats->missing)
		fprintf(stderr, "WARNING: %zu stack traces %s.%s\n", stats->missing,
			sr->lost ? sr->lost : "could not be displayed",
			stats->storage_short ? " Consider increasing --stack-storage-size." : "");
}

int stack_run_main(struct tool_cli *cli, void *opts, struct tool_run *r, struct stack_run *sr,
		   int argc, char **argv)
{
	int status = tool_main(cli, opts, r, argc, argv);

	stack_profile__exit(&sr->prof);
	free(sr->ready);
	return status ? status : sr->status;
}
