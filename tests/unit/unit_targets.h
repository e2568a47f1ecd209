/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For unit tests that read the test targets (tests/targets/bin): where they are, and a
 * function's place in one of them.
 */
#ifndef TK_UNIT_TARGETS_H
#define TK_UNIT_TARGETS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The repository root: a unit test binary is ROOT/build/tests/test_x. */
static inline bool unit_repo_root(char *buf, size_t len)
{
	char exe[2048];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *end;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	end = strstr(exe, "/build/tests/");
	if (!end)
		return false;
	*end = '\0';
	return (size_t)snprintf(buf, len, "%s", exe) < len;
}

/* Filled by unit_find_func(), an elf_func_cb: the function called name. */
struct unit_func {
	const char *name;
	uint64_t addr, size;
};

static inline int unit_find_func(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	struct unit_func *f = ctx;

	if (strcmp(name, f->name))
		return 0;
	f->addr = addr;
	f->size = size;
	return 1;
}

#endif
