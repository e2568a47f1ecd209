// SPDX-License-Identifier: GPL-2.0
/*
 * pprof's profile.proto from a stack profile: see pprof.h. The field numbers are
 * google/pprof's (proto/profile.proto); the encoding is one pass into a growable buffer
 * (pbwire.c), then gzip through zlib.
 *
 * Ids: a location's is its index in p->locs plus one; functions and mappings are numbered in
 * order of first use. The string table is p->strs as it is (its id 0 is already ""), then the
 * few strings only pprof needs (value types, label keys), so no string id is translated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/hash.h"
#include "core/pprof.h"

/*
 * profile.proto's field numbers. Its small messages (ValueType, Label, Line, Function,
 * Mapping) are varints in fields 1 .. n, written with pb_msg_uints() in field order.
 */
enum {
	PROFILE_SAMPLE_TYPE = 1,
	PROFILE_SAMPLE = 2,
	PROFILE_MAPPING = 3,
	PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5,
	PROFILE_STRING_TABLE = 6,
	PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10,
	PROFILE_PERIOD_TYPE = 11,
	PROFILE_PERIOD = 12,
	PROFILE_DEFAULT_SAMPLE_TYPE = 14,
	SAMPLE_LOCATION_ID = 1,
	SAMPLE_VALUE = 2,
	SAMPLE_LABEL = 3,
	LOCATION_ID = 1,
	LOCATION_MAPPING_ID = 2,
	LOCATION_ADDRESS = 3,
	LOCATION_LINE = 4,
};

#define KERNEL_MODULE  "[kernel.kallsyms]"
#define MISSED_KERNEL  "[Missed Kernel Stack]"
#define MISSED_USER    "[Missed User Stack]"
#define MAX_EXTRA_STRS 32

struct mapping {
	uint32_t file; /* string id */
	bool files, lines, inlines;
};

struct writer {
	const struct stack_profile *p;
	struct pbuf *b;
	/* strings after p->strs in the string table: ids p->nstrs + i */
	const char *xstrs[MAX_EXTRA_STRS];
	unsigned int nx;
	uint32_t *line_func; /* p->lines[i]'s function id */
	uint32_t nfuncs;
	uint32_t *mod_map;    /* module string id -> mapping id, 0: none */
	struct mapping *maps; /* mapping id - 1 */
	uint32_t nmaps;
	uint32_t kernel_mod; /* string id of KERNEL_MODULE */
};

/*
 * The id of one of pprof's own strings: p's if p has it, else one added after p's. A
 * handful per profile, so a scan is cheaper than an index.
 */
static uint32_t str_id(struct writer *w, const char *s)
{
	const struct stack_profile *p = w->p;

	if (!*s)
		return 0;
	for (size_t i = 1; i < p->nstrs; i++)
		if (!strcmp(p->strs[i], s))
			return (uint32_t)i;
	for (unsigned int i = 0; i < w->nx; i++)
		if (!strcmp(w->xstrs[i], s))
			return (uint32_t)(p->nstrs + i);
	/* callers pass a fixed few strings, which MAX_EXTRA_STRS covers */
	if (w->nx == MAX_EXTRA_STRS)
		return 0;
	w->xstrs[w->nx] = s;
	return (uint32_t)(p->nstrs + w->nx++);
}

static void value_type(struct writer *w, uint32_t field, const struct stack_value_type *t)
{
	/* ValueType{type = 1, unit = 2} */
	const uint64_t v[] = {str_id(w, t->type ? t->type : ""), str_id(w, t->unit ? t->unit : "")};

	pb_msg_uints(w->b, field, v, 2);
}

static void function(struct writer *w, uint32_t id, uint32_t name, uint32_t file)
{
	/* Function{id = 1, name = 2, system_name = 3, filename = 4} */
	const uint64_t v[] = {id, name, name, file};

	pb_msg_uints(w->b, PROFILE_FUNCTION, v, 4);
}

/* One function per distinct (name, file) of p's lines, numbered in order of first use. */
static int functions(struct writer *w)
{
	const struct stack_profile *p = w->p;
	size_t cap = 16, mask;
	uint64_t *keys;
	uint32_t *ids;

	while (cap < 2 * p->nlines)
		cap *= 2;
	mask = cap - 1;
	keys = malloc(cap * sizeof(*keys));
	ids = calloc(cap, sizeof(*ids));
	w->line_func = malloc((p->nlines ? p->nlines : 1) * sizeof(*w->line_func));
	if (!keys || !ids || !w->line_func) {
		free(keys);
		free(ids);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->nlines; i++) {
		const struct stack_line *l = &p->lines[i];
		uint64_t key = (uint64_t)l->func << 32 | l->file;
		size_t j = hash_fnv(HASH_FNV_SEED, &key, sizeof(key)) & mask;

		while (ids[j] && keys[j] != key)
			j = (j + 1) & mask;
		if (!ids[j]) {
			keys[j] = key;
			ids[j] = ++w->nfuncs;
			function(w, ids[j], l->func, l->file);
		}
		w->line_func[i] = ids[j];
	}
	free(keys);
	free(ids);
	return 0;
}

/* The mapping id of location l, made on its first use; 0: no module known. */
static uint32_t mapping_of(struct writer *w, const struct stack_loc *l)
{
	uint32_t mod = l->module ? l->module : l->kernel ? w->kernel_mod : 0;

	if (!mod)
		return 0;
	if (!w->mod_map[mod]) {
		w->maps[w->nmaps] = (struct mapping){.file = mod};
		w->mod_map[mod] = ++w->nmaps;
	}
	return w->mod_map[mod];
}

static void locations(struct writer *w)
{
	const struct stack_profile *p = w->p;

	for (size_t i = 0; i < p->nlocs; i++) {
		const struct stack_loc *l = &p->locs[i];
		uint32_t map = mapping_of(w, l);
		size_t m = pb_open(w->b, PROFILE_LOCATION);

		pb_uint(w->b, LOCATION_ID, i + 1);
		pb_uint(w->b, LOCATION_MAPPING_ID, map);
		pb_uint(w->b, LOCATION_ADDRESS, l->addr);
		for (uint32_t j = 0; j < l->nlines; j++) {
			const struct stack_line *ln = &p->lines[l->line0 + j];
			/* Line{function_id = 1, line = 2} */
			const uint64_t v[] = {w->line_func[l->line0 + j], ln->line};

			pb_msg_uints(w->b, LOCATION_LINE, v, 2);
			if (map) {
				w->maps[map - 1].files |= ln->file != 0;
				w->maps[map - 1].lines |= ln->line != 0;
			}
		}
		if (map)
			w->maps[map - 1].inlines |= l->nlines > 1;
		pb_close(w->b, m);
	}
}

static void mappings(struct writer *w)
{
	for (uint32_t i = 0; i < w->nmaps; i++) {
		const struct mapping *mp = &w->maps[i];
		/*
		 * Mapping{id = 1, memory_start, memory_limit, file_offset, filename = 5, build_id,
		 * has_functions = 7, has_filenames, has_line_numbers, has_inline_frames = 10}.
		 * The address range is unknown (0): pprof needs it only to symbolize, and
		 * has_functions tells it the frames are symbolized already, so it must not look
		 * the addresses up in local files.
		 */
		const uint64_t v[] = {i + 1, 0, 0,	   0,	      mp->file,
				      0,     1, mp->files, mp->lines, mp->inlines};

		pb_msg_uints(w->b, PROFILE_MAPPING, v, 10);
	}
}

static void label(struct writer *w, uint32_t key, uint32_t str, uint64_t num)
{
	/* Label{key = 1, str = 2, num = 3}: a label without str is a number */
	const uint64_t v[] = {key, str, num};

	pb_msg_uints(w->b, SAMPLE_LABEL, v, 3);
}

/*
 * The pseudo-location of a missed stack, made on first use: location and function ids past
 * p's own, name as bcc prints it. Its id.
 */
static uint32_t missed_loc(struct writer *w, const char *name, uint32_t *loc_id, uint32_t *next_loc)
{
	if (!*loc_id) {
		const uint64_t line[] = {++w->nfuncs};
		size_t m;

		function(w, (uint32_t)line[0], str_id(w, name), 0);
		*loc_id = (*next_loc)++;
		m = pb_open(w->b, PROFILE_LOCATION);
		pb_uint(w->b, LOCATION_ID, *loc_id);
		pb_msg_uints(w->b, LOCATION_LINE, line, 1);
		pb_close(w->b, m);
	}
	return *loc_id;
}

static void samples(struct writer *w)
{
	const struct stack_profile *p = w->p;
	uint32_t k_comm = str_id(w, "comm"), k_pid = str_id(w, "pid"), k_tid = str_id(w, "tid");
	uint32_t k_extra = str_id(w, "extra");
	uint32_t next_loc = (uint32_t)p->nlocs + 1, missed_k = 0, missed_u = 0;

	for (size_t i = 0; i < p->nsamples; i++) {
		const struct stack_sample *s = &p->samples[i];
		const uint32_t *ids = &p->loc_ids[s->loc0];
		uint32_t mk = 0, mu = 0;
		size_t m, list;

		/* before the sample's own message: they are messages of the profile */
		if (s->kernel_missing)
			mk = missed_loc(w, MISSED_KERNEL, &missed_k, &next_loc);
		if (s->user_missing)
			mu = missed_loc(w, MISSED_USER, &missed_u, &next_loc);
		m = pb_open(w->b, PROFILE_SAMPLE);
		/* leaf first: the kernel's frames, then the user's, each or its miss */
		list = pb_open(w->b, SAMPLE_LOCATION_ID);
		if (mk)
			pb_varint(w->b, mk);
		for (uint32_t j = 0; j < s->nlocs; j++) {
			if (j == s->nkernel && mu)
				pb_varint(w->b, mu);
			pb_varint(w->b, ids[j] + 1);
		}
		if (s->nkernel == s->nlocs && mu)
			pb_varint(w->b, mu);
		pb_close(w->b, list);
		list = pb_open(w->b, SAMPLE_VALUE);
		for (unsigned int j = 0; j < p->ntypes; j++)
			pb_varint(w->b, (uint64_t)p->values[s->val0 + j]);
		pb_close(w->b, list);
		if (s->comm)
			label(w, k_comm, s->comm, 0);
		label(w, k_pid, 0, s->pid);
		if (s->tid)
			label(w, k_tid, 0, s->tid);
		if (s->extra)
			label(w, k_extra, s->extra, 0);
		pb_close(w->b, m);
	}
}

int pprof_encode(const struct stack_profile *p, struct pbuf *out)
{
	struct writer w = {.p = p, .b = out};
	const struct stack_value_type *last = &p->types[p->ntypes ? p->ntypes - 1 : 0];
	int err;

	w.kernel_mod = str_id(&w, KERNEL_MODULE);
	/* indexed by string id, p's own or ours (the kernel's module may be ours) */
	w.mod_map = calloc(p->nstrs + MAX_EXTRA_STRS, sizeof(*w.mod_map));
	w.maps = malloc((p->nlocs ? p->nlocs : 1) * sizeof(*w.maps));
	if (!w.mod_map || !w.maps) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < p->ntypes; i++)
		value_type(&w, PROFILE_SAMPLE_TYPE, &p->types[i]);
	err = functions(&w);
	if (err)
		goto out;
	locations(&w);
	mappings(&w);
	samples(&w);
	pb_uint(out, PROFILE_TIME_NANOS, p->time_ns);
	pb_uint(out, PROFILE_DURATION_NANOS, p->duration_ns);
	if (p->period_type.type)
		value_type(&w, PROFILE_PERIOD_TYPE, &p->period_type);
	pb_uint(out, PROFILE_PERIOD, (uint64_t)p->period);
	pb_uint(out, PROFILE_DEFAULT_SAMPLE_TYPE, str_id(&w, last->type ? last->type : ""));
	/* last: every string pprof needs is known by now */
	for (size_t i = 0; i < p->nstrs; i++)
		pb_bytes(out, PROFILE_STRING_TABLE, p->strs[i], strlen(p->strs[i]));
	for (unsigned int i = 0; i < w.nx; i++)
		pb_bytes(out, PROFILE_STRING_TABLE, w.xstrs[i], strlen(w.xstrs[i]));
	err = out->oom ? -ENOMEM : 0;
out:
	free(w.line_func);
	free(w.mod_map);
	free(w.maps);
	return err;
}

static int write_all(int fd, const uint8_t *buf, size_t n)
{
	while (n) {
		ssize_t r = write(fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

/* gzip (RFC 1952) of data to fd, at zlib's fastest level: as Go's runtime/pprof writes. */
static int gzip_write(int fd, const uint8_t *data, size_t n)
{
	enum { CHUNK = 1 << 16 };
	uint8_t *out = malloc(CHUNK);
	z_stream z = {0};
	int err = 0, zr;

	if (!out ||
	    deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)data;
	do {
		/* avail_in is 32-bit: feed a huge buffer in slices */
		if (!z.avail_in && n) {
			z.avail_in = n > (1u << 30) ? 1u << 30 : (uInt)n;
			n -= z.avail_in;
		}
		z.next_out = out;
		z.avail_out = CHUNK;
		zr = deflate(&z, n || z.avail_in ? Z_NO_FLUSH : Z_FINISH);
		if (zr == Z_STREAM_ERROR) {
			err = -EIO;
			break;
		}
		err = write_all(fd, out, CHUNK - z.avail_out);
	} while (!err && zr != Z_STREAM_END);
	deflateEnd(&z);
	free(out);
	return err;
}

int pprof_write_fd(const struct stack_profile *p, int fd)
{
	struct pbuf b = {0};
	int err = pprof_encode(p, &b);

	if (!err)
		err = gzip_write(fd, b.p, b.len);
	pb_free(&b);
	return err;
}

int pprof_write(const struct stack_profile *p, const char *path)
{
	int fd, err;

	if (!strcmp(path, "-"))
		return pprof_write_fd(p, STDOUT_FILENO);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	err = pprof_write_fd(p, fd);
	if (close(fd) && !err)
		err = -errno;
	if (err)
		unlink(path);
	return err;
}
