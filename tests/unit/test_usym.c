// SPDX-License-Identifier: GPL-2.0
/*
 * usym and ksym on live data: this test's own process, libc (a shared object, so the load bias
 * is not zero) and /proc/kallsyms.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ksym.h"
#include "core/usym.h"
#include "unit.h"

__attribute__((noinline, used)) int usym_test_target(int x)
{
	__asm__ volatile("");
	return x * 3;
}

static void test_own_function(void)
{
	struct usym_cache *c = usym_cache__new();
	struct usym s;
	uint64_t ip = (uint64_t)(uintptr_t)&usym_test_target;

	CHECK(c != NULL);
	CHECK(usym_cache__resolve(c, getpid(), ip + 3, &s) == 0);
	CHECK_STR(s.name, "usym_test_target");
	CHECK(s.off == 3);
	CHECK(s.module && strstr(s.module, "test_usym"));
	/* Cached: the same answer again, and after forgetting the pid. */
	CHECK(usym_cache__resolve(c, getpid(), ip, &s) == 0 && s.off == 0);
	usym_cache__forget_pid(c, getpid());
	CHECK(usym_cache__resolve(c, getpid(), ip, &s) == 0);
	CHECK_STR(s.name, "usym_test_target");
	usym_cache__free(c);
}

static void test_libc_function(void)
{
	struct usym_cache *c = usym_cache__new();
	struct usym s;
	/*
	 * &getpid would be this (non-PIE) binary's canonical PLT entry: ask libc itself for its
	 * definition.
	 */
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	uint64_t ip = libc ? (uint64_t)(uintptr_t)dlsym(libc, "getpid") : 0;

	CHECK(usym_cache__resolve(c, getpid(), ip, &s) == 0);
	/* glibc exports getpid and __getpid at one address: either name is right. */
	CHECK(s.name && strstr(s.name, "getpid"));
	CHECK(s.off == 0);
	CHECK(s.module && strstr(s.module, "libc"));
	usym_cache__free(c);
}

static void test_unknown(void)
{
	struct usym_cache *c = usym_cache__new();
	struct usym s;
	int x = 0;

	/* A stack address: mapped, but no file behind it. */
	CHECK(usym_cache__resolve(c, getpid(), (uint64_t)(uintptr_t)&x, &s) == -ENOENT);
	CHECK(s.name == NULL && s.module == NULL);
	CHECK(usym_cache__resolve(c, getpid(), 16, &s) == -ENOENT);
	CHECK(usym_cache__resolve(c, 999999999, 0x401000, &s) == -ESRCH);
	usym_cache__free(c);
}

static void test_ksyms(void)
{
	char line[512], name[256], type;
	uint64_t addr, want = 0, off = 1;
	struct ksyms *k;
	const char *got;
	FILE *f = fopen("/proc/kallsyms", "r");

	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) == 3 &&
		    !strcmp(name, "vfs_read")) {
			want = addr;
			break;
		}
	fclose(f);
	CHECK(want != 0); /* needs root (kptr_restrict) */
	k = ksyms__load();
	CHECK(k != NULL);
	if (!k)
		return;
	got = ksyms__resolve(k, want + 0x10, &off);
	CHECK(got != NULL && off == 0x10);
	/* Another name at the same address would be fine too; vfs_read has none. */
	CHECK_STR(got, "vfs_read");
	CHECK(ksyms__resolve(k, 1, &off) == NULL);
	ksyms__free(k);
}

UNIT_MAIN(test_own_function, test_libc_function, test_unknown, test_ksyms)
