// SPDX-License-Identifier: GPL-2.0
/*
 * A small streaming reader of the kernel's BTF that finds struct members (see snoop_btf.h).
 * One pass over the string section finds the names asked for; one pass over the type section
 * finds the structs and their members and keeps the file offset of every SAMPLE-th type;
 * what is left (members inside anonymous structs and unions, the sizes behind typedefs) is
 * then read directly from the nearest kept offset. Memory stays at one 64 KiB buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/btf.h>

#include "core/log.h"
#include "tools/snoop_btf.h"

#define MAX_QUERIES 32
#define MAX_NAMES   (2 * MAX_QUERIES)
#define MAX_PENDING 512
#define MAX_VISITS  4096
#define SAMPLE	    256	 /* one type offset kept per SAMPLE type ids */
#define MAX_SAMPLES 8192 /* so up to 2M types */
#define RD_BUF	    65536

struct reader {
	int fd;
	off_t pos, end; /* next file offset to read, end of the section */
	size_t len, at;
	unsigned char buf[RD_BUF];
};

/* What a pending type id is wanted for. */
enum pend_kind { P_ANON, P_SIZE };

struct pending {
	uint32_t id;
	enum pend_kind kind;
	int query;
	uint32_t base_bits; /* P_ANON: offset of the anonymous member in the queried struct */
};

struct target {
	int query;
	uint32_t base_bits;
};

struct resolver {
	struct snoop_btf_query *q;
	size_t nq;
	const char *names[MAX_NAMES];
	uint32_t name_off[MAX_NAMES]; /* 0 = not found (offset 0 is the empty string) */
	size_t nnames;
	int struct_name[MAX_QUERIES], member_name[MAX_QUERIES]; /* index into names */
	bool struct_seen[MAX_QUERIES], hit[MAX_QUERIES], done[MAX_QUERIES];
	struct pending pend[MAX_PENDING];
	size_t npend;
	off_t type_end;
	uint32_t nsamples;
	off_t sample[MAX_SAMPLES]; /* file offset of type id i * SAMPLE + 1 */
};

static void rd_start(struct reader *r, off_t start, off_t len)
{
	r->pos = start;
	r->end = start + len;
	r->len = r->at = 0;
}

static int rd_get(struct reader *r, void *dst, size_t n)
{
	if (r->len - r->at < n) {
		ssize_t got;
		size_t want;

		memmove(r->buf, r->buf + r->at, r->len - r->at);
		r->len -= r->at;
		r->at = 0;
		want = sizeof(r->buf) - r->len;
		if ((off_t)want > r->end - r->pos)
			want = r->end - r->pos;
		got = want ? pread(r->fd, r->buf + r->len, want, r->pos) : 0;
		if (got < 0)
			return -errno;
		r->pos += got;
		r->len += got;
		if (r->len < n)
			return -EIO;
	}
	memcpy(dst, r->buf + r->at, n);
	r->at += n;
	return 0;
}

static int rd_skip(struct reader *r, size_t n)
{
	size_t inbuf = r->len - r->at;

	if (n <= inbuf) {
		r->at += n;
		return 0;
	}
	n -= inbuf;
	r->at = r->len = 0;
	if ((off_t)n > r->end - r->pos)
		return -EIO;
	r->pos += n;
	return 0;
}

/* The offset in the file of the next byte rd_get() would return. */
static off_t rd_tell(const struct reader *r)
{
	return r->pos - (off_t)(r->len - r->at);
}

static int name_index(struct resolver *s, const char *name)
{
	for (size_t i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i], name) == 0)
			return i;
	if (s->nnames == MAX_NAMES)
		return -E2BIG;
	s->names[s->nnames] = name;
	return s->nnames++;
}

/* The string-section offsets of every name asked for. */
static int find_strings(struct resolver *s, struct reader *r, const struct btf_header *h)
{
	off_t base = (off_t)h->hdr_len + h->str_off;
	size_t lens[MAX_NAMES], have = 0, at;
	uint32_t done = 0; /* bytes of the section handled, as whole strings */
	char *buf = (char *)r->buf, *nul;
	ssize_t got;

	for (size_t i = 0; i < s->nnames; i++)
		lens[i] = strlen(s->names[i]);
	while (done + have < h->str_len) {
		size_t want = sizeof(r->buf) - have;

		if (want > h->str_len - done - have)
			want = h->str_len - done - have;
		got = pread(r->fd, buf + have, want, base + done + have);
		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		have += got;
		for (at = 0; (nul = memchr(buf + at, 0, have - at)); at = nul - buf + 1) {
			size_t len = nul - (buf + at);

			for (size_t i = 0; i < s->nnames; i++)
				if (len == lens[i] && !s->name_off[i] &&
				    memcmp(buf + at, s->names[i], len) == 0)
					s->name_off[i] = done + at;
		}
		if (!at && have == sizeof(r->buf))
			at = have; /* a string longer than the buffer: not one of ours */
		memmove(buf, buf + at, have - at);
		done += at;
		have -= at;
	}
	return 0;
}

static int add_pending(struct resolver *s, uint32_t id, enum pend_kind kind, int query,
		       uint32_t base_bits)
{
	if (s->npend == MAX_PENDING)
		return -E2BIG;
	s->pend[s->npend++] = (struct pending){id, kind, query, base_bits};
	return 0;
}

/* One member of a struct/union seen by every query in tg (each at its own base offset). */
static int apply_member(struct resolver *s, const struct btf_member *m, bool kflag,
			const struct target *tg, size_t ntg)
{
	uint32_t bits = kflag ? BTF_MEMBER_BITFIELD_SIZE(m->offset) : 0;
	uint32_t moff = kflag ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
	int err = 0;

	for (size_t k = 0; k < ntg && !err; k++) {
		int qi = tg[k].query;
		uint32_t want = s->name_off[s->member_name[qi]], boff = tg[k].base_bits + moff;

		if (s->hit[qi])
			continue;
		if (want && m->name_off == want) {
			struct snoop_field *f = s->q[qi].out;

			s->hit[qi] = true;
			f->off = boff / 8;
			if (bits) {
				f->shift = boff % 8;
				f->bits = bits;
				f->size = (f->shift + bits + 7) / 8;
				s->done[qi] = true;
			} else {
				err = add_pending(s, m->type, P_SIZE, qi, 0);
			}
		} else if (m->name_off == 0) {
			err = add_pending(s, m->type, P_ANON, qi, boff);
		}
	}
	return err;
}

static uint32_t extra_bytes(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return vlen * 12;
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
		return vlen * 8;
	default:
		return 0;
	}
}

/* The size of a member's type, or one more step towards it (typedefs, qualifiers). */
static int resolve_size(struct resolver *s, const struct pending *p, const struct btf_type *t)
{
	struct snoop_field *f = s->q[p->query].out;

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		f->size = t->size > 8 ? 8 : t->size;
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return add_pending(s, t->type, P_SIZE, p->query, 0);
	default: /* pointers; arrays, whose offset is what matters */
		f->size = 8;
	}
	s->done[p->query] = true;
	return 0;
}

static int read_members(struct resolver *s, struct reader *r, const struct btf_type *t,
			const struct target *tg, size_t ntg)
{
	struct btf_member m;
	int err;

	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		err = rd_get(r, &m, sizeof(m));
		if (!err)
			err = apply_member(s, &m, BTF_INFO_KFLAG(t->info), tg, ntg);
		if (err)
			return err;
	}
	return 0;
}

/* The walk over the type section: the structs asked for, and the index of offsets. */
static int scan_types(struct resolver *s, struct reader *r, const struct btf_header *h)
{
	struct target tg[MAX_QUERIES];
	struct btf_type t;
	uint32_t id = 0;
	size_t ntg;
	int kind, err;

	rd_start(r, (off_t)h->hdr_len + h->type_off, h->type_len);
	while (r->pos < r->end || r->at < r->len) {
		if (id % SAMPLE == 0 && id / SAMPLE < MAX_SAMPLES) {
			s->sample[id / SAMPLE] = rd_tell(r);
			s->nsamples = id / SAMPLE + 1;
		}
		err = rd_get(r, &t, sizeof(t));
		if (err)
			return err;
		id++;
		kind = BTF_INFO_KIND(t.info);
		ntg = 0;
		if ((kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) && BTF_INFO_VLEN(t.info) &&
		    t.name_off) {
			for (size_t qi = 0; qi < s->nq; qi++) {
				if (!s->struct_seen[qi] &&
				    t.name_off == s->name_off[s->struct_name[qi]]) {
					s->struct_seen[qi] = true;
					tg[ntg++] = (struct target){(int)qi, 0};
				}
			}
		}
		err = ntg ? read_members(s, r, &t, tg, ntg) : rd_skip(r, extra_bytes(&t));
		if (err)
			return err;
	}
	return 0;
}

/* Read type p->id directly (from the nearest indexed offset) and settle what p waits for. */
static int visit(struct resolver *s, struct reader *r, const struct pending *p)
{
	uint32_t blk = (p->id - 1) / SAMPLE;
	struct target tg = {p->query, p->base_bits};
	struct btf_type t;
	int kind, err;

	if (!p->id || blk >= s->nsamples)
		return -EINVAL;
	rd_start(r, s->sample[blk], s->type_end - s->sample[blk]);
	for (uint32_t id = blk * SAMPLE + 1;; id++) {
		err = rd_get(r, &t, sizeof(t));
		if (err)
			return err;
		if (id == p->id)
			break;
		err = rd_skip(r, extra_bytes(&t));
		if (err)
			return err;
	}
	kind = BTF_INFO_KIND(t.info);
	if (p->kind == P_SIZE)
		return resolve_size(s, p, &t);
	if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION)
		return 0;
	return read_members(s, r, &t, &tg, 1);
}

static int resolve(struct resolver *s, struct reader *r, const char *path)
{
	struct btf_header h;
	int err;

	rd_start(r, 0, sizeof(h));
	if (rd_get(r, &h, sizeof(h)) || h.magic != BTF_MAGIC || h.hdr_len < sizeof(h)) {
		tk_err("%s is not a BTF file", path);
		return -EINVAL;
	}
	s->type_end = (off_t)h.hdr_len + h.type_off + h.type_len;
	err = find_strings(s, r, &h);
	if (!err)
		err = scan_types(s, r, &h);
	for (int visits = 0; !err && s->npend; visits++) {
		struct pending p = s->pend[--s->npend];

		if (visits == MAX_VISITS)
			err = -ELOOP;
		else if (p.kind == P_SIZE || !s->hit[p.query])
			err = visit(s, r, &p);
	}
	if (err)
		tk_err("cannot parse the kernel's BTF (%s): %s", path, strerror(-err));
	return err;
}

int snoop_btf_resolve(const char *path, struct snoop_btf_query *q, size_t n)
{
	static struct reader r;
	static struct resolver s;
	int err, idx;

	if (n > MAX_QUERIES)
		return -E2BIG;
	memset(&s, 0, sizeof(s));
	s.q = q;
	s.nq = n;
	for (size_t i = 0; i < n; i++) {
		memset(q[i].out, 0, sizeof(*q[i].out));
		idx = name_index(&s, q[i].strct);
		if (idx < 0)
			return idx;
		s.struct_name[i] = idx;
		idx = name_index(&s, q[i].member);
		if (idx < 0)
			return idx;
		s.member_name[i] = idx;
	}
	path = path ? path : "/sys/kernel/btf/vmlinux";
	r.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0) {
		err = -errno;
		tk_err("cannot read the kernel's BTF (%s): %s", path, strerror(-err));
		return err;
	}
	err = resolve(&s, &r, path);
	close(r.fd);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (s.done[i])
			continue;
		memset(q[i].out, 0, sizeof(*q[i].out));
		if (!q[i].optional) {
			tk_err("this kernel's BTF has no %s.%s", q[i].strct, q[i].member);
			return -ENOENT;
		}
	}
	return 0;
}
