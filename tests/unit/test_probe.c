// SPDX-License-Identifier: GPL-2.0
/* Probe spec parsing and glob matching. */
#include <errno.h>

#include "core/probe.h"
#include "unit.h"

static void test_glob(void)
{
	CHECK(glob_match("main.*.Mul", "main.(*Arith).Mul"));
	CHECK(!glob_match("main.*.Mul", "mainX(*Arith)YMul")); /* '.' is literal, unlike bcc */
	CHECK(glob_match("main.(*Arith).Mul", "main.(*Arith).Mul"));
	CHECK(glob_match("main.*Mul", "main.Mul"));
	CHECK(glob_match("runtime.*", "runtime.mallocgc"));
	CHECK(!glob_match("runtime.*", "main.runtime"));
	CHECK(glob_match("tk_?dd", "tk_add"));
	CHECK(!glob_match("tk_?dd", "tk_dd"));
	CHECK(glob_match("*", ""));
	CHECK(glob_match("a*b*c", "aXXbYYc"));
	CHECK(!glob_match("a*b*c", "aXXbYY"));
	CHECK(glob_match("main.(*Stack[...]).Push", "main.(*Stack[...]).Push"));
	CHECK(!glob_match("main.(*Stack[.]).Push", "main.(*Stack[x]).Push"));
	CHECK(glob_match("**x", "x"));
	CHECK(glob_is_literal("main.Mul"));
	CHECK(!glob_is_literal("main.(*Arith).Mul"));
}

static void test_glob_no_blowup(void)
{
	char s[4097];

	/* A pathological pattern must stay linear, not exponential. */
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	CHECK(!glob_match("*a*a*a*a*a*a*a*a*a*a*b", s));
}

static void test_spec(void)
{
	struct probe_spec s;
	char err[256];

	CHECK(probe_spec__parse("./server:main.*.Mul", false, &s, err, sizeof(err)) == 0);
	CHECK(s.kind == PROBE_UPROBE);
	CHECK_STR(s.target, "./server");
	CHECK_STR(s.pattern, "main.*.Mul");
	probe_spec__free(&s);

	CHECK(probe_spec__parse("c:malloc", false, &s, err, sizeof(err)) == 0);
	CHECK(s.kind == PROBE_UPROBE);
	CHECK_STR(s.target, "c");
	probe_spec__free(&s);

	CHECK(probe_spec__parse("p:c:malloc", false, &s, err, sizeof(err)) == 0);
	CHECK(s.kind == PROBE_UPROBE);
	CHECK_STR(s.target, "c");
	CHECK_STR(s.pattern, "malloc");
	probe_spec__free(&s);

	CHECK(probe_spec__parse("p::vfs_read", false, &s, err, sizeof(err)) == 0);
	CHECK(s.kind == PROBE_KERNEL);
	CHECK_STR(s.pattern, "vfs_read");
	probe_spec__free(&s);

	CHECK(probe_spec__parse("vfs_*", false, &s, err, sizeof(err)) == 0);
	CHECK(s.kind == PROBE_KERNEL);
	probe_spec__free(&s);

	CHECK(probe_spec__parse("t:syscalls:sys_enter_*", false, &s, err, sizeof(err)) == 0);
	CHECK(s.kind == PROBE_TRACEPOINT);
	CHECK_STR(s.tp_cat, "syscalls");
	CHECK_STR(s.pattern, "sys_enter_*");
	probe_spec__free(&s);

	CHECK(probe_spec__parse("u:lib:probe", false, &s, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "USDT") != NULL);
	CHECK(probe_spec__parse("", false, &s, err, sizeof(err)) == -EINVAL);
	CHECK(probe_spec__parse("./server:", false, &s, err, sizeof(err)) == -EINVAL);
	CHECK(probe_spec__parse(":foo", false, &s, err, sizeof(err)) == -EINVAL);
	CHECK(probe_spec__parse("t:cat:", false, &s, err, sizeof(err)) == -EINVAL);
}

static void test_ldcache(void)
{
	char path[4096];

	/* Every Debian system has libc in its cache, under all three names people use. */
	CHECK(ldcache_lookup("c", path, sizeof(path)) == 0 && strstr(path, "libc.so.6"));
	CHECK(ldcache_lookup("libc", path, sizeof(path)) == 0 && strstr(path, "libc.so.6"));
	CHECK(ldcache_lookup("libc.so.6", path, sizeof(path)) == 0);
	CHECK(ldcache_lookup("no_such_library_at_all", path, sizeof(path)) == -ENOENT);
}

UNIT_MAIN(test_glob, test_glob_no_blowup, test_spec, test_ldcache)
