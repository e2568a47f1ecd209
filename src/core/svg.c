// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/out.h"
#include "core/svg.h"

/*
 * One character of s at s[i]: how many bytes it takes (*n) and its XML form (written to out,
 * NUL-terminated, when it is not s's bytes as they are: *verbatim false). Returns its
 * display characters.
 */
static size_t svg_char(const unsigned char *s, size_t avail, size_t *n, char out[8], int *verbatim)
{
	unsigned char c = s[0];
	size_t u = c >= 0x80 ? utf8_len(s, avail) : 0;

	*n = 1;
	*verbatim = 0;
	/* U+FFFE and U+FFFF are valid UTF-8 but not XML characters. */
	if (u == 3 && c == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
		u = 0;
	if (u) {
		*n = u;
		*verbatim = 1;
		return 1;
	}
	switch (c) {
	case '&':
		strcpy(out, "&amp;");
		return 1;
	case '<':
		strcpy(out, "&lt;");
		return 1;
	case '>':
		strcpy(out, "&gt;");
		return 1;
	case '"':
		strcpy(out, "&quot;");
		return 1;
	case '\'':
		strcpy(out, "&apos;");
		return 1;
	case '\n':
		strcpy(out, "\\n");
		return 2;
	case '\t':
		strcpy(out, "\\t");
		return 2;
	case '\r':
		strcpy(out, "\\r");
		return 2;
	}
	if (c < 0x20 || c >= 0x7f) {
		snprintf(out, 8, "\\x%02x", c);
		return 4;
	}
	*verbatim = 1;
	return 1;
}

size_t svg_text_chars(const char *s)
{
	size_t len = strlen(s), chars = 0, n;
	char out[8];
	int verbatim;

	for (size_t i = 0; i < len; i += n)
		chars += svg_char((const unsigned char *)s + i, len - i, &n, out, &verbatim);
	return chars;
}

void svg_text(FILE *f, const char *s, size_t max)
{
	size_t len = strlen(s), chars = 0, n, w;
	char out[8];
	int verbatim;
	bool cut = false;

	if (max < 3)
		return;
	if (max != SIZE_MAX && svg_text_chars(s) > max) {
		cut = true;
		max -= 2;
	}
	for (size_t i = 0; i < len; i += n) {
		w = svg_char((const unsigned char *)s + i, len - i, &n, out, &verbatim);
		if (chars + w > max)
			break;
		chars += w;
		if (verbatim)
			fwrite(s + i, 1, n, f);
		else
			fputs(out, f);
	}
	if (cut)
		fputs("..", f);
}

char *svg_thousands(char *buf, uint64_t v)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v), o = 0;

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
	return buf;
}

FILE *svg_open(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		tk_err("cannot write %s: %s", path, strerror(errno));
	return f;
}

int svg_close(FILE *f, const char *path, int err)
{
	struct stat st;
	bool reg = !fstat(fileno(f), &st) && S_ISREG(st.st_mode);

	errno = 0;
	if (!err && (fflush(f) || ferror(f)))
		err = errno ? -errno : -EIO;
	errno = 0;
	if (fclose(f) && !err)
		err = errno ? -errno : -EIO;
	if (!err)
		return 0;
	/* a regular file that holds half a picture goes; a pipe or device stays */
	if (reg)
		unlink(path);
	tk_err("cannot write %s: %s", path, strerror(-err));
	return err;
}
