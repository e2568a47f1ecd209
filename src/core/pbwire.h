/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protocol buffers' wire format, by hand, for what tracekit writes (pprof's profile.proto):
 * varints, length-delimited fields (strings, sub-messages, packed repeated integers). No
 * schema, no reflection: the writer of a message knows its field numbers.
 *
 * A sub-message or packed list is opened with pb_open(), which reserves one byte for its
 * length, and closed with pb_close(), which writes the length there, moving the body up when
 * the length needs more bytes: one pass, no size pass. Opens nest.
 *
 * A failed allocation sets oom and drops the rest; the owner checks it once at the end.
 */
#ifndef TK_PBWIRE_H
#define TK_PBWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

enum { PB_VARINT = 0, PB_LEN = 2 };

/* Make room for more bytes; false (and oom) when there is none. */
bool pb_reserve(struct pbuf *b, size_t more);
/* A bare varint: ints are written as their 64-bit two's complement, as protobuf's int64. */
void pb_varint(struct pbuf *b, uint64_t v);
void pb_tag(struct pbuf *b, uint32_t field, unsigned int wire);
/* A varint field; skipped when v is 0, protobuf's default (proto3). */
void pb_uint(struct pbuf *b, uint32_t field, uint64_t v);
/* A bool field, skipped when false. */
void pb_bool(struct pbuf *b, uint32_t field, bool v);
/* A length-delimited field of n bytes (a string: always written, even empty). */
void pb_bytes(struct pbuf *b, uint32_t field, const void *data, size_t n);
/* Open a length-delimited field (a message, a packed list); the handle is for pb_close(). */
size_t pb_open(struct pbuf *b, uint32_t field);
void pb_close(struct pbuf *b, size_t open);
/*
 * A sub-message of varints only, fields 1 .. n in order (most of pprof's small messages):
 * vals[i] is field i + 1, skipped when 0.
 */
void pb_msg_uints(struct pbuf *b, uint32_t field, const uint64_t *vals, unsigned int n);
void pb_free(struct pbuf *b);

#endif
