// SPDX-License-Identifier: GPL-2.0
/* Probe spec parsing and glob matching. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/probe.h"
#include "core/procmaps.h"
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

/* A file as process PID sees it: the one rule tools, the language and -l share. */
static void test_proc_file_path(void)
{
	char out[4096], want[4096 + 32], real[4096];
	int me = getpid();

	CHECK(proc_file_path(0, "/bin/sh", out, sizeof(out)) == 0);
	CHECK_STR(out, "/bin/sh");
	/* in the process's root, symlinks resolved there (/bin/sh -> dash, /bin -> usr/bin) */
	CHECK(realpath("/bin/sh", real) != NULL);
	snprintf(want, sizeof(want), "/proc/%d/root%s", me, real);
	CHECK(proc_file_path(me, "/bin/sh", out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	/* /proc/... is the tracer's own, with or without a PID: never re-rooted */
	CHECK(proc_file_path(me, want, out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	CHECK(proc_file_path(0, want, out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	/* relative: the tracer's working directory */
	CHECK(proc_file_path(me, "no/such/file", out, sizeof(out)) == -ENOENT);
	CHECK_STR(out, "no/such/file");
	/* missing: -ENOENT, out still says where it looked */
	snprintf(want, sizeof(want), "/proc/%d/root/no/such/file", me);
	CHECK(proc_file_path(me, "/no/such/file", out, sizeof(out)) == -ENOENT);
	CHECK_STR(out, want);
	CHECK(proc_file_path(me, "/bin/sh", out, 8) == -ENAMETOOLONG);
}

/* Symlinks inside a root resolve inside it, as for a process chrooted there. */
static void test_path_in_root(void)
{
	char root[] = "/tmp/tk-root-XXXXXX", p[4096], want[4096], out[4096];

	CHECK(mkdtemp(root) != NULL);
#define MK(fmt, ...) (snprintf(p, sizeof(p), "%s" fmt, root, ##__VA_ARGS__), p)
	CHECK(mkdir(MK("/app"), 0755) == 0 && mkdir(MK("/usr"), 0755) == 0 &&
	      mkdir(MK("/usr/bin"), 0755) == 0);
	CHECK(close(creat(MK("/app/server"), 0755)) == 0);
	CHECK(symlink("/app/server", MK("/usr/bin/abs")) == 0);	 /* absolute: the root's */
	CHECK(symlink("../../app/server", MK("/usr/bin/rel")) == 0);
	CHECK(symlink("/../../../app", MK("/up")) == 0);		 /* ".." stops at the root */
	CHECK(symlink("/usr/bin/abs", MK("/chain")) == 0);
	CHECK(symlink("loop", MK("/loop")) == 0);
	snprintf(want, sizeof(want), "%s/app/server", root);
	CHECK(path_in_root(root, "/usr/bin/abs", out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	CHECK(path_in_root(root, "/usr/bin/rel", out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	CHECK(path_in_root(root, "/up/server", out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	CHECK(path_in_root(root, "//chain", out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	CHECK(path_in_root(root, "/usr/./bin/../../app/server", out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	CHECK(path_in_root(root, "/loop", out, sizeof(out)) == -ELOOP);
	snprintf(want, sizeof(want), "%s/app/nope/x", root);
	CHECK(path_in_root(root, "/usr/bin/../../app/nope/x", out, sizeof(out)) == -ENOENT);
	CHECK_STR(out, want);
	unlink(MK("/loop"));
	unlink(MK("/chain"));
	unlink(MK("/up"));
	unlink(MK("/usr/bin/rel"));
	unlink(MK("/usr/bin/abs"));
	unlink(MK("/app/server"));
	rmdir(MK("/usr/bin"));
	rmdir(MK("/usr"));
	rmdir(MK("/app"));
	rmdir(root);
#undef MK
}

/* The file behind a mapping: through the root when it holds that inode, else the mapping. */
static void test_proc_map_path(void)
{
	struct proc_maps pm;
	struct proc_map fake;
	const struct proc_map *m;
	char out[4096], want[4096], exe[2048];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int me = getpid();

	CHECK(n > 0);
	exe[n > 0 ? n : 0] = '\0';
	CHECK(proc_maps__load(me, &pm) == 0);
	m = NULL;
	for (size_t i = 0; i < pm.n && !m; i++)
		if (pm.maps[i].path && !strcmp(pm.maps[i].path, exe))
			m = &pm.maps[i];
	CHECK(m != NULL);
	if (!m) {
		proc_maps__free(&pm);
		return;
	}
	snprintf(want, sizeof(want), "/proc/%d/root%s", me, exe);
	CHECK(proc_map_path(me, m, out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	/* a path the root does not hold (a container's, seen from the host): the mapping */
	fake = *m;
	fake.path = "/no/such/container/path";
	snprintf(want, sizeof(want), "/proc/%d/map_files/%lx-%lx", me, (unsigned long)m->start,
		 (unsigned long)m->end);
	CHECK(proc_map_path(me, &fake, out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	/* a path that exists but is another file (another inode): not taken */
	fake.path = "/bin/sh";
	CHECK(proc_map_path(me, &fake, out, sizeof(out)) == 0);
	CHECK_STR(out, want);
	proc_maps__free(&pm);
}

UNIT_MAIN(test_glob, test_glob_no_blowup, test_spec, test_ldcache, test_proc_file_path,
	  test_path_in_root, test_proc_map_path)
