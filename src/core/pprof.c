// SPDX-License-Identifier: GPL-2.0
/*
 * pprof's profile.proto from a stack profile: see pprof.h. The field numbers are
 * google/pprof's (proto/profile.proto); the encoding is by hand (pbwire.c).
 *
 * A Profile is a list of fields in any order, so it is made in pieces that need nothing from
 * each other: the head (types, functions, locations, mappings), the samples in ranges, the
 * tail (the string table and the scalars). gzip.c makes and deflates them on all CPUs at
 * once: 100,000 samples are ~9 MB of protobuf, whose deflation alone takes longer than the
 * 200 ms a write may take on one CPU of this machine. Everything the pieces share is decided
 * before, in struct plan, and read-only after.
 *
 * Ids: a location's is its index in p->locs plus one; functions and mappings are numbered in
 * order of first use. The string table is p->strs as it is (its id 0 is already ""), then the
 * few strings only pprof needs (value types, label keys), so no string id is translated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/gzip.h"
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
#define PIECE_SAMPLES  8192 /* samples per piece: ~0.8 MB of protobuf */
#define MAX_THREADS    8

/* What every piece reads: string ids and the pseudo-locations of missed stacks. */
struct plan {
	const struct stack_profile *p;
	/* strings after p->strs in the string table: ids p->nstrs + i */
	const char *xstrs[MAX_EXTRA_STRS];
	unsigned int nx;
	uint32_t types[STACK_MAX_TYPES][2], period_type[2], default_type;
	uint32_t kernel_mod; /* string id of KERNEL_MODULE */
	uint32_t k_comm, k_pid, k_tid, k_extra;
	/* location ids past p's own, 0 when no sample needs them, and their names' ids */
	uint32_t missed_kernel, missed_user, missed_kernel_name, missed_user_name;
	size_t nranges; /* pieces of samples */
};

/*
 * The id of one of pprof's own strings: p's if p has it, else one added after p's. A
 * handful per profile, so a scan is cheaper than an index.
 */
static uint32_t str_id(struct plan *pl, const char *s)
{
	const struct stack_profile *p = pl->p;

	if (!s || !*s)
		return 0;
	for (size_t i = 1; i < p->nstrs; i++)
		if (!strcmp(p->strs[i], s))
			return (uint32_t)i;
	for (unsigned int i = 0; i < pl->nx; i++)
		if (!strcmp(pl->xstrs[i], s))
			return (uint32_t)(p->nstrs + i);
	/* callers pass a fixed few strings, which MAX_EXTRA_STRS covers */
	if (pl->nx == MAX_EXTRA_STRS)
		return 0;
	pl->xstrs[pl->nx] = s;
	return (uint32_t)(p->nstrs + pl->nx++);
}

static void plan_init(struct plan *pl, const struct stack_profile *p)
{
	const struct stack_value_type *last = &p->types[p->ntypes ? p->ntypes - 1 : 0];
	uint32_t next_loc = (uint32_t)p->nlocs + 1;

	*pl = (struct plan){.p = p};
	for (unsigned int i = 0; i < p->ntypes; i++) {
		pl->types[i][0] = str_id(pl, p->types[i].type);
		pl->types[i][1] = str_id(pl, p->types[i].unit);
	}
	pl->period_type[0] = str_id(pl, p->period_type.type);
	pl->period_type[1] = str_id(pl, p->period_type.unit);
	/* pprof's convention made explicit: the last type is the one shown */
	pl->default_type = str_id(pl, last->type);
	pl->k_comm = str_id(pl, "comm");
	pl->k_pid = str_id(pl, "pid");
	pl->k_tid = str_id(pl, "tid");
	pl->k_extra = str_id(pl, p->extra_label ? p->extra_label : "extra");
	for (size_t i = 0; i < p->nsamples; i++) {
		if (p->samples[i].kernel_missing && !pl->missed_kernel) {
			pl->missed_kernel = next_loc++;
			pl->missed_kernel_name = str_id(pl, MISSED_KERNEL);
		}
		if (p->samples[i].user_missing && !pl->missed_user) {
			pl->missed_user = next_loc++;
			pl->missed_user_name = str_id(pl, MISSED_USER);
		}
	}
	for (size_t i = 0; i < p->nlocs && !pl->kernel_mod; i++)
		if (p->locs[i].kernel && !p->locs[i].module)
			pl->kernel_mod = str_id(pl, KERNEL_MODULE);
	pl->nranges = p->nsamples ? (p->nsamples + PIECE_SAMPLES - 1) / PIECE_SAMPLES : 1;
}

static void value_type(struct pbuf *b, uint32_t field, const uint32_t ids[2])
{
	/* ValueType{type = 1, unit = 2} */
	const uint64_t v[] = {ids[0], ids[1]};

	pb_msg_uints(b, field, v, 2);
}

static void function(struct pbuf *b, uint32_t id, uint32_t name, uint32_t file)
{
	/* Function{id = 1, name = 2, system_name = 3, filename = 4} */
	const uint64_t v[] = {id, name, name, file};

	pb_msg_uints(b, PROFILE_FUNCTION, v, 4);
}

struct mapping {
	uint32_t file; /* string id */
	bool files, lines, inlines;
};

/* The head piece's own state. */
struct head {
	const struct plan *pl;
	struct pbuf *b;
	uint32_t *line_func; /* p->lines[i]'s function id */
	uint32_t nfuncs;
	uint32_t *mod_map;    /* module string id -> mapping id, 0: none */
	struct mapping *maps; /* mapping id - 1 */
	uint32_t nmaps;
};

/* One function per distinct (name, file) of p's lines, numbered in order of first use. */
static int functions(struct head *h)
{
	const struct stack_profile *p = h->pl->p;
	size_t cap = 16, mask;
	uint64_t *keys;
	uint32_t *ids;

	while (cap < 2 * p->nlines)
		cap *= 2;
	mask = cap - 1;
	keys = malloc(cap * sizeof(*keys));
	ids = calloc(cap, sizeof(*ids));
	h->line_func = malloc((p->nlines ? p->nlines : 1) * sizeof(*h->line_func));
	if (!keys || !ids || !h->line_func) {
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
			ids[j] = ++h->nfuncs;
			function(h->b, ids[j], l->func, l->file);
		}
		h->line_func[i] = ids[j];
	}
	free(keys);
	free(ids);
	return 0;
}

/* The mapping id of location l, made on its first use; 0: no module known. */
static uint32_t mapping_of(struct head *h, const struct stack_loc *l)
{
	uint32_t mod = l->module ? l->module : l->kernel ? h->pl->kernel_mod : 0;

	if (!mod)
		return 0;
	if (!h->mod_map[mod]) {
		h->maps[h->nmaps] = (struct mapping){.file = mod};
		h->mod_map[mod] = ++h->nmaps;
	}
	return h->mod_map[mod];
}

static void locations(struct head *h)
{
	const struct stack_profile *p = h->pl->p;

	for (size_t i = 0; i < p->nlocs; i++) {
		const struct stack_loc *l = &p->locs[i];
		uint32_t map = mapping_of(h, l);
		size_t m = pb_open(h->b, PROFILE_LOCATION);

		pb_uint(h->b, LOCATION_ID, i + 1);
		pb_uint(h->b, LOCATION_MAPPING_ID, map);
		pb_uint(h->b, LOCATION_ADDRESS, l->addr);
		for (uint32_t j = 0; j < l->nlines; j++) {
			const struct stack_line *ln = &p->lines[l->line0 + j];
			/* Line{function_id = 1, line = 2} */
			const uint64_t v[] = {h->line_func[l->line0 + j], ln->line};

			pb_msg_uints(h->b, LOCATION_LINE, v, 2);
			if (map) {
				h->maps[map - 1].files |= ln->file != 0;
				h->maps[map - 1].lines |= ln->line != 0;
			}
		}
		if (map)
			h->maps[map - 1].inlines |= l->nlines > 1;
		pb_close(h->b, m);
	}
}

/* The pseudo-location loc_id of a missed stack, with a function named as bcc prints it. */
static void missed_loc(struct head *h, uint32_t name, uint32_t loc_id)
{
	const uint64_t line[] = {++h->nfuncs};
	size_t m;

	function(h->b, (uint32_t)line[0], name, 0);
	m = pb_open(h->b, PROFILE_LOCATION);
	pb_uint(h->b, LOCATION_ID, loc_id);
	pb_msg_uints(h->b, LOCATION_LINE, line, 1);
	pb_close(h->b, m);
}

static void mappings(struct head *h)
{
	for (uint32_t i = 0; i < h->nmaps; i++) {
		const struct mapping *mp = &h->maps[i];
		/*
		 * Mapping{id = 1, memory_start, memory_limit, file_offset, filename = 5, build_id,
		 * has_functions = 7, has_filenames, has_line_numbers, has_inline_frames = 10}.
		 * The address range is unknown (0): pprof needs it only to symbolize, and
		 * has_functions tells it the frames are symbolized already, so it must not look
		 * the addresses up in local files.
		 */
		const uint64_t v[] = {i + 1, 0, 0,	   0,	      mp->file,
				      0,     1, mp->files, mp->lines, mp->inlines};

		pb_msg_uints(h->b, PROFILE_MAPPING, v, 10);
	}
}

static int head_piece(const struct plan *pl, struct pbuf *b)
{
	const struct stack_profile *p = pl->p;
	/* indexed by string id, p's own or ours (the kernel's module may be ours) */
	struct head h = {
		.pl = pl,
		.b = b,
		.mod_map = calloc(p->nstrs + MAX_EXTRA_STRS, sizeof(*h.mod_map)),
		.maps = malloc((p->nlocs ? p->nlocs : 1) * sizeof(*h.maps)),
	};
	int err = -ENOMEM;

	if (!h.mod_map || !h.maps)
		goto out;
	for (unsigned int i = 0; i < p->ntypes; i++)
		value_type(b, PROFILE_SAMPLE_TYPE, pl->types[i]);
	err = functions(&h);
	if (err)
		goto out;
	locations(&h);
	if (pl->missed_kernel)
		missed_loc(&h, pl->missed_kernel_name, pl->missed_kernel);
	if (pl->missed_user)
		missed_loc(&h, pl->missed_user_name, pl->missed_user);
	mappings(&h);
out:
	free(h.line_func);
	free(h.mod_map);
	free(h.maps);
	return err;
}

static void label(struct pbuf *b, uint32_t key, uint32_t str, uint64_t num)
{
	/* Label{key = 1, str = 2, num = 3}: a label without str is a number */
	const uint64_t v[] = {key, str, num};

	pb_msg_uints(b, SAMPLE_LABEL, v, 3);
}

/* Samples [from, to). */
static void samples(const struct plan *pl, struct pbuf *b, size_t from, size_t to)
{
	const struct stack_profile *p = pl->p;

	for (size_t i = from; i < to; i++) {
		const struct stack_sample *s = &p->samples[i];
		const uint32_t *ids = &p->loc_ids[s->loc0];
		uint32_t mu = s->user_missing ? pl->missed_user : 0;
		size_t m = pb_open(b, PROFILE_SAMPLE), list;

		/* leaf first: the kernel's frames, then the user's, each or its miss */
		list = pb_open(b, SAMPLE_LOCATION_ID);
		if (s->kernel_missing)
			pb_varint(b, pl->missed_kernel);
		for (uint32_t j = 0; j < s->nlocs; j++) {
			if (j == s->nkernel && mu)
				pb_varint(b, mu);
			pb_varint(b, ids[j] + 1);
		}
		if (s->nkernel == s->nlocs && mu)
			pb_varint(b, mu);
		pb_close(b, list);
		list = pb_open(b, SAMPLE_VALUE);
		for (unsigned int j = 0; j < p->ntypes; j++)
			pb_varint(b, (uint64_t)p->values[s->val0 + j]);
		pb_close(b, list);
		if (s->comm)
			label(b, pl->k_comm, s->comm, 0);
		label(b, pl->k_pid, 0, s->pid);
		if (s->tid)
			label(b, pl->k_tid, 0, s->tid);
		if (s->extra)
			label(b, pl->k_extra, s->extra, 0);
		pb_close(b, m);
	}
}

static void tail_piece(const struct plan *pl, struct pbuf *b)
{
	const struct stack_profile *p = pl->p;

	pb_uint(b, PROFILE_TIME_NANOS, p->time_ns);
	pb_uint(b, PROFILE_DURATION_NANOS, p->duration_ns);
	if (pl->period_type[0] || pl->period_type[1])
		value_type(b, PROFILE_PERIOD_TYPE, pl->period_type);
	pb_uint(b, PROFILE_PERIOD, (uint64_t)p->period);
	pb_uint(b, PROFILE_DEFAULT_SAMPLE_TYPE, pl->default_type);
	for (size_t i = 0; i < p->nstrs; i++)
		pb_bytes(b, PROFILE_STRING_TABLE, p->strs[i], strlen(p->strs[i]));
	for (unsigned int i = 0; i < pl->nx; i++)
		pb_bytes(b, PROFILE_STRING_TABLE, pl->xstrs[i], strlen(pl->xstrs[i]));
}

/* Piece i of 2 + pl->nranges: the head, the ranges of samples, the tail (gzip_make_fn). */
static int make_piece(void *ctx, size_t i, struct pbuf *b)
{
	const struct plan *pl = ctx;
	size_t n = pl->p->nsamples;

	if (i == 0)
		return head_piece(pl, b);
	if (i <= pl->nranges) {
		size_t from = (i - 1) * PIECE_SAMPLES;

		samples(pl, b, from, from + PIECE_SAMPLES < n ? from + PIECE_SAMPLES : n);
	} else {
		tail_piece(pl, b);
	}
	return b->oom ? -ENOMEM : 0;
}

int pprof_encode(const struct stack_profile *p, struct pbuf *out)
{
	struct plan pl;
	int err = 0;

	plan_init(&pl, p);
	for (size_t i = 0; i < 2 + pl.nranges && !err; i++)
		err = make_piece(&pl, i, out);
	return err ? err : out->oom ? -ENOMEM : 0;
}

int pprof_write_fd(const struct stack_profile *p, int fd)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct plan pl;

	plan_init(&pl, p);
	return gzip_pieces(fd, 2 + pl.nranges, make_piece, &pl,
			   cpus < 1		? 1
			   : cpus > MAX_THREADS ? MAX_THREADS
						: (unsigned int)cpus);
}

int pprof_write(const struct stack_profile *p, const char *path)
{
	struct stat st;
	bool regular;
	int fd, err;

	if (!strcmp(path, "-"))
		return pprof_write_fd(p, STDOUT_FILENO);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* a half-written file goes; a device or a pipe (/dev/stdout) stays, of course */
	regular = !fstat(fd, &st) && S_ISREG(st.st_mode);
	err = pprof_write_fd(p, fd);
	if (close(fd) && !err)
		err = -errno;
	if (err && regular)
		unlink(path);
	return err;
}
