// SPDX-License-Identifier: GPL-2.0
/*
 * usdt:PATH:[PROVIDER:]NAME, wildcards in PROVIDER and NAME; PATH as for uprobes (with -p
 * the file as that process sees it, or a library of it). Each matching note site becomes
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

static int usdt_expand(struct compiler *c, struct probe *p, const struct attach_point *tmpl)
{
	char err[512], *path = NULL, *pat = strdup(tmpl->up.func), *npat;
	struct usdt_probe *v = NULL;
	size_t n = 0, added = 0;
	int ret;

	if (!pat)
		return -ENOMEM;
	npat = strchr(pat, ':');
	*npat++ = 0;
	ret = usdt_probes_of(tmpl->up.path, c->opts->pid, &path, &v, &n, err, sizeof(err));
	if (ret)
		diag_error(c->diag, tmpl->loc, "%s", err);
	for (size_t i = 0; i < n && !ret; i++) {
		struct attach_point *ap;
		char *name;

		if (!glob_match(pat, v[i].provider) || !glob_match(npat, v[i].name))
			continue;
		added++;
		if (asprintf(&name, "usdt:%s:%s:%s", tmpl->up.path, v[i].provider, v[i].name) < 0)
			abort();
		if (!probe_filter_keeps(name)) {
			free(name);
			continue;
		}
		ap = probe_add_ap(p);
		*ap = (struct attach_point){.prov = tmpl->prov,
					    .type = PT_USDT,
					    .loc = tmpl->loc,
					    .prog_fd = -1,
					    .probe_name = name,
					    .probe_index = probe_name_add(c, name)};
		ap->up.stash_fd = ap->up.entry_prog_fd = -1;
		ap->up.path = strdup(path);
		ap->up.display = strdup(tmpl->up.path);
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
		c->nattach++;
	}
	if (!ret && !added) {
		diag_error(c->diag, tmpl->loc, "No probes matched");
		ret = -ENOENT;
	}
	usdt_probes_free(v, n);
	free(path);
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
