// SPDX-License-Identifier: GPL-2.0
/*
 * usdt:PATH:[PROVIDER:]NAME, wildcards in PROVIDER and NAME; PATH as for uprobes (with -p
 * the file as that process sees it, or a library of it), or `*` with -p: every file that
 * process maps. Each matching note site becomes
 * its own attach point named usdt:PATH:PROVIDER:NAME (one program each, so `probe` needs no
 * cookie). A semaphore is the kernel's: the uprobe perf event's ref_ctr_offset (config bits
 * 32-63, kernel >= 4.20) makes the kernel increment it while the probe is attached.
 *
 * ap->up holds: path (resolved) and display (as typed), func ("PROVIDER:NAME" as typed,
 * then as found), and one site: offs[0] the probe's file offset, cookies[0] its semaphore's
 * file offset (0: none).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attach.h"
#include "core/probe.h"
#include "core/procmaps.h"
#include "core/usdt.h"
#include "lang/probes.h"
#include "lang/provider.h"

static int usdt_parse(struct compiler *c, struct attach_point *ap, char **parts, int n)
{
	if (n < 3 || n > 4 || !*parts[1] || !*parts[2] || (n == 4 && !*parts[3]))
		return provider_error(c, ap, "Invalid usdt probe: expected PATH:[PROVIDER:]NAME");
	ap->up.path = strdup(parts[1]);
	if (asprintf(&ap->up.func, "%s:%s", n == 4 ? parts[2] : "*", parts[n - 1]) < 0)
		ap->up.func = NULL;
	ap->up.stash_fd = ap->up.entry_prog_fd = -1;
	return ap->up.path && ap->up.func ? 0 : -ENOMEM;
}

/* The sites of one file that match PROVIDER pattern pat and NAME pattern npat. */
static int expand_file(struct compiler *c, struct probe *p, const struct attach_point *tmpl,
		       const char *file, const char *pat, const char *npat, size_t *added,
		       char *err, size_t errlen)
{
	char *path = NULL;
	struct usdt_probe *v = NULL;
	size_t n = 0;
	int ret = usdt_probes_of(file, c->opts->pid, &path, &v, &n, err, errlen);

	for (size_t i = 0; i < n && !ret; i++) {
		struct attach_point *ap;
		char *name;

		if (!glob_match(pat, v[i].provider) || !glob_match(npat, v[i].name))
			continue;
		(*added)++;
		if (asprintf(&name, "usdt:%s:%s:%s", file, v[i].provider, v[i].name) < 0)
			abort();
		ap = probe_add_expanded(c, p, tmpl, name);
		if (!ap)
			continue;
		ap->up.stash_fd = ap->up.entry_prog_fd = -1;
		ap->up.path = strdup(path);
		ap->up.display = strdup(file);
		if (asprintf(&ap->up.func, "%s:%s", v[i].provider, v[i].name) < 0)
			ap->up.func = NULL;
		ap->up.sites.offs = malloc(sizeof(uint64_t));
		ap->up.sites.cookies = malloc(sizeof(uint64_t));
		if (!ap->up.path || !ap->up.display || !ap->up.func || !ap->up.sites.offs ||
		    !ap->up.sites.cookies)
			abort();
		ap->up.sites.offs[0] = v[i].pc_off;
		ap->up.sites.cookies[0] = v[i].sem_off;
		ap->up.sites.n = ap->up.sites.cap_offs = ap->up.sites.cap_cookies = 1;
		/* the note's argument table goes with the point: argN's check and code read it */
		ap->up.usdt_args = v[i].args;
		ap->up.usdt_nargs = v[i].nargs;
		v[i].args = NULL;
	}
	usdt_probes_free(v, n);
	free(path);
	return ret;
}

/*
 * usdt:*:...: every file the -p process maps (its program and its libraries), as bpftrace
 * 0.20 searches them; files without notes, or that are not ELF, are passed over.
 */
static int expand_mapped(struct compiler *c, struct probe *p, const struct attach_point *tmpl,
			 const char *pat, const char *npat, size_t *added)
{
	struct proc_maps pm;
	char err[512];
	int ret;

	if (c->opts->pid <= 0) {
		diag_error(c->diag, tmpl->loc, "usdt:* needs -p PID: the files of which process?");
		return -EINVAL;
	}
	ret = proc_maps__load(c->opts->pid, &pm);
	if (ret) {
		diag_error(c->diag, tmpl->loc, "usdt:*: cannot read the maps of pid %d: %s",
			   c->opts->pid, strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < pm.n; i++) {
		const char *f = pm.maps[i].path;
		bool seen = false;

		if (!f || f[0] != '/' || strstr(f, " (deleted)"))
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = pm.maps[k].path && !strcmp(pm.maps[k].path, f);
		if (!seen)
			expand_file(c, p, tmpl, f, pat, npat, added, err, sizeof(err));
	}
	proc_maps__free(&pm);
	return 0;
}

static int usdt_expand(struct compiler *c, struct probe *p, const struct attach_point *tmpl)
{
	char err[512], *pat = strdup(tmpl->up.func), *npat;
	size_t added = 0;
	int ret;

	if (!pat)
		return -ENOMEM;
	npat = strchr(pat, ':');
	*npat++ = 0;
	if (!strcmp(tmpl->up.path, "*")) {
		ret = expand_mapped(c, p, tmpl, pat, npat, &added);
	} else {
		ret = expand_file(c, p, tmpl, tmpl->up.path, pat, npat, &added, err, sizeof(err));
		if (ret)
			diag_error(c->diag, tmpl->loc, "%s", err);
	}
	if (!ret && !added) {
		diag_error(c->diag, tmpl->loc, "No probes matched");
		ret = -ENOENT;
	}
	free(pat);
	return ret ? ret : (int)added;
}

static int usdt_attach(const struct attach_point *ap, struct attach_set *as, int pid)
{
	return attach_usdt(as, ap->prog_fd, ap->up.path, ap->up.sites.offs[0],
			   ap->up.sites.cookies[0], pid);
}

/* No resolve: expand() resolves every site; a usdt point is never left unexpanded. */
static void usdt_free(struct attach_point *ap)
{
	free(ap->up.path);
	free(ap->up.display);
	free(ap->up.func);
	uprobe_sites__free(&ap->up.sites);
	free(ap->up.usdt_args);
}

const struct provider provider_usdt = {.name = "usdt",
				       .alias = "U",
				       .type = PT_USDT,
				       .prog_type = BPF_PROG_TYPE_KPROBE,
				       .parse = usdt_parse,
				       .expand = usdt_expand,
				       .attach = usdt_attach,
				       .free = usdt_free};
