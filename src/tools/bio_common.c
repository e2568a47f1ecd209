// SPDX-License-Identifier: GPL-2.0
/* The block I/O tools' -d DISK (see bio_common.h). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/log.h"
#include "tools/bio_common.h"

int bio_disk_dev(const char *name, uint32_t *dev)
{
	char path[300];
	struct stat st;

	/* a name, as bcc takes it: never a path that leaves /dev */
	if (!name[0] || strchr(name, '/') || strlen(name) >= BIO_DISK_LEN ||
	    snprintf(path, sizeof(path), "/dev/%s", name) >= (int)sizeof(path) || stat(path, &st) ||
	    !S_ISBLK(st.st_mode)) {
		tk_err("no such disk '%s'", name);
		return 1;
	}
	*dev = major(st.st_rdev) << 20 | minor(st.st_rdev);
	return 0;
}
