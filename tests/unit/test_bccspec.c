// SPDX-License-Identifier: GPL-2.0
/* bcc's probe specifiers and C expressions in the language's terms (tools/bccspec.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* a tool's translation unit, not in the libraries unit tests link */
#include "tools/bccspec.c"
#include "unit.h"

static char err[256];

/* The language's text of e on probe p ("ERR" after an error). */
static char *expr(const struct bcc_probe *p, const char *e, const struct bcc_expr_ext *ext)
{
	static struct strbuf b;

	free(b.p);
	b = (struct strbuf){0};
	if (bcc_expr(p, e, ext, &b, err, sizeof(err)))
		return "ERR";
	return b.p ? b.p : "";
}

static char *attach(const struct bcc_probe *p)
{
	static struct strbuf b;

	free(b.p);
	b = (struct strbuf){0};
	bcc_probe_attach(p, &b);
	return b.p;
}

static void test_split(void)
{
	char **v;
	size_t n;

	CHECK(!bcc_split_commas("\"%d, %s\", arg1 ,STRCMP(\"a,b\", arg2), (x, y)", &v, &n));
	CHECK(n == 4);
	if (n == 4) {
		CHECK_STR(v[0], "\"%d, %s\"");
		CHECK_STR(v[1], "arg1");
		CHECK_STR(v[2], "STRCMP(\"a,b\", arg2)");
		CHECK_STR(v[3], "(x, y)");
	}
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void test_specs(void)
{
	struct bcc_probe p;

	CHECK(!bcc_probe_parse("t:sched:sched_process_exec", NULL, 0, &p, err, sizeof(err)));
	CHECK(p.type == 't');
	CHECK_STR(attach(&p), "tracepoint:sched:sched_process_exec");
	CHECK_STR(bcc_probe_display(&p), "sched_process_exec");
	bcc_probe_free(&p);

	CHECK(!bcc_probe_parse("u:/bin/x:prov:name", NULL, 0, &p, err, sizeof(err)));
	CHECK_STR(attach(&p), "usdt:/bin/x:prov:name");
	CHECK_STR(bcc_probe_display(&p), "prov:name");
	bcc_probe_free(&p);

	/* a kernel function: the language says it has no kprobes here */
	CHECK(!bcc_probe_parse("r::vfs_read", NULL, 0, &p, err, sizeof(err)));
	CHECK_STR(attach(&p), "kretprobe:vfs_read");
	bcc_probe_free(&p);
	CHECK(!bcc_probe_parse("vfs_read+0x10", "int a, char *b", 0, &p, err, sizeof(err)));
	CHECK(p.type == 'p' && p.offset == 16 && p.nparams == 2);
	CHECK_STR(p.function, "vfs_read");
	CHECK(p.params[1].is_str && !p.params[0].is_str);
	CHECK_STR(p.params[0].cast, "int32");
	bcc_probe_free(&p);

	CHECK(bcc_probe_parse("x:c:write", NULL, 0, &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "probe type must be") != NULL);
	CHECK(bcc_probe_parse("t:a:b", "int x", 0, &p, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "can't have a function signature") != NULL);
	CHECK(bcc_probe_parse("p::f+zz", NULL, 0, &p, err, sizeof(err)) == -EINVAL);
	CHECK(bcc_probe_parse("t::ev", NULL, 0, &p, err, sizeof(err)) == -EINVAL);
	CHECK(bcc_probe_parse("p::f", "int 3x, y", 0, &p, err, sizeof(err)) == -EINVAL);
}

static const char *ext_dollar(void *ctx, const char *name, const char *arg)
{
	(void)ctx;
	if (!strcmp(name, "entry") && arg && !strcmp(arg, "fd"))
		return "@e[tid]";
	return NULL;
}

static void test_exprs(void)
{
	struct bcc_probe p;
	struct bcc_expr_ext ext = {.dollar = ext_dollar};

	CHECK(!bcc_probe_parse("p::f", "int fd, const char *path, size_t n", 0, &p, err,
			       sizeof(err)));
	CHECK_STR(expr(&p, "arg1 > 10 && $pid == 5 || $tgid != $uid", NULL),
		  "((int32)arg0) > 10 && tid == 5 || pid != uid");
	CHECK_STR(expr(&p, "STRCMP(\"ba,sh\", arg2@user)", NULL), "(str(arg1) == \"ba,sh\")");
	CHECK_STR(expr(&p, "fd == 1 && n > 0x10", NULL),
		  "((int32)arg0) == 1 && ((uint64)arg2) > 0x10");
	CHECK_STR(expr(&p, "path", NULL), "arg1");
	CHECK_STR(expr(&p, "\"arg1 $pid\" == x", NULL), "\"arg1 $pid\" == x"); /* strings stay */
	CHECK_STR(expr(&p, "arg12 + retval", NULL), "arg12 + retval");	       /* not r: */
	CHECK_STR(expr(&p, "$nope", NULL), "ERR");
	CHECK_STR(expr(&p, "$entry(fd)", NULL), "ERR");
	CHECK_STR(expr(&p, "$entry(fd) + 1", &ext), "@e[tid] + 1");
	CHECK_STR(expr(&p, "STRCMP(arg1, \"x\")", NULL), "ERR");
	CHECK_STR(expr(&p, "\"open", NULL), "ERR");
	/* Go: Go's register arguments */
	p.is_go = true;
	CHECK_STR(expr(&p, "arg4 * arg5", NULL), "garg3 * garg4");
	p.type = 'r';
	CHECK_STR(expr(&p, "retval < 0", NULL), "((int64)retval) < 0");
	bcc_probe_free(&p);

	CHECK(!bcc_probe_parse("t:block:block_rq_complete", NULL, 0, &p, err, sizeof(err)));
	CHECK_STR(expr(&p, "tp.nr_sector + args->x", NULL), "args.nr_sector + args->x");
	bcc_probe_free(&p);
}

static void test_quote(void)
{
	struct strbuf b = {0};

	bcc_quote(&b, "a\"b\\c\n");
	CHECK_STR(b.p, "\"a\\\"b\\\\c\\x0a\"");
	free(b.p);
	CHECK_STR(bcc_ctype_cast("const unsigned long"), "uint64");
	CHECK(bcc_ctype_cast("struct x") == NULL);
}

UNIT_MAIN(test_split, test_specs, test_exprs, test_quote)
