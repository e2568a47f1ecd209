/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tool is a subcommand of the tracekit binary and, through a symlink, a command of its
 * own. Each tool file registers itself with TOOL_REGISTER(); the entries land in the
 * tk_tools section, so adding a tool never touches a shared table.
 */
#ifndef TK_TOOL_H
#define TK_TOOL_H

struct tool {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

#define TOOL_REGISTER(tname, fn, sum)                                                            \
	static const struct tool tool_entry_##tname                                              \
		__attribute__((used, section("tk_tools"), aligned(sizeof(void *)))) = {         \
			.name = #tname, .summary = sum, .main = fn }

/* Find a registered tool by name; NULL when none. */
const struct tool *tool_find(const char *name);
/* Print "  name  summary" for every tool, sorted by name. */
void tool_list(void);

#endif
