// SPDX-License-Identifier: GPL-2.0
/*
 * The script's C definitions (lang/cdecl.c): the layouts it computes are the C compiler's.
 * The same definitions are compiled here, so every size and offset is checked against
 * sizeof/offsetof of this very build, never against a number written down.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf/btf.h>

#include "core/kbtf.h"
#include "lang/cdecl.h"
#include "unit.h"

#define DEFS                                                                                       \
	"struct node { int a; char b; long c; struct node *next; unsigned x:3, y:7;\n"             \
	"  char name[5]; union { int u1; short u2; }; unsigned long long z:40; };\n"               \
	"typedef struct { char c; struct node n[2]; uint16_t w; } pair_t;\n"                       \
	"enum color { RED, GREEN = 5, BLUE };\n"                                                   \
	"struct fp { void (*cb)(int, char *); short s[3][2]; } __attribute__((aligned(8)));\n"

struct node {
	int a;
	char b;
	long c;
	struct node *next;
	unsigned x : 3, y : 7;
	char name[5];
	union {
		int u1;
		short u2;
	};
	unsigned long long z : 40;
};
typedef struct {
	char c;
	struct node n[2];
	uint16_t w;
} pair_t;
struct fp {
	void (*cb)(int, char *);
	short s[3][2];
};

static struct kbtf *parse(const char *text, char *err, size_t errlen, int *line)
{
	struct cdecl_src src = {text, 1};
	struct kbtf *k = NULL;
	void *blob;
	size_t size;

	if (cdecl_parse(&src, 1, NULL, &blob, &size, err, errlen, line))
		return NULL;
	if (kbtf__new(blob, size, &k))
		k = NULL;
	cdecl_free(blob);
	return k;
}

static uint32_t member_off(const struct kbtf *k, const char *strct, const char *m)
{
	struct kbtf_member mb = {0};

	CHECK(kbtf__member(k, strct, m, &mb) == 0);
	return mb.bit_off;
}

static void test_layout(void)
{
	char err[256] = "";
	int line = 0, id;
	struct kbtf *k = parse(DEFS, err, sizeof(err), &line);
	struct kbtf_member mb;
	int64_t v;

	CHECK_STR(err, "");
	CHECK(k != NULL);
	if (!k)
		return;
	id = kbtf__find(k, "node", BTF_KIND_STRUCT, NULL);
	CHECK(id > 0 && kbtf__size(k, (uint32_t)id) == sizeof(struct node));
	CHECK(member_off(k, "node", "b") == 8 * offsetof(struct node, b));
	CHECK(member_off(k, "node", "c") == 8 * offsetof(struct node, c));
	CHECK(member_off(k, "node", "next") == 8 * offsetof(struct node, next));
	CHECK(member_off(k, "node", "name") == 8 * offsetof(struct node, name));
	CHECK(member_off(k, "node", "u2") == 8 * offsetof(struct node, u2));
	/* bitfields: x at the start of its unit, y right after it, z in a new 8-byte unit */
	CHECK(kbtf__member(k, "node", "y", &mb) == 0 && mb.bitfield == 7);
	CHECK(mb.bit_off == member_off(k, "node", "x") + 3);
	CHECK(kbtf__member(k, "node", "z", &mb) == 0 && mb.bitfield == 40);
	CHECK(mb.bit_off % 64 + 40 <= 64);
	id = kbtf__find(k, "pair_t", BTF_KIND_TYPEDEF, NULL);
	CHECK(id > 0 && kbtf__size(k, (uint32_t)id) == sizeof(pair_t));
	id = kbtf__find(k, "fp", BTF_KIND_STRUCT, NULL);
	CHECK(id > 0 && kbtf__size(k, (uint32_t)id) == sizeof(struct fp));
	CHECK(member_off(k, "fp", "s") == 8 * offsetof(struct fp, s));
	id = kbtf__find(k, "color", BTF_KIND_ENUM, NULL);
	CHECK(id > 0 && kbtf__enum_value(k, (uint32_t)id, "BLUE", &v) == 0 && v == 6);
	kbtf__close(k);
}

static void test_errors(void)
{
	static const struct {
		const char *text, *err;
		int line;
	} bad[] = {
		{"struct a { int x; }", "C definition: expected ';' before 'end'", 1},
		{"struct a { foo_t x; };", "C definition: unknown type name 'foo_t'", 1},
		{"struct a {\n int x;\n double d; };",
		 "C definition: floating-point members are not supported", 3},
		{"struct a { char *p : 3; };", "C definition: bitfield 'p' is not an integer", 1},
		{"struct a { int x; };\nstruct a { int y; };",
		 "C definition: redefinition of 'struct a'", 2},
		{"struct a { struct b inner; };",
		 "C definition: member 'inner' has an incomplete type", 1},
		{"struct a { int v[n]; };", "C definition: array sizes must be numbers ('n')", 1},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		int line = 0;
		struct kbtf *k = parse(bad[i].text, err, sizeof(err), &line);

		CHECK(k == NULL);
		CHECK_STR(err, bad[i].err);
		CHECK(line == bad[i].line);
		kbtf__close(k);
	}
}

UNIT_MAIN(test_layout, test_errors)
