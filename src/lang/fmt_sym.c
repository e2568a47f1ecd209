// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols for stacks, ksym() and usym(): kernel symbols and per-process user symbols from
 * core/, loaded on first use, plus a fallback for processes that are gone.
 *
 * bpftrace resolves user addresses when it prints them, through /proc/PID/maps; a map
 * printed at exit therefore shows `0x401600` for a short-lived process (a cprog run) where
 * `tk_add` was meant. We do what we can instead: when the pid is gone, an address inside a
 * non-PIE binary that the program probes (its addresses are link-time addresses, the same
 * in every process) is resolved from that binary's symbol table.
 */
#include <errno.h>
#include <ftw.h>
#include <linux/bpf.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ksym.h"
#include "core/usym.h"
#include "lang/fmt.h"

void lt_symctx_free(struct lt_symctx *s)
{
	ksyms__free(s->k);
	usym_cache__free(s->u);
	for (int i = 0; i < s->npaths; i++)
		free(s->paths[i]);
	free(s->paths);
	*s = (struct lt_symctx){0};
}

const char *lt_sym_kernel(struct lt_symctx *s, uint64_t addr, uint64_t *off)
{
	if (!s)
		return NULL;
	if (!s->k && !s->k_failed) {
		s->k = ksyms__load();
		s->k_failed = !s->k;
	}
	return s->k ? ksyms__resolve(s->k, addr, off) : NULL;
}

/* "uprobe:PATH:FUNC" / "uretprobe:PATH:FUNC" -> PATH (malloc'd), else NULL. */
static char *uprobe_path(const char *probe)
{
	const char *p = strchr(probe, ':'), *end;

	if (!p || (strncmp(probe, "uprobe:", 7) && strncmp(probe, "uretprobe:", 10)))
		return NULL;
	p++;
	end = strrchr(p, ':');
	if (!end || end == p)
		return NULL;
	return strndup(p, (size_t)(end - p));
}

/* The distinct binaries the program's uprobes name. */
static void find_paths(struct lt_symctx *s)
{
	const struct lt_prog *prog = s->prog;

	s->paths_found = true;
	for (uint32_t i = 0; prog && i < prog->nprobes; i++) {
		char *path = prog->probe_names[i] ? uprobe_path(prog->probe_names[i]) : NULL;
		char **nv;
		bool dup = false;

		for (int k = 0; path && k < s->npaths; k++)
			dup |= !strcmp(s->paths[k], path);
		nv = path && !dup ? realloc(s->paths, (s->npaths + 1) * sizeof(*nv)) : NULL;
		if (!nv) {
			free(path);
			continue;
		}
		s->paths = nv;
		s->paths[s->npaths++] = path;
	}
}

/*
 * An address of a process that is gone, in one of the program's non-PIE binaries, whose code
 * is at the same (link-time) addresses in every process: through core/usym's file cache.
 */
static bool fallback(struct lt_symctx *s, uint64_t addr, const char **name, uint64_t *off,
		     const char **module)
{
	struct usym u;

	if (!s->u)
		return false;
	if (!s->paths_found)
		find_paths(s);
	for (int i = 0; i < s->npaths; i++) {
		if (usym_cache__resolve_file(s->u, s->paths[i], addr, &u))
			continue;
		*name = u.name;
		*off = u.off;
		*module = u.module;
		return true;
	}
	return false;
}

int lt_sym_user(struct lt_symctx *s, uint32_t pid, uint64_t addr, const char **name, uint64_t *off,
		const char **module)
{
	struct usym u = {0};
	int err = -ENOENT;

	*name = NULL;
	*module = NULL;
	*off = 0;
	if (!s)
		return -EINVAL;
	if (!s->u && !s->u_failed) {
		s->u = usym_cache__new();
		s->u_failed = !s->u;
	}
	if (s->u) {
		err = usym_cache__resolve(s->u, (int)pid, addr, &u);
		*name = u.name;
		*off = u.off;
		*module = u.module;
	}
	if (!*name && !*module && fallback(s, addr, name, off, module))
		return 0;
	return *name ? 0 : err;
}

static void put_username(struct lt_sbuf *out, uint64_t uid)
{
	const struct passwd *pw = getpwuid((uid_t)uid);

	if (pw)
		lt_sbuf_puts(out, pw->pw_name);
	else
		lt_sbuf_printf(out, "%llu", (unsigned long long)uid);
}

/* cgroup2's id of a cgroup is its directory's inode number (kernfs' node id). */
static uint64_t cg_wanted;
static char cg_found[4096];
static size_t cg_root_len;

static int cg_visit(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)f;
	if (flag != FTW_D || (uint64_t)st->st_ino != cg_wanted)
		return 0;
	snprintf(cg_found, sizeof(cg_found), "%s", path[cg_root_len] ? path + cg_root_len : "/");
	return 1;
}

static void put_cgroup_path(struct lt_sbuf *out, uint64_t id)
{
	/* the last few answers: a map printed at exit asks for the same ids again and again */
	static struct {
		uint64_t id;
		char *path;
	} cache[16];
	static unsigned int next;
	FILE *mi;
	char line[4096], mnt[4096], type[64];
	const char *path = NULL;

	for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++)
		if (cache[i].path && cache[i].id == id)
			path = cache[i].path;
	if (!path && (mi = fopen("/proc/self/mountinfo", "re"))) {
		cg_wanted = id;
		cg_found[0] = 0;
		while (!cg_found[0] && fgets(line, sizeof(line), mi)) {
			const char *sep = strstr(line, " - ");

			if (!sep || sscanf(sep, " - %63s", type) != 1 || strcmp(type, "cgroup2") ||
			    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
				continue;
			cg_root_len = strlen(mnt);
			nftw(mnt, cg_visit, 16, FTW_PHYS | FTW_MOUNT);
		}
		fclose(mi);
		if (cg_found[0]) {
			free(cache[next].path);
			cache[next].id = id;
			cache[next].path = strdup(cg_found);
			path = cache[next].path;
			next = (next + 1) % (sizeof(cache) / sizeof(cache[0]));
		}
	}
	if (path)
		lt_sbuf_printf(out, "unified:%s", path);
	else
		lt_sbuf_printf(out, "%llu", (unsigned long long)id);
}

static void put_pid_comm(struct lt_sbuf *out, uint64_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%llu/comm", (unsigned long long)pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	lt_sbuf_put_escaped(out, comm, strlen(comm));
}

void lt_put_resolved(struct lt_sbuf *out, enum lt_resolve how, uint64_t v)
{
	switch (how) {
	case LT_RES_USERNAME:
		put_username(out, v);
		break;
	case LT_RES_CGROUP_PATH:
		put_cgroup_path(out, v);
		break;
	case LT_RES_PID_COMM:
		put_pid_comm(out, v);
		break;
	case LT_RES_NONE:
		lt_sbuf_printf(out, "%llu", (unsigned long long)v);
		break;
	}
}

void lt_put_build_id_stack(struct lt_sbuf *out, const void *frames, uint32_t max)
{
	struct bpf_stack_build_id f;

	lt_sbuf_putc(out, '\n');
	for (uint32_t i = 0; i < max; i++) {
		/* a ring-buffer record is not aligned for the struct */
		memcpy(&f, (const char *)frames + i * sizeof(f), sizeof(f));
		/* the frames the kernel did not fill are zero: BPF_STACK_BUILD_ID_EMPTY */
		if (f.status == BPF_STACK_BUILD_ID_EMPTY)
			break;
		if (f.status != BPF_STACK_BUILD_ID_VALID) {
			lt_sbuf_printf(out, "%llx\n", (unsigned long long)f.ip);
			continue;
		}
		for (int k = 0; k < BPF_BUILD_ID_SIZE; k++)
			lt_sbuf_printf(out, "%02x", f.build_id[k]);
		lt_sbuf_printf(out, " 0x%02llx\n", (unsigned long long)f.offset);
	}
}
