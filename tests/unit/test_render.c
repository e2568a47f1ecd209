// SPDX-License-Identifier: GPL-2.0
/* bcc histogram rendering and terminal escaping, byte for byte. */
#include <stdlib.h>

#include "core/hist.h"
#include "core/out.h"
#include "unit.h"

static char *render(const uint64_t *slots, unsigned int n, const char *unit)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	hist_print_log2(f, slots, n, unit);
	fclose(f);
	return buf;
}

/* The seed article's funclatency output: 7 calls in [16384, 32767], 3 in [32768, 65535]. */
static void test_hist_article(void)
{
	uint64_t slots[HIST_LOG2_SLOTS] = { 0 };
	char *out;

	slots[hist_log2_slot(20000)] = 7;
	slots[hist_log2_slot(40000)] = 3;
	out = render(slots, HIST_LOG2_SLOTS, "nsecs");
	CHECK_STR(out,
		  "     nsecs               : count     distribution\n"
		  "         0 -> 1          : 0        |                                        |\n"
		  "         2 -> 3          : 0        |                                        |\n"
		  "         4 -> 7          : 0        |                                        |\n"
		  "         8 -> 15         : 0        |                                        |\n"
		  "        16 -> 31         : 0        |                                        |\n"
		  "        32 -> 63         : 0        |                                        |\n"
		  "        64 -> 127        : 0        |                                        |\n"
		  "       128 -> 255        : 0        |                                        |\n"
		  "       256 -> 511        : 0        |                                        |\n"
		  "       512 -> 1023       : 0        |                                        |\n"
		  "      1024 -> 2047       : 0        |                                        |\n"
		  "      2048 -> 4095       : 0        |                                        |\n"
		  "      4096 -> 8191       : 0        |                                        |\n"
		  "      8192 -> 16383      : 0        |                                        |\n"
		  "     16384 -> 32767      : 7        |****************************************|\n"
		  "     32768 -> 65535      : 3        |*****************                       |\n");
	free(out);
}

static void test_hist_slots(void)
{
	CHECK(hist_log2_slot(0) == 1 && hist_log2_slot(1) == 1);
	CHECK(hist_log2_slot(2) == 2 && hist_log2_slot(3) == 2);
	CHECK(hist_log2_slot(4) == 3 && hist_log2_slot(1023) == 10 && hist_log2_slot(1024) == 11);
	CHECK(hist_log2_slot(~0ULL) == 64);
}

static void test_hist_empty_and_wide(void)
{
	uint64_t slots[HIST_LOG2_SLOTS] = { 0 };
	char *out = render(slots, HIST_LOG2_SLOTS, "usecs");

	CHECK_STR(out, ""); /* bcc prints nothing for an empty histogram */
	free(out);
	slots[40] = 1;
	out = render(slots, HIST_LOG2_SLOTS, "nsecs");
	CHECK(strstr(out, "               nsecs                         : count     distribution\n") ==
	      out);
	CHECK(strstr(out, "   549755813888 -> 1099511627775        : 1        |********************|\n"));
	free(out);
}

/* The JSON form: non-empty rows only, 0 in the first row's low bound. */
static void test_hist_json(void)
{
	uint64_t slots[HIST_LOG2_SLOTS] = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	hist_json_log2(f, slots, HIST_LOG2_SLOTS);
	slots[1] = 2;
	slots[hist_log2_slot(5)] = 1;
	fputc(' ', f);
	hist_json_log2(f, slots, HIST_LOG2_SLOTS);
	fclose(f);
	CHECK_STR(buf, "[] [{\"low\":0,\"high\":1,\"count\":2},{\"low\":4,\"high\":7,\"count\":1}]");
	free(buf);
}

static void test_escape(void)
{
	char buf[64];

	CHECK_STR(str_escape(buf, sizeof(buf), "server", 16), "server");
	CHECK_STR(str_escape(buf, sizeof(buf), "ev\x1b[31mil", 16), "ev\\e[31mil");
	CHECK_STR(str_escape(buf, sizeof(buf), "a\nb\tc\r", 16), "a\\nb\\tc\\r");
	CHECK_STR(str_escape(buf, sizeof(buf), "\x01\x7f\x9b", 16), "\\x01\\x7f\\x9b");
	CHECK_STR(str_escape(buf, sizeof(buf), "caf\xc3\xa9", 16), "caf\xc3\xa9"); /* UTF-8 kept */
	CHECK_STR(str_escape(buf, sizeof(buf), "\xe2\x82\xac" "5", 16), "\xe2\x82\xac" "5"); /* euro sign */
	CHECK_STR(str_escape(buf, sizeof(buf), "\xc2\x9b", 16), "\\xc2\\x9b");	/* C1 CSI */
	CHECK_STR(str_escape(buf, sizeof(buf), "\xe2\x82", 16), "\\xe2\\x82");	/* cut */
	CHECK_STR(str_escape(buf, sizeof(buf), "\xc0\xaf", 16), "\\xc0\\xaf");	/* overlong */
	CHECK_STR(str_escape(buf, 4, "abcdef", 16), "abc");			  /* truncates */
	CHECK_STR(str_escape(buf, 6, "\x01\x01", 16), "\\x01");			  /* whole escapes */
	CHECK_STR(str_escape(buf, sizeof(buf), "abc", 2), "ab");		  /* srclen bound */
}

UNIT_MAIN(test_hist_article, test_hist_slots, test_hist_empty_and_wide, test_hist_json,
	  test_escape)
