// SPDX-License-Identifier: GPL-2.0
/* gzip of pieces made and deflated in parallel: see gzip.h. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "core/gzip.h"

#define MAX_THREADS 16

struct piece {
	struct pbuf out; /* deflated */
	uint32_t crc;
	size_t len; /* before deflation */
	int err;
};

struct job {
	gzip_make_fn make;
	void *ctx;
	struct piece *pieces;
	size_t n;
	atomic_size_t next; /* the next piece a thread takes */
};

/* Raw deflate of in into out; the last piece finishes the stream, the others sync-flush. */
static int deflate_piece(const struct pbuf *in, struct pbuf *out, bool last)
{
	size_t left = in->len;
	int flush = last ? Z_FINISH : Z_SYNC_FLUSH, f, r;
	z_stream z = {0};

	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	/* deflateBound() is for Z_FINISH; a sync flush adds at most 5 bytes */
	pb_reserve(out, deflateBound(&z, in->len > ULONG_MAX ? ULONG_MAX : in->len) + 16);
	z.next_in = in->p;
	for (;;) {
		/* avail_in and avail_out are 32-bit: huge buffers go in slices */
		if (!z.avail_in && left) {
			z.avail_in = left > UINT_MAX ? UINT_MAX : (uInt)left;
			left -= z.avail_in;
		}
		if (out->cap - out->len < 64 && !pb_reserve(out, 1 << 16))
			break;
		z.next_out = out->p + out->len;
		z.avail_out =
			out->cap - out->len > UINT_MAX ? UINT_MAX : (uInt)(out->cap - out->len);
		f = left || z.avail_in ? Z_NO_FLUSH : flush;
		r = deflate(&z, f);
		out->len = (size_t)(z.next_out - out->p);
		if (r == Z_STREAM_ERROR)
			break;
		if (f == Z_NO_FLUSH)
			continue;
		/* flushing: done when the flush is complete */
		if (last ? r == Z_STREAM_END : z.avail_out != 0) {
			deflateEnd(&z);
			return 0;
		}
	}
	deflateEnd(&z);
	return out->oom ? -ENOMEM : -EIO;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n) {
		struct piece *pc = &j->pieces[i];
		struct pbuf raw = {0};

		pc->err = j->make(j->ctx, i, &raw);
		if (!pc->err && raw.oom)
			pc->err = -ENOMEM;
		if (!pc->err) {
			pc->len = raw.len;
			pc->crc = (uint32_t)crc32(0, raw.p, raw.len);
			pc->err = deflate_piece(&raw, &pc->out, i + 1 == j->n);
		}
		pb_free(&raw);
	}
	return NULL;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *b = buf;

	while (n) {
		ssize_t r = write(fd, b, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void le32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

int gzip_pieces(int fd, size_t n, gzip_make_fn make, void *ctx, unsigned int nthreads)
{
	/* magic, deflate, no flags, no mtime, no extra flags, OS: Unix */
	static const uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	struct job j = {.make = make, .ctx = ctx, .n = n};
	pthread_t th[MAX_THREADS];
	unsigned int started = 0;
	uint32_t crc = 0;
	uint64_t len = 0;
	uint8_t trailer[8];
	int err = 0;

	if (!n)
		return -EINVAL;
	j.pieces = calloc(n, sizeof(*j.pieces));
	if (!j.pieces)
		return -ENOMEM;
	if (nthreads > n)
		nthreads = (unsigned int)n;
	/* the signal mask is inherited: the event loop's blocked signals stay blocked */
	for (; started + 1 < nthreads && started < MAX_THREADS; started++)
		if (pthread_create(&th[started], NULL, worker, &j))
			break;
	worker(&j);
	for (unsigned int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	for (size_t i = 0; i < n && !err; i++)
		err = j.pieces[i].err;
	if (!err)
		err = write_all(fd, header, sizeof(header));
	for (size_t i = 0; i < n && !err; i++) {
		crc = (uint32_t)crc32_combine(crc, j.pieces[i].crc, (z_off_t)j.pieces[i].len);
		len += j.pieces[i].len;
		err = write_all(fd, j.pieces[i].out.p, j.pieces[i].out.len);
	}
	le32(trailer, crc);
	le32(trailer + 4, (uint32_t)len); /* ISIZE: the length modulo 2^32 */
	if (!err)
		err = write_all(fd, trailer, sizeof(trailer));
	for (size_t i = 0; i < n; i++)
		pb_free(&j.pieces[i].out);
	free(j.pieces);
	return err;
}
