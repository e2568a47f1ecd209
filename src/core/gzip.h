/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One gzip file (RFC 1952, one member) of data made in pieces, the pieces made and deflated
 * on several threads at once, as pigz does: each piece is deflated on its own (no window
 * shared with the one before: a piece of a megabyte loses well under 1% of ratio) and ends
 * on a byte boundary with an empty stored block, so their deflate streams concatenate; the
 * CRC-32s combine. zlib's fastest level, as Go's runtime/pprof writes its profiles.
 */
#ifndef TK_GZIP_H
#define TK_GZIP_H

#include <stddef.h>

#include "core/pbwire.h"

/* Make piece i into out (empty): 0 or -errno. Called from any of the threads, once per i. */
typedef int (*gzip_make_fn)(void *ctx, size_t i, struct pbuf *out);

/*
 * Write the gzip of pieces 0 .. n - 1, in that order, to fd, making and deflating them on up
 * to nthreads threads (the caller's included; 1: on the caller's alone). 0 or -errno (the
 * first piece's error).
 */
int gzip_pieces(int fd, size_t n, gzip_make_fn make, void *ctx, unsigned int nthreads);

#endif
