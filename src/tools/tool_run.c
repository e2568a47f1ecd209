// SPDX-License-Identifier: GPL-2.0
/* The run every tool shares, from a loaded BPF object to the last event (see tool.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/attach.h"
#include "core/btfmin.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/metrics_http.h"
#include "tools/tool.h"

int tool_load_error(const char *what, int err)
{
	tk_err("cannot %s the BPF programs: %s", what, attach_strerror(err));
	return 1;
}

/*
 * The variable NAME of *size bytes (0: any, then set) in obj's global data section SEC
 * (".bss", ".rodata"): where it lives in the section's mmap()ed or initial image, found
 * through the object's BTF; NULL when there is no such variable of that size.
 */
static void *global_var(struct bpf_object *obj, const char *sec_name, const char *name,
			size_t *size)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec, *var;
	struct bpf_map *map;
	struct btf *btf;
	size_t sz;
	char *data;
	int id, i;

	btf = obj ? bpf_object__btf(obj) : NULL;
	map = obj ? bpf_object__find_map_by_name(obj, sec_name) : NULL;
	data = map ? (char *)bpf_map__initial_value(map, &sz) : NULL;
	id = btf && data ? btf__find_by_name_kind(btf, sec_name, BTF_KIND_DATASEC) : -1;
	sec = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (!sec)
		return NULL;
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		var = btf__type_by_id(btf, vs->type);
		if (!var || strcmp(btf__name_by_offset(btf, var->name_off), name))
			continue;
		if ((*size && vs->size != *size) || vs->offset + vs->size > sz)
			return NULL;
		*size = vs->size;
		return data + vs->offset;
	}
	return NULL;
}

/* An option's value as the integer its BPF variable holds. */
static uint64_t opt_value(const struct tool_opt *o, const void *opts)
{
	const char *field = (const char *)opts + o->off;

	switch (o->kind) {
	case TOOL_OPT_FLAG:
	case TOOL_OPT_VERBOSE:
		return *(const bool *)field;
	case TOOL_OPT_ULONG:
		return *(const unsigned long *)field;
	case TOOL_OPT_PID:
	case TOOL_OPT_UID:
		return *(const uint32_t *)field;
	case TOOL_OPT_FAMILY:
		return (uint64_t) * (const int *)field;
	default:
		abort(); /* a table row naming a BPF variable for a value that is no integer */
	}
}

/*
 * The options' values into the BPF variables their rows name, each in its variable's own
 * width (the little-endian low bytes); the run settings; --json (-j, -J) into r->json.
 */
static void fill_from_options(struct tool_run *r, const struct tool_cli *cli)
{
	const struct tool_opt *tables[] = {cli->opts, cli->pos};
	uint64_t v;
	size_t size;
	void *p;

	for (size_t t = 0; t < 2; t++) {
		for (const struct tool_opt *o = tables[t]; o && (o->key || o->name); o++) {
			if (o->name && !strcmp(o->name, "json") && o->kind == TOOL_OPT_FLAG)
				r->json = opt_value(o, cli->parsed);
			if (o->sets == TOOL_SETS_INTERVAL)
				r->interval_s = opt_value(o, cli->parsed);
			else if (o->sets == TOOL_SETS_COUNT)
				r->count = opt_value(o, cli->parsed);
			else if (o->sets == TOOL_SETS_DURATION)
				r->duration_s = opt_value(o, cli->parsed);
			if (!o->bpf)
				continue;
			v = opt_value(o, cli->parsed);
			size = 0;
			p = global_var(r->obj, ".rodata", o->bpf, &size);
			if (p && (size == 1 || size == 2 || size == 4 || size == 8)) {
				memcpy(p, &v, size);
			} else if (!r->fill_failed) {
				tk_err("the BPF programs have no integer setting %s", o->bpf);
				r->fill_failed = true;
			}
		}
	}
}

void *tool_open(struct tool_run *r, const struct tool_cli *cli, int *status)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	const void *elf;
	size_t elf_sz;

	elf = r->skel->elf_bytes(&elf_sz);
	oo.btf_custom_path = btf_min__try(elf, elf_sz, &r->bm);
	r->opened = r->skel->open(&oo);
	if (!r->opened) {
		*status = tool_load_error("open", -errno);
		btf_min__free(r->bm);
		r->bm = NULL;
		return NULL;
	}
	r->obj = r->skel->object(r->opened);
	fill_from_options(r, cli);
	return r->opened;
}

void tool_close(struct tool_run *r)
{
	btf_min__free(r->bm);
	r->bm = NULL;
	if (r->opened) {
		r->skel->destroy(r->opened);
		r->opened = NULL;
		r->obj = NULL;
	}
}

int tool_main(struct tool_cli *cli, void *opts, struct tool_run *r, int argc, char **argv)
{
	void *skel;
	int err;

	if (!tool_start(cli, opts, argc, argv, &err) || !(skel = tool_open(r, cli, &err)))
		return err;
	err = r->fill ? r->fill(r, skel) : 0;
	if (err) {
		tool_close(r);
		return err;
	}
	return tool_run(r);
}

/* Load what tool_open() opened: 0, or an exit status after a one-line error. */
static int load(struct tool_run *r)
{
	int err = attach_object__drop_missing(r->obj) < 0 ? 1 : 0;

	if (!err) {
		err = r->skel->load(r->opened);
		if (err)
			err = tool_load_error("load", err);
	}
	btf_min__free(r->bm);
	r->bm = NULL;
	if (!err && r->loaded)
		err = r->loaded(r->ctx, r->obj);
	return err;
}

void tool_set_rodata(struct tool_run *r, const char *name, const void *val, size_t size)
{
	void *p = global_var(r->obj, ".rodata", name, &size);

	if (p) {
		memcpy(p, val, size);
	} else if (!r->fill_failed) {
		tk_err("the BPF programs have no %zu-byte setting %s", size, name);
		r->fill_failed = true;
	}
}

/* A ring buffer record, passed on to the tool when it is whole. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct tool_run *r = ctx;

	return size < r->event_size ? 0 : r->on_event(r->ctx, data, size);
}

static int on_tick(void *ctx)
{
	struct tool_run *r = ctx;
	int stop = r->on_interval ? r->on_interval(r->ctx) : 0;

	r->ticks++;
	/* -d with -i: the last interval ends the run (no timer race with the interval's) */
	r->interval_ended = stop || (r->count && r->ticks >= r->count) ||
			    (r->duration_s && r->ticks * r->interval_s >= r->duration_s);
	return r->interval_ended;
}

static int stdout_closed(void *ctx)
{
	return 1; /* a pipe's write end reports only EPOLLERR: its reader went away */
}

/* tool | head -1: stop as soon as the reader goes away, not only at the next write. */
static int watch_stdout(struct event_loop *l)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) || !S_ISFIFO(st.st_mode))
		return 0;
	return loop__add_fd(l, STDOUT_FILENO, stdout_closed, NULL);
}

static int set_up(struct tool_run *r, struct ring_buffer **rb)
{
	struct bpf_map *map;
	int err;

	r->interval_ended = false;
	r->as = attach_set__new();
	if (!r->as)
		return -ENOMEM;
	err = r->attach ? r->attach(r->ctx, r->as) : attach_set__attach_object(r->as, r->obj);
	if (err)
		return err;
	if (r->on_event) {
		map = bpf_object__find_map_by_name(r->obj, "events");
		*rb = map ? ring_buffer__new(bpf_map__fd(map), on_record, r, NULL) : NULL;
		if (!*rb) {
			err = map ? -errno : -ENOENT;
			tk_err("cannot open the events ring buffer: %s", strerror(-err));
			return err;
		}
		err = loop__add_ringbuf(&r->loop, *rb);
		if (err)
			goto fail;
	}
	err = watch_stdout(&r->loop);
	if (!err && r->pid > 0) {
		err = loop__watch_pid(&r->loop, r->pid);
		if (err == -ESRCH) {
			tk_err("no process with PID %d", r->pid);
			return err;
		}
	}
	if (!err && r->interval_s)
		err = loop__set_interval(&r->loop, r->interval_s * 1000, on_tick, r);
	else if (!err && r->duration_s)
		err = loop__set_duration(&r->loop, r->duration_s * 1000);
	if (!err)
		return 0;
fail:
	tk_err("cannot set up the event loop: %s", strerror(-err));
	return err;
}

/*
 * --metrics: the registry and the endpoint, bound before anything is attached so that a
 * port in use costs nothing. 0, or 1 after a one-line error.
 */
static int metrics_start(struct tool_run *r)
{
	const struct tool_metrics_opts *mo = tool_metrics_opts();
	char why[160];

	if (!mo->addr)
		return 0;
	r->m = metrics_new(mo->max_series);
	r->self = calloc(1, sizeof(*r->self));
	if (!r->m || !r->self) {
		tk_err("out of memory");
		return 1;
	}
	r->srv = metrics_server_start(&r->loop, mo->addr, r->m, why, sizeof(why));
	if (!r->srv) {
		tk_err("%s", why);
		return 1;
	}
	return 0;
}

/* Once attached: the self metrics and the tool's own. 0 or a negative errno. */
static int metrics_ready(struct tool_run *r, const volatile unsigned long long *lost)
{
	int err;

	if (!r->m)
		return 0;
	r->self->probes_attached = attach_set__count(r->as);
	r->self->lost_events = lost;
	err = r->obj ? metrics_self_add_object(r->self, r->obj) : 0;
	if (!err)
		err = metrics_add_self(r->m, r->self);
	if (err) {
		tk_err("cannot set up the metrics: %s", strerror(-err));
		return err;
	}
	err = r->metrics ? r->metrics(r->ctx, r->m) : 0;
	if (err)
		tk_err("cannot set up the tool's metrics: %s", strerror(err < 0 ? -err : EINVAL));
	else
		fprintf(stderr, "Serving metrics on http://%s/metrics\n",
			tool_metrics_opts()->addr);
	return err;
}

static void metrics_stop(struct tool_run *r)
{
	metrics_server_stop(r->srv);
	r->srv = NULL;
	if (r->self)
		metrics_self_close(r->self);
	free(r->self);
	r->self = NULL;
	metrics_free(r->m);
	r->m = NULL;
}

int tool_run(struct tool_run *r)
{
	const volatile unsigned long long *lost;
	struct ring_buffer *rb = NULL;
	int err;

	r->ran = false;
	if (r->opened) {
		err = r->fill_failed ? 1 : load(r);
		if (err)
			goto out_skel;
	}
	err = loop__init(&r->loop);
	if (err) {
		tk_err("cannot set up the event loop: %s", strerror(-err));
		err = 1;
		goto out_skel;
	}
	/* the events the BPF side could not reserve in the ring buffer, where it counts them */
	lost = global_var(r->obj, ".bss", "lost_events", &(size_t){sizeof(*lost)});
	err = metrics_start(r) ? -EINVAL : set_up(r, &rb);
	attach_set__progress_end(r->as);
	if (!err)
		err = metrics_ready(r, lost);
	if (!err) {
		if (r->json)
			fprintf(stderr, "%s\n", r->ready ? r->ready : TOOL_JSON_READY);
		else if (r->ready)
			printf("%s\n", r->ready);
		if (r->header && !r->json)
			r->header(r->ctx);
		fflush(stdout);
		r->why = loop__run(&r->loop);
		r->ran = true;
		/* what arrived before we stopped is still shown */
		if (rb)
			ring_buffer__consume(rb);
		fflush(stdout);
		if (lost && *lost)
			tk_note("lost %llu events (ring buffer full)", (unsigned long long)*lost);
		if (r->why != LOOP_ERROR) {
			if (r->interval_at_end && r->on_interval && !r->interval_ended)
				r->on_interval(r->ctx);
			if (r->footer)
				r->footer(r->ctx);
			fflush(stdout);
		}
		err = r->why == LOOP_ERROR ? -EIO : 0;
	}
	metrics_stop(r);
	attach_set__destroy(r->as);
	r->as = NULL;
	ring_buffer__free(rb);
	loop__close(&r->loop);
	err = err ? 1 : 0;
out_skel:
	tool_close(r);
	return err;
}
