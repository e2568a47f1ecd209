// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/ld.so.cache, glibc's "glibc-ld.so.cache1.1" layout: a 48-byte header (magic, nlibs,
 * string table length, ...) then nlibs 24-byte entries {flags, key, value, osversion, hwcap}
 * whose key (soname) and value (path) are offsets from the start of the file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/probe.h"
#include "core/procmaps.h"

#define CACHE_MAGIC "glibc-ld.so.cache1.1"
#define FLAG_X8664  0x0300
#define FLAG_ARCH_MASK 0xff00
#define HDR_SIZE 48
#define ENT_SIZE 24

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static const char *cstr_at(const unsigned char *buf, size_t size, uint32_t off)
{
	if (off >= size || !memchr(buf + off, '\0', size - off))
		return NULL;
	return (const char *)buf + off;
}

int ldcache_lookup(const char *name, char *out, size_t len)
{
	return ldcache_lookup_pid(0, name, out, len);
}

int ldcache_lookup_pid(int pid, const char *name, char *out, size_t len)
{
	char cache[PATH_MAX];
	FILE *f;
	unsigned char *buf = NULL, *hdr;
	size_t size = 0, cap = 0, n;
	int ret = -ENOENT;

	if (proc_file_path(pid, "/etc/ld.so.cache", cache, sizeof(cache)))
		return -ENOENT;
	f = fopen(cache, "re");
	if (!f)
		return -ENOENT;
	for (;;) {
		if (size == cap) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 1 << 16;
			if (cap > (64u << 20))
				break; /* no sane cache is this large */
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		n = fread(buf + size, 1, cap - size, f);
		if (!n)
			break;
		size += n;
	}
	fclose(f);
	hdr = buf ? memmem(buf, size, CACHE_MAGIC, strlen(CACHE_MAGIC)) : NULL;
	if (hdr && (size_t)(hdr - buf) + HDR_SIZE <= size) {
		uint32_t nlibs = rd32(hdr + 20);
		const unsigned char *ent = hdr + HDR_SIZE;

		for (uint32_t i = 0; i < nlibs && (size_t)(ent + ENT_SIZE - buf) <= size;
		     i++, ent += ENT_SIZE) {
			const char *key = cstr_at(buf, size, rd32(ent + 4));
			const char *val = cstr_at(buf, size, rd32(ent + 8));

			if (!key || !val || (rd32(ent) & FLAG_ARCH_MASK) != FLAG_X8664)
				continue;
			if (lib_name_matches(key, name)) {
				ret = snprintf(out, len, "%s", val) < (int)len ? 0 : -ENAMETOOLONG;
				break;
			}
		}
	}
	free(buf);
	return ret;
}
