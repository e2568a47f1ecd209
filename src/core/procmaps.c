// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/out.h"
#include "core/procmaps.h"
#include "core/vec.h"

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
		m.dev = makedev(dmaj, dmin);
		p = line + pos;
		p[strcspn(p, "\n")] = '\0';
		if (*p == '/') {
			m.path = strdup(p);
			if (!m.path)
				goto nomem;
		}
		if (VEC_RESERVE(pm->maps, cap, pm->n, 1)) {
			free(m.path);
			goto nomem;
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

#define MAX_LINKS 40 /* as the kernel's path walk */

int path_in_root(const char *root, const char *path, char *out, size_t len)
{
	char rest[PATH_MAX * 2], next[PATH_MAX * 2], target[PATH_MAX], done[PATH_MAX] = "";
	size_t rlen = strlen(root), dlen = 0;
	int links = 0, ret = 0, n;

	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest))
		return -ENAMETOOLONG;
	for (char *r = rest;;) {
		struct stat st;
		size_t clen;
		ssize_t tl;

		while (*r == '/')
			r++;
		if (!*r)
			break;
		clen = strcspn(r, "/");
		if (clen == 1 && r[0] == '.') {
			r += clen;
			continue;
		}
		if (clen == 2 && r[0] == '.' && r[1] == '.') {
			/* done holds no symlink: going up is lexical, and stops at the root */
			while (dlen && done[dlen - 1] != '/')
				dlen--;
			if (dlen)
				dlen--;
			done[dlen] = '\0';
			r += clen;
			continue;
		}
		if (dlen + 1 + clen >= sizeof(done))
			return -ENAMETOOLONG;
		done[dlen] = '/';
		memcpy(done + dlen + 1, r, clen);
		done[dlen + 1 + clen] = '\0';
		r += clen;
		n = snprintf(target, sizeof(target), "%s%s", root, done);
		if (n < 0 || (size_t)n >= sizeof(target))
			return -ENAMETOOLONG;
		if (lstat(target, &st)) {
			/* missing: say where it would be, the rest unresolved */
			ret = -ENOENT;
			dlen += 1 + clen;
			if (dlen + strlen(r) >= sizeof(done))
				return -ENAMETOOLONG;
			strcpy(done + dlen, r);
			dlen += strlen(r);
			break;
		}
		if (!S_ISLNK(st.st_mode)) {
			dlen += 1 + clen;
			continue;
		}
		if (++links > MAX_LINKS)
			return -ELOOP;
		tl = readlink(target, next, sizeof(target) - 1);
		if (tl < 0)
			return -errno;
		next[tl] = '\0';
		memcpy(target, next, (size_t)tl + 1);
		/* an absolute target starts again at the root, a relative one in this directory */
		done[dlen] = '\0';
		if (target[0] == '/')
			dlen = done[0] = '\0';
		n = snprintf(next, sizeof(next), "%s/%s", target, r);
		if (n < 0 || (size_t)n >= sizeof(next))
			return -ENAMETOOLONG;
		memcpy(rest, next, (size_t)n + 1);
		r = rest;
	}
	n = snprintf(out, len, "%s%s", root, dlen || rlen ? done : "/");
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return ret;
}

int proc_file_path(int pid, const char *file, char *out, size_t len)
{
	char root[32];
	int n;

	if (pid > 0 && file[0] == '/' && strncmp(file, "/proc/", 6)) {
		/*
		 * Not just the prefix: the kernel would follow an absolute symlink inside the
		 * container (/usr/bin/java -> /etc/alternatives/java) from the tracer's root.
		 */
		snprintf(root, sizeof(root), "/proc/%d/root", pid);
		n = path_in_root(root, file, out, len);
		if (n)
			return n;
	} else {
		n = snprintf(out, len, "%s", file);
		if (n < 0 || (size_t)n >= len)
			return -ENAMETOOLONG;
	}
	return access(out, F_OK) ? -ENOENT : 0;
}

/* path exists and is the mapped file: same inode (and device, when same_dev) */
static bool holds_inode(const char *path, const struct proc_map *m, bool same_dev)
{
	struct stat st;

	return !stat(path, &st) && st.st_ino == m->inode && (!same_dev || st.st_dev == m->dev);
}

int proc_map_path(int pid, const struct proc_map *m, char *out, size_t len)
{
	int n;

	if (!m->path)
		return -ENOENT;
	/*
	 * Through the process's root, the inode alone decides: on overlayfs (containers) the
	 * mapping shows the lower layer's device, stat() the overlay's.
	 */
	if (!proc_file_path(pid, m->path, out, len) && holds_inode(out, m, false))
		return 0;
	if (pid > 0 && m->path[0] == '/' && holds_inode(m->path, m, true))
		return snprintf(out, len, "%s", m->path) < (int)len ? 0 : -ENAMETOOLONG;
	n = snprintf(out, len, "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, pid, m->start, m->end);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return access(out, F_OK) ? -ENOENT : 0;
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
