// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kallsyms, read once into a sorted array and a string pool. Lines look like
 * "ffffffff81000000 T _stext" or "ffffffffc0a01000 t fn\t[module]"; module names are dropped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ksym.h"
#include "core/vec.h"

struct ksym {
	uint64_t addr;
	uint32_t name; /* offset into names */
};

struct ksyms {
	struct ksym *syms;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
};

static int ksyms__add(struct ksyms *k, uint64_t addr, const char *name)
{
	size_t len = strlen(name) + 1;

	/* names are addressed by 32-bit offsets */
	if (k->names_len + len > UINT32_MAX)
		return -E2BIG;
	if (VEC_RESERVE(k->syms, k->cap, k->n, 1) ||
	    VEC_RESERVE(k->names, k->names_cap, k->names_len, len))
		return -ENOMEM;
	memcpy(k->names + k->names_len, name, len);
	k->syms[k->n++] = (struct ksym){.addr = addr, .name = (uint32_t)k->names_len};
	k->names_len += len;
	return 0;
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name; /* keep file order: stable */
}

struct ksyms *ksyms__load(void)
{
	char line[512], name[256], type;
	struct ksyms *k;
	uint64_t addr;
	FILE *f;
	int err = 0;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k) {
		fclose(f);
		return NULL;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3)
			continue;
		/* Zero addresses: kptr_restrict hides them; absolute symbols are not code. */
		if (!addr || type == 'a' || type == 'A')
			continue;
		err = ksyms__add(k, addr, name);
	}
	fclose(f);
	if (err || !k->n) {
		ksyms__free(k);
		errno = err ? -err : EPERM;
		return NULL;
	}
	qsort(k->syms, k->n, sizeof(*k->syms), ksym_cmp);
	return k;
}

void ksyms__free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k->names);
	free(k);
}

const char *ksyms__resolve(const struct ksyms *k, uint64_t addr, uint64_t *off)
{
	size_t lo;

	if (!k || !k->n || addr < k->syms[0].addr)
		return NULL;
	/* Last symbol with addr <= target; the first of equal addresses (file order). */
	lo = VEC_UPPER_BOUND(k->syms, k->n, struct ksym, addr, addr) - 1;
	while (lo > 0 && k->syms[lo - 1].addr == k->syms[lo].addr)
		lo--;
	if (off)
		*off = addr - k->syms[lo].addr;
	return k->names + k->syms[lo].name;
}

int ksym_addr(const char *name, uint64_t *addr)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], sym[256];
	unsigned long long a;
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %*c %255s", &a, sym) == 2 && !strcmp(sym, name)) {
			if (a) {
				*addr = a;
				ret = 0;
			}
			break;
		}
	fclose(f);
	return ret;
}
