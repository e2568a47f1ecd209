// SPDX-License-Identifier: GPL-2.0
/*
 * Ring-buffer records from the language's BPF programs (layouts in types.h §3), the attach
 * line, lost-event notices and the map dump at exit, in text or `-f json`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "lang/print.h"

void lt_out_init(struct lt_out *o, FILE *f, const struct lt_prog *prog, bool json)
{
	int n = libbpf_num_possible_cpus();

	*o = (struct lt_out){.f = f, .json = json, .prog = prog, .ncpus = n > 0 ? n : 1};
	o->sym.prog = prog;
	o->sym.json = json;
}

void lt_out_free(struct lt_out *o)
{
	for (uint32_t i = 0; o->parsed && i < o->prog->nfmts; i++)
		free(o->parsed[i].specs);
	free(o->parsed);
	lt_symctx_free(&o->sym);
	lt_sbuf_free(&o->buf);
}

/* Out now, line by line, unless -B full asked for the stream's own block buffering. */
static void out_flush(struct lt_out *o)
{
	if (!o->block_buffered)
		fflush(o->f);
}

static void flush(struct lt_out *o)
{
	if (o->buf.len)
		fwrite(o->buf.p, 1, o->buf.len, o->f);
	out_flush(o);
	lt_sbuf_reset(&o->buf);
}

/* {"type": "TYPE", "data": "TEXT"} for text-producing events under -f json. */
static void emit_text(struct lt_out *o, const char *type, const char *text, size_t len)
{
	if (!o->json) {
		fwrite(text, 1, len, o->f);
		out_flush(o);
		return;
	}
	struct lt_sbuf j = {0};
	lt_sbuf_printf(&j, "{\"type\": \"%s\", \"data\": ", type);
	lt_sbuf_put_json_str(&j, text, len);
	lt_sbuf_puts(&j, "}\n");
	fwrite(lt_sbuf_str(&j), 1, j.len, o->f);
	out_flush(o);
	lt_sbuf_free(&j);
}

void lt_out_attached(struct lt_out *o, unsigned int nprobes)
{
	const char *s = nprobes == 1 ? "" : "s";

	if (o->json && o->dialect == LANG_0_17)
		fprintf(o->f, "{\"type\": \"attached_probes\", \"data\": {\"probes\": %u}}\n",
			nprobes);
	else if (o->json)
		fprintf(o->f,
			"{\"type\": \"attached_probes\", \"count\": %u, \"data\": {\"probes\": %u}}\n",
			nprobes, nprobes);
	else if (o->dialect == LANG_0_17)
		fprintf(o->f, "Attaching %u probe%s...\n", nprobes, s);
	else
		fprintf(stderr, "Attached %u probe%s\n", nprobes, s);
	out_flush(o);
}

void lt_out_lost(struct lt_out *o, uint64_t n)
{
	if (!n)
		return;
	o->lost += n;
	if (o->json && o->dialect == LANG_0_17)
		fprintf(o->f, "{\"type\": \"lost_events\", \"data\": {\"events\": %llu}}\n",
			(unsigned long long)n);
	else if (o->json)
		fprintf(o->f, "{\"type\": \"lost_events\", \"count\": %llu, \"data\": {\"events\": %llu}}\n",
			(unsigned long long)n, (unsigned long long)n);
	else
		fprintf(o->dialect == LANG_0_17 ? o->f : stderr, "Lost %llu events\n",
			(unsigned long long)n);
	out_flush(o);
}

int lt_out_print_map(struct lt_out *o, const struct lt_map *m, uint64_t top, uint64_t div)
{
	struct lt_entry *e;
	int n = lt_map_read(m, o->ncpus, &e);

	if (n < 0)
		return n;
	lt_render_map_as(&o->buf, m, e, (size_t)n, top, div, o->json, o->dialect, o->prog,
			 &o->sym);
	lt_entries_free(e, (size_t)n);
	flush(o);
	return 0;
}

static const struct lt_fmt *fmt_of(struct lt_out *o, uint32_t id)
{
	return id < o->prog->nfmts ? &o->prog->fmts[id] : NULL;
}

static int ev_join(struct lt_out *o, const struct lt_fmt *f, const uint8_t *d, size_t len)
{
	uint32_t as = f->join_arg_size ? f->join_arg_size : LT_STR_DEFAULT;
	const char *sep = f->fmt ? f->fmt : " ";

	lt_sbuf_reset(&o->buf);
	for (uint32_t i = 0; i < LT_JOIN_MAX_ARGS && (size_t)(i + 1) * as <= len; i++) {
		const char *a = (const char *)d + (size_t)i * as;
		if (!a[0])
			break;
		if (i)
			lt_sbuf_puts(&o->buf, sep);
		lt_sbuf_put_traced(&o->buf, a, as, &o->sym);
	}
	/* Text mode ends the line; bpftrace's JSON "join" data has no newline. */
	if (!o->json)
		lt_sbuf_putc(&o->buf, '\n');
	emit_text(o, "join", lt_sbuf_str(&o->buf), o->buf.len);
	lt_sbuf_reset(&o->buf);
	return 0;
}

static int ev_print_val(struct lt_out *o, const struct lt_fmt *f, const uint8_t *d, size_t len)
{
	const struct lt_type *t = &f->args;

	if (t->kind == LT_TUPLE && t->nmembers == 1)
		t = t->members[0].type;
	if (lt_type_size(t) > len)
		return -EINVAL;
	lt_sbuf_reset(&o->buf);
	if (o->json) {
		lt_sbuf_puts(&o->buf, "{\"type\": \"value\", \"data\": ");
		lt_format_json_value(&o->buf, t, d, o->dialect, o->prog, &o->sym);
		lt_sbuf_puts(&o->buf, "}\n");
	} else {
		lt_format_value(&o->buf, t, d, LT_CTX_TEXT, o->prog, &o->sym);
		lt_sbuf_putc(&o->buf, '\n');
	}
	flush(o);
	return 0;
}

/* cat(fmt, args...): the file named by the formatted path, printed as is. */
static int ev_cat(struct lt_out *o, const struct lt_fmt *f, const uint8_t *d, size_t len)
{
	struct lt_sbuf path = {0};
	char buf[4096];
	size_t n;
	FILE *fp;

	lt_format_printf(&path, f->fmt, &f->args, d, len, o->prog, &o->sym);
	fp = fopen(lt_sbuf_str(&path), "r");
	if (!fp) {
		fprintf(stderr, "cat: %s: %s\n", lt_sbuf_str(&path), strerror(errno));
		lt_sbuf_free(&path);
		return 0;
	}
	lt_sbuf_reset(&o->buf);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		lt_sbuf_putn(&o->buf, buf, n);
	fclose(fp);
	emit_text(o, "cat", lt_sbuf_str(&o->buf), o->buf.len);
	lt_sbuf_reset(&o->buf);
	lt_sbuf_free(&path);
	return 0;
}

/*
 * errorf()/warnf(): the formatted text (in o->buf) as a compile diagnostic would say it,
 * without the source excerpt, on stderr; `-f json` makes it a record on the output.
 */
static void ev_diagnostic(struct lt_out *o, const struct lt_fmt *f, bool warn)
{
	if (o->json) {
		struct lt_sbuf j = {0};

		lt_sbuf_printf(&j, "{\"type\": \"%s\", \"msg\": ", warn ? "warnf" : "errorf");
		lt_sbuf_put_json_str(&j, lt_sbuf_str(&o->buf), o->buf.len);
		if (f->file) {
			lt_sbuf_puts(&j, ", \"filename\": ");
			lt_sbuf_put_json_str(&j, f->file, strlen(f->file));
			lt_sbuf_printf(&j, ", \"line\": %d, \"col\": %d", f->line, f->col);
		}
		lt_sbuf_puts(&j, "}\n");
		fwrite(lt_sbuf_str(&j), 1, j.len, o->f);
		out_flush(o);
		lt_sbuf_free(&j);
		return;
	}
	fflush(o->f); /* what the program printed before comes first */
	if (f->file)
		fprintf(stderr, "%s:%d:%d-%d: ", f->file, f->line, f->col, f->end);
	fprintf(stderr, "%s: %.*s\n%s", warn ? "WARNING" : "ERROR", (int)o->buf.len,
		lt_sbuf_str(&o->buf), f->excerpt ? f->excerpt : "");
}

/* bpftrace 0.26's words for a helper's failure; strerror()'s otherwise. */
static const char *helper_error_msg(const struct lt_site *s, int64_t ret)
{
	if (s->helper_id == BPF_FUNC_map_update_elem && ret == -E2BIG)
		return "Map full; can't update element. Try increasing max_map_keys config or "
		       "manually setting the max entries in a map declaration e.g. `let @a = "
		       "hash(5000)`";
	if (s->helper_id == BPF_FUNC_map_delete_elem && ret == -ENOENT)
		return "Can't delete map element because it does not exist.";
	if (s->helper_id == BPF_FUNC_map_lookup_elem)
		return "Can't lookup map element because it does not exist.";
	return strerror((int)-ret);
}

static void ev_helper_error(struct lt_out *o, const struct lt_site *s, int64_t ret)
{
	const char *msg = helper_error_msg(s, ret);

	if (o->json) {
		struct lt_sbuf j = {0};

		/* JSON keeps strerror()'s words (bpftrace's json output does) */
		if (s->helper_id != BPF_FUNC_map_lookup_elem)
			msg = strerror((int)-ret);
		lt_sbuf_puts(&j, "{\"type\": \"helper_error\", \"msg\": ");
		lt_sbuf_put_json_str(&j, msg, strlen(msg));
		lt_sbuf_printf(&j, ", \"helper\": \"%s\", \"retcode\": %lld, \"filename\": ",
			       s->helper, (long long)ret);
		lt_sbuf_put_json_str(&j, s->file, strlen(s->file));
		lt_sbuf_printf(&j, ", \"line\": %d, \"col\": %d}\n", s->line, s->col);
		fwrite(lt_sbuf_str(&j), 1, j.len, o->f);
		out_flush(o);
		lt_sbuf_free(&j);
		return;
	}
	fflush(o->f);
	fprintf(stderr,
		"%s:%d:%d-%d: WARNING: %s\nAdditional Info - helper: %s, retcode: %lld\n%s",
		s->file, s->line, s->col, s->end, msg, s->helper, (long long)ret,
		s->excerpt ? s->excerpt : "");
}

/* printf with its format parsed once per run, not once per event. */
static int format_printf(struct lt_out *o, uint32_t id, const struct lt_fmt *f, const void *d,
			 size_t len)
{
	struct lt_parsed_fmt *p;

	if (!o->parsed) {
		o->parsed = calloc(o->prog->nfmts, sizeof(*o->parsed));
		if (!o->parsed)
			return lt_format_printf(&o->buf, f->fmt, &f->args, d, len, o->prog,
						&o->sym);
		for (uint32_t i = 0; i < o->prog->nfmts; i++)
			o->parsed[i].n = -1;
	}
	p = &o->parsed[id];
	if (p->n < 0) {
		int n = lt_fmt_parse(f->fmt, NULL, 0);
		if (n > LT_FMT_MAX_SPECS)
			return -EINVAL;
		p->specs = calloc(n ? (size_t)n : 1, sizeof(*p->specs));
		if (!p->specs)
			return lt_format_printf(&o->buf, f->fmt, &f->args, d, len, o->prog,
						&o->sym);
		p->n = lt_fmt_parse(f->fmt, p->specs, n);
	}
	return lt_format_printf_parsed(&o->buf, f->fmt, p->specs, p->n, &f->args, d, len, o->prog,
				       &o->sym);
}

int lt_out_event(struct lt_out *o, const void *data, size_t len)
{
	const struct lt_event_hdr *h = data;
	const uint8_t *d = (const uint8_t *)data + sizeof(*h);
	const struct lt_fmt *f;
	const struct lt_map *m;
	int err;

	if (len < sizeof(*h))
		return -EINVAL;
	len -= sizeof(*h);
	switch (h->kind) {
	case LT_EV_EXIT:
		return 1;
	case LT_EV_PRINTF:
		if (!(f = fmt_of(o, h->id)))
			return -EINVAL;
		lt_sbuf_reset(&o->buf);
		err = format_printf(o, h->id, f, d, len);
		if (err)
			return err;
		emit_text(o, "printf", lt_sbuf_str(&o->buf), o->buf.len);
		lt_sbuf_reset(&o->buf);
		return 0;
	case LT_EV_TIME:
		f = fmt_of(o, h->id);
		lt_sbuf_reset(&o->buf);
		lt_format_time_now(&o->buf, f ? f->fmt : NULL);
		emit_text(o, "time", lt_sbuf_str(&o->buf), o->buf.len);
		lt_sbuf_reset(&o->buf);
		return 0;
	case LT_EV_JOIN:
		if (!(f = fmt_of(o, h->id)))
			return -EINVAL;
		return ev_join(o, f, d, len);
	case LT_EV_PRINT_VAL:
		if (!(f = fmt_of(o, h->id)))
			return -EINVAL;
		return ev_print_val(o, f, d, len);
	case LT_EV_CAT:
		if (!(f = fmt_of(o, h->id)))
			return -EINVAL;
		return ev_cat(o, f, d, len);
	case LT_EV_HELPER_ERROR:
		if (h->id >= o->prog->nsites || len < sizeof(int64_t))
			return -EINVAL;
		ev_helper_error(o, &o->prog->sites[h->id], (int64_t)lt_load_u64(d));
		return 0;
	case LT_EV_ERRORF:
	case LT_EV_WARNF:
		if (!(f = fmt_of(o, h->id)))
			return -EINVAL;
		lt_sbuf_reset(&o->buf);
		err = format_printf(o, h->id, f, d, len);
		if (!err)
			ev_diagnostic(o, f, h->kind == LT_EV_WARNF);
		lt_sbuf_reset(&o->buf);
		return err;
	case LT_EV_PRINT:
	case LT_EV_CLEAR:
	case LT_EV_ZERO:
		if (h->id >= o->prog->nmaps)
			return -EINVAL;
		m = &o->prog->maps[h->id];
		if (h->kind == LT_EV_CLEAR)
			return lt_map_clear(m);
		if (h->kind == LT_EV_ZERO)
			return lt_map_zero(m, o->ncpus);
		{
			struct lt_ev_print p = {0};
			memcpy(&p, d, len < sizeof(p) ? len : sizeof(p));
			return lt_out_print_map(o, m, p.top, p.div);
		}
	}
	return -EINVAL;
}

static int cmp_map_names(const void *a, const void *b)
{
	const struct lt_map *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

int lt_out_print_maps(struct lt_out *o)
{
	const struct lt_map **sorted = calloc(o->prog->nmaps ? o->prog->nmaps : 1, sizeof(*sorted));
	uint32_t n = 0;
	int err = 0;

	if (!sorted)
		return -ENOMEM;
	for (uint32_t i = 0; i < o->prog->nmaps; i++)
		if (o->prog->maps[i].name && o->prog->maps[i].name[0] == '@')
			sorted[n++] = &o->prog->maps[i];
	qsort(sorted, n, sizeof(*sorted), cmp_map_names);
	for (uint32_t i = 0; i < n; i++) {
		int e = lt_out_print_map(o, sorted[i], 0, 0);

		if (e && !err)
			err = e;
	}
	free(sorted);
	return err;
}

int lt_out_exit(struct lt_out *o)
{
	int err;

	/* 0.26 writes nothing at the end of a JSON run; 0.17 wrote its two newlines there too */
	if (!o->json || o->dialect == LANG_0_17)
		fputs("\n\n", o->f);
	fflush(o->f);
	/* 0.26 sums up the drops on stderr (reference §2.7 "End of run"), JSON runs as well */
	if (o->lost && o->dialect != LANG_0_17)
		fprintf(stderr, "WARNING: Total lost event count: %llu\n",
			(unsigned long long)o->lost);
	err = lt_out_print_maps(o);
	fflush(o->f);
	return err;
}
