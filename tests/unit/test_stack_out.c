// SPDX-License-Identifier: GPL-2.0
/*
 * core/stack_out.c on a hand-built profile: bcc's blocks (with and without -d), folded lines
 * (inlined lines expanded, the holder first; the "-" delimiter; missed stacks), ascending
 * order, escaping of names from traced processes, and JSON.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/stack.h"
#include "core/stack_out.h"
#include "unit.h"

static const struct stack_value_type types[] = {{"samples", "count"}};

/* Two samples: a hot one with a kernel frame and an inlined frame, a cold one missing its
 * user stack. */
static void build(struct stack_profile *p)
{
	const struct stack_frame hot[] = {
		{.func = "schedule",
		 .module = "[kernel.kallsyms]",
		 .addr = 0xffff1,
		 .kernel = true},
		{.func = "main.mix", .file = "main.go", .line = 27, .addr = 0x10, .inlined = true},
		{.func = "main.hotLoop", .file = "main.go", .line = 38, .addr = 0x10},
		{.func = "runtime.goexit", .addr = 0x20},
	};
	const struct stack_frame cold[] = {
		{.func = "do_\x1b[31mbad",
		 .module = "[kernel.kallsyms]",
		 .addr = 0xffff2,
		 .kernel = true},
	};
	const struct stack_who w1 = {.pid = 7, .tid = 8, .comm = "goprof"};
	const struct stack_who w2 = {.pid = 9, .tid = 9, .comm = "c\nold", .user_missing = true};
	const int64_t v1[] = {5}, v2[] = {2};

	CHECK(stack_profile__init(p, types, 1) == 0);
	CHECK(stack_profile__add_frames(p, &w1, hot, 4, v1) == 0);
	CHECK(stack_profile__add_frames(p, &w2, cold, 1, v2) == 0);
}

/* What fn writes for p with st, as a string (freed by the caller). */
static char *render(int (*fn)(FILE *, const struct stack_profile *, const struct stack_style *),
		    const struct stack_profile *p, const struct stack_style *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	if (!f)
		return NULL;
	CHECK(fn(f, p, st) == 0);
	fclose(f);
	return buf;
}

static void test_blocks(void)
{
	struct stack_profile p;
	struct stack_style st = STACK_STYLE_BCC;
	char *out;

	build(&p);
	out = render(stack_out_text, &p, &st);
	/* ascending: the cold sample first; its escaped names; the hot one's inline first */
	CHECK_STR(out, "    do_\\e[31mbad\n"
		       "    [Missed User Stack]\n"
		       "    -                c\\nold (9)\n"
		       "        2\n"
		       "\n"
		       "    schedule\n"
		       "    main.mix\n"
		       "    main.hotLoop\n"
		       "    runtime.goexit\n"
		       "    -                goprof (7)\n"
		       "        5\n"
		       "\n");
	free(out);
	st.delimit = true;
	st.annotate = true;
	out = render(stack_out_text, &p, &st);
	/* -d: "--" only where both stacks are there */
	CHECK_STR(out, "    do_\\e[31mbad_[k]\n"
		       "    [Missed User Stack]\n"
		       "    -                c\\nold (9)\n"
		       "        2\n"
		       "\n"
		       "    schedule_[k]\n"
		       "    --\n"
		       "    main.mix\n"
		       "    main.hotLoop\n"
		       "    runtime.goexit\n"
		       "    -                goprof (7)\n"
		       "        5\n"
		       "\n");
	free(out);
	stack_profile__exit(&p);
}

static void test_folded(void)
{
	struct stack_profile p;
	struct stack_style st = STACK_STYLE_BCC;
	char *out;

	build(&p);
	out = render(stack_out_folded, &p, &st);
	CHECK_STR(out, "c\\nold;[Missed User Stack];do_\\e[31mbad 2\n"
		       "goprof;runtime.goexit;main.hotLoop;main.mix;schedule 5\n");
	free(out);
	st.delimit = true;
	st.kernel = false; /* -U */
	out = render(stack_out_folded, &p, &st);
	CHECK_STR(out, "c\\nold;[Missed User Stack] 2\n"
		       "goprof;runtime.goexit;main.hotLoop;main.mix 5\n");
	free(out);
	stack_profile__exit(&p);
}

static void test_json(void)
{
	struct stack_profile p;
	struct stack_style st = STACK_STYLE_BCC;
	char *out;

	build(&p);
	out = render(stack_out_json, &p, &st);
	CHECK(out && strstr(out, "{\"comm\":\"goprof\",\"pid\":7,\"tid\":8,\"value\":5,"
				 "\"values\":{\"samples\":5}"));
	CHECK(out && strstr(out, "{\"func\":\"main.mix\",\"file\":\"main.go\",\"line\":27,"
				 "\"inlined\":true,\"module\":null,\"addr\":\"0x10\"}"));
	CHECK(out && strstr(out, "\"comm\":\"c\\nold\""));
	/* one object per line, two lines */
	CHECK(out && strchr(out, '\n') && strchr(strchr(out, '\n') + 1, '\n') &&
	      !strchr(strchr(strchr(out, '\n') + 1, '\n') + 1, '\n'));
	free(out);
	stack_profile__exit(&p);
}

UNIT_MAIN(test_blocks, test_folded, test_json)
