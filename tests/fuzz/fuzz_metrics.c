// SPDX-License-Identifier: GPL-2.0
/*
 * The --metrics endpoint's parts that see outside bytes: the HTTP request parser on any
 * request head, and the exposition of label values taken from traced processes (comm, paths:
 * any bytes). Checked: the parser's answer is a status it may give; every rendered line is a
 * comment or a sample of the family (an unescaped newline in a label value would start a
 * line of its own), and the whole body is valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "core/metrics_http.h"
#include "core/out.h"

static void check_body(const char *b, size_t len)
{
	const unsigned char *s = (const unsigned char *)b;

	for (size_t i = 0; i < len;) {
		size_t k = s[i] < 0x80 ? 1 : utf8_len(s + i, len - i);

		if (!k)
			abort();
		i += k;
	}
	for (const char *line = b; line < b + len;) {
		const char *nl = memchr(line, '\n', b + len - line);

		if (!nl || (*line != '#' && strncmp(line, "fz_", 3)))
			abort();
		line = nl + 1;
	}
}

static void fuzz_labels(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"comm", "path"};
	struct metrics *m = metrics_new(4);
	struct metric_family *c, *h;
	char *a = strndup((const char *)data, size / 2);
	char *b = strndup((const char *)data + size / 2, size - size / 2);
	const char *v[2] = {a, b};
	size_t len;
	char *body;

	c = m ? metrics_family(m, "fz_calls", METRIC_COUNTER, (const char *)a, names, 2, false)
	      : NULL;
	h = m ? metrics_family(m, "fz_lat_seconds", METRIC_HISTOGRAM, "h", names, 2, false) : NULL;
	if (c && h && !metrics_log2_bounds(h, 65)) {
		metric_add(metric_series(c, v), size);
		metric_observe(metric_series(h, v), (double)size * 1e6);
		for (int om = 0; om < 2; om++) {
			body = metrics_render(m, om, &len);
			if (body)
				check_body(body, len);
			free(body);
		}
	}
	metrics_free(m);
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	int st;

	if (!size)
		return 0;
	if (data[0] & 1) {
		fuzz_labels(data + 1, size - 1);
		return 0;
	}
	st = http_parse_request((const char *)data + 1, size - 1, &req);
	if (st != 0 && st != 200 && st != 400 && st != 404 && st != 405 && st != 431)
		abort();
	return 0;
}
