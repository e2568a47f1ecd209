// SPDX-License-Identifier: GPL-2.0
/*
 * The builtins of every family (context, maps, strings, stacks) as one table to look names
 * up in. A builtin's index is family * 256 + position, kept in the node for code generation.
 */
#include <stdlib.h>
#include <string.h>

#include "lang/compile.h"

/* task first: its curtask (typed from BTF) is the one a name finds */
static const struct builtin *const families[] = {builtins_task,	  builtins_context,
						 builtins_maps,	  builtins_strings,
						 builtins_stacks, builtins_options,
						 builtins_names,  builtins_tseries,
						 builtins_addr,   builtins_debug};
#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* argN / sargN / gargN: the digit(s) after the prefix. */
int builtin_arg_index(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (strncmp(name, prefix, n) || !name[n])
		return -1;
	v = strtol(name + n, &end, 10);
	return *end || v < 0 || v > 99 ? -1 : (int)v;
}

const struct builtin *builtin_find(const char *name, bool is_call, int *index)
{
	for (size_t t = 0; t < NFAMILIES; t++)
		for (int i = 0; families[t][i].name; i++) {
			const struct builtin *b = &families[t][i];
			bool family = !strcmp(b->name, "arg") || !strcmp(b->name, "sarg") ||
				      !strcmp(b->name, "garg");

			if (family ? builtin_arg_index(name, b->name) < 0 : strcmp(b->name, name))
				continue;
			/* kstack/ustack work both bare and as calls */
			if (b->is_call != is_call && strcmp(name, "kstack") &&
			    strcmp(name, "ustack"))
				continue;
			*index = (int)t * 256 + i;
			return b;
		}
	return NULL;
}

const struct builtin *builtin_get(int index)
{
	if (index < 0 || (size_t)(index / 256) >= NFAMILIES)
		return NULL;
	return &families[index / 256][index % 256];
}
