// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/attach.h"
#include "core/log.h"
#include "core/procmaps.h"
#include "tools/libfuncs.h"

/* Without it in the process's maps, the library would be found in ld.so.cache instead. */
static int check_mapped(int pid, const char *lib)
{
	struct proc_maps pm;
	bool found;
	int err;

	if (pid <= 0 || strchr(lib, '/'))
		return 0;
	err = proc_maps__load(pid, &pm);
	if (err) {
		tk_err("no process with PID %d", pid);
		return err;
	}
	found = proc_maps__find_lib(&pm, lib) != NULL;
	proc_maps__free(&pm);
	if (found)
		return 0;
	tk_err("process %d does not map %s (a static binary?): nothing to trace", pid, lib);
	return -ENOENT;
}

static int add(struct func_plan *p, const char *lib, const char *name, int pid, char *err,
	       size_t errlen)
{
	char pat[4096];

	if (snprintf(pat, sizeof(pat), "%s:%s", lib, name) >= (int)sizeof(pat)) {
		snprintf(err, errlen, "%s: path too long", lib);
		return -ENAMETOOLONG;
	}
	return func_plan__add_text(p, pat, pid, err, errlen);
}

int libfuncs_plan(struct func_plan *p, const char *lib, const char *const *names, size_t n, int pid,
		  int *idx, bool verbose)
{
	char err[512];
	int ret = check_mapped(pid, lib);

	if (ret)
		return ret;
	p->multi = kernel_has_uprobe_multi();
	for (size_t i = 0; i < n; i++) {
		size_t before = p->nfuncs;

		idx[i] = -1;
		ret = add(p, lib, names[i], pid, err, sizeof(err));
		if (ret == -ENOMEM) {
			tk_err("out of memory");
			return ret;
		}
		if (!ret && p->nfuncs == before + 1)
			idx[i] = (int)before;
		else if (!ret) /* never for a literal name: say so rather than guess */
			tk_err("%s:%s: %zu functions of that name", lib, names[i],
			       p->nfuncs - before);
		else if (ret != -ENOENT || p->nsets == 0) {
			/* the library itself (the first name's lookup) is missing or unreadable */
			tk_err("%s", err);
			return ret;
		} else if (verbose)
			tk_note("%s", err);
		if (!ret && idx[i] < 0)
			return -EINVAL;
	}
	return 0;
}
