// SPDX-License-Identifier: GPL-2.0
/*
 * usym and ksym on live data: this test's own process, libc (a shared object, so the load bias
 * is not zero), running test targets (goprof, stripped too, and the PIE cprof: source frames
 * with inlined calls) and /proc/kallsyms.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/dwarf.h"
#include "core/elf.h"
#include "core/gosym.h"
#include "core/ksym.h"
#include "core/procmaps.h"
#include "core/usym.h"
#include "unit.h"
#include "unit_targets.h"

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

/* A process that is gone: its non-PIE binary's functions by link-time address, by path. */
static void test_resolve_file(void)
{
	struct usym_cache *c = usym_cache__new();
	uint64_t ip = (uint64_t)(uintptr_t)&usym_test_target;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct usym s;

	CHECK(n > 0);
	exe[n > 0 ? n : 0] = '\0';
	CHECK(usym_cache__resolve_file(c, exe, ip + 2, &s) == 0);
	CHECK_STR(s.name, "usym_test_target");
	CHECK(s.off == 2 && s.module && !strcmp(s.module, exe));
	/* a PIE file (libc) has no fixed addresses; a missing file is stat()'s error */
	CHECK(usym_cache__resolve_file(c, "/lib/x86_64-linux-gnu/libc.so.6", 0x1000, &s) ==
	      -ENOENT);
	CHECK(usym_cache__resolve_file(c, "/nonexistent/tk", ip, &s) == -ENOENT);
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

/* ---- source frames ------------------------------------------------------------------------- */

static void test_frames_own(void)
{
	struct usym_cache *c = usym_cache__new();
	struct usym_frame f[4];
	struct usym s;
	uint64_t ip = (uint64_t)(uintptr_t)&usym_test_target;
	int x = 0;

	/* this binary has DWARF (-g): a line in this file */
	CHECK(usym_cache__frames(c, getpid(), ip, f, 4, &s) == 1);
	CHECK_STR(f[0].func, "usym_test_target");
	CHECK(f[0].file && strstr(f[0].file, "test_usym.c"));
	CHECK(f[0].line > 0);
	CHECK(usym_cache__frames(c, getpid(), ip, f, 0, &s) == -EINVAL);
	/* libc has no DWARF here: its symbol, no line */
	{
		void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
		uint64_t g = libc ? (uint64_t)(uintptr_t)dlsym(libc, "getpid") : 0;

		CHECK(usym_cache__frames(c, getpid(), g, f, 4, &s) == 1);
		CHECK(f[0].func && strstr(f[0].func, "getpid"));
	}
	CHECK(usym_cache__frames(c, getpid(), (uint64_t)(uintptr_t)&x, f, 4, &s) == -ENOENT);
	CHECK(usym_cache__frames(c, 999999999, 0x401000, f, 4, &s) == -ESRCH);
	usym_cache__free(c);
}

static char targets[2400]; /* ROOT/tests/targets/bin */

static bool find_targets(void)
{
	char root[2048];

	return unit_repo_root(root, sizeof(root)) &&
	       (size_t)snprintf(targets, sizeof(targets), "%s/tests/targets/bin", root) <
		       sizeof(targets);
}

/* `path cpu` running, once it has exec()ed; 0 when it could not be started. */
static pid_t spawn_cpu(const char *path)
{
	char exe[4096];
	pid_t pid = fork();

	if (pid < 0)
		return 0;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl(path, path, "cpu", (char *)NULL);
		_exit(127);
	}
	/* until it has exec()ed: bounded, not timed */
	for (int i = 0; i < 5000; i++) {
		char link[64];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
		n = readlink(link, exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = '\0';
			if (!strcmp(exe, path))
				return pid;
		}
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Where the file's vaddr 0 is mapped (the mapping of file offset 0); 0 for non-PIE files. */
static uint64_t load_bias(pid_t pid, const char *path, bool pie)
{
	struct proc_maps pm;
	uint64_t bias = 0;

	if (!pie || proc_maps__load(pid, &pm))
		return 0;
	for (size_t i = 0; i < pm.n; i++)
		if (pm.maps[i].path && !strcmp(pm.maps[i].path, path) && !pm.maps[i].offset) {
			bias = pm.maps[i].start;
			break;
		}
	proc_maps__free(&pm);
	return bias;
}

/* Both unknown (NULL), or the same string. */
static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * A running target's hot function, address by address: usym's frames are the file's own
 * (gosym or DWARF, checked against go tool objdump and addr2line in test_gosym/test_dwarf),
 * reached through the process's mappings, with inner named inner (inlined) at some of them.
 */
static void check_live(const char *name, const char *func, const char *inner)
{
	struct unit_func r = {.name = func};
	char path[4096];
	struct usym_frame f[8];
	struct src_frame want[8];
	struct usym_cache *c;
	struct gosym_table *g = NULL;
	struct dwarf_file *df = NULL;
	struct elf_file *ef;
	unsigned int inlined = 0;
	uint64_t bias;
	bool pie;
	pid_t pid;
	struct usym s;

	snprintf(path, sizeof(path), "%s/%s", targets, name);
	CHECK(elf_file__open(path, &ef) == 0);
	if (!ef)
		return;
	pie = elf_file__is_pie(ef);
	if (elf_file__is_go(ef))
		CHECK(gosym_table__load_elf(ef, &g) == 0);
	/* the function as usym sizes it: by the symbol table, else (stripped Go) the pclntab */
	elf_file__for_each_func(ef, unit_find_func, &r);
	if (!r.size && g)
		gosym_table__for_each_func(g, unit_find_func, &r);
	elf_file__close(ef);
	if (!g)
		CHECK(dwarf_file__open(path, &df) == 0);
	CHECK(r.size > 0);
	pid = spawn_cpu(path);
	CHECK(pid > 0);
	c = usym_cache__new();
	bias = pid > 0 ? load_bias(pid, path, pie) : 0;
	for (uint64_t x = r.addr; pid > 0 && x < r.addr + r.size; x++) {
		int n = usym_cache__frames(c, pid, bias + x, f, 8, &s);
		int m = g ? gosym_table__frames(g, x, want, 8) : dwarf_file__frames(df, x, want, 8);

		CHECK(n >= 1 && n == m);
		for (int i = 0; i < n && i < m; i++) {
			CHECK_STR(f[i].func, i == n - 1 ? func : want[i].func);
			CHECK(same_str(f[i].file, want[i].file));
			CHECK(f[i].line == want[i].line);
		}
		CHECK_STR(s.name, func);
		CHECK(s.module && !strcmp(s.module, path));
		if (n == 2 && !strcmp(f[0].func, inner))
			inlined++;
	}
	CHECK(inlined >= 3);
	usym_cache__free(c);
	gosym_table__free(g);
	dwarf_file__close(df);
	if (pid > 0)
		stop(pid);
}

static void test_frames_live(void)
{
	CHECK(find_targets());
	check_live("goprof", "main.hotLoop", "main.mix");
	check_live("goprof-stripped", "main.hotLoop", "main.mix");
	check_live("cprof", "hot_loop", "mix");
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

UNIT_MAIN(test_own_function, test_libc_function, test_resolve_file, test_unknown, test_frames_own,
	  test_frames_live, test_ksyms)
