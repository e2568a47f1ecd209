// SPDX-License-Identifier: GPL-2.0
/*
 * core/flamegraph.c and core/svg.c: XML escaping of names from traced processes, and a flame
 * graph of a synthetic profile whose every frame's value is known. With TK_FLAMEGRAPH_SVG=FILE
 * the graph is written there too, for tests/e2e/test_svg.py to parse and render.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/flamegraph.h"
#include "core/stack.h"
#include "core/svg.h"
#include "unit.h"

static const struct stack_value_type types[] = {{"samples", "count"}};

static char *escaped(const char *s, size_t max)
{
	static char buf[256];
	FILE *f;

	buf[0] = 0;
	f = fmemopen(buf, sizeof(buf), "w");

	svg_text(f, s, max);
	fclose(f);
	return buf;
}

static void test_escape(void)
{
	CHECK_STR(escaped("main.Map[go.shape.int]", SIZE_MAX), "main.Map[go.shape.int]");
	CHECK_STR(escaped("a<b>&\"'", SIZE_MAX), "a&lt;b&gt;&amp;&quot;&apos;");
	CHECK_STR(escaped("h\xc3\xa9llo\xe2\x86\x92", SIZE_MAX), "h\xc3\xa9llo\xe2\x86\x92");
	/* invalid UTF-8, controls and U+FFFF become visible escapes */
	CHECK_STR(escaped("bad\xff\xfe\x01\n\xef\xbf\xbf", SIZE_MAX),
		  "bad\\xff\\xfe\\x01\\n\\xef\\xbf\\xbf");
	CHECK(svg_text_chars("h\xc3\xa9\x01") == 6);
	/* cut to max - 2 display characters and "..": a multibyte character stays whole */
	CHECK_STR(escaped("abcdefgh", 8), "abcdefgh");
	CHECK_STR(escaped("abcdefgh", 7), "abcde..");
	CHECK_STR(escaped("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3), "\xc3\xa9..");
	CHECK_STR(escaped("<<<<", 3), "&lt;..");
	CHECK_STR(escaped("abcdefgh", 2), "");
	CHECK_STR(escaped("ab\x01xyz", 5), "ab..");
}

static void test_thousands(void)
{
	char b[32];

	CHECK_STR(svg_thousands(b, 0), "0");
	CHECK_STR(svg_thousands(b, 999), "999");
	CHECK_STR(svg_thousands(b, 1000), "1,000");
	CHECK_STR(svg_thousands(b, 950020), "950,020");
	CHECK_STR(svg_thousands(b, UINT64_MAX), "18,446,744,073,709,551,615");
}

#define U(fn)                                                                                      \
	{                                                                                          \
		.func = (fn), .module = "app", .addr = __LINE__                                    \
	}
#define K(fn)                                                                                      \
	{                                                                                          \
		.func = (fn), .module = "[kernel.kallsyms]", .addr = __LINE__, .kernel = true      \
	}

/*
 * 1,000,000 samples: app's runtime.main > main.main > main.hotLoop (850,000), 600,000 of them
 * in main.mix inlined into it; 100,000 in the kernel under runtime.mallocgc; 20 frames of 1
 * sample, too narrow to draw; 40,000 in a process whose names need escaping; 9,980 without a
 * user stack.
 */
static int fill(struct stack_profile *p)
{
	const struct stack_frame a[] = {
		{.func = "main.mix", .module = "app", .addr = 1, .inlined = true},
		{.func = "main.hotLoop", .module = "app", .addr = 1},
		U("main.main"),
		U("runtime.main")};
	const struct stack_frame b[] = {U("main.hotLoop"), U("main.main"), U("runtime.main")};
	const struct stack_frame c[] = {K("clear_page_erms"), K("do_anonymous_page"),
					U("runtime.mallocgc"), U("main.main"), U("runtime.main")};
	const struct stack_frame d[] = {U("main.Map[go.shape.int,go.shape.string]"),
					U("bad\xff\xfe<name>"), U("h\xc3\xa9llo\xe2\x86\x92")};
	struct stack_frame t[] = {U(NULL), U("main.main"), U("runtime.main")};
	const struct stack_who app = {.pid = 10, .comm = "app"};
	const struct stack_who odd = {.pid = 11, .comm = "odd<&>\"'"};
	const struct stack_who nouser = {.pid = 10, .comm = "app", .user_missing = true};
	int err = 0;

	err |= stack_profile__add_frames(p, &app, a, 4, (int64_t[]){600000});
	err |= stack_profile__add_frames(p, &app, b, 3, (int64_t[]){250000});
	err |= stack_profile__add_frames(p, &app, c, 5, (int64_t[]){100000});
	err |= stack_profile__add_frames(p, &odd, d, 3, (int64_t[]){40000});
	err |= stack_profile__add_frames(p, &nouser, NULL, 0, (int64_t[]){9980});
	for (int i = 0; i < 20; i++) {
		char name[16];

		snprintf(name, sizeof(name), "tiny_%02d", i);
		t[0].func = name;
		t[0].addr = 1000 + i;
		err |= stack_profile__add_frames(p, &app, t, 3, (int64_t[]){1});
	}
	/* values of zero are not drawn */
	err |= stack_profile__add_frames(p, &app, b, 1, (int64_t[]){0});
	return err;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[1 << 20];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void test_flamegraph(void)
{
	struct stack_profile p;
	const struct flamegraph_opts o = {.title = "CPU <profile>",
					  .subtitle = "profile -F 99, 30 s"};
	char path[] = "/tmp/tk_fg_XXXXXX";
	const char *env = getenv("TK_FLAMEGRAPH_SVG");
	int fd = mkstemp(path);
	char *s;

	CHECK(fd >= 0);
	close(fd);
	CHECK(stack_profile__init(&p, types, 1) == 0);
	CHECK(fill(&p) == 0);
	CHECK(flamegraph_write_svg(&p, 1, path, &o) == -EINVAL);
	CHECK(flamegraph_write_svg(&p, 0, path, &o) == 0);
	s = slurp(path);
	CHECK(s != NULL);
	if (s) {
		CHECK(strstr(s, "<title>main.hotLoop\n850,000 samples, 85.00%</title>") != NULL);
		CHECK(strstr(s, "<title>all\n1,000,000 samples, 100.00%</title>") != NULL);
		CHECK(strstr(s, "<title>main.main\n950,020 samples, 95.00%, 20 narrower frames not "
				"drawn</title>") != NULL);
		CHECK(strstr(s, "<title>main.mix\n600,000 samples, 60.00%, inlined</title>") !=
		      NULL);
		CHECK(strstr(s, "<title>clear_page_erms_[k]\n100,000 samples, 10.00%</title>") !=
		      NULL);
		CHECK(strstr(s, "<title>odd&lt;&amp;&gt;&quot;&apos;\n40,000 samples, "
				"4.00%</title>") != NULL);
		CHECK(strstr(s, "<title>bad\\xff\\xfe&lt;name&gt;\n") != NULL);
		CHECK(strstr(s, "tiny_") == NULL);
		CHECK(strstr(s, ">CPU &lt;profile&gt;</text>") != NULL);
	}
	if (env)
		CHECK(flamegraph_write_svg(&p, 0, env, &o) == 0);
	/* a directory that does not exist: an error, no crash */
	CHECK(flamegraph_write_svg(&p, 0, "/nonexistent/dir/fg.svg", NULL) == -ENOENT);
	stack_profile__exit(&p);

	/* nothing sampled: a picture that says so */
	CHECK(stack_profile__init(&p, types, 1) == 0);
	CHECK(flamegraph_write_svg(&p, 0, path, NULL) == 0);
	s = slurp(path);
	CHECK(s && strstr(s, ">No samples</text>") && !strstr(s, "class=\"f "));
	stack_profile__exit(&p);
	unlink(path);
}

UNIT_MAIN(test_escape, test_thousands, test_flamegraph)
