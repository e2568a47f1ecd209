/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TK_LANG_PROBES_H
#define TK_LANG_PROBES_H

#include <regex.h>
#include <stdbool.h>

#include "lang/compile.h"

int attach_point_parse(struct compiler *c, const char *text, struct loc loc,
		       struct attach_point *ap);
/* Resolve against binaries/tracefs (not in offline mode). */
int attach_point_resolve(struct compiler *c, struct attach_point *ap);
void attach_point_free(struct attach_point *ap);
/* Build c->probes from the AST: parse, expand wildcards, resolve. */
int probes_expand(struct compiler *c);
/* PERF_COUNT_SW_* of a software event name, or -1. */
int software_event_config(const char *name, uint64_t *def);

int tp_format_load(struct compiler *c, struct attach_point *ap);
void tp_format_free(struct tp_format *f);
const struct tp_field *tp_field_find(const struct tp_format *f, const char *name);
/* A new, uninitialised attach point at the end of p->aps. */
struct attach_point *probe_add_ap(struct probe *p);
/*
 * An expand()'s concrete attach point named `name` (malloc'd, taken): what every kind shares
 * set from the template, the provider's part zeroed, counted as attached. NULL, and name
 * freed, when --probe-filter leaves it out.
 */
struct attach_point *probe_add_expanded(struct compiler *c, struct probe *p,
					const struct attach_point *tmpl, char *name);
/*
 * --probe-filter: from here on probes_expand() keeps only the attach points (uprobes: the
 * functions) whose full name the regex finds a match in; begin and end always stay. NULL: all.
 */
void probes_set_filter(const regex_t *re);
/* Does the filter keep the probe of this full name? */
bool probe_filter_keeps(const char *name);
/* Register a name for LT_PROBE values; returns its index. */
int probe_name_add(struct compiler *c, const char *name);

#endif
