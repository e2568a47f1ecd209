/* SPDX-License-Identifier: GPL-2.0 */
/* x86-64 system call numbers by name (from the UAPI header at build time). */
#ifndef TK_SYSCALLS_H
#define TK_SYSCALLS_H

/* Number of a syscall ("openat"; "newstat" also finds "stat"), or -1 if unknown. */
int syscall_nr(const char *name);
/* Name of syscall nr, or NULL if unknown. */
const char *syscall_name(int nr);

#endif
