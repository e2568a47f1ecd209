// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/out.h"

char *str_escape(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t o = 0;

	if (!dstlen)
		return dst;
	for (size_t i = 0; i < srclen && src[i]; i++) {
		unsigned char c = src[i];
		char tmp[5];
		const char *rep = NULL;

		switch (c) {
		case '\n': rep = "\\n"; break;
		case '\t': rep = "\\t"; break;
		case '\r': rep = "\\r"; break;
		case 0x1b: rep = "\\e"; break;
		default:
			/* C0 controls, DEL and the C1 range that some terminals act on. */
			if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
				snprintf(tmp, sizeof(tmp), "\\x%02x", c);
				rep = tmp;
			}
		}
		if (rep) {
			size_t n = strlen(rep);

			if (o + n >= dstlen)
				break;
			memcpy(dst + o, rep, n);
			o += n;
		} else {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = c;
		}
	}
	dst[o] = '\0';
	return dst;
}

char *time_hms(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%H:%M:%S", &tm))
		snprintf(buf, len, "??:??:??");
	return buf;
}

void json_strn(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

void json_str(FILE *f, const char *s)
{
	json_strn(f, s, s ? strlen(s) : 0);
}
