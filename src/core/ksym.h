/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols from /proc/kallsyms, loaded only when a kernel stack needs them (~150 ms). */
#ifndef TK_KSYM_H
#define TK_KSYM_H

#include <stdint.h>

struct ksyms;

struct ksyms *ksyms__load(void);
void ksyms__free(struct ksyms *k);
/* Name of the symbol holding addr and the offset into it; NULL if none. */
const char *ksyms__resolve(const struct ksyms *k, uint64_t addr, uint64_t *off);
/* Address of kernel symbol name, read from /proc/kallsyms without loading the table: 0 and
 * *addr, -ENOENT if there is none (or it reads 0: kptr_restrict), -errno. */
int ksym_addr(const char *name, uint64_t *addr);

#endif
