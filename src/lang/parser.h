/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TK_LANG_PARSER_H
#define TK_LANG_PARSER_H

#include <stdbool.h>

#include "lang/ast.h"
#include "lang/diag.h"

/* Parse a whole program; NULL after reporting errors through diag. */
struct node *lang_parse(const char *src, struct diag *diag);
/* An imported .bt file, which may have no probes (only macros, maps, C definitions). */
struct node *lang_parse_import(const char *src, struct diag *diag);
bool lang_is_type_name(const char *s);

#endif
