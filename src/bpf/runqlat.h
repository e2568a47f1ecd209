/* SPDX-License-Identifier: GPL-2.0 */
/* runqlat: what runqlat.bpf.c and tools/runqlat.c share. */
#ifndef TK_RUNQLAT_H
#define TK_RUNQLAT_H

/* what a histogram's key is (targ_key) */
enum runqlat_key {
	RUNQLAT_KEY_NONE,
	RUNQLAT_KEY_PID,   /* -P: the process (tgid) */
	RUNQLAT_KEY_TID,   /* -L: the thread */
	RUNQLAT_KEY_PIDNS, /* --pidnss: the PID namespace's inode number */
};

#endif
