// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/out.h"

size_t utf8_len(const unsigned char *s, size_t avail)
{
	size_t n;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* U+0080..U+009F are the C1 controls, which some terminals act on. */
	return cp >= 0x80 && cp <= 0x9f ? 0 : n;
}

char *str_escape(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, len = strnlen(src, srclen);

	if (!dstlen)
		return dst;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t u = c >= 0x80 ? utf8_len(s + i, len - i) : 0;
		char tmp[5];
		const char *rep = NULL;

		if (u) {
			/* Valid UTF-8 text passes as it is. */
			if (o + u >= dstlen)
				break;
			memcpy(dst + o, s + i, u);
			o += u;
			i += u;
			continue;
		}
		switch (c) {
		case '\n': rep = "\\n"; break;
		case '\t': rep = "\\t"; break;
		case '\r': rep = "\\r"; break;
		case 0x1b: rep = "\\e"; break;
		default:
			/* C0 controls, DEL, and any byte that is not part of valid UTF-8. */
			if (c < 0x20 || c >= 0x7f) {
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
		i++;
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

bool json_escape_byte(unsigned char c, char out[JSON_ESC_MAX])
{
	switch (c) {
	case '"': strcpy(out, "\\\""); return true;
	case '\\': strcpy(out, "\\\\"); return true;
	case '\n': strcpy(out, "\\n"); return true;
	case '\t': strcpy(out, "\\t"); return true;
	case '\r': strcpy(out, "\\r"); return true;
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(out, JSON_ESC_MAX, "\\u%04x", c);
		return true;
	}
	return false;
}

void json_strn(FILE *f, const char *s, size_t n)
{
	char esc[JSON_ESC_MAX];

	fputc('"', f);
	for (size_t i = 0; i < n && s[i]; i++) {
		if (json_escape_byte((unsigned char)s[i], esc))
			fputs(esc, f);
		else
			fputc(s[i], f);
	}
	fputc('"', f);
}

void json_str(FILE *f, const char *s)
{
	json_strn(f, s, s ? strlen(s) : 0);
}
