// SPDX-License-Identifier: GPL-2.0
/* Protocol buffers' wire format: see pbwire.h. */
#include <stdlib.h>
#include <string.h>

#include "core/pbwire.h"
#include "core/vec.h"

bool pb_reserve(struct pbuf *b, size_t more)
{
	if (b->oom)
		return false;
	/* the common case, once per varint: no call */
	if (b->cap - b->len >= more)
		return true;
	if (VEC_RESERVE(b->p, b->cap, b->len, more)) {
		b->oom = true;
		return false;
	}
	return true;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Write v at dst, which has room for varint_len(v) bytes. */
static void varint_put(uint8_t *dst, uint64_t v)
{
	while (v >= 0x80) {
		*dst++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*dst = (uint8_t)v;
}

void pb_varint(struct pbuf *b, uint64_t v)
{
	size_t n = varint_len(v);

	if (!pb_reserve(b, n))
		return;
	varint_put(b->p + b->len, v);
	b->len += n;
}

void pb_tag(struct pbuf *b, uint32_t field, unsigned int wire)
{
	pb_varint(b, (uint64_t)field << 3 | wire);
}

void pb_uint(struct pbuf *b, uint32_t field, uint64_t v)
{
	if (!v)
		return;
	pb_tag(b, field, PB_VARINT);
	pb_varint(b, v);
}

void pb_bool(struct pbuf *b, uint32_t field, bool v)
{
	pb_uint(b, field, v);
}

void pb_bytes(struct pbuf *b, uint32_t field, const void *data, size_t n)
{
	pb_tag(b, field, PB_LEN);
	pb_varint(b, n);
	if (!pb_reserve(b, n))
		return;
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

size_t pb_open(struct pbuf *b, uint32_t field)
{
	pb_tag(b, field, PB_LEN);
	if (!pb_reserve(b, 1))
		return 0;
	b->p[b->len++] = 0;
	return b->len;
}

void pb_close(struct pbuf *b, size_t open)
{
	size_t body, n;

	if (b->oom)
		return;
	body = b->len - open;
	n = varint_len(body);
	/* Most messages are short: the one reserved byte holds their length. */
	if (n > 1) {
		if (!pb_reserve(b, n - 1))
			return;
		memmove(b->p + open + n - 1, b->p + open, body);
		b->len += n - 1;
	}
	varint_put(b->p + open - 1, body);
}

void pb_msg_uints(struct pbuf *b, uint32_t field, const uint64_t *vals, unsigned int n)
{
	size_t m = pb_open(b, field);

	for (unsigned int i = 0; i < n; i++)
		pb_uint(b, i + 1, vals[i]);
	pb_close(b, m);
}

void pb_free(struct pbuf *b)
{
	free(b->p);
	*b = (struct pbuf){0};
}
