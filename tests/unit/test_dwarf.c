// SPDX-License-Identifier: GPL-2.0
/*
 * dwarf.c on this test binary's own DWARF (unit tests are built with -g): a function taking
 * a struct by value and a pointer, as C's SysV ABI passes them (RDI, RSI, RDX at entry).
 * Source frames (lines, inlined calls) of the test target cprof against binutils' addr2line.
 * Go's DWARF is checked on the real targets in tests/e2e/test_readers.py.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dwarf.h"
#include "core/elf.h"
#include "unit.h"
#include "unit_targets.h"

struct pair {
	long a;
	long b;
};

__attribute__((noinline, used)) long dwarf_test_mul(struct pair p, long *out)
{
	__asm__ volatile("" : : "r"(p.a), "r"(p.b), "r"(out) : "memory");
	*out = p.a * p.b;
	return *out;
}

static int find_addr(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	if (strcmp(name, "dwarf_test_mul"))
		return 0;
	*(uint64_t *)ctx = addr;
	return 1;
}

static void test_params(void)
{
	struct dwarf_file *df;
	struct elf_file *ef;
	struct dwarf_func f;
	uint64_t addr = 0, pe;

	/* The link-time address, as the probes use it. */
	CHECK(elf_file__open("/proc/self/exe", &ef) == 0);
	elf_file__for_each_func(ef, find_addr, &addr);
	elf_file__close(ef);
	CHECK(addr != 0);

	CHECK(dwarf_file__open("/proc/self/exe", &df) == 0);
	if (!df)
		return;
	CHECK(dwarf_file__func(df, addr, &f) == 0);
	CHECK_STR(f.name, "dwarf_test_mul");
	CHECK(f.low_pc == addr && f.high_pc > addr);
	CHECK(f.nparams == 2);
	if (f.nparams == 2) {
		const struct dwarf_param *p = &f.params[0], *q = &f.params[1];

		CHECK_STR(p->name, "p");
		CHECK_STR(p->type, "struct pair");
		CHECK(p->kind == DWARF_TYPE_STRUCT && p->size == 16 && !p->is_result);
		CHECK(p->nmembers == 2);
		if (p->nmembers == 2) {
			CHECK_STR(p->members[0].name, "a");
			CHECK_STR(p->members[0].type, "long int");
			CHECK(p->members[0].offset == 0 && p->members[0].size == 8);
			CHECK(p->members[0].kind == DWARF_TYPE_INT);
			CHECK_STR(p->members[1].name, "b");
			CHECK(p->members[1].offset == 8);
		}
		/* SysV: a 16-byte struct of two INTEGER eightbytes goes in RDI, RSI. */
		CHECK(p->loc.npieces == 2);
		CHECK(p->loc.pieces[0].kind == DWARF_LOC_REG && p->loc.pieces[0].size == 8);
		CHECK_STR(dwarf_reg_name(p->loc.pieces[0].reg), "di");
		CHECK_STR(dwarf_reg_name(p->loc.pieces[1].reg), "si");

		CHECK_STR(q->name, "out");
		CHECK_STR(q->type, "long int *");
		CHECK(q->kind == DWARF_TYPE_PTR && q->size == 8 && q->nmembers == 0);
		CHECK(q->loc.npieces == 1 && q->loc.pieces[0].kind == DWARF_LOC_REG);
		CHECK_STR(dwarf_reg_name(q->loc.pieces[0].reg), "dx");
	}
	dwarf_func__free(&f);

	/* An address inside the function finds it too; one in no function does not. */
	CHECK(dwarf_file__func(df, addr + 1, &f) == 0);
	dwarf_func__free(&f);
	CHECK(dwarf_file__func(df, 8, &f) == -ENOENT);
	CHECK(dwarf_file__prologue_end(df, 8, &pe) == -ENOENT);
	/* C has no Go runtime.g */
	{
		struct dwarf_go_g g;

		CHECK(dwarf_file__go_g_offsets(df, &g) == -ENOENT);
	}
	dwarf_file__close(df);
}

/* The test target cprof. */
static bool cprof_path(char *buf, size_t len)
{
	char root[2048];

	if (!unit_repo_root(root, sizeof(root)))
		return false;
	snprintf(buf, len, "%s/tests/targets/bin/cprof", root);
	return access(buf, R_OK) == 0;
}

/* One address's frames as binutils' `addr2line -a -f -i` prints them. */
struct a2l {
	uint64_t addr;
	int n;
	char func[8][128], file[8][1024];
	unsigned int line[8];
};

static bool a2l_next(FILE *p, char *pending, size_t plen, struct a2l *a)
{
	char fn[128], fl[1024];

	if (!*pending && !fgets(pending, (int)plen, p))
		return false;
	a->addr = strtoull(pending, NULL, 16);
	a->n = 0;
	*pending = '\0';
	while (fgets(fn, sizeof(fn), p)) {
		char *colon;

		if (!strncmp(fn, "0x", 2)) {
			snprintf(pending, plen, "%s", fn); /* the next address */
			break;
		}
		if (!fgets(fl, sizeof(fl), p) || a->n == 8)
			break;
		fl[strcspn(fl, " \n")] = '\0'; /* and any " (discriminator N)" */
		colon = strrchr(fl, ':');
		fn[strcspn(fn, "\n")] = '\0';
		snprintf(a->func[a->n], sizeof(a->func[0]), "%s", fn);
		a->line[a->n] = colon ? (unsigned int)strtoul(colon + 1, NULL, 10) : 0;
		if (colon)
			*colon = '\0';
		snprintf(a->file[a->n], sizeof(a->file[0]), "%s", fl);
		a->n++;
	}
	return true;
}

/*
 * Every address of cprof's hot_loop, whose static inline mix() gcc -O2 inlines, against
 * binutils' addr2line -f -i: the same frames, inlined ones first, with the same file:line.
 */
static void test_frames(void)
{
	char path[4096], tmp[] = "/tmp/test_dwarf.XXXXXX", cmd[8300], pending[128] = "";
	struct unit_func hot = {.name = "hot_loop"};
	struct dwarf_file *df = NULL;
	struct elf_file *ef;
	struct src_frame f[8];
	unsigned int inlined = 0, checked = 0;
	struct a2l a;
	FILE *in, *p;
	int fd;

	CHECK(cprof_path(path, sizeof(path)));
	CHECK(elf_file__open(path, &ef) == 0);
	if (!ef)
		return;
	elf_file__for_each_func(ef, unit_find_func, &hot);
	elf_file__close(ef);
	CHECK(hot.size > 0);
	CHECK(dwarf_file__open(path, &df) == 0);
	fd = mkstemp(tmp);
	in = fd >= 0 ? fdopen(fd, "w") : NULL;
	CHECK(in != NULL);
	if (!df || !in)
		goto out;
	for (uint64_t x = hot.addr; x < hot.addr + hot.size; x++)
		fprintf(in, "0x%" PRIx64 "\n", x);
	fclose(in);
	in = NULL;
	snprintf(cmd, sizeof(cmd), "addr2line -a -f -i -e '%s' < %s", path, tmp);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	while (p && a2l_next(p, pending, sizeof(pending), &a)) {
		int n = dwarf_file__frames(df, a.addr, f, 8);

		checked++;
		CHECK(n == a.n);
		for (int i = 0; i < n && i < a.n; i++) {
			CHECK_STR(f[i].func, a.func[i]);
			CHECK_STR(f[i].file, a.file[i]);
			CHECK(f[i].line == a.line[i]);
		}
		if (n == 2 && f[0].func && !strcmp(f[0].func, "mix"))
			inlined++;
		if (n != a.n)
			fprintf(stderr, "  at 0x%" PRIx64 ": %d frames, addr2line %d\n", a.addr, n,
				a.n);
	}
	CHECK(p && pclose(p) == 0);
	CHECK(checked == hot.size);
	CHECK(inlined >= 3);

	/* max cuts from the inside; no function, no frames */
	for (uint64_t x = hot.addr; x < hot.addr + hot.size; x++)
		if (dwarf_file__frames(df, x, f, 8) == 2) {
			CHECK(dwarf_file__frames(df, x, f, 1) == 1);
			CHECK_STR(f[0].func, "hot_loop");
			break;
		}
	CHECK(dwarf_file__frames(df, 8, f, 8) == -ENOENT);
	CHECK(dwarf_file__frames(df, hot.addr, f, 0) == -EINVAL);
out:
	if (in)
		fclose(in);
	unlink(tmp);
	dwarf_file__close(df);
}

static void test_open_errors(void)
{
	struct dwarf_file *df;

	CHECK(dwarf_file__open("/nonexistent/x", &df) == -ENOENT && df == NULL);
	CHECK(dwarf_file__open("/proc/self/status", &df) == -ENOEXEC);
	CHECK(dwarf_reg_name(0) && !strcmp(dwarf_reg_name(0), "ax"));
	CHECK_STR(dwarf_reg_name(8), "r8");
	CHECK(dwarf_reg_name(17) == NULL && dwarf_reg_name(-1) == NULL);
}

UNIT_MAIN(test_params, test_frames, test_open_errors)
