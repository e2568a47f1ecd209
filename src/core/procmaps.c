// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/out.h"
#include "core/procmaps.h"

int proc_maps__load(int pid, struct proc_maps *pm)
{
	char path[64], line[4096];
	FILE *f;
	size_t cap = 0;

	memset(pm, 0, sizeof(*pm));
	pm->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		struct proc_map m = { 0 };
		char perms[8];
		unsigned int dmaj, dmin;
		int pos = 0;
		char *p;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64 " %n",
			   &m.start, &m.end, perms, &m.offset, &dmaj, &dmin, &m.inode, &pos) < 7)
			continue;
		m.exec = perms[2] == 'x';
		p = line + pos;
		p[strcspn(p, "\n")] = '\0';
		if (*p == '/') {
			m.path = strdup(p);
			if (!m.path)
				goto nomem;
		}
		if (pm->n == cap) {
			struct proc_map *v;

			cap = cap ? cap * 2 : 64;
			v = realloc(pm->maps, cap * sizeof(*v));
			if (!v) {
				free(m.path);
				goto nomem;
			}
			pm->maps = v;
		}
		pm->maps[pm->n++] = m;
	}
	fclose(f);
	return pm->n ? 0 : -ESRCH;
nomem:
	fclose(f);
	proc_maps__free(pm);
	return -ENOMEM;
}

void proc_maps__free(struct proc_maps *pm)
{
	for (size_t i = 0; i < pm->n; i++)
		free(pm->maps[i].path);
	free(pm->maps);
	pm->maps = NULL;
	pm->n = 0;
}

const struct proc_map *proc_maps__find(const struct proc_maps *pm, uint64_t addr)
{
	size_t lo = 0, hi = pm->n;

	/* The kernel lists mappings in address order. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr < pm->maps[mid].start)
			hi = mid;
		else if (addr >= pm->maps[mid].end)
			lo = mid + 1;
		else
			return &pm->maps[mid];
	}
	return NULL;
}

/* "c" and "libc" match "libc.so.6" and "libc-2.36.so"; a name with ".so" must match up to it. */
bool lib_name_matches(const char *base, const char *name)
{
	char want[256];
	size_t n;

	if (strstr(name, ".so"))
		return strncmp(base, name, strlen(name)) == 0 &&
		       (base[strlen(name)] == '\0' || base[strlen(name)] == '.');
	snprintf(want, sizeof(want), "%s%s", strncmp(name, "lib", 3) ? "lib" : "", name);
	n = strlen(want);
	return strncmp(base, want, n) == 0 && (base[n] == '.' || base[n] == '-');
}

const struct proc_map *proc_maps__find_lib(const struct proc_maps *pm, const char *name)
{
	for (size_t i = 0; i < pm->n; i++) {
		const char *base;

		if (!pm->maps[i].path)
			continue;
		base = strrchr(pm->maps[i].path, '/');
		base = base ? base + 1 : pm->maps[i].path;
		if (lib_name_matches(base, name))
			return &pm->maps[i];
	}
	return NULL;
}

bool proc_alive(int pid)
{
	char path[64], state = 0, buf[512];
	FILE *f;
	char *p;

	if (pid <= 0 || (kill(pid, 0) && errno == ESRCH))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		state = p[2];
	fclose(f);
	return state && state != 'Z' && state != 'X';
}

int proc_root_path(int pid, const char *path, char *out, size_t len)
{
	int n;

	if (pid > 0 && path[0] == '/')
		n = snprintf(out, len, "/proc/%d/root%s", pid, path);
	else
		n = snprintf(out, len, "%s", path);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int proc_comm(int pid, char *buf, size_t len)
{
	char path[64], raw[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	if (!fgets(raw, sizeof(raw), f))
		raw[0] = '\0';
	fclose(f);
	raw[strcspn(raw, "\n")] = '\0';
	str_escape(buf, len, raw, sizeof(raw));
	return 0;
}
