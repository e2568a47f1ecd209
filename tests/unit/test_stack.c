// SPDX-License-Identifier: GPL-2.0
/*
 * core/stack.c: interning, shared locations, inlined lines grouped into one location, and
 * stack_profile__add_raw() on this test's own process (user) and kallsyms (kernel).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/stack.h"
#include "unit.h"

static const struct stack_value_type types[] = {{"samples", "count"}, {"cpu", "nanoseconds"}};

static void test_intern(void)
{
	struct stack_profile p;
	int64_t a, b, c;

	CHECK(stack_profile__init(&p, types, 2) == 0);
	CHECK(stack_profile__intern(&p, NULL) == 0);
	CHECK(stack_profile__intern(&p, "") == 0);
	a = stack_profile__intern(&p, "main.f");
	b = stack_profile__intern(&p, "main.g");
	c = stack_profile__intern(&p, "main.f");
	CHECK(a > 0 && b > 0 && a != b && a == c);
	CHECK_STR(stack_profile__str(&p, (uint32_t)b), "main.g");
	/* Past the first table size: every string still found once. */
	for (int i = 0; i < 5000; i++) {
		char name[32];

		snprintf(name, sizeof(name), "f%d", i);
		CHECK(stack_profile__intern(&p, name) == 3 + i);
	}
	for (int i = 0; i < 5000; i += 97) {
		char name[32];

		snprintf(name, sizeof(name), "f%d", i);
		CHECK(stack_profile__intern(&p, name) == 3 + i);
	}
	CHECK(p.nstrs == 5003);
	CHECK(stack_profile__init(&p, types, 0) == -EINVAL);
	stack_profile__exit(&p);
}

static void test_frames(void)
{
	struct stack_profile p;
	/* main.mix inlined into main.hotLoop at one address, called from main.main */
	const struct stack_frame f[] = {
		{.func = "schedule",
		 .module = "[kernel.kallsyms]",
		 .addr = 0xffff1,
		 .kernel = true},
		{.func = "main.mix",
		 .file = "main.go",
		 .line = 27,
		 .module = "goprof",
		 .addr = 0x10,
		 .inlined = true},
		{.func = "main.hotLoop",
		 .file = "main.go",
		 .line = 38,
		 .module = "goprof",
		 .addr = 0x10},
		{.func = NULL, .module = "goprof", .addr = 0x20},
	};
	const int64_t v1[] = {3, 30}, v2[] = {4, 40};
	const struct stack_who who = {.pid = 7, .tid = 8, .comm = "goprof"};
	const struct stack_sample *s;
	const struct stack_loc *l;

	CHECK(stack_profile__init(&p, types, 2) == 0);
	CHECK(stack_profile__add_frames(&p, &who, f, 4, v1) == 0);
	CHECK(stack_profile__add_frames(&p, &who, f + 1, 3, v2) == 0);
	CHECK(p.nsamples == 2);
	CHECK(p.nlocs == 3); /* the second sample shares its two locations with the first */
	s = &p.samples[0];
	CHECK(s->nlocs == 3 && s->nkernel == 1 && s->pid == 7 && s->tid == 8);
	CHECK_STR(stack_profile__str(&p, s->comm), "goprof");
	CHECK(p.values[s->val0] == 3 && p.values[s->val0 + 1] == 30);
	l = &p.locs[p.loc_ids[s->loc0 + 1]];
	CHECK(l->nlines == 2 && l->addr == 0x10 && !l->kernel);
	CHECK_STR(stack_line_func(&p, &p.lines[l->line0]), "main.mix");
	CHECK(p.lines[l->line0].line == 27);
	CHECK_STR(stack_line_func(&p, &p.lines[l->line0 + 1]), "main.hotLoop");
	CHECK_STR(stack_profile__str(&p, p.lines[l->line0 + 1].file), "main.go");
	l = &p.locs[p.loc_ids[s->loc0 + 2]];
	CHECK_STR(stack_line_func(&p, &p.lines[l->line0]), "[unknown]");
	CHECK(p.samples[1].nkernel == 0 && p.samples[1].nlocs == 2);
	CHECK(p.loc_ids[p.samples[1].loc0] == p.loc_ids[s->loc0 + 1]);
	CHECK(p.values[p.samples[1].val0 + 1] == 40);
	stack_profile__exit(&p);
}

__attribute__((noinline, used)) int stack_test_leaf(int x)
{
	__asm__ volatile("");
	return x + 1;
}

static void test_raw(void)
{
	struct stack_profile p;
	uint64_t leaf = (uint64_t)(uintptr_t)&stack_test_leaf;
	/* a caller's frame holds a return address: the call is the byte before it */
	uint64_t uips[] = {leaf + 1, leaf + 1, 0, 0x1234};
	const struct stack_who who = {.pid = (uint32_t)getpid(), .comm = "test"};
	const struct stack_raw raw = {.uips = uips, .nu = 4};
	const int64_t v[] = {1, 2};
	const struct stack_sample *s;

	CHECK(stack_profile__init(&p, types, 2) == 0);
	CHECK(stack_profile__add_raw(&p, &who, &raw, v) == 0);
	s = &p.samples[0];
	/* the zero ends the list; both addresses are in stack_test_leaf */
	CHECK(s->nlocs == 2 && s->nkernel == 0);
	for (uint32_t i = 0; i < s->nlocs && i < 2; i++) {
		const struct stack_loc *l = &p.locs[p.loc_ids[s->loc0 + i]];

		CHECK_STR(stack_line_func(&p, &p.lines[l->line0 + l->nlines - 1]),
			  "stack_test_leaf");
		CHECK(l->addr == leaf + 1);
	}
	/* same address in the same process: one location */
	CHECK(p.loc_ids[s->loc0] == p.loc_ids[s->loc0 + 1]);
	stack_profile__exit(&p);
}

UNIT_MAIN(test_intern, test_frames, test_raw)
