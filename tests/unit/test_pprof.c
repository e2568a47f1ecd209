// SPDX-License-Identifier: GPL-2.0
/*
 * core/pbwire.c's exact bytes, core/gzip.c's pieces, and core/pprof.c's profile read back by
 * a small decoder here and through gzip. With TK_PPROF_OUT=FILE set it also writes its sample
 * profile there, and with TK_PPROF_BIG_OUT=FILE its big one (30,000 samples, several pieces),
 * for tests/e2e/test_pprof.py to read with the real `go tool pprof`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "core/gzip.h"
#include "core/pbwire.h"
#include "core/pprof.h"
#include "core/stack.h"
#include "unit.h"

static int bytes_eq(const struct pbuf *b, const char *want, size_t n)
{
	return !b->oom && b->len == n && !memcmp(b->p, want, n);
}
#define CHECK_BYTES(b, lit) CHECK(bytes_eq((b), (lit), sizeof(lit) - 1))

static void test_varint(void)
{
	struct pbuf b = {0};

	pb_varint(&b, 1);
	CHECK_BYTES(&b, "\x01");
	b.len = 0;
	pb_varint(&b, 300);
	CHECK_BYTES(&b, "\xac\x02");
	b.len = 0;
	pb_varint(&b, UINT64_MAX); /* int64 -1: ten bytes */
	CHECK_BYTES(&b, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
	b.len = 0;
	pb_varint(&b, 0);
	CHECK_BYTES(&b, "\x00");
	pb_free(&b);
}

/* protobuf's own examples: Test1.a = 150, Test2.b = "testing", Test3.c = Test1 */
static void test_fields(void)
{
	struct pbuf b = {0};
	size_t m;

	pb_uint(&b, 1, 150);
	CHECK_BYTES(&b, "\x08\x96\x01");
	b.len = 0;
	pb_uint(&b, 1, 0); /* proto3's default: not written */
	pb_bool(&b, 7, false);
	CHECK(b.len == 0);
	pb_bool(&b, 7, true);
	CHECK_BYTES(&b, "\x38\x01");
	b.len = 0;
	pb_bytes(&b, 2, "testing", 7);
	CHECK_BYTES(&b, "\x12\x07testing");
	b.len = 0;
	pb_bytes(&b, 6, "", 0); /* a string table's "": written */
	CHECK_BYTES(&b, "\x32\x00");
	b.len = 0;
	m = pb_open(&b, 3);
	pb_uint(&b, 1, 150);
	pb_close(&b, m);
	CHECK_BYTES(&b, "\x1a\x03\x08\x96\x01");
	b.len = 0;
	/* packed repeated: 3, 270, 86942 */
	m = pb_open(&b, 4);
	pb_varint(&b, 3);
	pb_varint(&b, 270);
	pb_varint(&b, 86942);
	pb_close(&b, m);
	CHECK_BYTES(&b, "\x22\x06\x03\x8e\x02\x9e\xa7\x05");
	b.len = 0;
	m = pb_open(&b, 5); /* empty message */
	pb_close(&b, m);
	CHECK_BYTES(&b, "\x2a\x00");
	pb_free(&b);
}

/* A body of 128 bytes or more needs a longer length: it moves up, nested ones too. */
static void test_long_bodies(void)
{
	struct pbuf b = {0};
	char body[300];
	size_t outer, inner;

	memset(body, 'x', sizeof(body));
	outer = pb_open(&b, 1);
	pb_uint(&b, 2, 5);
	inner = pb_open(&b, 3);
	pb_bytes(&b, 4, body, 200);
	pb_close(&b, inner);
	pb_close(&b, outer);
	/* inner: 0x22 0xc8 0x01 + 200 = 203; outer body: 2 + 3 + 203 = 208 */
	CHECK(!b.oom && b.len == 1 + 2 + 208);
	CHECK(!memcmp(b.p, "\x0a\xd0\x01\x10\x05\x1a\xcb\x01\x22\xc8\x01", 11));
	CHECK(!memcmp(b.p + 11, body, 200));
	b.len = 0;
	/* 2^14 bytes: a three-byte length */
	{
		static char big[1 << 14];
		size_t m = pb_open(&b, 1);

		memset(big, 'y', sizeof(big));
		for (size_t i = 0; i < sizeof(big) / 128; i++)
			pb_bytes(&b, 2, big, 126);
		pb_close(&b, m);
		CHECK(!b.oom && b.len == 1 + 3 + sizeof(big));
		CHECK(!memcmp(b.p, "\x0a\x80\x80\x01\x12\x7e", 6));
	}
	pb_free(&b);
}

/* ---- a small reader of the wire format, for the round trip ---- */

struct rd {
	const uint8_t *p, *end;
	int bad;
};

static uint64_t rd_varint(struct rd *r)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end) {
			r->bad = 1;
			return 0;
		}
		v |= (uint64_t)(*r->p & 0x7f) << shift;
		if (!(*r->p++ & 0x80))
			return v;
	}
	r->bad = 1;
	return v;
}

/* The next field: 1 and its number, with v (a varint) or sub (its bytes); 0 at the end. */
static int rd_field(struct rd *r, uint32_t *field, uint64_t *v, struct rd *sub)
{
	uint64_t tag;

	if (r->p >= r->end || r->bad)
		return 0;
	tag = rd_varint(r);
	*v = 0;
	*sub = (struct rd){0};
	*field = (uint32_t)(tag >> 3);
	if ((tag & 7) == PB_VARINT) {
		*v = rd_varint(r);
	} else if ((tag & 7) == PB_LEN) {
		uint64_t n = rd_varint(r);

		if (n > (uint64_t)(r->end - r->p)) {
			r->bad = 1;
			return 0;
		}
		*sub = (struct rd){r->p, r->p + n, 0};
		r->p += n;
	} else {
		r->bad = 1;
		return 0;
	}
	return !r->bad;
}

/* A decoded profile: just what the checks look at. */
#define MAXN 64
struct dec {
	/* the messages of fields 1 .. 5: sample types, samples, mappings, locations, functions */
	struct rd msgs[6][MAXN];
	int n[6];
	char *strs[MAXN];
	int nstrs;
	uint64_t ints[16]; /* the varint fields: time (9), duration (10), period (12), ... */
	struct rd period_type;
	int bad;
};
enum { TYPES = 1, SAMPLES, MAPS, LOCS, FUNCS };

static void decode(const struct pbuf *b, struct dec *d)
{
	struct rd r = {b->p, b->p + b->len, 0}, sub;
	uint32_t f;
	uint64_t v;

	memset(d, 0, sizeof(*d));
	while (rd_field(&r, &f, &v, &sub)) {
		if (f >= 1 && f <= 5 && sub.p)
			d->msgs[f][d->n[f]++ % MAXN] = sub;
		else if (f == 6 && sub.p && d->nstrs < MAXN) /* the first MAXN are enough */
			d->strs[d->nstrs++] = strndup((const char *)sub.p, sub.end - sub.p);
		else if (f == 6 && sub.p)
			d->nstrs++;
		else if (f == 11 && sub.p)
			d->period_type = sub;
		else if (f < 16 && !sub.p)
			d->ints[f] = v;
		else
			d->bad = 1;
	}
	d->bad |= r.bad || r.p != r.end;
}

static void dec_free(struct dec *d)
{
	for (int i = 0; i < d->nstrs && i < MAXN; i++)
		free(d->strs[i]);
}

static const char *dstr(const struct dec *d, uint64_t id)
{
	return id < (uint64_t)d->nstrs && id < MAXN ? d->strs[id] : "(bad string id)";
}

/* Field f (a varint) of message m, or 0. */
static uint64_t msg_uint(struct rd m, uint32_t want)
{
	uint32_t f;
	uint64_t v, got = 0;
	struct rd sub;

	while (rd_field(&m, &f, &v, &sub))
		if (f == want)
			got = v;
	return got;
}

/* The message whose field 1 (id) is id, among n. */
static struct rd *by_id(struct rd *ms, int n, uint64_t id)
{
	for (int i = 0; i < n && i < MAXN; i++)
		if (msg_uint(ms[i], 1) == id)
			return &ms[i];
	return NULL;
}

/* "name file:line" of each line of location id, innermost first, joined by " | ". */
static void loc_text(struct dec *d, uint64_t id, char *out, size_t cap)
{
	struct rd *loc = by_id(d->msgs[LOCS], d->n[LOCS], id), m, ln;
	uint32_t f;
	uint64_t v;
	size_t n = 0;

	out[0] = 0;
	if (!loc)
		return;
	m = *loc;
	while (rd_field(&m, &f, &v, &ln)) {
		struct rd *fn;

		if (f != 4)
			continue;
		fn = by_id(d->msgs[FUNCS], d->n[FUNCS], msg_uint(ln, 1));
		if (!fn)
			return;
		n += snprintf(out + n, n < cap ? cap - n : 0, "%s%s %s:%llu", n ? " | " : "",
			      dstr(d, msg_uint(*fn, 2)), dstr(d, msg_uint(*fn, 4)),
			      (unsigned long long)msg_uint(ln, 2));
	}
}

/* Sample i as "v1,v2 [loc; loc; ...] key=value ...", locations leaf first. */
static void sample_text(struct dec *d, int i, char *out, size_t cap)
{
	struct rd m = d->msgs[SAMPLES][i], sub;
	uint32_t f;
	uint64_t v;
	char vals[64] = "", locs[1024] = "", labels[256] = "", one[512];
	size_t nv = 0, nl = 0, nb = 0;

	while (rd_field(&m, &f, &v, &sub)) {
		if (f == 2) {
			while (sub.p < sub.end)
				nv += snprintf(vals + nv, sizeof(vals) - nv, "%s%lld",
					       nv ? "," : "", (long long)rd_varint(&sub));
		} else if (f == 1) {
			while (sub.p < sub.end) {
				loc_text(d, rd_varint(&sub), one, sizeof(one));
				nl += snprintf(locs + nl, sizeof(locs) - nl, "%s%s", nl ? "; " : "",
					       one);
			}
		} else if (f == 3) {
			uint64_t s = msg_uint(sub, 2);

			nb += snprintf(labels + nb, sizeof(labels) - nb,
				       " %s=", dstr(d, msg_uint(sub, 1)));
			if (s)
				nb += snprintf(labels + nb, sizeof(labels) - nb, "%s", dstr(d, s));
			else
				nb += snprintf(labels + nb, sizeof(labels) - nb, "%llu",
					       (unsigned long long)msg_uint(sub, 3));
		}
	}
	snprintf(out, cap, "%s [%s]%s", vals, locs, labels);
}

/* ---- the sample profile, also what the e2e test reads with go tool pprof ---- */

static const struct stack_value_type cpu_types[] = {
	{"samples", "count"},
	{"cpu", "nanoseconds"},
};

#define GO    "/usr/bin/goprof"
#define KSYMS "[kernel.kallsyms]"

static int sample_profile(struct stack_profile *p)
{
	/* main.mix inlined into main.hotLoop: one location, two lines */
	const struct stack_frame go[] = {
		{"main.mix", "/src/goprof/main.go", 12, GO, 0x401010, false, true},
		{"main.hotLoop", "/src/goprof/main.go", 20, GO, 0x401010, false, false},
		{"main.main", "/src/goprof/main.go", 31, GO, 0x402020, false, false},
		{"runtime.main", "/usr/local/go/src/runtime/proc.go", 283, GO, 0x403030, false,
		 false},
	};
	const struct stack_frame c[] = {
		{"asm_sysvec_apic_timer_interrupt", NULL, 0, KSYMS, 0xffffffff81a00010ull, true,
		 false},
		{"hot_loop", "/src/cprof.c", 10, "/opt/cprof", 0x1110, false, false},
		{"main", "/src/cprof.c", 40, "/opt/cprof", 0x1220, false, false},
	};
	const struct stack_who who_go = {.pid = 100, .comm = "goprof"};
	const struct stack_who who_c = {.pid = 200, .tid = 201, .comm = "cprof", .extra = "waker1"};
	const struct stack_who who_miss = {
		.pid = 300, .comm = "lost", .kernel_missing = true, .user_missing = true};
	const int64_t v_go[] = {3, 30303030}, v_go2[] = {1, 10101010}, v_c[] = {2, 20202020},
		      v_miss[] = {1, 10101010};
	int err;

	err = stack_profile__init(p, cpu_types, 2);
	if (err)
		return err;
	p->period_type = cpu_types[1];
	p->period = 10101010;
	p->time_ns = 1700000000123456789ull;
	p->duration_ns = 5000000000ull;
	if ((err = stack_profile__add_frames(p, &who_go, go, 4, v_go)) ||
	    /* the same stack without main.mix's line: main.hotLoop alone at another address */
	    (err = stack_profile__add_frames(p, &who_go,
					     (const struct stack_frame[]){
						     {"main.hotLoop", "/src/goprof/main.go", 21, GO,
						      0x401020, false, false},
						     go[2],
						     go[3],
					     },
					     3, v_go2)) ||
	    (err = stack_profile__add_frames(p, &who_c, c, 3, v_c)) ||
	    (err = stack_profile__add_frames(p, &who_miss, NULL, 0, v_miss)))
		stack_profile__exit(p);
	return err;
}

static void test_profile(void)
{
	struct stack_profile p;
	struct pbuf b = {0};
	struct dec d;
	char s[2048];

	if (sample_profile(&p)) {
		CHECK(!"sample profile");
		return;
	}
	CHECK(pprof_encode(&p, &b) == 0);
	decode(&b, &d);
	CHECK(!d.bad);
	CHECK(d.nstrs > 0 && d.strs[0] && !d.strs[0][0]);
	CHECK(d.n[TYPES] == 2);
	CHECK_STR(dstr(&d, msg_uint(d.msgs[TYPES][0], 1)), "samples");
	CHECK_STR(dstr(&d, msg_uint(d.msgs[TYPES][0], 2)), "count");
	CHECK_STR(dstr(&d, msg_uint(d.msgs[TYPES][1], 1)), "cpu");
	CHECK_STR(dstr(&d, msg_uint(d.msgs[TYPES][1], 2)), "nanoseconds");
	CHECK_STR(dstr(&d, d.ints[14]), "cpu");
	CHECK_STR(dstr(&d, msg_uint(d.period_type, 1)), "cpu");
	CHECK(d.ints[12] == 10101010);
	CHECK(d.ints[9] == 1700000000123456789ull && d.ints[10] == 5000000000ull);
	/* 7 functions of p's lines + the two missed stacks' */
	CHECK(d.n[FUNCS] == 7 + 2);
	CHECK(d.n[LOCS] == 7 + 2);
	CHECK(d.n[MAPS] == 3);
	CHECK(d.n[SAMPLES] == 4);
	sample_text(&d, 0, s, sizeof(s));
	CHECK_STR(s, "3,30303030 [main.mix /src/goprof/main.go:12 | main.hotLoop "
		     "/src/goprof/main.go:20; main.main /src/goprof/main.go:31; runtime.main "
		     "/usr/local/go/src/runtime/proc.go:283] comm=goprof pid=100");
	sample_text(&d, 1, s, sizeof(s));
	CHECK_STR(s, "1,10101010 [main.hotLoop /src/goprof/main.go:21; main.main "
		     "/src/goprof/main.go:31; runtime.main /usr/local/go/src/runtime/proc.go:283] "
		     "comm=goprof pid=100");
	sample_text(&d, 2, s, sizeof(s));
	CHECK_STR(s, "2,20202020 [asm_sysvec_apic_timer_interrupt :0; hot_loop /src/cprof.c:10; "
		     "main /src/cprof.c:40] comm=cprof pid=200 tid=201 extra=waker1");
	sample_text(&d, 3, s, sizeof(s));
	CHECK_STR(s, "1,10101010 [[Missed Kernel Stack] :0; [Missed User Stack] :0] comm=lost "
		     "pid=300");
	/* mappings: symbolized (has_functions), the kernel's without files or lines */
	for (int i = 0; i < d.n[MAPS]; i++) {
		const char *file = dstr(&d, msg_uint(d.msgs[MAPS][i], 5));

		CHECK(msg_uint(d.msgs[MAPS][i], 7) == 1);
		CHECK(msg_uint(d.msgs[MAPS][i], 8) == (uint64_t)(strcmp(file, KSYMS) != 0));
		CHECK(msg_uint(d.msgs[MAPS][i], 10) == (uint64_t)!strcmp(file, GO));
	}
	dec_free(&d);
	pb_free(&b);
	stack_profile__exit(&p);
}

/* An empty profile is still a valid one: its types and strings. */
static void test_empty(void)
{
	struct stack_profile p;
	struct pbuf b = {0};
	struct dec d;

	CHECK(stack_profile__init(&p, cpu_types, 1) == 0);
	CHECK(pprof_encode(&p, &b) == 0);
	decode(&b, &d);
	CHECK(!d.bad && d.n[TYPES] == 1 && d.n[SAMPLES] == 0 && d.n[LOCS] == 0 && d.n[MAPS] == 0);
	CHECK(d.nstrs > 0 && !d.strs[0][0]);
	dec_free(&d);
	pb_free(&b);
	stack_profile__exit(&p);
}

/* The gunzipped content of path (one gzip member, the whole file) into out: 0 or -1. */
static int gunzip_file(const char *path, struct pbuf *out)
{
	struct pbuf in = {0};
	z_stream z = {0};
	int fd = open(path, O_RDONLY), r = Z_DATA_ERROR;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (pb_reserve(&in, 1 << 16) && (n = read(fd, in.p + in.len, in.cap - in.len)) > 0)
		in.len += (size_t)n;
	close(fd);
	if (in.len < 18 || in.p[0] != 0x1f || in.p[1] != 0x8b || inflateInit2(&z, 15 + 16) != Z_OK)
		goto out;
	z.next_in = in.p;
	z.avail_in = (uInt)in.len;
	do {
		if (!pb_reserve(out, 1 << 16))
			break;
		z.next_out = out->p + out->len;
		z.avail_out = (uInt)(out->cap - out->len);
		r = inflate(&z, Z_NO_FLUSH);
		out->len = (size_t)(z.next_out - out->p);
	} while (r == Z_OK);
	/* all of it: one member, nothing after its trailer */
	if (z.avail_in)
		r = Z_DATA_ERROR;
	inflateEnd(&z);
out:
	pb_free(&in);
	return r == Z_STREAM_END ? 0 : -1;
}

/* A new empty file, its name in path: its fd, or -1. */
static int tmp_file(char path[32])
{
	int fd;

	strcpy(path, "/tmp/tk_test_pprof_XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	return fd;
}

/* path gunzips to want's bytes, exactly; then it goes, and want with it. */
static void check_gunzips_to(const char *path, struct pbuf *want)
{
	struct pbuf got = {0};

	CHECK(gunzip_file(path, &got) == 0);
	CHECK(got.len == want->len && !memcmp(got.p, want->p, want->len));
	unlink(path);
	pb_free(want);
	pb_free(&got);
}

/* What pprof_write() put in a file is the gzip of pprof_encode()'s bytes. */
static void check_written(const struct stack_profile *p)
{
	struct pbuf want = {0};
	char path[32];
	int fd = tmp_file(path);

	if (fd < 0)
		return;
	close(fd);
	CHECK(pprof_encode(p, &want) == 0);
	CHECK(pprof_write(p, path) == 0);
	check_gunzips_to(path, &want);
}

static void test_gzip_file(void)
{
	struct stack_profile p;

	if (sample_profile(&p)) {
		CHECK(!"sample profile");
		return;
	}
	check_written(&p);
	/* a path that cannot be made: the error, no crash */
	CHECK(pprof_write(&p, "/nonexistent-dir/x.pb.gz") == -ENOENT);
	/* a device: written, and still there */
	CHECK(pprof_write(&p, "/dev/null") == 0);
	CHECK(access("/dev/null", F_OK) == 0);
	stack_profile__exit(&p);
}

/* Enough samples for several pieces, made and deflated on several threads: still one file. */
static void test_big_profile(void)
{
	enum { N = 30000, DEPTH = 12 };
	static char names[64][16];
	struct stack_frame f[DEPTH];
	struct stack_profile p;
	struct pbuf b = {0};
	struct dec d;

	CHECK(stack_profile__init(&p, cpu_types, 2) == 0);
	for (int i = 0; i < 64; i++)
		snprintf(names[i], sizeof(names[i]), "fn%d", i);
	for (uint32_t i = 0; i < N; i++) {
		const struct stack_who who = {.pid = i % 5 + 1, .comm = "big"};
		const int64_t v[] = {1, 10101010};

		/* distinct stacks: the frames spell i in base 64 */
		for (uint32_t k = 0; k < DEPTH; k++) {
			uint32_t fn = k < 3 ? (i >> (6 * k)) & 63 : (k * 7) & 63;

			f[k] = (struct stack_frame){names[fn],	"/src/big.c",	      k + 1,
						    "/bin/big", 0x1000 + fn * 16 + k, false,
						    false};
		}
		if (stack_profile__add_frames(&p, &who, f, DEPTH, v)) {
			CHECK(!"add_frames");
			break;
		}
	}
	CHECK(p.nsamples == N);
	check_written(&p);
	if (getenv("TK_PPROF_BIG_OUT"))
		CHECK(pprof_write(&p, getenv("TK_PPROF_BIG_OUT")) == 0);
	CHECK(pprof_encode(&p, &b) == 0);
	decode(&b, &d);
	CHECK(!d.bad && d.n[SAMPLES] == N);
	dec_free(&d);
	pb_free(&b);
	stack_profile__exit(&p);
}

/* gzip.c alone: pieces, an empty one among them, joined in order; a piece's error. */
static int make_text(void *ctx, size_t i, struct pbuf *out)
{
	char line[32];

	if (ctx && i == 3)
		return -EMSGSIZE;
	for (size_t k = 0; i != 2 && k < 1000 * (i + 1); k++) {
		int n = snprintf(line, sizeof(line), "piece %zu line %zu\n", i, k);

		if (!pb_reserve(out, (size_t)n))
			return -ENOMEM;
		memcpy(out->p + out->len, line, (size_t)n);
		out->len += (size_t)n;
	}
	return 0;
}

static void test_gzip_pieces(void)
{
	struct pbuf want = {0};
	char path[32];
	int fd = tmp_file(path);

	if (fd < 0)
		return;
	for (size_t i = 0; i < 6; i++)
		CHECK(make_text(NULL, i, &want) == 0);
	CHECK(gzip_pieces(fd, 6, make_text, NULL, 3) == 0);
	/* an error: returned, nothing written */
	CHECK(gzip_pieces(fd, 6, make_text, "fail", 2) == -EMSGSIZE);
	close(fd);
	check_gunzips_to(path, &want);
}

/* TK_PPROF_OUT=FILE: the sample profile for tests/e2e/test_pprof.py. */
static void write_for_e2e(void)
{
	const char *path = getenv("TK_PPROF_OUT");
	struct stack_profile p;

	if (!path)
		return;
	CHECK(sample_profile(&p) == 0);
	CHECK(pprof_write(&p, path) == 0);
	stack_profile__exit(&p);
}

UNIT_MAIN(test_varint, test_fields, test_long_bodies, test_profile, test_empty, test_gzip_file,
	  test_big_profile, test_gzip_pieces, write_for_e2e)
