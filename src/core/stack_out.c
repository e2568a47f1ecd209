// SPDX-License-Identifier: GPL-2.0
/*
 * bcc's stack text (blocks and folded lines) and JSON from a stack profile (stack_out.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/out.h"
#include "core/stack_out.h"

#define NAME_MAX_LEN 1024 /* an escaped frame name; longer ones are cut */

static int cmp_value(const void *a, const void *b, void *ctx)
{
	const struct stack_profile *p = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int64_t vx = p->values[p->samples[x].val0], vy = p->values[p->samples[y].val0];

	if (vx != vy)
		return vx < vy ? -1 : 1;
	return x < y ? -1 : x > y;
}

size_t *stack_out_order(const struct stack_profile *p, int *err)
{
	size_t *idx;

	*err = 0;
	if (!p->nsamples)
		return NULL;
	idx = malloc(p->nsamples * sizeof(*idx));
	if (!idx) {
		*err = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < p->nsamples; i++)
		idx[i] = i;
	qsort_r(idx, p->nsamples, sizeof(*idx), cmp_value, (void *)p);
	return idx;
}

char *stack_out_func(const struct stack_profile *p, const struct stack_style *st,
		     const struct stack_loc *loc, const struct stack_line *line, char *buf,
		     size_t len)
{
	const char *name = stack_line_func(p, line);
	size_t n;

	str_escape(buf, len, name, strlen(name));
	n = strlen(buf);
	if (loc->kernel && st->annotate && n + 5 <= len)
		memcpy(buf + n, "_[k]", 5);
	return buf;
}

static const struct stack_loc *loc_at(const struct stack_profile *p, const struct stack_sample *s,
				      size_t i)
{
	return &p->locs[p->loc_ids[s->loc0 + i]];
}

/* Both stacks shown and present: bcc's condition for its "--" / "-" delimiter. */
static bool delimited(const struct stack_style *st, const struct stack_sample *s)
{
	return st->delimit && st->kernel && st->user && !s->kernel_missing && !s->user_missing &&
	       s->nkernel && s->nlocs > s->nkernel;
}

/* Block lines of locations [from, to) of s, leaf first; each location's lines innermost first */
static void block_locs(FILE *f, const struct stack_profile *p, const struct stack_style *st,
		       const struct stack_sample *s, size_t from, size_t to)
{
	char name[NAME_MAX_LEN];

	for (size_t i = from; i < to; i++) {
		const struct stack_loc *l = loc_at(p, s, i);

		for (uint32_t k = 0; k < l->nlines; k++) {
			fputs(st->indent, f);
			if (st->addrs)
				fprintf(f, "%-16" PRIx64 " ", l->addr);
			fprintf(f, "%s\n",
				stack_out_func(p, st, l, &p->lines[l->line0 + k], name,
					       sizeof(name)));
		}
	}
}

void stack_out_block_frames(FILE *f, const struct stack_profile *p, const struct stack_style *st,
			    const struct stack_sample *s)
{
	if (st->kernel) {
		if (st->missing && s->kernel_missing)
			fprintf(f, "%s[Missed Kernel Stack]\n", st->indent);
		else
			block_locs(f, p, st, s, 0, s->nkernel);
	}
	if (st->user) {
		if (delimited(st, s))
			fprintf(f, "%s--\n", st->indent);
		if (st->missing && s->user_missing)
			fprintf(f, "%s[Missed User Stack]\n", st->indent);
		else
			block_locs(f, p, st, s, s->nkernel, s->nlocs);
	}
}

/*
 * Folded frames of locations [from, to) of s, outermost first; a location's holder before its
 * inlined lines. *lead goes before the next frame; then ";".
 */
static void folded_locs(FILE *f, const struct stack_profile *p, const struct stack_style *st,
			const struct stack_sample *s, size_t from, size_t to, const char **lead)
{
	char name[NAME_MAX_LEN];

	for (size_t i = to; i-- > from;) {
		const struct stack_loc *l = loc_at(p, s, i);

		for (uint32_t k = l->nlines; k-- > 0;) {
			fprintf(f, "%s%s", *lead,
				stack_out_func(p, st, l, &p->lines[l->line0 + k], name,
					       sizeof(name)));
			*lead = ";";
		}
	}
}

static void folded_word(FILE *f, const char *word, const char **lead)
{
	fprintf(f, "%s%s", *lead, word);
	*lead = ";";
}

void stack_out_folded_frames(FILE *f, const struct stack_profile *p, const struct stack_style *st,
			     const struct stack_sample *s, const char *lead)
{
	if (st->user) {
		if (st->missing && s->user_missing)
			folded_word(f, "[Missed User Stack]", &lead);
		else
			folded_locs(f, p, st, s, s->nkernel, s->nlocs, &lead);
	}
	if (st->kernel) {
		if (delimited(st, s))
			folded_word(f, "-", &lead);
		if (st->missing && s->kernel_missing)
			folded_word(f, "[Missed Kernel Stack]", &lead);
		else
			folded_locs(f, p, st, s, 0, s->nkernel, &lead);
	}
}

/* The first value of s as the text shows it */
static int64_t shown_value(const struct stack_profile *p, const struct stack_style *st,
			   const struct stack_sample *s)
{
	int64_t v = p->values[s->val0];

	return st->value_div > 1 ? v / st->value_div : v;
}

typedef void (*sample_fn)(FILE *f, const struct stack_profile *p, const struct stack_style *st,
			  const struct stack_sample *s);

/* fn for every sample in bcc's order; 0, -ENOMEM, or -EIO when f could not be written. */
static int each_sample(FILE *f, const struct stack_profile *p, const struct stack_style *st,
		       sample_fn fn)
{
	int err;
	size_t *idx = stack_out_order(p, &err);

	if (err)
		return err;
	for (size_t i = 0; i < p->nsamples; i++)
		fn(f, p, st, &p->samples[idx[i]]);
	free(idx);
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}

static void comm_escaped(const struct stack_profile *p, const struct stack_sample *s, char *buf,
			 size_t len)
{
	const char *c = stack_profile__str(p, s->comm);

	str_escape(buf, len, c, strlen(c));
}

static void extra_escaped(const struct stack_profile *p, const struct stack_sample *s, char *buf,
			  size_t len)
{
	const char *c = stack_profile__str(p, s->extra);

	str_escape(buf, len, c, strlen(c));
}

static void text_sample(FILE *f, const struct stack_profile *p, const struct stack_style *st,
			const struct stack_sample *s)
{
	char comm[64], extra[64];

	comm_escaped(p, s, comm, sizeof(comm));
	if (st->who == STACK_WHO_WAKER)
		fprintf(f, "    %-16s %s\n", "target:", comm);
	stack_out_block_frames(f, p, st, s);
	if (st->who == STACK_WHO_WAKER) {
		extra_escaped(p, s, extra, sizeof(extra));
		fprintf(f, "    %-16s %s\n", "waker:", extra);
	} else if (st->who == STACK_WHO_DASH)
		fprintf(f, "    %-16s %s (%u)\n", "-", comm, st->who_tid ? s->tid : s->pid);
	else if (st->who == STACK_WHO_BRACKET)
		fprintf(f, "    %s [%u]\n", comm, st->who_tid ? s->tid : s->pid);
	fprintf(f, "%s%" PRId64 "\n\n", st->value_indent, shown_value(p, st, s));
}

int stack_out_text(FILE *f, const struct stack_profile *p, const struct stack_style *st)
{
	return each_sample(f, p, st, text_sample);
}

static void folded_sample(FILE *f, const struct stack_profile *p, const struct stack_style *st,
			  const struct stack_sample *s)
{
	char comm[64];
	bool waker = st->who == STACK_WHO_WAKER;

	if (waker) {
		extra_escaped(p, s, comm, sizeof(comm));
		fputs(comm, f);
	} else if (st->folded_comm) {
		comm_escaped(p, s, comm, sizeof(comm));
		fputs(comm, f);
	}
	stack_out_folded_frames(f, p, st, s, st->folded_comm || waker ? ";" : "");
	if (waker) {
		comm_escaped(p, s, comm, sizeof(comm));
		fprintf(f, ";%s", comm);
	}
	fprintf(f, " %" PRId64 "\n", shown_value(p, st, s));
}

int stack_out_folded(FILE *f, const struct stack_profile *p, const struct stack_style *st)
{
	return each_sample(f, p, st, folded_sample);
}

/* A JSON array of the frames of locations [from, to), leaf first, inlined lines expanded */
static void json_locs(FILE *f, const struct stack_profile *p, const struct stack_sample *s,
		      size_t from, size_t to)
{
	bool first = true;

	fputc('[', f);
	for (size_t i = from; i < to; i++) {
		const struct stack_loc *l = loc_at(p, s, i);

		for (uint32_t k = 0; k < l->nlines; k++) {
			const struct stack_line *ln = &p->lines[l->line0 + k];

			fprintf(f, "%s{\"func\":", first ? "" : ",");
			first = false;
			json_str(f, stack_line_func(p, ln));
			fputs(",\"file\":", f);
			if (ln->file)
				json_str(f, stack_profile__str(p, ln->file));
			else
				fputs("null", f);
			fprintf(f, ",\"line\":%u,\"inlined\":%s,\"module\":", ln->line,
				k + 1 < l->nlines ? "true" : "false");
			if (l->module)
				json_str(f, stack_profile__str(p, l->module));
			else
				fputs("null", f);
			fprintf(f, ",\"addr\":\"0x%" PRIx64 "\"}", l->addr);
		}
	}
	fputc(']', f);
}

static void json_sample(FILE *f, const struct stack_profile *p, const struct stack_style *st,
			const struct stack_sample *s)
{
	fputs("{\"comm\":", f);
	json_str(f, stack_profile__str(p, s->comm));
	fprintf(f, ",\"pid\":%u,\"tid\":%u,\"value\":%" PRId64 ",\"values\":{", s->pid, s->tid,
		shown_value(p, st, s));
	for (unsigned int t = 0; t < p->ntypes; t++) {
		fprintf(f, "%s", t ? "," : "");
		json_str(f, p->types[t].type);
		fprintf(f, ":%" PRId64, p->values[s->val0 + t]);
	}
	fputc('}', f);
	if (s->extra) {
		fputc(',', f);
		json_str(f, p->extra_label ? p->extra_label : "extra");
		fputc(':', f);
		json_str(f, stack_profile__str(p, s->extra));
	}
	if (st->kernel) {
		fputs(",\"kstack\":", f);
		json_locs(f, p, s, 0, s->nkernel);
		if (s->kernel_missing)
			fputs(",\"kstack_missing\":true", f);
	}
	if (st->user) {
		fputs(",\"ustack\":", f);
		json_locs(f, p, s, s->nkernel, s->nlocs);
		if (s->user_missing)
			fputs(",\"ustack_missing\":true", f);
	}
	fputs("}\n", f);
}

int stack_out_json(FILE *f, const struct stack_profile *p, const struct stack_style *st)
{
	return each_sample(f, p, st, json_sample);
}

size_t stack_out_missing(const struct stack_profile *p, const struct stack_style *st)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nsamples; i++) {
		const struct stack_sample *s = &p->samples[i];

		n += (st->kernel && s->kernel_missing) + (st->user && s->user_missing);
	}
	return n;
}
