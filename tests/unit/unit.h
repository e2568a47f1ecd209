/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal unit-test harness: CHECK() records failures and goes on; UNIT_MAIN() runs the
 * listed cases and exits non-zero if any check failed. pytest runs every test_* binary.
 */
#ifndef TK_UNIT_H
#define TK_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed, unit_checks;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		unit_checks++;                                                                   \
		if (!(cond)) {                                                                   \
			unit_failed++;                                                           \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                                \
	} while (0)

#define CHECK_STR(a, b)                                                                          \
	do {                                                                                     \
		const char *a_ = (a), *b_ = (b);                                                 \
		unit_checks++;                                                                   \
		if (!a_ || !b_ || strcmp(a_, b_)) {                                              \
			unit_failed++;                                                           \
			fprintf(stderr, "%s:%d: CHECK_STR failed:\n  got:  \"%s\"\n  want: \"%s\"\n", \
				__FILE__, __LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)");    \
		}                                                                                \
	} while (0)

#define UNIT_MAIN(...)                                                                           \
	int main(void)                                                                           \
	{                                                                                        \
		void (*cases[])(void) = { __VA_ARGS__ };                                         \
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)                    \
			cases[i]();                                                              \
		printf("%d checks, %d failed\n", unit_checks, unit_failed);                      \
		return unit_failed ? 1 : 0;                                                      \
	}

#endif
