/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TK_LANG_LIST_H
#define TK_LANG_LIST_H

#include <stdbool.h>

/* -l [PATTERN] / -lv: 0 or negative errno (after a message). */
int lang_list(const char *pattern, bool verbose, int pid);

#endif
